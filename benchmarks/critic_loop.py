"""WGAN-GP's critic steps as one traced loop against the unrolled steps, per backend.

`keras_gans.backend.gradients.repeat` runs the `critic_steps` discriminator
updates of a train step as `jax.lax.fori_loop` (JAX) or `tf.while_loop`
(TensorFlow): the step is traced and compiled once instead of once per
critic step. This times, in one process per backend, a WGAN-GP (the DCGAN
pair of `anchor_speed.py`, 5 critic steps) trained with the traced loop and
with `keras_gans.backend.base.unrolled_loops()`:

- `first_fit_s`: the first `fit(epochs=1)` of `--steps` steps on a fresh
  GAN, whole call: tracing and compiling included;
- `ms_per_step`: steady state, median of interleaved repeats (warm-up
  excluded), timed from the first batch to the end of the epoch;
for `compile()` defaults and the recommended settings
(`steps_per_execution=8`), at each batch size. PyTorch runs eagerly (its
loop is the Python loop either way) and is not timed here.

Usage:

    PYTHONPATH=. python benchmarks/critic_loop.py [--backends jax,tensorflow] [--batch-sizes 64,4]
    PYTHONPATH=. python benchmarks/critic_loop.py --quick     # smoke run

Writes critic_loop.json and critic_loop.md into --out-dir
(default benchmarks/results/critic_loop).
"""

import argparse
import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

LATENT_DIM = 64
VARIANTS = ("traced", "unrolled")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="jax,tensorflow")
    parser.add_argument("--batch-sizes", default=None, help="default 64,4 (quick: 4)")
    parser.add_argument("--steps", type=int, default=None, help="steps per timed fit (default 16, quick 2)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5, quick 1)")
    parser.add_argument("--base-filters", type=int, default=None, help="default 16 (quick 4)")
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads of each framework")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out-dir", default=str(HERE / "results" / "critic_loop"))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from benchmarks.gan_step_speed import fill_defaults

    return fill_defaults(args, batch_sizes=("4", "64,4"), steps=(2, 16), repeats=(1, 5), base_filters=(4, 16))


def _fit_once(gan, images, batch_size, steps, unrolled):
    """Seconds from the first batch to the epoch's end (logs read: synced)."""
    import contextlib

    from benchmarks.anchor_speed import _window_timer
    from keras_gans.backend import base

    timer = _window_timer()
    context = base.unrolled_loops() if unrolled else contextlib.nullcontext()
    with context:
        gan.fit(images[: steps * batch_size], batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                callbacks=[timer])
    return timer.elapsed


def measure_cell(args, images, batch_size, recommended):
    """One table row; None when the recommended settings are the defaults (not timed twice)."""
    from benchmarks.anchor_speed import make_gan
    from benchmarks.native_loops import build_models

    gans, first_fit = {}, {}
    for variant in VARIANTS:
        G, D = build_models("wgan_gp", LATENT_DIM, base_filters=args.base_filters, seed=0)
        gans[variant], settings = make_gan("wgan_gp", G, D, args.critic_steps, recommended)
        if recommended and not settings:
            return None
        start = time.perf_counter()
        _fit_once(gans[variant], images, batch_size, args.steps, variant == "unrolled")
        first_fit[variant] = time.perf_counter() - start
    times = {variant: [] for variant in VARIANTS}
    for r in range(args.repeats):
        for variant in VARIANTS if r % 2 == 0 else VARIANTS[::-1]:
            elapsed = _fit_once(gans[variant], images, batch_size, args.steps, variant == "unrolled")
            times[variant].append(elapsed / args.steps)
    ratios = [t / u for t, u in zip(times["traced"], times["unrolled"])]
    return {
        "batch_size": batch_size,
        "settings": settings or "defaults",
        "first_fit_s": {v: round(first_fit[v], 2) for v in VARIANTS},
        "ms_per_step": {v: round(1e3 * statistics.median(times[v]), 2) for v in VARIANTS},
        "traced_over_unrolled": {"median": round(statistics.median(ratios), 3),
                                 "min": round(min(ratios), 3), "max": round(max(ratios), 3)},
    }


def run_worker(args):
    import numpy as np

    from benchmarks.gan_step_speed import _set_threads_in_worker

    _set_threads_in_worker(args.threads)
    images = np.random.default_rng(0).uniform(-1, 1, (64 * args.steps, 28, 28, 1)).astype("float32")
    cells = []
    for batch_size in map(int, args.batch_sizes.split(",")):
        for recommended in (False, True):
            cell = measure_cell(args, images, batch_size, recommended)
            if cell is not None:
                print(json.dumps(cell), flush=True)
                cells.append(cell)
    pathlib.Path(args.worker).write_text(json.dumps(cells))


def to_markdown(report):
    lines = [
        f"Measured {report['date']} (commit {report['commit']}) on {report['machine']}; "
        f"{', '.join(f'{k} {v}' for k, v in report['versions'].items())}.",
        "",
        f"WGAN-GP, DCGAN pair 28x28x1, base_filters={report['args']['base_filters']}, "
        f"{report['args']['critic_steps']} critic steps, {report['args']['steps']} steps per fit, "
        f"{report['args']['repeats']} interleaved repeats, intra-op threads {report['args']['threads']}. "
        "First fit: the whole first `fit` call (tracing and compiling included). "
        "Step: median ms per step afterwards.",
        "",
        "| backend | batch | settings | first fit, traced loop | first fit, unrolled | step, traced loop | step, unrolled | traced / unrolled (min-max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for backend, cells in report["results"].items():
        if isinstance(cells, str):
            lines.append(f"| {backend} | failed: {cells} |")
            continue
        for c in cells:
            settings = c["settings"] if isinstance(c["settings"], str) else ", ".join(
                f"{k}={v}" for k, v in c["settings"].items())
            r = c["traced_over_unrolled"]
            lines.append(
                f"| {backend} | {c['batch_size']} | {settings} | {c['first_fit_s']['traced']:.1f} s | "
                f"{c['first_fit_s']['unrolled']:.1f} s | {c['ms_per_step']['traced']:.2f} | "
                f"{c['ms_per_step']['unrolled']:.2f} | **{r['median']:.2f}x** ({r['min']:.2f}-{r['max']:.2f}) |"
            )
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    import platform
    import tempfile

    from benchmarks.gan_step_speed import chosen_backends, git_commit, thread_env, versions

    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    load_at_start = os.getloadavg()[0]
    results = {}
    forwarded = ["--batch-sizes", args.batch_sizes, "--steps", str(args.steps), "--repeats", str(args.repeats),
                 "--base-filters", str(args.base_filters), "--critic-steps", str(args.critic_steps),
                 "--threads", str(args.threads)]
    for backend in chosen_backends(args):
        with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
            env = dict(os.environ, KERAS_BACKEND=backend, **thread_env(args.threads),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
            print(f"[{backend}]", flush=True)
            process = subprocess.run([sys.executable, __file__, *forwarded, "--worker", result_file.name], env=env,
                                     stderr=subprocess.PIPE, text=True)
            if process.returncode != 0:
                results[backend] = process.stderr.strip().splitlines()[-1][:300] if process.stderr.strip() else "failed"
            else:
                results[backend] = json.loads(pathlib.Path(result_file.name).read_text())
    report = {
        "what": "WGAN-GP critic steps: traced loop (gradients.repeat) vs unrolled",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"load average at start {load_at_start:.1f}",
        "versions": versions(),
        "args": {k: v for k, v in vars(args).items() if k not in ("worker", "out_dir")},
        "results": results,
    }
    (out_dir / "critic_loop.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / "critic_loop.md").write_text(to_markdown(report))
    print(to_markdown(report))
    return 0 if all(not isinstance(r, str) for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
