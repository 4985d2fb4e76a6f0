"""The recipe/CLI data path against plain `fit` on arrays: ms per train step, per backend.

`keras_gans.recipes.fit` (and so `keras-gans train` and `zoo/train_preset.py`)
feeds the data in an order that depends only on (seed, epoch), which exact
resume needs (`keras_gans.data.SeededBatches`). This times, in one process
per backend, one GAN (`NonSaturatingGAN` + EMA 0.999, the DCGAN pair at
`--base-filters`, batch 64, MNIST 28x28) trained by:

- `arrays`: `gan.fit(images, batch_size=64, shuffle=True)`, float32 arrays:
  the plain Keras path, the reference;
- `recipe`: `keras_gans.recipes.fit` on the same float32 images;
- `recipe_uint8`: `recipes.fit` on the images as uint8 (scaled per batch);
- `pydataset`: `gan.fit(SeededBatches(...))`, the `PyDataset` that
  `recipes.fit` fed before `SeededBatches.fit_input()` (for reference).

Compile settings: TensorFlow `jit_compile=True, steps_per_execution=8`;
JAX `recommended_compile_settings` (`steps_per_execution=8`); PyTorch the
defaults. Each timed `fit` runs `--epochs` epochs of `--steps` steps; the
time of its epochs after the first (epoch begin to epoch end, so the
per-epoch costs are in) divided by their steps is one sample. The paths
take turns (`--repeats` rounds, the order reversed every other round)
after one warm-up `fit` each; `recipe / arrays` is the median of the
per-round ratios. The 1-minute load average is recorded before and after
each backend: the machine may be shared.

Usage:

    PYTHONPATH=. python benchmarks/recipe_data_path.py [--backends tensorflow,jax,torch]
    PYTHONPATH=. python benchmarks/recipe_data_path.py --quick      # smoke run (random images)

Writes recipe_data_path.json and recipe_data_path.md into --out-dir
(default benchmarks/results/recipe_data_path).
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

PATHS = ("arrays", "recipe", "recipe_uint8", "pydataset")
BATCH_SIZE = 64
# The settings of issue 20's measurement; backends not listed use recommended_compile_settings.
COMPILE = {"tensorflow": {"jit_compile": True, "steps_per_execution": 8}, "torch": {"steps_per_execution": 1}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--steps", type=int, default=None, help="steps per epoch (default 64, quick 1)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per timed fit, the first untimed (default 3, quick 2)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved rounds (default 5, quick 1)")
    parser.add_argument("--base-filters", type=int, default=None, help="default 32 (quick 4)")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run on random images")
    parser.add_argument("--out-dir", default=str(HERE / "results" / "recipe_data_path"))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from benchmarks.harness import fill_defaults

    return fill_defaults(args, steps=(1, 64), epochs=(2, 3), repeats=(1, 5), base_filters=(4, 32))


def _recipe(args, backend):
    return {
        "seed": 0,
        "data": {"dataset": "mnist", "conditional": False},
        "generator": {"builder": "dcgan_generator", "kwargs": {"base_filters": args.base_filters}},
        "discriminator": {"builder": "dcgan_discriminator", "kwargs": {"base_filters": args.base_filters}},
        "gan": {"class": "NonSaturatingGAN", "config": {"latent_dim": 64, "ema_decay": 0.999}},
        "compile": dict(COMPILE.get(backend, {})),
        "fit": {"epochs": args.epochs, "batch_size": BATCH_SIZE},
    }


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        """Seconds of each epoch, begin to end (logs read: the device is synced)."""

        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.begin = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            float(logs["g_loss"])
            self.seconds.append(time.perf_counter() - self.begin)

    return EpochTimer()


def _images(args):
    import numpy as np

    count = args.steps * BATCH_SIZE
    if args.quick:
        pixels = np.random.default_rng(0).integers(0, 256, (count, 28, 28, 1), dtype="uint8")
    else:
        from keras_gans.data import load_dataset

        images, _ = load_dataset("mnist", "train")
        pixels = np.round((images[:count] + 1.0) * 127.5).astype("uint8")  # the files' uint8 values
    from keras_gans.data import scale_images

    return scale_images(pixels), pixels


def run_worker(args):
    import keras

    from keras_gans import recipes
    from keras_gans.data import SeededBatches

    backend = keras.backend.backend()
    recipe = recipes.validate_recipe(_recipe(args, backend))
    images, pixels = _images(args)
    data = recipes.Data(images, None, None, images.shape[1:], "benchmark")
    data_uint8 = data._replace(images=pixels)
    gan = recipes.build_gan(recipe, data)

    def fit(path, epochs):
        timer = _epoch_timer()
        if path == "arrays":
            gan.fit(images, batch_size=BATCH_SIZE, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
        elif path == "pydataset":
            batches = SeededBatches(images, None, BATCH_SIZE, recipe["seed"])
            gan.fit(batches, epochs=epochs, shuffle=False, verbose=0, callbacks=[batches.callback, timer])
        else:
            budget = dict(recipe, fit=dict(recipe["fit"], epochs=epochs))
            recipes.fit(gan, budget, data_uint8 if path == "recipe_uint8" else data, callbacks=[timer], verbose=0)
        return sum(timer.seconds[1:]) / (args.steps * (epochs - 1))

    load_before = os.getloadavg()[0]
    for path in PATHS:  # warm-up: tracing and compiling
        fit(path, 2)
    samples = {path: [] for path in PATHS}
    for r in range(args.repeats):
        for path in PATHS if r % 2 == 0 else PATHS[::-1]:
            samples[path].append(fit(path, args.epochs))
    ratios = {
        path: [s / a for s, a in zip(samples[path], samples["arrays"])] for path in PATHS if path != "arrays"
    }
    result = {
        "backend": backend,
        "compile": recipe["compile"] or "recommended_compile_settings",
        "ms_per_step": {p: round(1e3 * statistics.median(s), 2) for p, s in samples.items()},
        "ms_per_step_all": {p: [round(1e3 * v, 2) for v in s] for p, s in samples.items()},
        "over_arrays": {p: {"median": round(statistics.median(r), 3), "min": round(min(r), 3), "max": round(max(r), 3)}
                        for p, r in ratios.items()},
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    pathlib.Path(args.worker).write_text(json.dumps(result))


def to_markdown(report):
    a = report["args"]
    lines = [
        f"Measured {report['date']} (commit {report['commit']}) on {report['machine']}; "
        f"{', '.join(f'{k} {v}' for k, v in report['versions'].items())}.",
        "",
        f"NonSaturatingGAN + EMA, DCGAN pair base_filters={a['base_filters']}, batch {BATCH_SIZE}, 28x28x1, "
        f"{a['steps']} steps per epoch, {a['epochs'] - 1} timed epochs per fit, {a['repeats']} interleaved rounds. "
        "ms per step: median over rounds; ratio: median (min-max) of the per-round ratios to `arrays`.",
        "",
        "| backend | compile | arrays (plain fit) | recipe | recipe, uint8 data | PyDataset (before) | recipe / arrays | uint8 / arrays | PyDataset / arrays | load before, after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, r in report["results"].items():
        if isinstance(r, str):
            lines.append(f"| {backend} | failed: {r} |")
            continue
        settings = r["compile"] if isinstance(r["compile"], str) else ", ".join(f"{k}={v}" for k, v in r["compile"].items())
        ms, over = r["ms_per_step"], r["over_arrays"]

        def ratio(path):
            o = over[path]
            return f"{o['median']:.2f}x ({o['min']:.2f}-{o['max']:.2f})"

        lines.append(
            f"| {backend} | {settings} | {ms['arrays']:.1f} | {ms['recipe']:.1f} | {ms['recipe_uint8']:.1f} | "
            f"{ms['pydataset']:.1f} | **{ratio('recipe')}** | {ratio('recipe_uint8')} | {ratio('pydataset')} | "
            f"{r['load_average']['before']:.1f}, {r['load_average']['after']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    from benchmarks.harness import chosen_backends, git_commit, versions

    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    load_at_start = os.getloadavg()[0]
    forwarded = ["--steps", str(args.steps), "--epochs", str(args.epochs), "--repeats", str(args.repeats),
                 "--base-filters", str(args.base_filters)] + (["--quick"] if args.quick else [])
    results = {}
    for backend in chosen_backends(args):
        with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
            env = dict(os.environ, KERAS_BACKEND=backend,
                       PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
            env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            print(f"[{backend}]", flush=True)
            process = subprocess.run([sys.executable, __file__, *forwarded, "--worker", result_file.name], env=env,
                                     stderr=subprocess.PIPE, text=True)
            if process.returncode != 0:
                results[backend] = process.stderr.strip().splitlines()[-1][:300] if process.stderr.strip() else "failed"
            else:
                results[backend] = json.loads(pathlib.Path(result_file.name).read_text())
    report = {
        "what": "recipes.fit data path (SeededBatches.fit_input) vs plain fit on arrays, ms per train step",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"load average at start {load_at_start:.1f}",
        "versions": versions(),
        "args": {k: v for k, v in vars(args).items() if k not in ("worker", "out_dir")},
        "results": results,
    }
    (out_dir / "recipe_data_path.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / "recipe_data_path.md").write_text(to_markdown(report))
    print(to_markdown(report))
    return 0 if all(not isinstance(r, str) for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
