"""Trains a small GAN on one device and on two, and reports how they compare.

Run as a script (a fresh interpreter: XLA flags, TF logical devices and
torch.distributed must be set up before anything else), e.g.

    PYTHONPATH=. python tests/distributed/equivalence.py --backend jax --losses ns wgan_gp

Engines (each splits the CPU in two):
- `jax-data`:  keras.distribution.DataParallel over 2 forced host devices.
- `jax-model`: keras.distribution.ModelParallel, hidden Dense kernels split
  over a ("batch", "model") = (1, 2) mesh with a LayoutMap.
- `tf-mirrored`: tf.distribute.MirroredStrategy over 2 logical CPUs.
- `torch`: 2 processes (torch.multiprocessing spawn, gloo), each fitting its
  `keras_gans.distributed.shard_for_this_process` shard at half the batch;
  rank 0 then runs the one-device reference (one interpreter fewer).

The one-device reference fits `x[:steps * B]` with `batch_size=B` and
`shuffle=False`; the distributed run uses the same global batch, seeds and
plain SGD. Models have no BatchNormalization: per-replica batch statistics
would differ from global ones and no equivalence would hold.

The last line of stdout is a JSON report; the tests assert on it.
"""

import argparse
import json
import os
import socket
import sys
import tempfile

BACKEND_ENGINES = {
    "jax": ["jax-data", "jax-model"],
    "tensorflow": ["tf-mirrored"],
    "torch": ["torch"],
}
NUM_DEVICES = 2
LATENT_DIM = 16
HIDDEN = (32, 32)


def _parse_args(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=sorted(BACKEND_ENGINES), required=True)
    parser.add_argument("--engines", nargs="+", help="default: all of the backend's")
    parser.add_argument("--losses", nargs="+", choices=["ns", "ns_toolkit", "wgan_gp"], default=["ns", "ns_toolkit", "wgan_gp"])
    parser.add_argument("--steps", type=int, default=3, help="steps per epoch")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--global-batch", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    args.engines = args.engines or BACKEND_ENGINES[args.backend]
    unknown = set(args.engines) - set(BACKEND_ENGINES[args.backend])
    if unknown:
        parser.error(f"engines {sorted(unknown)} are not {args.backend} engines")
    return args


def _set_up_environment(backend):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if backend == "jax":
        flags = os.environ.get("XLA_FLAGS", "")
        os.environ["XLA_FLAGS"] = (
            f"{flags} --xla_force_host_platform_device_count={NUM_DEVICES}".strip()
        )
    if backend == "tensorflow":
        import tensorflow as tf

        (cpu,) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * NUM_DEVICES
        )


# --- Model, data, snapshots (backend-agnostic) ---------------------------------


def build_gan(loss, learning_rate, seed_offset=0):
    """The GAN under test; `seed_offset` changes every seed (init and latents)."""
    import keras

    import keras_gans
    from keras_gans.architectures import mlp_discriminator, mlp_generator

    generator = mlp_generator(latent_dim=LATENT_DIM, hidden_units=HIDDEN, seed=1 + seed_offset)
    discriminator = mlp_discriminator(hidden_units=HIDDEN, seed=2 + seed_offset)
    seed = 7 + seed_offset
    if loss == "ns":
        gan = keras_gans.NonSaturatingGAN(generator, discriminator, LATENT_DIM, seed=seed)
    elif loss == "ns_toolkit":
        # DiffAugment's random values are drawn for the global batch and
        # sliced per replica: the weights must still match one device.
        gan = keras_gans.NonSaturatingGAN(
            generator, discriminator, LATENT_DIM, seed=seed, r1_penalty_weight=1.0, ema_decay=0.9,
            augmentation=keras_gans.augment.DiffAugment("color,translation,cutout"),
        )
    else:
        gan = keras_gans.WGANGP(
            generator, discriminator, LATENT_DIM, critic_steps=2, seed=seed
        )
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(learning_rate),
        discriminator_optimizer=keras.optimizers.SGD(learning_rate),
    )
    return gan


def training_images(args):
    from keras_gans.data import load_dataset

    images, _ = load_dataset("digits")
    return images[: args.steps * args.global_batch]


def weights(gan):
    import keras

    return [
        keras.ops.convert_to_numpy(v.value).astype("float64")
        for v in gan.generator.weights + gan.discriminator.weights
    ]


def batch_logs_callback(records):
    import keras

    class RecordLogs(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            records.append({k: float(v) for k, v in sorted((logs or {}).items())})

    return RecordLogs()


def snapshot(gan, logs, initial):
    import keras

    final = weights(gan)
    return {
        "weights": final,
        "weight_change": max(float(abs(a - b).max()) for a, b in zip(final, initial)),
        "g_iterations": int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations)),
        "d_iterations": int(
            keras.ops.convert_to_numpy(gan.discriminator_optimizer.iterations)
        ),
        "logs": logs,
    }


def fit(gan, x, batch_size, epochs, logs, extra_callbacks=()):
    gan.fit(
        x,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=[batch_logs_callback(logs), *extra_callbacks],
    )


def reference_run(loss, args):
    """One device, the whole global batch per step."""
    gan = build_gan(loss, args.learning_rate)
    initial = weights(gan)
    logs = []
    fit(gan, training_images(args), args.global_batch, args.epochs, logs)
    return snapshot(gan, logs, initial)


# --- Distributed runs ---------------------------------------------------------------


def jax_run(engine, loss, args):
    import keras

    devices = keras.distribution.list_devices("cpu")
    assert len(devices) == NUM_DEVICES, devices
    if engine == "jax-data":
        distribution = keras.distribution.DataParallel(devices=devices)
    else:
        mesh = keras.distribution.DeviceMesh(
            shape=(1, NUM_DEVICES), axis_names=("batch", "model"), devices=devices
        )
        layout_map = keras.distribution.LayoutMap(mesh)
        layout_map[r"hidden_dense_\d+/kernel"] = (None, "model")
        layout_map[r"hidden_dense_\d+/bias"] = ("model",)
        distribution = keras.distribution.ModelParallel(
            layout_map=layout_map, batch_dim_name="batch"
        )
    keras.distribution.set_distribution(distribution)
    try:
        gan = build_gan(loss, args.learning_rate)
        sharded = [
            str(v.path)
            for v in gan.trainable_variables
            if len(v.value.sharding.device_set) == NUM_DEVICES
            and not v.value.sharding.is_fully_replicated
        ]
        placed_on = min(len(v.value.sharding.device_set) for v in gan.trainable_variables)
        initial = weights(gan)
        logs = []
        fit(gan, training_images(args), args.global_batch, args.epochs, logs)
        result = snapshot(gan, logs, initial)
        result["sharded_variables"] = sharded
        result["min_devices_per_variable"] = placed_on
        return result
    finally:
        keras.distribution.set_distribution(None)


_STRATEGIES = {}


def _mirrored_strategy():
    # One strategy per process, reused: with TF 2.21 / Keras 3.15.1 a second
    # MirroredStrategy in the same process fitting a model of other shapes
    # aborts with "Shape mismatch in the collective instance 100" (seen with
    # two plain keras.Sequential models too; not specific to GANs).
    if "mirrored" not in _STRATEGIES:
        import tensorflow as tf

        devices = [d.name for d in tf.config.list_logical_devices("CPU")]
        _STRATEGIES["mirrored"] = tf.distribute.MirroredStrategy(devices)
    return _STRATEGIES["mirrored"]


def tf_run(engine, loss, args):
    strategy = _mirrored_strategy()
    assert strategy.num_replicas_in_sync == NUM_DEVICES
    with strategy.scope():
        gan = build_gan(loss, args.learning_rate)
    initial = weights(gan)
    logs = []
    fit(gan, training_images(args), args.global_batch, args.epochs, logs)
    return snapshot(gan, logs, initial)


def _rank_spread(model):
    """Largest difference between any two ranks' weights and seed state."""
    import torch
    import torch.distributed as dist

    flat = torch.cat(
        [v.value.detach().reshape(-1).to(torch.float64) for v in model.variables]
    )
    gathered = [torch.empty_like(flat) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, flat)
    return max(float((g - gathered[0]).abs().max()) for g in gathered)


def _rank_agreement_callback(record):
    """After every step, `_rank_spread` of the model."""
    import keras

    class RankAgreement(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            record.append(_rank_spread(self.model))

    return RankAgreement()


def _torch_worker(rank, args, port, out_dir):
    _set_up_environment(args.backend)
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=NUM_DEVICES
    )
    try:
        from keras_gans import distributed

        results = {}
        for loss in args.losses:
            # Rank r builds from other seeds (as unseeded builders would):
            # broadcast_weights must hand every rank rank 0's weights and
            # seed state, or nothing below can equal one process.
            gan = build_gan(loss, args.learning_rate, seed_offset=10 * rank)
            spread_before = _rank_spread(gan)
            distributed.broadcast_weights(gan)
            spread_after = _rank_spread(gan)
            initial = weights(gan)
            x = distributed.shard_for_this_process(
                training_images(args), global_batch_size=args.global_batch
            )
            logs, spreads = [], []
            fit(
                gan,
                x,
                distributed.per_process_batch_size(args.global_batch),
                args.epochs,
                logs,
                [_rank_agreement_callback(spreads)],
            )
            results[loss] = snapshot(gan, logs, initial)
            results[loss]["rank_weight_spread"] = spreads
            results[loss]["rank_spread_before_broadcast"] = spread_before
            results[loss]["rank_spread_after_broadcast"] = spread_after
            results[loss]["shard_rows"] = int(len(x))
        primary = distributed.is_primary_process()
        # What every rank says about itself, gathered: [(rank, world, primary)].
        mine = torch.tensor([*distributed.process_info(), int(primary)])
        everyone = [torch.empty_like(mine) for _ in range(NUM_DEVICES)]
        dist.all_gather(everyone, mine)
    finally:
        dist.destroy_process_group()
    if primary:  # only rank 0 writes files
        # The one-device references, now that this is a single process again
        # (saves starting a third interpreter with keras and torch).
        report = {
            loss: {"torch": compare(reference_run(loss, args), results[loss])}
            for loss in args.losses
        }
        report["process_info_by_rank"] = [t.tolist() for t in everyone]
        with open(os.path.join(out_dir, "report.json"), "w") as f:
            json.dump(report, f)


def torch_report(args):
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as out_dir:
        mp.start_processes(
            _torch_worker, args=(args, port, out_dir), nprocs=NUM_DEVICES, start_method="spawn"
        )
        report = {"files_written_by_workers": sorted(os.listdir(out_dir))}
        with open(os.path.join(out_dir, "report.json")) as f:
            report.update(json.load(f))
    return report


def compare(reference, distributed):
    """Differences between a one-device run and a distributed run."""
    reference, distributed = dict(reference), dict(distributed)
    report = {
        "max_weight_diff": max(
            float(abs(a - b).max())
            for a, b in zip(reference.pop("weights"), distributed.pop("weights"))
        ),
        "reference": reference,
        "distributed": distributed,
    }
    ref_logs, dist_logs = reference["logs"], distributed["logs"]
    same_keys = len(ref_logs) == len(dist_logs) and all(
        r.keys() == d.keys() for r, d in zip(ref_logs, dist_logs)
    )
    report["max_log_diff"] = (
        max(abs(r[k] - d[k]) for r, d in zip(ref_logs, dist_logs) for k in r)
        if same_keys
        else None
    )
    return report


def main(argv=None):
    args = _parse_args(argv)
    _set_up_environment(args.backend)
    if args.backend == "torch":
        report = torch_report(args)
    else:
        runner = jax_run if args.backend == "jax" else tf_run
        report = {}
        for loss in args.losses:
            reference = reference_run(loss, args)
            report[loss] = {
                engine: compare(reference, runner(engine, loss, args))
                for engine in args.engines
            }
    report["config"] = vars(args)
    print(json.dumps(report))


if __name__ == "__main__":
    sys.exit(main())
