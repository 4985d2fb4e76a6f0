"""Which backend trains fastest on a CPU: ms per `fit` step of one GAN on every backend and compile setting.

The setting of the zoo presets: `NonSaturatingGAN` with the EMA generator
(`ema_decay=0.999`), the DCGAN pair at `--base-filters` (default 32 and
64), batch 64, 28x28x1 images. Per backend, every compile setting is
built and warmed up (tracing and compiling, not counted), then timed in
interleaved rounds (`harness.time_interleaved`):

- `recommended`: `keras_gans.backend.recommended_compile_settings(gan)`
  (`steps_per_execution=8` on JAX and TensorFlow, the defaults on PyTorch);
- `xla_spe8` (TensorFlow only): `jit_compile=True, steps_per_execution=8`.

Backends run one after another (one process each), so compare them only
within one run on an otherwise idle machine; the load average is recorded.
Threads: the libraries' defaults (`--threads 0`), as a user trains.

    python benchmarks/cpu_backend_speed.py                      # -> results/cpu_backend_speed/
    python benchmarks/cpu_backend_speed.py --quick              # smoke run
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from benchmarks import harness  # noqa: E402


def configs(backend, args):
    settings = ["recommended"] + (["xla_spe8"] if backend == "tensorflow" else [])
    return [{"base_filters": b, "settings": settings} for b in args.base_filters]


def _gan(base_filters, settings):
    import keras

    import keras_gans

    arch = keras_gans.architectures
    gan = keras_gans.NonSaturatingGAN(
        arch.dcgan_generator(64, (28, 28, 1), base_filters=base_filters, seed=0),
        arch.dcgan_discriminator((28, 28, 1), base_filters=base_filters, seed=1),
        latent_dim=64, seed=0, ema_decay=0.999,
    )
    compile_kwargs = (keras_gans.backend.recommended_compile_settings(gan) if settings == "recommended"
                      else {"jit_compile": True, "steps_per_execution": 8})
    gan.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), **compile_kwargs)
    return gan


def measure(backend, args, config):
    images = harness.random_images(args.steps * 64, (28, 28, 1))
    runners = {s: harness.fit_runner(_gan(config["base_filters"], s), images, 64, args.steps)
               for s in config["settings"]}
    times, warmup = harness.time_interleaved(runners, args.repeats, anchor="recommended")
    return {"base_filters": config["base_filters"], "batch_size": 64, "columns": harness.summarize(times, args.steps),
            "warmup_wall_s": warmup["wall_s"]}


def to_markdown(report):
    lines = [harness.header(report), "",
             "| backend | settings | base_filters | ms per step (median, min-max) | one MNIST epoch (938 steps) |",
             "|---|---|---|---|---|"]
    rows = []
    for result in report["results"]:
        for settings, column in result["columns"].items():
            rows.append((column["median_ms"], result["backend"], settings, result["base_filters"], column))
    for median, backend, settings, base, column in sorted(rows, key=lambda r: (r[3], r[0])):
        lines.append(f"| {backend} | {settings} | {base} | {median:.1f} ({column['min_ms']:.1f}-{column['max_ms']:.1f}) | "
                     f"{938 * median / 1000:.0f} s |")
    return "\n".join(lines + [""] + harness.problems(report)) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = harness.make_parser(__doc__.splitlines()[0], out_dir=harness.RESULTS / "cpu_backend_speed")
    parser.set_defaults(threads=0)
    parser.add_argument("--base-filters", type=harness.int_list, default=None, help="default 32,64 (quick 4)")
    parser.add_argument("--steps", type=int, default=None, help="steps per timed fit, a multiple of 8 (default 64)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved rounds (default 3)")
    args = harness.fill_defaults(parser.parse_args(argv), base_filters=([4], [32, 64]), steps=(8, 64),
                                 repeats=(1, 3))
    return harness.main(__file__, "cpu_backend_speed", args, argv, configs, measure, to_markdown,
                        {"base_filters": args.base_filters, "steps": args.steps, "repeats": args.repeats,
                         "model": "NonSaturatingGAN + EMA, DCGAN pair, batch 64, 28x28x1"})


if __name__ == "__main__":
    np.random.seed(0)
    sys.exit(main())
