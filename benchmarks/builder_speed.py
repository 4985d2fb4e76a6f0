"""ms per train step of the DCGAN and ResNet (SNGAN) pairs on the CPU, to size preset budgets.

The setting of the issue-19 presets: `NonSaturatingGAN` with the EMA
generator (`ema_decay=0.999`), batch 64, TensorFlow with
`jit_compile=True, steps_per_execution=8`, RGB images at 32x32 and
64x64, unconditional, DCGAN discriminator with BatchNorm, ResNet
discriminator with spectral norm. Every configuration is built and
warmed up (one epoch: tracing and XLA compilation) in one process; then
the timed epochs are interleaved, configuration after configuration, for
`--repeats` rounds, so that all share the machine's load. An epoch is
timed from its first `on_train_batch_begin` to `on_epoch_end`. The load
average (1 min) is recorded around every round: the machine is shared.

Usage:

    PYTHONPATH=. python benchmarks/builder_speed.py                 # default grid
    PYTHONPATH=. python benchmarks/builder_speed.py --quick         # smoke run
    PYTHONPATH=. python benchmarks/builder_speed.py --configs dcgan:32:32,resnet:32:16

Writes `benchmarks/results/builders/builder_speed.json` and `.md` (or `--out-dir`).
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
DEFAULT_CONFIGS = "dcgan:32:32,dcgan:32:64,resnet:32:8,resnet:32:16,dcgan:64:16,dcgan:64:32,resnet:64:8,resnet:64:16"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default=DEFAULT_CONFIGS,
                        help="comma-separated family:size:base_filters (family dcgan or resnet)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=16, help="steps per timed epoch (a multiple of 8)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 tiny configs, batch 8, 1 round")
    parser.add_argument("--out-dir", default=str(HERE / "results" / "builders"))
    return parser.parse_args(argv)


def build(family, size, base_filters, seed=0):
    import keras_gans
    from keras_gans import architectures

    if family == "dcgan":
        G = architectures.dcgan_generator(64, (size, size, 3), base_filters=base_filters, seed=seed)
        D = architectures.dcgan_discriminator((size, size, 3), base_filters=base_filters, seed=seed + 1)
        latent_dim = 64
    else:
        G = architectures.resnet_generator(128, (size, size, 3), base_filters=base_filters, seed=seed)
        D = architectures.resnet_discriminator((size, size, 3), base_filters=base_filters, seed=seed + 1)
        latent_dim = 128
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=latent_dim, seed=seed, ema_decay=0.999)
    gan.compile(jit_compile=True, steps_per_execution=8)
    return gan, G.count_params(), D.count_params()


def main(argv=None):
    args = parse_args(argv)
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras
    import numpy as np

    if args.quick:
        args.configs, args.batch_size, args.steps, args.repeats = "dcgan:32:4,resnet:32:2", 8, 8, 1
    configs = []
    for item in args.configs.split(","):
        family, size, base = item.split(":")
        configs.append((family, int(size), int(base)))

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = None

        def on_train_batch_begin(self, batch, logs=None):
            if self.start is None:
                self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.start

    rng = np.random.default_rng(0)
    runs = {}
    for family, size, base in configs:
        key = f"{family} {size}x{size}x3 base_filters={base}"
        gan, g_params, d_params = build(family, size, base)
        images = rng.uniform(-1, 1, size=(args.batch_size * args.steps, size, size, 3)).astype("float32")
        start = time.perf_counter()
        gan.fit(images, epochs=1, batch_size=args.batch_size, shuffle=False, verbose=0)  # warm-up
        warmup = time.perf_counter() - start
        runs[key] = {"gan": gan, "images": images, "ms_per_step": [], "warmup_s": round(warmup, 1),
                     "generator_params": g_params, "discriminator_params": d_params,
                     "family": family, "size": size, "base_filters": base}
        print(f"{key}: warm-up {warmup:.1f} s", flush=True)

    loads = []
    for round_index in range(args.repeats):
        load_before = os.getloadavg()[0]
        for key, run in runs.items():
            timer = EpochTimer()
            run["gan"].fit(run["images"], epochs=1, batch_size=args.batch_size, shuffle=False, verbose=0,
                           callbacks=[timer])
            run["ms_per_step"].append(round(1000 * timer.seconds / args.steps, 1))
            print(f"round {round_index}: {key}: {run['ms_per_step'][-1]} ms/step", flush=True)
        loads.append((round(load_before, 2), round(os.getloadavg()[0], 2)))

    results = []
    for key, run in runs.items():
        median = statistics.median(run["ms_per_step"])
        results.append({
            "config": key, "family": run["family"], "size": run["size"], "base_filters": run["base_filters"],
            "generator_params": run["generator_params"], "discriminator_params": run["discriminator_params"],
            "ms_per_step": run["ms_per_step"], "ms_per_step_median": median,
            "minutes_per_10000_steps": round(median * 10000 / 60000, 1), "warmup_s": run["warmup_s"],
        })
    import tensorflow as tf

    report = {
        "benchmark": "builder_speed", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "setting": {"gan": "NonSaturatingGAN", "ema_decay": 0.999, "batch_size": args.batch_size,
                    "jit_compile": True, "steps_per_execution": 8, "steps_per_timed_epoch": args.steps,
                    "repeats": args.repeats, "backend": "tensorflow"},
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "load_average_1min_before_after_each_round": loads},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__,
                     "python": platform.python_version()},
        "command": " ".join(["python", "benchmarks/builder_speed.py", *(sys.argv[1:] if argv is None else argv)]),
        "results": results,
    }
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "builder_speed.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "| images | pair | `base_filters` | G / D params | ms per step (median; all) | 10,000 steps | warm-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['size']}x{r['size']}x3 | {r['family']} | {r['base_filters']} | "
            f"{r['generator_params'] / 1e6:.2f}M / {r['discriminator_params'] / 1e6:.2f}M | "
            f"{r['ms_per_step_median']} ({', '.join(map(str, r['ms_per_step']))}) | "
            f"{r['minutes_per_10000_steps']} min | {r['warmup_s']} s |"
        )
    lines.append("")
    lines.append(f"NS + EMA, batch {args.batch_size}, TensorFlow, jit_compile=True, steps_per_execution=8; "
                 f"{args.repeats} interleaved rounds of {args.steps} steps; {os.cpu_count()} CPUs; "
                 f"load average (1 min) before/after each round: {loads}.")
    (out / "builder_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
