"""Steps per second of keras-gans `fit` vs a hand-written native loop.

For each backend (each in its own subprocess with KERAS_BACKEND set) and for
the non-saturating GAN and WGAN-GP on the DCGAN pair (28x28x1), at each batch
size, this measures:

- `keras_gans`: `model.fit` on in-memory NumPy images (verbose=0,
  shuffle=False). One `fit` call runs `1 + repeats` epochs of `steps` steps;
  epoch 0 is the warm-up (tracing/compiling) and is not timed; each later
  epoch is one timed repeat, measured from the first `on_train_batch_begin`
  to `on_epoch_end` (so it includes the end-of-epoch state sync and logs).
  The epoch's set-up before its first batch (iterator creation), paid once
  per epoch, is recorded apart (`keras_gans_epoch_setup_s_median`).
- `native`: the loop of `benchmarks/native_loops.py` on the same models
  (same initial weights, same data, same number of steps), timed right after
  each keras-gans epoch from inside the same `fit` callback, so the two
  variants are interleaved and share the machine's load. Its warm-up runs
  after epoch 0.

Variants: the default `compile()`; `jit_compile=True` (XLA on TensorFlow,
against a native `tf.function(jit_compile=True)`; `torch.compile` on
PyTorch, against the eager native loop); `steps_per_execution=4`
(TensorFlow, JAX; PyTorch raises: recorded). Figures: median seconds per step
and spread (min-max) over the repeats, steps/s, ratio keras_gans/native
(median of the per-repeat ratios), peak RSS of the backend's subprocess.

Usage:

    PYTHONPATH=. python benchmarks/gan_step_speed.py            # full run
    PYTHONPATH=. python benchmarks/gan_step_speed.py --quick    # CI smoke run
    PYTHONPATH=. python benchmarks/gan_step_speed.py --quick --backends jax

Writes `benchmarks/results/gan_step_speed.json` and `.md` (or `--out-dir`).
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
import traceback

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
BACKENDS = ("tensorflow", "torch", "jax")
LOSSES = ("non_saturating", "wgan_gp")
LOSS_NAMES = {"non_saturating": "NonSaturatingGAN", "wgan_gp": "WGANGP"}
SPE = 4  # steps_per_execution of the steps_per_execution variant

# Which variants each backend runs (name -> keras compile kwargs, native jit).
VARIANTS = {
    "tensorflow": {
        "default": ({}, False),
        "jit_compile": ({"jit_compile": True}, True),
        "steps_per_execution": ({"steps_per_execution": SPE}, False),
    },
    "torch": {
        "default": ({}, False),
        "jit_compile": ({"jit_compile": True}, False),
        "steps_per_execution": ({"steps_per_execution": SPE}, False),
    },
    "jax": {
        "default": ({}, False),
        "steps_per_execution": ({"steps_per_execution": SPE}, False),
    },
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI smoke run: tiny step counts, batch 64, small models.")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="Comma-separated backends (default: all three).")
    parser.add_argument("--losses", default=",".join(LOSSES))
    parser.add_argument("--batch-sizes", default=None, help="Default: 64,256 (quick: 64).")
    parser.add_argument("--steps", type=int, default=None,
                        help="Timed steps per repeat (default 4, quick 2).")
    parser.add_argument("--repeats", type=int, default=None,
                        help="Timed repeats (default 5, quick 2).")
    parser.add_argument("--base-filters", type=int, default=None,
                        help="DCGAN base_filters (default 16, quick 8).")
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="Intra-op threads of every backend (0: the library "
                             "defaults). Default 1: on a shared machine, multi-threaded "
                             "kernels whose threads wait at barriers for a busy core "
                             "become tens of times slower and the timings meaningless.")
    parser.add_argument("--variants", default=None,
                        help="Comma-separated subset of default,jit_compile,"
                             "steps_per_execution (default: all; quick: default).")
    parser.add_argument("--variant-batch-sizes", default="64",
                        help="Batch sizes at which the non-default variants run.")
    parser.add_argument("--cost-batch-sizes", default=None,
                        help="Batch sizes for the interleaved WGAN-GP/non-saturating step "
                             "cost (default 64; quick: none).")
    parser.add_argument("--jobs", type=int, default=1,
                        help="Backends measured concurrently (each its own process). "
                             "Ratios are interleaved within a process either way.")
    parser.add_argument("--out-dir", default=str(HERE / "results"))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return fill_defaults(
        args,
        batch_sizes=("64", "64,256"),
        steps=(2, 4),
        repeats=(2, 5),
        base_filters=(8, 16),
        cost_batch_sizes=("", "64"),
        variants=("default", "default,jit_compile,steps_per_execution"),
    )


def chosen_backends(args):
    """The `--backends` list; exits with a message naming any unknown one."""
    backends = [b for b in args.backends.split(",") if b]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise SystemExit(f"Unknown backends {sorted(unknown)}; expected some of {BACKENDS}.")
    return backends


def fill_defaults(args, **defaults):
    """Sets each argument left at None to its `(quick, full)` default, by `args.quick`."""
    for name, (quick, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    return args


# --- Worker (one backend, in its own process) ---------------------------------


def _first_line(error):
    text = f"{type(error).__name__}: {error}".strip()
    return text.splitlines()[0][:300]


def _make_gan(loss, G, D, latent_dim, critic_steps, compile_kwargs):
    import keras_gans
    from benchmarks.native_loops import keras_adam

    if loss == "non_saturating":
        gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=latent_dim, seed=0)
    else:
        gan = keras_gans.WGANGP(G, D, latent_dim=latent_dim, critic_steps=critic_steps, seed=0)
    gan.compile(generator_optimizer=keras_adam(loss),
                discriminator_optimizer=keras_adam(loss), **compile_kwargs)
    return gan


def _summary(seconds_per_step):
    median = statistics.median(seconds_per_step)
    return {
        "seconds_per_step": seconds_per_step,
        "median_s_per_step": median,
        "min_s_per_step": min(seconds_per_step),
        "max_s_per_step": max(seconds_per_step),
        "steps_per_s": 1.0 / median,
    }


class TrainStepLoop:
    """keras-gans's `train_step` called from a hand-written loop, as the native
    loop is called: it separates the cost of our step from that of `fit`.

    TensorFlow: `tf.function(gan.train_step)`; PyTorch: `gan.train_step`
    eagerly; JAX: `jax.jit(gan.train_step)` over a state tuple laid out as the
    JAX trainer's (copied, then donated). Runs on the same model as `fit`
    (between epochs; its JAX updates are discarded).
    """

    def __init__(self, gan, jit_compile):
        import keras

        self.gan = gan
        self.backend = keras.backend.backend()
        if self.backend == "tensorflow":
            import tensorflow as tf

            self.convert = tf.convert_to_tensor
            self.step_fn = tf.function(gan.train_step, jit_compile=jit_compile)
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


def measure_pair(backend, loss, batch_size, variant, args, images):
    """Interleaved timing of keras-gans fit, the native loop and (default and
    jit_compile variants) keras-gans's train_step in a hand loop."""
    import keras

    from benchmarks.native_loops import build_models, make_native_trainer

    compile_kwargs, native_jit = VARIANTS[backend][variant]
    latent_dim = 64
    steps, repeats = args.steps, args.repeats
    keras.utils.set_random_seed(0)
    G, D = build_models(loss, latent_dim, base_filters=args.base_filters, seed=0)
    G_native, D_native = build_models(loss, latent_dim, base_filters=args.base_filters, seed=0)
    G_native.set_weights(G.get_weights())
    D_native.set_weights(D.get_weights())
    data = images[: steps * batch_size]
    native = make_native_trainer(loss, G_native, D_native, latent_dim,
                                 critic_steps=args.critic_steps, jit_compile=native_jit)
    gan = _make_gan(loss, G, D, latent_dim, args.critic_steps, compile_kwargs)
    loop = None
    if variant == "default" or (variant == "jit_compile" and backend == "tensorflow"):
        loop = TrainStepLoop(gan, jit_compile=bool(compile_kwargs.get("jit_compile")))

    times = {"keras_gans": [], "native": [], "train_step_loop": []}
    epoch_setups, warmups = [], {}

    class Interleave(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()
            self.first_batch = None

        def on_train_batch_begin(self, batch, logs=None):
            if self.first_batch is None:
                self.first_batch = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            end = time.perf_counter()
            # From the first batch to the end of the epoch (its logs are
            # synced): steps, end-of-epoch state sync and metric results. The
            # epoch's set-up (iterator creation) is kept apart: it is paid
            # once per epoch, not per step.
            fit_time = end - self.first_batch
            start = time.perf_counter()
            native.run(data, batch_size, steps)
            native_time = time.perf_counter() - start
            loop_time = loop.run(data, batch_size, steps) if loop is not None else None
            if epoch == 0:  # warm-up: tracing and compiling
                warmups["keras_gans_first_epoch_s"] = end - self.start
                warmups["native_first_run_s"] = native_time
                warmups["train_step_loop_first_run_s"] = loop_time
                return
            times["keras_gans"].append(fit_time / steps)
            times["native"].append(native_time / steps)
            if loop_time is not None:
                times["train_step_loop"].append(loop_time / steps)
            epoch_setups.append(self.first_batch - self.start)

    gan.fit(data, batch_size=batch_size, epochs=1 + repeats, shuffle=False, verbose=0,
            callbacks=[Interleave()])
    ratios = [k / n for k, n in zip(times["keras_gans"], times["native"])]
    result = {
        "backend": backend,
        "loss": loss,
        "batch_size": batch_size,
        "variant": variant,
        "compile_kwargs": compile_kwargs,
        "native_jit_compile": native_jit,
        "steps_per_repeat": steps,
        "repeats": repeats,
        "keras_gans": _summary(times["keras_gans"]),
        "native": _summary(times["native"]),
        "keras_gans_epoch_setup_s_median": statistics.median(epoch_setups),
        "ratio_per_repeat": ratios,
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        **warmups,
    }
    if times["train_step_loop"]:
        step_ratios = [t / n for t, n in zip(times["train_step_loop"], times["native"])]
        fit_ratios = [k / t for k, t in zip(times["keras_gans"], times["train_step_loop"])]
        result.update({
            "train_step_loop": _summary(times["train_step_loop"]),
            "train_step_loop_vs_native_median": statistics.median(step_ratios),
            "train_step_loop_vs_native_min": min(step_ratios),
            "train_step_loop_vs_native_max": max(step_ratios),
            "fit_vs_train_step_loop_median": statistics.median(fit_ratios),
        })
    return result


def measure_wgan_cost(backend, batch_size, args, images):
    """WGAN-GP step time / non-saturating step time, the four loops interleaved
    (keras-gans train_step in a hand loop, and native, for both models)."""
    import keras

    from benchmarks.native_loops import build_models, make_native_trainer

    latent_dim = 64
    data = images[: args.steps * batch_size]
    runners = {}
    for loss in LOSSES:
        keras.utils.set_random_seed(0)
        G, D = build_models(loss, latent_dim, base_filters=args.base_filters, seed=0)
        G_native, D_native = build_models(loss, latent_dim, base_filters=args.base_filters,
                                          seed=0)
        G_native.set_weights(G.get_weights())
        D_native.set_weights(D.get_weights())
        gan = _make_gan(loss, G, D, latent_dim, args.critic_steps, {})
        native = make_native_trainer(loss, G_native, D_native, latent_dim,
                                     critic_steps=args.critic_steps)
        runners[("keras_gans", loss)] = TrainStepLoop(gan, jit_compile=False).run

        def run_native(images, batch, steps, native=native):
            start = time.perf_counter()
            native.run(images, batch, steps)
            return time.perf_counter() - start

        runners[("native", loss)] = run_native
    times = {key: [] for key in runners}
    for repeat in range(1 + args.repeats):
        for key, run in runners.items():
            elapsed = run(data, batch_size, args.steps)
            if repeat > 0:
                times[key].append(elapsed)
    out = {"backend": backend, "batch_size": batch_size,
           "steps_per_repeat": args.steps, "repeats": args.repeats}
    for side in ("keras_gans", "native"):
        ratios = [w / n for w, n in zip(times[(side, "wgan_gp")], times[(side, "non_saturating")])]
        out[side] = statistics.median(ratios)
        out[f"{side}_min"], out[f"{side}_max"] = min(ratios), max(ratios)
    return out


def fid_status():
    """FID timing is not part of this script (see the note it writes)."""
    if not (REPO_ROOT / "keras_gans" / "metrics").exists():
        return ("not measured: keras_gans.metrics is not on this branch (it is being "
                "built on the eval branch, whose benchmarks/fid_speed.py times FID on "
                "10,000 samples)")
    return ("not measured here: keras_gans.metrics is present; its own "
            "benchmarks/fid_speed.py times FID on 10,000 samples")


def run_worker(args):
    import resource

    import keras
    import numpy as np

    backend = keras.backend.backend()
    _set_threads_in_worker(args.threads)
    rng = np.random.default_rng(0)
    max_batch = max(int(b) for b in args.batch_sizes.split(","))
    images = rng.uniform(-1.0, 1.0, (args.steps * max_batch, 28, 28, 1)).astype("float32")
    results, errors = [], []
    variant_batch_sizes = {int(b) for b in args.variant_batch_sizes.split(",")}
    for variant in args.variants.split(","):
        if variant not in VARIANTS[backend]:
            continue
        for loss in args.losses.split(","):
            for batch_size in (int(b) for b in args.batch_sizes.split(",")):
                label = f"{backend}/{loss}/b{batch_size}/{variant}"
                if variant != "default" and batch_size not in variant_batch_sizes:
                    continue
                print(f"[{label}] ...", file=sys.stderr, flush=True)
                start = time.perf_counter()
                try:
                    result = measure_pair(backend, loss, batch_size, variant, args, images)
                    result["wall_s"] = time.perf_counter() - start
                    results.append(result)
                    print(f"[{label}] ratio {result['ratio_median']:.3f} "
                          f"({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
                except Exception as error:  # recorded, e.g. torch spe>1, torch.compile
                    errors.append({
                        "backend": backend, "loss": loss, "batch_size": batch_size,
                        "variant": variant, "error": _first_line(error),
                        "traceback_tail": traceback.format_exc()[-1500:],
                    })
                    print(f"[{label}] FAILED: {_first_line(error)}", file=sys.stderr, flush=True)
                keras.backend.clear_session()
    cost = []
    if set(LOSSES) <= set(args.losses.split(",")):
        for batch_size in (int(b) for b in args.cost_batch_sizes.split(",") if b):
            print(f"[{backend}/wgan_gp_cost/b{batch_size}] ...", file=sys.stderr, flush=True)
            try:
                cost.append(measure_wgan_cost(backend, batch_size, args, images))
            except Exception as error:
                errors.append({"backend": backend, "batch_size": batch_size,
                               "variant": "wgan_gp_cost", "error": _first_line(error),
                               "traceback_tail": traceback.format_exc()[-1500:]})
            keras.backend.clear_session()
    output = {
        "backend": backend,
        "results": results,
        "wgan_gp_cost": cost,
        "errors": errors,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    with open(args.worker, "w") as f:
        json.dump(output, f, indent=1)


# --- Driver ------------------------------------------------------------------


def machine_info():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu_model": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": load,
    }


def git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=str(REPO_ROOT),
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "benchmarks", "keras_gans"],
                               cwd=str(REPO_ROOT), capture_output=True, text=True).stdout
        return commit + ("+uncommitted" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def versions():
    from importlib import metadata

    out = {}
    for name in ("keras", "tensorflow-cpu", "tensorflow", "torch", "jax", "jaxlib", "optax",
                 "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def thread_env(threads):
    """Environment variables that fix the backends' intra-op thread counts."""
    if threads <= 0:
        return {}
    return {
        "OMP_NUM_THREADS": str(threads),  # torch (OpenMP), oneDNN
        "MKL_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
        "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "")
                      + f" --xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'}"
                      + f" intra_op_parallelism_threads={threads}").strip(),
    }


def _set_threads_in_worker(threads):
    if threads <= 0:
        return
    import keras

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
    elif backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)


def run_backend(backend, args, argv):
    env = dict(os.environ, KERAS_BACKEND=backend, **thread_env(args.threads))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out_path = f.name
    command = [sys.executable, str(pathlib.Path(__file__).resolve()), *argv, "--worker", out_path]
    return backend, out_path, time.perf_counter(), subprocess.Popen(
        command, env=env, cwd=str(REPO_ROOT))


def finish_backend(backend, out_path, start, process):
    process.wait()
    wall = time.perf_counter() - start
    try:
        with open(out_path) as f:
            output = json.load(f)
    except (OSError, json.JSONDecodeError):
        output = {"backend": backend, "results": [], "errors": [
            {"backend": backend, "error": f"worker exited with code {process.returncode}"}]}
    finally:
        if os.path.exists(out_path):
            os.unlink(out_path)
    output["returncode"] = process.returncode
    output["wall_s"] = wall
    return output


def _fmt_ms(summary):
    return (f"{1e3 * summary['median_s_per_step']:.1f} "
            f"({1e3 * summary['min_s_per_step']:.1f}-{1e3 * summary['max_s_per_step']:.1f})")


def _find(results, **keys):
    for r in results:
        if all(r.get(k) == v for k, v in keys.items()):
            return r
    return None


def to_markdown(report):
    lines = []
    cfg = report["config"]
    m = report["machine"]
    lines.append(f"Measured {report['date']} (commit {report['git_commit']}) on {m['cpu_model']}, {m['usable_cores']} usable cores "
                 f"(load average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'] or [])}); "
                 + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + ".")
    lines.append("")
    threads = cfg["threads"] if cfg["threads"] > 0 else "library default"
    lines.append(f"DCGAN pair 28x28x1, base_filters={cfg['base_filters']}, latent_dim=64; "
                 f"intra-op threads: {threads}; backends run {cfg['jobs']} at a time; "
                 f"WGAN-GP with {cfg['critic_steps']} critic steps per step; "
                 f"{cfg['steps']} timed steps x {cfg['repeats']} interleaved repeats; "
                 "ms/step as median (min-max); ratio = keras_gans / native, median of "
                 "per-repeat ratios (min-max). \"train_step in hand loop\": keras_gans's "
                 "train_step called from a hand-written loop like the native one, to "
                 "separate the cost of our step from the cost of `fit`."
                 + (" **--quick run: figures are not meaningful.**" if cfg["quick"] else ""))
    lines.append("")
    lines.append("| backend | model | batch | variant | keras_gans fit ms/step | native ms/step "
                 "| **ratio fit/native** | keras_gans fit steps/s | train_step in hand loop "
                 "ms/step | ratio train_step/native |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in report["results"]:
        variant = r["variant"]
        if variant == "jit_compile":
            variant = {"tensorflow": "jit_compile=True (XLA; native XLA too)",
                       "torch": "jit_compile=True (torch.compile; native eager)"}.get(
                           r["backend"], variant)
        elif variant == "steps_per_execution":
            variant = f"steps_per_execution={SPE}"
        lines.append(
            f"| {r['backend']} | {LOSS_NAMES[r['loss']]} | {r['batch_size']} | {variant} "
            f"| {_fmt_ms(r['keras_gans'])} | {_fmt_ms(r['native'])} "
            f"| **{r['ratio_median']:.3f}** ({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) "
            f"| {r['keras_gans']['steps_per_s']:.2f} "
            + (f"| {_fmt_ms(r['train_step_loop'])} | {r['train_step_loop_vs_native_median']:.3f} "
               f"({r['train_step_loop_vs_native_min']:.2f}-"
               f"{r['train_step_loop_vs_native_max']:.2f}) |"
               if "train_step_loop" in r else "| - | - |"))
    lines.append("")
    costs = report["wgan_gp_cost_vs_non_saturating"]
    if costs:
        lines.append(f"WGAN-GP step ({cfg['critic_steps']} critic steps) time / non-saturating "
                     "step time, all four loops interleaved in one process (keras_gans: "
                     "train_step in a hand loop), median (min-max). Compare step times "
                     "across rows of the first table only with care: the rows were not "
                     "interleaved with each other and the machine's load varied.")
        lines.append("")
        lines.append("| backend | batch | keras_gans | native |")
        lines.append("|---|---|---|---|")
        for c in costs:
            lines.append(f"| {c['backend']} | {c['batch_size']} "
                         f"| {c['keras_gans']:.2f}x ({c['keras_gans_min']:.2f}-"
                         f"{c['keras_gans_max']:.2f}) | {c['native']:.2f}x "
                         f"({c['native_min']:.2f}-{c['native_max']:.2f}) |")
        lines.append("")
    lines.append("| backend | peak RSS (MiB) | wall (s) |")
    lines.append("|---|---|---|")
    for b in report["backends"]:
        rss = b.get("peak_rss_mib")
        lines.append(f"| {b['backend']} | {rss:.0f} | {b['wall_s']:.0f} |" if rss else
                     f"| {b['backend']} | n/a | {b['wall_s']:.0f} |")
    lines.append("")
    if report["errors"]:
        lines.append("Not measurable (error recorded):")
        lines.append("")
        for e in report["errors"]:
            lines.append(f"- {e.get('backend')} {LOSS_NAMES.get(e.get('loss'), '')} "
                         f"batch {e.get('batch_size', '')} {e.get('variant', '')}: "
                         f"`{e['error']}`")
        lines.append("")
    lines.append(f"FID on 10,000 samples: {report['fid_10k']}.")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    backends = chosen_backends(args)
    start = time.perf_counter()
    outputs, running = [], []
    for backend in backends:
        if len(running) >= max(1, args.jobs):
            outputs.append(finish_backend(*running.pop(0)))
        running.append(run_backend(backend, args, argv))
    outputs.extend(finish_backend(*r) for r in running)
    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine_info(),
        "versions": versions(),
        "config": {
            "quick": args.quick, "backends": backends, "losses": args.losses.split(","),
            "batch_sizes": [int(b) for b in args.batch_sizes.split(",")],
            "steps": args.steps, "repeats": args.repeats, "base_filters": args.base_filters,
            "critic_steps": args.critic_steps, "threads": args.threads, "jobs": args.jobs,
            "variant_batch_sizes": [int(b) for b in args.variant_batch_sizes.split(",")],
            "variants": args.variants.split(","),
            "steps_per_execution_variant": SPE, "image_shape": [28, 28, 1], "latent_dim": 64,
        },
        "results": [r for o in outputs for r in o["results"]],
        "errors": [e for o in outputs for e in o["errors"]],
        "wgan_gp_cost_vs_non_saturating": [c for o in outputs for c in o.get("wgan_gp_cost", [])],
        "backends": [{k: v for k, v in o.items()
                      if k not in ("results", "errors", "wgan_gp_cost")}
                     for o in outputs],
        "fid_10k": fid_status(),
        "total_wall_s": time.perf_counter() - start,
    }
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "gan_step_speed.json").write_text(json.dumps(report, indent=1))
    (out_dir / "gan_step_speed.md").write_text(to_markdown(report))
    print(to_markdown(report))
    return 0 if all(o["returncode"] == 0 for o in outputs) else 1


if __name__ == "__main__":
    sys.exit(main())
