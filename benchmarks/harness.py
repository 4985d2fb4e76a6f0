"""The one benchmark harness: a worker process per backend, interleaved
timing, the machine's state and the result files.

A benchmark is a configuration of `main`:

```python
from benchmarks import harness

def configs(backend, args):            # in the worker: what to measure
    return [{"loss": "wgan_gp", "batch_size": b} for b in args.batch_sizes]

def measure(backend, args, config):    # in the worker: one result (a dict), or None
    runners = {"pure": ..., "fit_default": harness.fit_runner(gan, images, 64, args.steps)}
    times, warmup = harness.time_interleaved(runners, args.repeats, anchor="pure")
    return {**config, "columns": harness.summarize(times, args.steps, "pure")}

harness.main(__file__, "my_bench", parser, configs, measure, to_markdown, argv)
```

- **Workers**: the driver runs the script once per backend (`KERAS_BACKEND`
  set, intra-op threads fixed by `thread_env`, `--worker FILE` appended to
  the script's own arguments); the worker measures each configuration in
  turn, rewriting FILE after each one, so a worker killed at
  `--backend-timeout` keeps what it finished. A configuration that raises is
  recorded with its error; past `--time-limit` the rest are listed as skipped.
- **Timing** (`time_interleaved`): one warm-up call per column (tracing and
  compiling; not counted, its wall time recorded), then `repeats` rounds,
  the column order rotated each round, so every column sees the same machine
  load. Runners return the seconds of their steps, each ending with a device
  sync. `summarize`: ms per step (median, min, max) and the ratio to an
  anchor column, the median of per-repeat ratios.
- **Result files** (`write_report`): `<name>.json` (date, git commit,
  machine with its load average, library versions, configuration, results,
  errors, skipped, per-backend wall time and peak RSS) and `<name>.md`, made
  from the JSON by the benchmark's `to_markdown` (nothing typed by hand).

Threads: `--threads 1` by default. On a shared machine a multi-threaded
kernel whose threads meet at barriers waits for whichever core is busy
elsewhere (with 2 OpenMP threads torch took 17.8 ms for a `tanh` that takes
0.29 ms on one thread). `--threads 0` keeps the libraries' defaults (a GPU).
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
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
RESULTS = HERE / "results"
BACKENDS = ("tensorflow", "torch", "jax")


# --- Arguments ---------------------------------------------------------------------


def make_parser(description, backends=BACKENDS, out_dir=RESULTS):
    """An argument parser with the options every benchmark shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="Smoke run: tiny models and step counts; figures not meaningful.")
    parser.add_argument("--backends", default=",".join(backends))
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
    parser.add_argument("--out-dir", default=str(out_dir))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    return parser


def fill_defaults(args, **defaults):
    """Sets each argument left at None to its `(quick, full)` default, by `args.quick`."""
    for name, (quick, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    return args


def chosen_backends(args):
    """The `--backends` list; exits with a message naming any unknown one."""
    backends = [b for b in args.backends.split(",") if b]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise SystemExit(f"Unknown backends {sorted(unknown)}; expected some of {BACKENDS}.")
    return backends


def int_list(text):
    return [int(x) for x in text.split(",") if x]


# --- The machine ---------------------------------------------------------------------


def machine_info():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu_model": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": load_average(),
    }


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_commit():
    """HEAD, with `+uncommitted` when benchmarks/ or keras_gans/ differ from it."""
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


def now():
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


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


def set_threads_in_worker(threads):
    """What `thread_env` cannot set before the framework starts."""
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


def device_name(backend):
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return getattr(device, "device_kind", device.platform)
    return "cpu"


def first_line(error):
    return f"{type(error).__name__}: {error}".strip().splitlines()[0][:300]


# --- Timing -------------------------------------------------------------------------


def random_images(count, shape=(28, 28, 1)):
    """`count` float32 images in [-1, 1], always the same (seed 0)."""
    import numpy as np

    return np.random.default_rng(0).uniform(-1.0, 1.0, (count, *shape)).astype("float32")


def window_timer():
    """A Keras callback timing an epoch from its first batch to its end (the
    logs are read there, so the device is synced): the epoch's set-up before
    the first batch, paid once per epoch, is not counted."""
    import keras

    class WindowTimer(keras.callbacks.Callback):
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
    """A runner: one `fit(epochs=1)` of `steps` batches, timed by `window_timer`."""
    data = images[: steps * batch_size]
    y = None if labels is None else labels[: steps * batch_size]

    def run():
        timer = window_timer()
        model.fit(data, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                  callbacks=[timer])
        return timer.elapsed

    return run


def loop_runner(trainer, images, batch_size, steps, labels=None):
    """A runner over a hand loop: `trainer.run(images, batch_size, steps[, labels])`
    runs the steps and syncs the device."""
    extra = () if labels is None else (labels,)

    def run():
        start = time.perf_counter()
        trainer.run(images, batch_size, steps, *extra)
        return time.perf_counter() - start

    return run


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
    """One warm-up call per runner, then `repeats` rounds, the order rotated each round.

    Returns `(times, warmup)`: `times[name]` the seconds of each timed call;
    `warmup` with `seconds` (what each warm-up returned), `wall_s` (its whole
    call: tracing and compiling included) and `failed` (name -> error). A
    runner whose warm-up fails (or exceeds `warmup_limit` seconds) is dropped;
    the anchor's failure is raised.
    """
    seconds, wall, failed = {}, {}, {}
    for name, run in runners.items():
        start = time.perf_counter()
        try:
            seconds[name] = _call_with_alarm(run, warmup_limit)
            wall[name] = time.perf_counter() - start
        except Exception as error:
            if name == anchor:
                raise
            failed[name] = first_line(error)
            print(f"  column {name} dropped: {failed[name]}", flush=True)
    names = [n for n in runners if n not in failed]
    times = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(runners[name]())
    return times, {"seconds": seconds, "wall_s": wall, "failed": failed}


def summarize(times, steps, anchor=None):
    """Per column: seconds per step of every repeat, median/min/max ms, and
    the ratio to `anchor` (median, min, max of per-repeat ratios)."""
    out = {}
    for name, values in times.items():
        per_step = [t / steps for t in values]
        entry = {"s_per_step": per_step, "median_ms": 1e3 * statistics.median(per_step),
                 "min_ms": 1e3 * min(per_step), "max_ms": 1e3 * max(per_step)}
        if anchor is not None and name != anchor:
            ratios = [t / a for t, a in zip(values, times[anchor])]
            entry.update({"ratio_median": statistics.median(ratios),
                          "ratio_min": min(ratios), "ratio_max": max(ratios)})
        out[name] = entry
    return out


# --- Worker (one backend, in its own process) ------------------------------------------


def config_label(backend, config):
    parts = [f"b{v}" if k == "batch_size" else str(v) if not isinstance(v, bool)
             else k if v else f"no {k}" for k, v in config.items()]
    return "/".join([backend] + parts)


def run_worker(args, configs, measure):
    """Measures each of `configs(backend, args)` with `measure(backend, args, config)`,
    rewriting `args.worker` (JSON) after each one."""
    import resource

    import keras

    backend = keras.backend.backend()
    set_threads_in_worker(args.threads)
    start = time.perf_counter()
    results, errors, skipped = [], [], []
    device = device_name(backend)

    def write(complete):
        output = {"backend": backend, "results": results, "errors": errors,
                  "skipped": skipped, "complete": complete, "device": device,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
        with open(args.worker + ".tmp", "w") as f:
            json.dump(output, f, indent=1)
        os.replace(args.worker + ".tmp", args.worker)

    for config in configs(backend, args):
        label = config_label(backend, config)
        if args.time_limit and time.perf_counter() - start > args.time_limit:
            skipped.append(label)
            print(f"[{label}] skipped: time limit", flush=True)
            continue
        print(f"[{label}] ...", flush=True)
        t0 = time.perf_counter()
        try:
            keras.utils.set_random_seed(0)
            result = measure(backend, args, config)
            if result is not None:
                result = {"backend": backend, **result, "wall_s": time.perf_counter() - t0}
                results.append(result)
                print(f"[{label}] {result_line(result)} ({result['wall_s']:.0f} s)", flush=True)
        except Exception as error:
            errors.append({"backend": backend, **config, "error": first_line(error),
                           "traceback_tail": traceback.format_exc()[-2000:]})
            print(f"[{label}] FAILED: {errors[-1]['error']}", flush=True)
        keras.backend.clear_session()
        write(complete=False)
    write(complete=True)


def result_line(result):
    columns = result.get("columns", {})
    return ", ".join(f"{k} {v['median_ms']:.2f} ms"
                     + (f" ({v['ratio_median']:.2f}x)" if "ratio_median" in v else "")
                     for k, v in columns.items())


# --- Driver --------------------------------------------------------------------------


def run_backend(script, backend, argv, args, env=None):
    """Runs `script argv --worker FILE` with KERAS_BACKEND=backend; returns its
    output (what it finished, even when killed at `args.backend_timeout`)."""
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONUNBUFFERED="1",
               **thread_env(args.threads), **(env or {}))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out_path = f.name
    command = [sys.executable, str(pathlib.Path(script).resolve()), *argv, "--worker", out_path]
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


def make_report(outputs, config, start):
    """The result file's content: what every benchmark records."""
    return {
        "date": now(),
        "git_commit": git_commit(),
        "machine": machine_info(),
        "versions": versions(),
        "config": config,
        "results": [r for o in outputs for r in o["results"]],
        "errors": [e for o in outputs for e in o["errors"]],
        "skipped": [s for o in outputs for s in o.get("skipped", [])],
        "backends": [{k: v for k, v in o.items() if k not in ("results", "errors", "skipped")}
                     for o in outputs],
        "total_wall_s": time.perf_counter() - start,
    }


def merge_reports(reports):
    """One report from several (one backend each, e.g. run with different
    step counts); `config.per_backend` keeps each one's configuration."""
    merged = dict(reports[0])
    for key in ("results", "errors", "skipped", "backends"):
        merged[key] = [x for r in reports for x in r[key]]
    merged["config"] = dict(reports[0]["config"],
                            backends=[b["backend"] for b in merged["backends"]],
                            per_backend={r["backends"][0]["backend"]: r["config"]
                                         for r in reports})
    merged["total_wall_s"] = sum(r["total_wall_s"] for r in reports)
    return merged


def write_report(out_dir, name, report, to_markdown):
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = to_markdown(report)
    (out_dir / f"{name}.json").write_text(json.dumps(report, indent=1))
    (out_dir / f"{name}.md").write_text(markdown)
    print(markdown, flush=True)


def header(report):
    """The first line of every table: when, which commit, which machine and load."""
    m = report["machine"]
    devices = ", ".join(f"{b['backend']} {b.get('device', '?')}" for b in report["backends"])
    return (f"Measured {report['date']} (commit {report['git_commit']}) on {m['cpu_model']}, "
            f"{m['usable_cores']} usable cores (load average at start "
            f"{', '.join(f'{x:.1f}' for x in m['load_average_at_start'] or [])}); devices: "
            f"{devices}; " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + ".")


def problems(report):
    """Markdown lines for what was not measured (errors, skips, dropped columns)."""
    lines = [f"- {e.get('backend')} {e.get('loss', '')} batch {e.get('batch_size', '')}: "
             f"`{e['error']}`" for e in report["errors"]]
    lines += [f"- {s}: skipped (time limit)" for s in report["skipped"]]
    lines += [f"- {r['backend']} {r.get('loss', '')} batch {r['batch_size']}, column {name}: "
              f"`{err}`" for r in report["results"]
              for name, err in r.get("failed_columns", {}).items()]
    return ["", "Not measured:", ""] + lines if lines else []


def resources(report):
    lines = ["", "| backend | peak RSS (MiB) | wall (s) |", "|---|---|---|"]
    for b in report["backends"]:
        rss = b.get("peak_rss_mib")
        lines.append(f"| {b['backend']} | {rss:.0f} | {b['wall_s']:.0f} |" if rss
                     else f"| {b['backend']} | n/a | {b['wall_s']:.0f} |")
    return lines


def main(script, name, args, argv, configs, measure, to_markdown, config):
    """Worker or driver, by `args.worker`; returns the exit status.

    `config`: the report's `config` entry (a dict; `backends` is added).
    """
    if args.worker:
        run_worker(args, configs, measure)
        return 0
    backends = chosen_backends(args)
    start = time.perf_counter()
    outputs = [run_backend(script, backend, argv, args) for backend in backends]
    report = make_report(outputs, {"quick": args.quick, "backends": backends, **config}, start)
    write_report(args.out_dir, name, report, to_markdown)
    return 0 if all(o["returncode"] == 0 for o in outputs) and not report["errors"] else 1
