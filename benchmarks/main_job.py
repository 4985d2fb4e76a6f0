"""Times the README's main job per backend, as a newcomer runs it, and scores it.

    python benchmarks/main_job.py [--backends tensorflow,torch,jax] [--out FILE]

For each backend, in a fresh folder: runs

    python -m keras_gans train --dataset digits --model nonsaturating

with KERAS_BACKEND set, timing the whole command (start-up, data, training,
saving) and reading the training time from its run.json; then

    python -m keras_gans evaluate --model runs/digits_nonsaturating/generator.keras --dataset digits

and records FID / real floor and precision/recall. The issue's target: <= 3x
the digits floor in under 90 s on 2 cores. The load average before and
after each run is recorded: compare wall times between runs made under
similar load. Writes JSON (default benchmarks/results/digits_main_job.json).
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
TRAIN = ["-m", "keras_gans", "train", "--dataset", "digits", "--model", "nonsaturating"]
FLOOR = REPO_ROOT / "zoo" / "digits_classifier" / "real_data_floor.json"


def run_backend(backend, workdir):
    env = dict(os.environ, KERAS_BACKEND=backend)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    train = subprocess.run([sys.executable] + TRAIN, cwd=workdir, env=env, capture_output=True, text=True)
    whole = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    if train.returncode != 0:
        return {"backend": backend, "error": train.stderr[-2000:]}
    run = json.loads((workdir / "runs" / "digits_nonsaturating" / "run.json").read_text())
    evaluate = subprocess.run(
        [sys.executable, "-m", "keras_gans", "evaluate", "--model", "runs/digits_nonsaturating/generator.keras",
         "--dataset", "digits"],
        cwd=workdir, env=env, capture_output=True, text=True,
    )
    if evaluate.returncode != 0:
        return {"backend": backend, "error": evaluate.stderr[-2000:]}
    scores = dict(line.split(": ", 1) for line in evaluate.stdout.splitlines() if ": " in line)
    floor = json.loads(FLOOR.read_text())["fid"]
    fid = float(scores["fid"])
    return {
        "backend": backend,
        "whole_command_seconds": round(whole, 1),
        "training_seconds": run.get("wall_time_s"),
        "generator_steps": run.get("generator_steps"),
        "fid": fid,
        "real_floor_fid": floor,
        "floor_ratio": round(fid / floor, 2),
        "precision": float(scores["precision"]),
        "recall": float(scores["recall"]),
        "load_average_1min": {"before": round(load_before, 2), "after": round(load_after, 2)},
    }


def main(argv=None):
    from benchmarks import harness

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="tensorflow,torch,jax")
    parser.add_argument("--out", default=str(REPO_ROOT / "benchmarks" / "results" / "digits_main_job.json"))
    args = parser.parse_args(argv)
    results = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as workdir:
            result = run_backend(backend, pathlib.Path(workdir))
        print(json.dumps(result), flush=True)
        results.append(result)
    report = {
        "what": "the README's main job, timed per backend as a newcomer runs it",
        "commands": ["python " + " ".join(TRAIN),
                     "python -m keras_gans evaluate --model runs/digits_nonsaturating/generator.keras --dataset digits"],
        "date": harness.now(),
        "commit": harness.git_commit(),
        "machine": harness.machine_info(),
        "versions": harness.versions(),
        "targets": {"floor_ratio": 3.0, "whole_command_seconds": 90},
        "results": results,
    }
    pathlib.Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
