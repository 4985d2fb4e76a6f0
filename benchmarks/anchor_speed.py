"""keras-gans against pure framework code: the same DCGAN GAN step, timed
side by side, per backend.

Per backend (each in its own subprocess, KERAS_BACKEND set), per GAN
(`non_saturating`, `wgan_gp` with 5 critic steps) and batch size, these
columns are timed in one process, interleaved (round-robin, the order
rotated every repeat), warm-up repeat excluded, each ending with a device
sync (`torch.cuda.synchronize`, `jax.block_until_ready`, reading a TF value):

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
And, per batch size, a supervised reference: plain Keras `fit` of the
discriminator (binary cross-entropy on logits) vs the same in pure code.

A `fit` repeat is one `fit(epochs=1)` call timed from its first
`on_train_batch_begin` to `on_epoch_end` (logs read, so synced); the epoch's
set-up before its first batch is paid once per epoch and not counted.

Usage:

    PYTHONPATH=. python benchmarks/anchor_speed.py                      # CPU, all backends
    PYTHONPATH=. python benchmarks/anchor_speed.py --backends torch --batch-sizes 4,64
    PYTHONPATH=. python benchmarks/anchor_speed.py --quick              # smoke run

Writes `anchor_speed.json` and `anchor_speed.md` into `--out-dir`
(default benchmarks/results).
"""

import argparse
import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

BACKENDS = ("tensorflow", "torch", "jax")
LOSSES = ("non_saturating", "wgan_gp")
LOSS_NAMES = {"non_saturating": "NonSaturatingGAN", "wgan_gp": "WGANGP"}
GAN_COLUMNS = ("pure", "keras_layers", "fit_default", "fit_layer_call", "fit_recommended", "train_step_loop")
SUPERVISED_COLUMNS = ("supervised_pure", "supervised_keras_fit")
LATENT_DIM = 64


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="Smoke run: base_filters 4, batch 8, 2 steps, 1 repeat.")
    parser.add_argument("--backends", default=",".join(BACKENDS))
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
    parser.add_argument("--threads", type=int, default=1,
                        help="Intra-op threads (0: library defaults). 1 on a shared CPU: "
                             "see benchmarks/README.md.")
    parser.add_argument("--time-limit", type=float, default=0,
                        help="Seconds per backend after which remaining configurations "
                             "are skipped (recorded). 0: none.")
    parser.add_argument("--backend-timeout", type=float, default=0,
                        help="Hard limit in seconds per backend process: it is then killed "
                             "and what it measured so far is kept. 0: none.")
    parser.add_argument("--warmup-limit", type=float, default=0,
                        help="Seconds a column's warm-up (compiling) may take; past it "
                             "the column is dropped (recorded). 0: none.")
    parser.add_argument("--out-dir", default=str(HERE / "results"))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from benchmarks.gan_step_speed import fill_defaults

    return fill_defaults(args, batch_sizes=("8", "64,256"), steps=(2, 16), repeats=(1, 5), base_filters=(4, 16))


# --- Runners: each returns the seconds of `steps` steps, synced ------------------


def _window_timer():
    import keras

    class WindowTimer(keras.callbacks.Callback):
        """First batch begin -> epoch end (logs read: the device is synced)."""

        def on_epoch_begin(self, epoch, logs=None):
            self.first = None

        def on_train_batch_begin(self, batch, logs=None):
            if self.first is None:
                self.first = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            float(logs["loss"])
            self.elapsed = time.perf_counter() - self.first

    return WindowTimer()


def fit_runner(model, images, batch_size, steps, labels=None):
    data = images[: steps * batch_size]
    y = None if labels is None else labels[: steps * batch_size]

    def run():
        timer = _window_timer()
        model.fit(data, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                  callbacks=[timer])
        return timer.elapsed

    return run


def loop_runner(trainer, images, batch_size, steps, labels=None):
    def run():
        start = time.perf_counter()
        if labels is None:
            trainer.run(images, batch_size, steps)
        else:
            trainer.run(images, batch_size, steps, labels)
        return time.perf_counter() - start

    return run


def make_gan(loss, generator, discriminator, critic_steps, recommended):
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
                **settings)
    return gan, settings


def gan_runners(backend, loss, batch_size, args, images, columns):
    from benchmarks.gan_step_speed import TrainStepLoop
    from benchmarks.native_loops import build_models, make_native_trainer
    from benchmarks.pure_native import check_parameter_counts, make_pure_trainer

    bf, steps = args.base_filters, args.steps
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
        G1, D1 = build_models(loss, LATENT_DIM, base_filters=bf, seed=0)
        gan, _ = make_gan(loss, G1, D1, args.critic_steps, recommended=False)
        if "fit_default" in columns:
            runners["fit_default"] = fit_runner(gan, images, batch_size, steps)
        if "train_step_loop" in columns:
            loop = TrainStepLoop(gan, jit_compile=False)
            runners["train_step_loop"] = (
                lambda loop=loop: loop.run(images, batch_size, steps))
    if "fit_layer_call" in columns and backend == "torch":
        from keras_gans.backend import direct_call

        G3, D3 = build_models(loss, LATENT_DIM, base_filters=bf, seed=0)
        gan3, _ = make_gan(loss, G3, D3, args.critic_steps, recommended=False)
        run_fit = fit_runner(gan3, images, batch_size, steps)

        def run_with_layer_call(run_fit=run_fit):
            with direct_call.disabled():
                return run_fit()

        runners["fit_layer_call"] = run_with_layer_call
    if "fit_recommended" in columns:
        G2, D2 = build_models(loss, LATENT_DIM, base_filters=bf, seed=0)
        gan2, settings = make_gan(loss, G2, D2, args.critic_steps, recommended=True)
        info["recommended_settings"] = settings
        if settings:  # else the recommended settings are the defaults: not timed twice
            runners["fit_recommended"] = fit_runner(gan2, images, batch_size, steps)
    return runners, info


def supervised_runners(backend, batch_size, args, images, labels, columns):
    import keras

    from benchmarks.native_loops import ADAM_EPSILON
    from benchmarks.pure_native import ADAM_SETTINGS, check_parameter_counts, make_pure_trainer
    from keras_gans.architectures.dcgan import dcgan_discriminator

    runners, info = {}, {}
    D = dcgan_discriminator((28, 28, 1), base_filters=args.base_filters, seed=0)
    pure = make_pure_trainer(backend, "supervised", base_filters=args.base_filters,
                             latent_dim=LATENT_DIM)
    info["parameter_counts"] = check_parameter_counts(pure, None, D)
    D.compile(optimizer=keras.optimizers.Adam(epsilon=ADAM_EPSILON,
                                              **ADAM_SETTINGS["supervised"]),
              loss=keras.losses.BinaryCrossentropy(from_logits=True))
    runners["supervised_pure"] = loop_runner(pure, images, batch_size, args.steps, labels)
    runners["supervised_keras_fit"] = fit_runner(D, images, batch_size, args.steps, labels)
    return runners, info


class WarmupTooLong(Exception):
    pass


def _call_with_alarm(run, seconds):
    if not seconds:
        return run()
    import signal

    def on_alarm(signum, frame):
        raise WarmupTooLong(f"warm-up (compiling) took over {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def time_interleaved(runners, repeats, warmup_limit=0, anchor=None):
    """Warm-up round, then `repeats` rounds, the order rotated each round.

    A column whose warm-up fails (or exceeds `warmup_limit` seconds) is
    dropped and its error returned; the anchor's failure is raised.
    """
    names = list(runners)
    warmup, failed = {}, {}
    for name in names:
        try:
            warmup[name] = _call_with_alarm(runners[name], warmup_limit)
        except Exception as error:
            if name == anchor:
                raise
            failed[name] = f"{type(error).__name__}: {error}".splitlines()[0][:300]
            print(f"  column {name} dropped: {failed[name]}", flush=True)
    names = [n for n in names if n not in failed]
    times = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            times[name].append(runners[name]())
    return times, warmup, failed


def summarize(times, steps, anchor):
    out = {}
    for name, values in times.items():
        per_step = [t / steps for t in values]
        entry = {"s_per_step": per_step, "median_ms": 1e3 * statistics.median(per_step),
                 "min_ms": 1e3 * min(per_step), "max_ms": 1e3 * max(per_step)}
        if name != anchor:
            ratios = [t / a for t, a in zip(values, times[anchor])]
            entry.update({"ratio_median": statistics.median(ratios),
                          "ratio_min": min(ratios), "ratio_max": max(ratios)})
        out[name] = entry
    return out


def run_worker(args):
    import resource

    import keras
    import numpy as np

    from benchmarks.gan_step_speed import _set_threads_in_worker

    backend = keras.backend.backend()
    _set_threads_in_worker(args.threads)
    start = time.perf_counter()
    columns = set(args.columns.split(","))
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    rng = np.random.default_rng(0)
    images = rng.uniform(-1.0, 1.0, (args.steps * max(batch_sizes), 28, 28, 1)).astype("float32")
    labels = (np.arange(len(images)) % 2).astype("float32")
    results, errors, skipped = [], [], []

    def over_time():
        return args.time_limit and time.perf_counter() - start > args.time_limit

    device = device_name(backend)

    def write(complete):
        # Rewritten after every configuration: a killed worker keeps its results.
        output = {"backend": backend, "results": results, "errors": errors,
                  "skipped": skipped, "complete": complete, "device": device,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
        with open(args.worker + ".tmp", "w") as f:
            json.dump(output, f, indent=1)
        os.replace(args.worker + ".tmp", args.worker)

    configs = [(loss, b) for b in batch_sizes for loss in args.losses.split(",")]
    if columns & set(SUPERVISED_COLUMNS):
        configs += [("supervised", b) for b in batch_sizes]
    for loss, batch_size in configs:
        label = f"{backend}/{loss}/b{batch_size}"
        if over_time():
            skipped.append(label)
            print(f"[{label}] skipped: time limit", flush=True)
            continue
        print(f"[{label}] ...", flush=True)
        t0 = time.perf_counter()
        try:
            keras.utils.set_random_seed(0)
            if loss == "supervised":
                runners, info = supervised_runners(backend, batch_size, args, images, labels,
                                                   columns)
                anchor = "supervised_pure"
            else:
                runners, info = gan_runners(backend, loss, batch_size, args, images, columns)
                anchor = "pure"
            times, warmup, failed = time_interleaved(runners, args.repeats, args.warmup_limit,
                                                     anchor)
            result = {"backend": backend, "loss": loss, "batch_size": batch_size,
                      "steps_per_repeat": args.steps, "repeats": args.repeats,
                      "columns": summarize(times, args.steps, anchor),
                      "failed_columns": failed,
                      "warmup_s": warmup, "wall_s": time.perf_counter() - t0, **info}
            results.append(result)
            text = ", ".join(f"{k} {v['median_ms']:.2f} ms"
                             + (f" ({v['ratio_median']:.2f}x)" if "ratio_median" in v else "")
                             for k, v in result["columns"].items())
            print(f"[{label}] {text} ({result['wall_s']:.0f} s)", flush=True)
        except Exception as error:
            errors.append({"backend": backend, "loss": loss, "batch_size": batch_size,
                           "error": f"{type(error).__name__}: {error}".splitlines()[0][:300],
                           "traceback_tail": traceback.format_exc()[-2000:]})
            print(f"[{label}] FAILED: {errors[-1]['error']}", flush=True)
        keras.backend.clear_session()
        write(complete=False)
    write(complete=True)


def device_name(backend):
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return getattr(device, "device_kind", device.platform)
    return "cpu"


# --- Driver ------------------------------------------------------------------------


def run_backend(backend, args, argv):
    from benchmarks.gan_step_speed import thread_env

    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONUNBUFFERED="1",
               **thread_env(args.threads))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out_path = f.name
    command = [sys.executable, str(pathlib.Path(__file__).resolve()), *argv,
               "--worker", out_path]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=str(REPO_ROOT))
    try:
        returncode = process.wait(timeout=args.backend_timeout or None)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        returncode = f"killed after {args.backend_timeout:.0f} s (--backend-timeout)"
        print(f"[{backend}] {returncode}", flush=True)
    try:
        with open(out_path) as f:
            output = json.load(f)
    except (OSError, json.JSONDecodeError):
        output = {"backend": backend, "results": [], "skipped": [], "errors": []}
    finally:
        for path in (out_path, out_path + ".tmp"):
            if os.path.exists(path):
                os.unlink(path)
    if returncode != 0:
        output["errors"].append({"backend": backend,
                                 "error": f"worker exit: {returncode}; results kept: "
                                          f"{len(output['results'])}"})
    output.update(returncode=returncode, wall_s=time.perf_counter() - start)
    return output


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
    cfg, m = report["config"], report["machine"]
    lines = [
        f"Measured {report['date']} (commit {report['git_commit']}) on {m['cpu_model']}, "
        f"{m['usable_cores']} usable cores (load average at start "
        f"{', '.join(f'{x:.1f}' for x in m['load_average_at_start'] or [])}); devices: "
        + ", ".join(f"{b['backend']} {b.get('device', '?')}" for b in report["backends"])
        + "; " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + ".",
        "",
        f"DCGAN pair 28x28x1, base_filters={cfg['base_filters']}, latent_dim={LATENT_DIM}, "
        f"WGAN-GP {cfg['critic_steps']} critic steps; intra-op threads "
        f"{cfg['threads'] if cfg['threads'] > 0 else 'library default'}; "
        + (", ".join(f"{b}: {c['steps']} steps x {c['repeats']}" for b, c in
                     cfg["per_backend"].items()) + " interleaved repeats after a warm-up; "
           if cfg.get("per_backend") else
           f"{cfg['steps']} steps x {cfg['repeats']} interleaved repeats after a warm-up; ")
        + 
        "ms per step, median; in parentheses the ratio to the pure-framework step "
        "(median of per-repeat ratios, min-max)."
        + (" **--quick run: figures are not meaningful.**" if cfg["quick"] else ""),
        "",
        "| backend | model | batch | pure framework | Keras-layer loop | fit, defaults "
        "| fit, defaults, every layer through Layer.__call__ | fit, recommended | recommended settings "
        "| train_step in a hand loop |",
        "|---|---|---|---|---|---|---|---|---|---|",
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
            f"| {_cell(c.get('train_step_loop'))} |")
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
    lines += ["", "| backend | peak RSS (MiB) | wall (s) |", "|---|---|---|"]
    for b in report["backends"]:
        rss = b.get("peak_rss_mib")
        lines.append(f"| {b['backend']} | {rss:.0f} | {b['wall_s']:.0f} |" if rss
                     else f"| {b['backend']} | n/a | {b['wall_s']:.0f} |")
    problems = [f"- {e.get('backend')} {e.get('loss', '')} batch {e.get('batch_size', '')}: "
                f"`{e['error']}`" for e in report["errors"]]
    problems += [f"- {s}: skipped (time limit)" for s in report["skipped"]]
    problems += [f"- {r['backend']} {r['loss']} batch {r['batch_size']}, column {name}: `{err}`"
                 for r in report["results"] for name, err in r.get("failed_columns", {}).items()]
    if problems:
        lines += ["", "Not measured:", ""] + problems
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    from benchmarks.gan_step_speed import chosen_backends, git_commit, machine_info, versions

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    backends = chosen_backends(args)
    start = time.perf_counter()
    outputs = [run_backend(backend, args, argv) for backend in backends]
    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine_info(),
        "versions": versions(),
        "config": {"quick": args.quick, "backends": backends,
                   "losses": args.losses.split(","),
                   "batch_sizes": [int(b) for b in args.batch_sizes.split(",")],
                   "steps": args.steps, "repeats": args.repeats,
                   "base_filters": args.base_filters, "critic_steps": args.critic_steps,
                   "threads": args.threads, "columns": args.columns.split(","),
                   "time_limit_s": args.time_limit, "backend_timeout_s": args.backend_timeout,
                   "warmup_limit_s": args.warmup_limit},
        "results": [r for o in outputs for r in o["results"]],
        "errors": [e for o in outputs for e in o["errors"]],
        "skipped": [s for o in outputs for s in o.get("skipped", [])],
        "backends": [{k: v for k, v in o.items() if k not in ("results", "errors", "skipped")}
                     for o in outputs],
        "total_wall_s": time.perf_counter() - start,
    }
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "anchor_speed.json").write_text(json.dumps(report, indent=1))
    (out_dir / "anchor_speed.md").write_text(to_markdown(report))
    print(to_markdown(report), flush=True)
    return 0 if all(o["returncode"] == 0 for o in outputs) and not report["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
