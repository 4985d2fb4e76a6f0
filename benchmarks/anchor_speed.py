"""keras-gans against pure framework code: the same DCGAN GAN step, timed
side by side, per backend.

Per backend (each in its own subprocess, KERAS_BACKEND set), per GAN
(`non_saturating`, `wgan_gp` with 5 critic steps) and batch size, these
columns are timed in one process by `benchmarks/harness.py` (interleaved,
the order rotated every repeat, warm-up excluded, each repeat ending with a
device sync: `torch.cuda.synchronize`, `jax.block_until_ready`, reading a
TF value):

- `pure`: `benchmarks/pure_native.py`, the step a framework user writes
  (torch.nn + torch.optim / jax.lax + jax.jit / tf.nn + tf.function). The
  anchor: ratios are column / pure, median of per-repeat ratios.
- `keras_layers`: `benchmarks/native_loops.py`, a hand loop over the Keras
  models (Keras layers, no keras-gans): Keras's own per-layer cost.
- `fit_default`: keras-gans `fit` with `compile()` defaults.
- `fit_layer_call` (PyTorch only): `fit_default` with
  `keras_gans.backend.direct_call.disabled()`, every layer through
  `Layer.__call__`: what the direct layer calls save.
- `fit_recommended`: `fit` after `compile(**keras_gans.backend.
  recommended_compile_settings(gan))`.
- `train_step_loop`: keras-gans's `train_step` in a hand loop (tf.function /
  eager / jax.jit): our step without `fit`'s machinery.
- `fit_jit_compile` (only when named in `--columns`): `fit` after
  `compile(jit_compile=True)` (XLA on TensorFlow, `torch.compile` on PyTorch).
And, per batch size, a supervised reference: plain Keras `fit` of the
discriminator (binary cross-entropy on logits) vs the same in pure code.

A `fit` repeat is one `fit(epochs=1)` call timed from its first
`on_train_batch_begin` to `on_epoch_end` (logs read, so synced); the epoch's
set-up before its first batch is paid once per epoch and not counted.

Usage:

    PYTHONPATH=. python benchmarks/anchor_speed.py                      # CPU, all backends
    PYTHONPATH=. python benchmarks/anchor_speed.py --backends torch --batch-sizes 4,64
    PYTHONPATH=. python benchmarks/anchor_speed.py --quick              # smoke run
    PYTHONPATH=. python benchmarks/anchor_speed.py --merge DIR          # DIR/*/anchor_speed.json -> DIR

Writes `anchor_speed.json` and `anchor_speed.md` into `--out-dir`
(default benchmarks/results).
"""

import json
import pathlib
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks import harness
from benchmarks.harness import fit_runner, loop_runner  # noqa: F401  (results/anchor_speed_cpu/torch_compile_check.py)

LOSSES = ("non_saturating", "wgan_gp")
LOSS_NAMES = {"non_saturating": "NonSaturatingGAN", "wgan_gp": "WGANGP"}
GAN_COLUMNS = ("pure", "keras_layers", "fit_default", "fit_layer_call", "fit_recommended", "train_step_loop")
SUPERVISED_COLUMNS = ("supervised_pure", "supervised_keras_fit")
LATENT_DIM = 64


def parse_args(argv=None):
    parser = harness.make_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--losses", default=",".join(LOSSES))
    parser.add_argument("--batch-sizes", default=None, help="Default 64,256 (quick: 8).")
    parser.add_argument("--steps", type=int, default=None,
                        help="Steps per timed repeat (default 16, quick 2). A multiple of "
                             "the recommended steps_per_execution keeps its executions full.")
    parser.add_argument("--repeats", type=int, default=None,
                        help="Timed repeats after the warm-up (default 5, quick 1).")
    parser.add_argument("--base-filters", type=int, default=None,
                        help="DCGAN base_filters (default 16, quick 4).")
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--columns", default=",".join(GAN_COLUMNS + SUPERVISED_COLUMNS))
    parser.add_argument("--merge", default=None, metavar="DIR",
                        help="Merge DIR/*/anchor_speed.json (one backend each) into "
                             "DIR/anchor_speed.{json,md}, measuring nothing.")
    args = parser.parse_args(argv)
    return harness.fill_defaults(args, batch_sizes=("8", "64,256"), steps=(2, 16), repeats=(1, 5),
                                 base_filters=(4, 16))


class TrainStepLoop:
    """keras-gans's `train_step` called from a hand loop, as the native loops
    are: it separates the cost of our step from that of `fit`.

    TensorFlow: `tf.function(gan.train_step)`; PyTorch: `gan.train_step`
    eagerly; JAX: `jax.jit(gan.train_step)` over a state tuple laid out as the
    JAX trainer's (copied, then donated; its updates are discarded).
    """

    def __init__(self, gan):
        import keras

        self.gan = gan
        self.backend = keras.backend.backend()
        if self.backend == "tensorflow":
            import tensorflow as tf

            self.convert = tf.convert_to_tensor
            self.step_fn = tf.function(gan.train_step)
        elif self.backend == "torch":
            import torch

            self.convert = torch.from_numpy
            self.step_fn = gan.train_step
        else:
            import jax
            import jax.numpy as jnp

            self.jax, self.jnp = jax, jnp
            self.convert = jnp.asarray
            self.step_fn = jax.jit(gan.train_step, donate_argnums=0)

    def run(self, images, batch_size, steps):
        """Seconds of `steps` steps, synced (the JAX state copy before them not counted)."""
        num_batches = len(images) // batch_size
        gan = self.gan
        if self.backend == "jax":
            groups = (gan.trainable_variables, gan.non_trainable_variables,
                      gan.optimizer.variables, gan.metrics_variables)
            state = tuple([self.jnp.copy(v.value) for v in group] for group in groups)
            self.jax.block_until_ready(state)
        start = time.perf_counter()
        for i in range(steps):
            j = i % num_batches
            batch = self.convert(images[j * batch_size:(j + 1) * batch_size])
            if self.backend == "jax":
                logs, state = self.step_fn(state, batch)
            else:
                logs = self.step_fn(batch)
        float(logs["loss"])  # waits for the device
        return time.perf_counter() - start


def make_gan(loss, generator, discriminator, critic_steps, recommended, **compile_kwargs):
    """The keras-gans GAN of `loss`, compiled with the benchmark's Adam; returns
    `(gan, settings)`, `settings` the recommended ones (or {})."""
    import keras_gans
    from benchmarks.native_loops import keras_adam
    from keras_gans.backend import recommended_compile_settings

    if loss == "non_saturating":
        gan = keras_gans.NonSaturatingGAN(generator, discriminator, latent_dim=LATENT_DIM, seed=0)
    else:
        gan = keras_gans.WGANGP(generator, discriminator, latent_dim=LATENT_DIM,
                                critic_steps=critic_steps, seed=0)
    settings = recommended_compile_settings(gan) if recommended else {}
    gan.compile(generator_optimizer=keras_adam(loss), discriminator_optimizer=keras_adam(loss),
                **settings, **compile_kwargs)
    return gan, settings


def gan_runners(backend, loss, batch_size, args, images, columns):
    from benchmarks.native_loops import build_models, make_native_trainer
    from benchmarks.pure_native import check_parameter_counts, make_pure_trainer

    bf, steps = args.base_filters, args.steps

    def fresh_gan(recommended=False, **compile_kwargs):
        G, D = build_models(loss, LATENT_DIM, base_filters=bf, seed=0)
        return make_gan(loss, G, D, args.critic_steps, recommended, **compile_kwargs)

    runners, info = {}, {}
    G, D = build_models(loss, LATENT_DIM, base_filters=bf, seed=0)
    pure = make_pure_trainer(backend, loss, base_filters=bf, latent_dim=LATENT_DIM,
                             critic_steps=args.critic_steps)
    info["parameter_counts"] = check_parameter_counts(pure, G, D)
    runners["pure"] = loop_runner(pure, images, batch_size, steps)
    if "keras_layers" in columns:
        native = make_native_trainer(loss, G, D, LATENT_DIM, critic_steps=args.critic_steps)
        runners["keras_layers"] = loop_runner(native, images, batch_size, steps)
    if "fit_default" in columns or "train_step_loop" in columns:
        gan, _ = fresh_gan()
        if "fit_default" in columns:
            runners["fit_default"] = fit_runner(gan, images, batch_size, steps)
        if "train_step_loop" in columns:
            loop = TrainStepLoop(gan)
            runners["train_step_loop"] = lambda: loop.run(images, batch_size, steps)
    if "fit_layer_call" in columns and backend == "torch":
        from keras_gans.backend import direct_call

        run_fit = fit_runner(fresh_gan()[0], images, batch_size, steps)

        def run_with_layer_call(run_fit=run_fit):
            with direct_call.disabled():
                return run_fit()

        runners["fit_layer_call"] = run_with_layer_call
    if "fit_recommended" in columns:
        gan, settings = fresh_gan(recommended=True)
        info["recommended_settings"] = settings
        if settings:  # else the recommended settings are the defaults: not timed twice
            runners["fit_recommended"] = fit_runner(gan, images, batch_size, steps)
    if "fit_jit_compile" in columns:
        runners["fit_jit_compile"] = fit_runner(fresh_gan(jit_compile=True)[0], images,
                                                batch_size, steps)
    return runners, info


def supervised_runners(backend, batch_size, args, images, labels):
    import keras

    from benchmarks.pure_native import (ADAM_EPSILON, ADAM_SETTINGS, check_parameter_counts,
                                        make_pure_trainer)
    from keras_gans.architectures.dcgan import dcgan_discriminator

    D = dcgan_discriminator((28, 28, 1), base_filters=args.base_filters, seed=0)
    pure = make_pure_trainer(backend, "supervised", base_filters=args.base_filters,
                             latent_dim=LATENT_DIM)
    info = {"parameter_counts": check_parameter_counts(pure, None, D)}
    D.compile(optimizer=keras.optimizers.Adam(epsilon=ADAM_EPSILON,
                                              **ADAM_SETTINGS["supervised"]),
              loss=keras.losses.BinaryCrossentropy(from_logits=True))
    runners = {"supervised_pure": loop_runner(pure, images, batch_size, args.steps, labels),
               "supervised_keras_fit": fit_runner(D, images, batch_size, args.steps, labels)}
    return runners, info


def configs(backend, args):
    batch_sizes = harness.int_list(args.batch_sizes)
    out = [{"loss": loss, "batch_size": b} for b in batch_sizes for loss in args.losses.split(",")]
    if set(args.columns.split(",")) & set(SUPERVISED_COLUMNS):
        out += [{"loss": "supervised", "batch_size": b} for b in batch_sizes]
    return out


def measure(backend, args, config):
    import numpy as np

    loss, batch_size = config["loss"], config["batch_size"]
    images = harness.random_images(args.steps * batch_size)
    if loss == "supervised":
        labels = (np.arange(len(images)) % 2).astype("float32")
        runners, info = supervised_runners(backend, batch_size, args, images, labels)
        anchor = "supervised_pure"
    else:
        runners, info = gan_runners(backend, loss, batch_size, args, images,
                                    set(args.columns.split(",")))
        anchor = "pure"
    times, warmup = harness.time_interleaved(runners, args.repeats, args.warmup_limit, anchor)
    return {"loss": loss, "batch_size": batch_size, "steps_per_repeat": args.steps,
            "repeats": args.repeats, "columns": harness.summarize(times, args.steps, anchor),
            "failed_columns": warmup["failed"], "warmup_s": warmup["seconds"],
            "warmup_wall_s": warmup["wall_s"], **info}


# --- Tables ------------------------------------------------------------------------------


def _cell(entry, ratio=True):
    if entry is None:
        return "-"
    text = f"{entry['median_ms']:.2f}"
    if ratio and "ratio_median" in entry:
        text += (f" (**{entry['ratio_median']:.2f}x**, {entry['ratio_min']:.2f}-"
                 f"{entry['ratio_max']:.2f})")
    return text


def _settings_text(settings):
    if settings is None:
        return "-"
    if not settings:
        return "defaults"
    return ", ".join(f"{k}={v}" for k, v in settings.items())


def to_markdown(report):
    cfg = report["config"]
    jit = any("fit_jit_compile" in r["columns"] for r in report["results"])
    lines = [
        harness.header(report),
        "",
        f"DCGAN pair 28x28x1, base_filters={cfg['base_filters']}, latent_dim={LATENT_DIM}, "
        f"WGAN-GP {cfg['critic_steps']} critic steps; intra-op threads "
        f"{cfg['threads'] if cfg['threads'] > 0 else 'library default'}; "
        + (", ".join(f"{b}: {c['steps']} steps x {c['repeats']}" for b, c in
                     cfg["per_backend"].items()) + " interleaved repeats after a warm-up; "
           if cfg.get("per_backend") else
           f"{cfg['steps']} steps x {cfg['repeats']} interleaved repeats after a warm-up; ")
        + "ms per step, median; in parentheses the ratio to the pure-framework step "
        "(median of per-repeat ratios, min-max)."
        + (" **--quick run: figures are not meaningful.**" if cfg["quick"] else ""),
        "",
        "| backend | model | batch | pure framework | Keras-layer loop | fit, defaults "
        "| fit, defaults, every layer through Layer.__call__ | fit, recommended | recommended settings "
        "| train_step in a hand loop |" + (" fit, jit_compile=True |" if jit else ""),
        "|---|---|---|---|---|---|---|---|---|---|" + ("---|" if jit else ""),
    ]
    for r in report["results"]:
        if r["loss"] == "supervised":
            continue
        c = r["columns"]
        lines.append(
            f"| {r['backend']} | {LOSS_NAMES[r['loss']]} | {r['batch_size']} "
            f"| {_cell(c.get('pure'), False)} | {_cell(c.get('keras_layers'))} "
            f"| {_cell(c.get('fit_default'))} "
            f"| {_cell(c.get('fit_layer_call'))} "
            f"| {'= defaults' if r.get('recommended_settings') == {} else _cell(c.get('fit_recommended'))} "
            f"| {_settings_text(r.get('recommended_settings'))} "
            f"| {_cell(c.get('train_step_loop'))} |"
            + (f" {_cell(c.get('fit_jit_compile'))} |" if jit else ""))
    supervised = [r for r in report["results"] if r["loss"] == "supervised"]
    if supervised:
        lines += ["", "Reference, the discriminator alone trained supervised (binary "
                  "cross-entropy on logits): plain Keras `fit` vs the same in pure framework "
                  "code.", "", "| backend | batch | pure framework | Keras fit |",
                  "|---|---|---|---|"]
        for r in supervised:
            c = r["columns"]
            lines.append(f"| {r['backend']} | {r['batch_size']} "
                         f"| {_cell(c.get('supervised_pure'), False)} "
                         f"| {_cell(c.get('supervised_keras_fit'))} |")
    lines += harness.resources(report) + harness.problems(report)
    return "\n".join(lines).rstrip() + "\n"


def merge(directory):
    """`gpu_speed.sh`'s last step: one report from DIR/*/anchor_speed.json."""
    directory = pathlib.Path(directory)
    reports = [json.loads(p.read_text()) for p in sorted(directory.glob("*/anchor_speed.json"))]
    if not reports:
        raise SystemExit(f"no backend wrote results under {directory}")
    merged = harness.merge_reports(reports)
    env = directory / "env.txt"
    if env.exists():
        merged["env"] = env.read_text()
    harness.write_report(directory, "anchor_speed", merged, to_markdown)
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.merge:
        return merge(args.merge)
    config = {"losses": args.losses.split(","), "batch_sizes": harness.int_list(args.batch_sizes),
              "steps": args.steps, "repeats": args.repeats, "base_filters": args.base_filters,
              "critic_steps": args.critic_steps, "threads": args.threads,
              "columns": args.columns.split(","), "time_limit_s": args.time_limit,
              "backend_timeout_s": args.backend_timeout, "warmup_limit_s": args.warmup_limit}
    return harness.main(__file__, "anchor_speed", args, argv, configs, measure, to_markdown, config)


if __name__ == "__main__":
    sys.exit(main())
