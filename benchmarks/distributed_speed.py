"""Training steps per second on 1 vs 2 devices (or processes), per backend.

    PYTHONPATH=. python benchmarks/distributed_speed.py            # all backends
    PYTHONPATH=. python benchmarks/distributed_speed.py --backends jax

Each backend is measured in a fresh interpreter with its own engine:
- jax: one device vs `keras.distribution.DataParallel` over 2 host devices
  (`--xla_force_host_platform_device_count=2`; both runs in that process).
- tensorflow: no strategy vs `tf.distribute.MirroredStrategy` over 2 logical
  CPU devices.
- torch: one process vs 2 gloo processes
  (torch.multiprocessing spawn), 1 intra-op thread per process, each fitting its
  `keras_gans.distributed.shard_for_this_process` shard at half the batch.

All devices here are slices of the same CPU, so 2 devices cannot be faster
than 1: the numbers measure the overhead of each engine (splitting the batch,
all-reducing gradients, synchronising), not a speed-up. On real accelerators
the same code runs each replica on its own chip.

The model is the 8x8-digits MLP GAN (hidden 128-128) with the non-saturating
or WGAN-GP loss, SGD, the same global batch on 1 and 2 devices. A step is one
`train_step` (WGAN-GP: `critic_steps` critic updates + 1 generator update).
Timing starts after the first epoch (tracing/compilation) and covers whole
epochs. Writes benchmarks/results/distributed_speed.{json,md}.
"""

import argparse
import json
import os
import pathlib
import platform
import socket
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
RESULTS = HERE / "results"
BACKENDS = ["jax", "tensorflow", "torch"]
NUM_DEVICES = 2


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument("--losses", nargs="+", choices=["ns", "wgan_gp"], default=["ns", "wgan_gp"])
    parser.add_argument("--global-batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs, after 1 warm-up epoch")
    parser.add_argument("--critic-steps", type=int, default=2)
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- Inside a worker interpreter -------------------------------------------------


def _set_up_environment(backend):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if backend == "jax":
        os.environ["XLA_FLAGS"] = (
            os.environ.get("XLA_FLAGS", "")
            + f" --xla_force_host_platform_device_count={NUM_DEVICES}"
        ).strip()
    if backend == "tensorflow":
        import tensorflow as tf

        (cpu,) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * NUM_DEVICES
        )


def _build_gan(loss, critic_steps):
    import keras

    import keras_gans
    from keras_gans.architectures import mlp_discriminator, mlp_generator

    generator = mlp_generator(latent_dim=16, seed=1)
    discriminator = mlp_discriminator(seed=2)
    if loss == "ns":
        gan = keras_gans.NonSaturatingGAN(generator, discriminator, 16, seed=0)
    else:
        gan = keras_gans.WGANGP(generator, discriminator, 16, critic_steps=critic_steps, seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.01),
        discriminator_optimizer=keras.optimizers.SGD(0.01),
    )
    return gan


def _timed_fit(gan, x, batch_size, epochs):
    """Fits 1 + `epochs` epochs; returns (timed steps, seconds) of the last `epochs`."""
    import keras

    marks = {}

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                marks["start"] = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            marks["steps"] = marks.get("steps", 0) + (1 if "start" in marks else 0)

        def on_train_end(self, logs=None):
            marks["end"] = time.perf_counter()

    gan.fit(x, batch_size=batch_size, epochs=1 + epochs, shuffle=False, verbose=0, callbacks=[Clock()])
    return marks["steps"], marks["end"] - marks["start"]


def _images(global_batch):
    """The digits, cut to whole global batches (every step has the same shape)."""
    from keras_gans.data import load_dataset

    images = load_dataset("digits")[0]
    return images[: len(images) // global_batch * global_batch]


def _measure(gan_fn, x, batch_size, epochs):
    steps, seconds = _timed_fit(gan_fn(), x, batch_size, epochs)
    return {"steps": steps, "seconds": round(seconds, 4), "steps_per_second": round(steps / seconds, 2)}


def _jax_worker(args):
    import keras

    results = {}
    x = _images(args.global_batch)
    for loss in args.losses:
        make = lambda: _build_gan(loss, args.critic_steps)  # noqa: E731
        one = _measure(make, x, args.global_batch, args.epochs)
        devices = keras.distribution.list_devices("cpu")
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        try:
            two = _measure(make, x, args.global_batch, args.epochs)
        finally:
            keras.distribution.set_distribution(None)
        results[loss] = {"1": one, "2": two}
    return results


def _tf_worker(args):
    import tensorflow as tf

    # One MirroredStrategy for the whole process (a second one in the same
    # process aborts on TF 2.21; see tests/distributed/equivalence.py).
    strategy = tf.distribute.MirroredStrategy(
        [d.name for d in tf.config.list_logical_devices("CPU")]
    )
    results = {}
    x = _images(args.global_batch)
    for loss in args.losses:
        one = _measure(lambda: _build_gan(loss, args.critic_steps), x, args.global_batch, args.epochs)

        def make_mirrored():
            with strategy.scope():
                return _build_gan(loss, args.critic_steps)

        two = _measure(make_mirrored, x, args.global_batch, args.epochs)
        results[loss] = {"1": one, "2": two}
    return results


def _torch_process(rank, world_size, port, args, out_dir):
    _set_up_environment("torch")
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)  # the same per process: the CPU is shared and oversubscribed threads stall
    if world_size > 1:
        dist.init_process_group(
            "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world_size
        )
    try:
        from keras_gans import distributed

        x = distributed.shard_for_this_process(_images(args.global_batch), global_batch_size=args.global_batch)
        batch = distributed.per_process_batch_size(args.global_batch)
        results = {
            loss: _measure(lambda: _build_gan(loss, args.critic_steps), x, batch, args.epochs)
            for loss in args.losses
        }
        if distributed.is_primary_process():
            with open(os.path.join(out_dir, f"world{world_size}.json"), "w") as f:
                json.dump(results, f)
    finally:
        if world_size > 1:
            dist.destroy_process_group()


def _torch_worker(args):
    import torch.multiprocessing as mp

    with tempfile.TemporaryDirectory() as out_dir:
        _torch_process(0, 1, None, args, out_dir)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        mp.start_processes(
            _torch_process,
            args=(NUM_DEVICES, port, args, out_dir),
            nprocs=NUM_DEVICES,
            start_method="spawn",
        )
        per_world = {}
        for world in (1, NUM_DEVICES):
            with open(os.path.join(out_dir, f"world{world}.json")) as f:
                per_world[str(world)] = json.load(f)
    return {loss: {w: per_world[w][loss] for w in per_world} for loss in args.losses}


def _worker_main(args):
    _set_up_environment(args.worker)
    runner = {"jax": _jax_worker, "tensorflow": _tf_worker, "torch": _torch_worker}[args.worker]
    print(json.dumps(runner(args)))


# --- Driver ------------------------------------------------------------------------


def _run_backend(backend, args):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("XLA_FLAGS", None)
    command = [
        sys.executable, __file__, "--worker", backend,
        "--losses", *args.losses,
        "--global-batch", str(args.global_batch),
        "--epochs", str(args.epochs),
        "--critic-steps", str(args.critic_steps),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    if completed.returncode != 0:
        raise RuntimeError(f"{backend} benchmark failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _markdown(report):
    engines = {
        "jax": "1 device vs keras.distribution.DataParallel (2 forced host devices)",
        "tensorflow": "no strategy vs MirroredStrategy (2 logical CPUs)",
        "torch": "1 process vs 2 gloo processes (1 thread each)",
    }
    lines = [
        "# Distributed training speed (CPU, simulated devices)",
        "",
        f"Measured {report['date']} on {report['machine']} "
        f"({report['cpu_count']} CPU cores, shared; load average before: {report['load_average']}).",
        f"MLP GAN on 8x8 digits, SGD, global batch {report['global_batch']}, "
        f"{report['timed_epochs']} timed epochs after 1 warm-up; WGAN-GP with "
        f"{report['critic_steps']} critic steps per step. Versions: "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items())
        + ".",
        "",
        "Both devices are slices of the same CPU, so this shows each engine's overhead, not a speed-up.",
        "",
        "| backend | engine (1 vs 2) | loss | steps/s, 1 | steps/s, 2 | 2 / 1 |",
        "|---|---|---|---|---|---|",
    ]
    for backend, per_loss in report["results"].items():
        for loss, runs in per_loss.items():
            one, two = runs["1"]["steps_per_second"], runs["2"]["steps_per_second"]
            lines.append(
                f"| {backend} | {engines[backend]} | {loss} | {one:.1f} | {two:.1f} | {two / one:.2f} |"
            )
    lines.append("")
    lines.append("Regenerate with `PYTHONPATH=. python benchmarks/distributed_speed.py`.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = _parse_args(argv)
    if args.worker:
        return _worker_main(args)
    from benchmarks import harness

    report = {
        "date": harness.now(),
        "git_commit": harness.git_commit(),
        "machine": f"{platform.system()} {platform.machine()}",
        "cpu_count": os.cpu_count(),
        "load_average": harness.load_average(),
        "versions": harness.versions(),
        "global_batch": args.global_batch,
        "timed_epochs": args.epochs,
        "critic_steps": args.critic_steps,
        "results": {},
    }
    for backend in args.backends:
        print(f"measuring {backend} ...", file=sys.stderr, flush=True)
        report["results"][backend] = _run_backend(backend, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "distributed_speed.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "distributed_speed.md").write_text(_markdown(report))
    print(_markdown(report))


if __name__ == "__main__":
    sys.exit(main())
