"""WGAN-GP's critic steps as one traced loop against the unrolled steps, per backend.

`keras_gans.backend.gradients.repeat` runs the `critic_steps` discriminator
updates of a train step as `jax.lax.fori_loop` (JAX) or `tf.while_loop`
(TensorFlow): the step is traced and compiled once instead of once per
critic step. This times, in one process per backend (`benchmarks/harness.py`),
a WGAN-GP (the DCGAN pair of `anchor_speed.py`, 5 critic steps) trained with
the traced loop (`traced`) and inside `keras_gans.backend.base.unrolled_loops()`
(`unrolled`):

- first fit (`warmup_wall_s`): the first `fit(epochs=1)` of `--steps` steps
  on a fresh GAN, the whole call: tracing and compiling included;
- ms per step: steady state, median of interleaved repeats (warm-up
  excluded), timed from the first batch to the end of the epoch; the ratio
  traced / unrolled is the median of per-repeat ratios;
for `compile()` defaults and the recommended settings
(`steps_per_execution=8`), at each batch size. PyTorch runs eagerly (its
loop is the Python loop either way) and is not timed by default.

Usage:

    PYTHONPATH=. python benchmarks/critic_loop.py [--backends jax,tensorflow] [--batch-sizes 64,4]
    PYTHONPATH=. python benchmarks/critic_loop.py --quick     # smoke run

Writes critic_loop.json and critic_loop.md into --out-dir
(default benchmarks/results/critic_loop).
"""

import contextlib
import pathlib
import sys

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks import harness

LATENT_DIM = 64
VARIANTS = ("traced", "unrolled")


def parse_args(argv=None):
    parser = harness.make_parser(__doc__.splitlines()[0], backends=("jax", "tensorflow"),
                                 out_dir=harness.RESULTS / "critic_loop")
    parser.add_argument("--batch-sizes", default=None, help="default 64,4 (quick: 4)")
    parser.add_argument("--steps", type=int, default=None, help="steps per timed fit (default 16, quick 2)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5, quick 1)")
    parser.add_argument("--base-filters", type=int, default=None, help="default 16 (quick 4)")
    parser.add_argument("--critic-steps", type=int, default=5)
    args = parser.parse_args(argv)
    return harness.fill_defaults(args, batch_sizes=("4", "64,4"), steps=(2, 16), repeats=(1, 5),
                                 base_filters=(4, 16))


def configs(backend, args):
    return [{"batch_size": b, "recommended": r} for b in harness.int_list(args.batch_sizes)
            for r in (False, True)]


def measure(backend, args, config):
    """One table row; None when the recommended settings are the defaults (not timed twice)."""
    from benchmarks.anchor_speed import make_gan
    from benchmarks.native_loops import build_models
    from keras_gans.backend import base

    batch_size = config["batch_size"]
    images = harness.random_images(args.steps * batch_size)
    runners = {}
    for variant in VARIANTS:
        G, D = build_models("wgan_gp", LATENT_DIM, base_filters=args.base_filters, seed=0)
        gan, settings = make_gan("wgan_gp", G, D, args.critic_steps, config["recommended"])
        if config["recommended"] and not settings:
            return None
        run_fit = harness.fit_runner(gan, images, batch_size, args.steps)
        loops = base.unrolled_loops if variant == "unrolled" else contextlib.nullcontext

        def run(run_fit=run_fit, loops=loops):
            with loops():
                return run_fit()

        runners[variant] = run
    times, warmup = harness.time_interleaved(runners, args.repeats, args.warmup_limit,
                                             anchor="unrolled")
    return {"batch_size": batch_size, "settings": settings or "defaults",
            "steps_per_repeat": args.steps, "repeats": args.repeats,
            "columns": harness.summarize(times, args.steps, anchor="unrolled"),
            "warmup_wall_s": warmup["wall_s"], "failed_columns": warmup["failed"]}


def to_markdown(report):
    cfg = report["config"]
    lines = [
        harness.header(report),
        "",
        f"WGAN-GP, DCGAN pair 28x28x1, base_filters={cfg['base_filters']}, "
        f"{cfg['critic_steps']} critic steps, {cfg['steps']} steps per fit, "
        f"{cfg['repeats']} interleaved repeats, intra-op threads {cfg['threads']}. "
        "First fit: the whole first `fit` call (tracing and compiling included). "
        "Step: median ms per step afterwards."
        + (" **--quick run: figures are not meaningful.**" if cfg["quick"] else ""),
        "",
        "| backend | batch | settings | first fit, traced loop | first fit, unrolled | step, traced loop "
        "| step, unrolled | traced / unrolled (min-max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        if "traced" not in r["columns"]:
            continue  # its warm-up failed: listed under "Not measured"
        settings = r["settings"] if isinstance(r["settings"], str) else ", ".join(
            f"{k}={v}" for k, v in r["settings"].items())
        first, traced, unrolled = r["warmup_wall_s"], r["columns"]["traced"], r["columns"]["unrolled"]
        lines.append(
            f"| {r['backend']} | {r['batch_size']} | {settings} | {first['traced']:.1f} s "
            f"| {first['unrolled']:.1f} s | {traced['median_ms']:.2f} | {unrolled['median_ms']:.2f} "
            f"| **{traced['ratio_median']:.2f}x** ({traced['ratio_min']:.2f}-{traced['ratio_max']:.2f}) |")
    lines += harness.resources(report) + harness.problems(report)
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    config = {"batch_sizes": harness.int_list(args.batch_sizes), "steps": args.steps,
              "repeats": args.repeats, "base_filters": args.base_filters,
              "critic_steps": args.critic_steps, "threads": args.threads}
    return harness.main(__file__, "critic_loop", args, argv, configs, measure, to_markdown, config)


if __name__ == "__main__":
    sys.exit(main())
