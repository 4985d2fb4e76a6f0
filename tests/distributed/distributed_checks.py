"""Helpers for tests/distributed: run `equivalence.py` in a fresh interpreter, check its report.

Each test module here exercises one backend's own engine and is skipped under
the other backends: the suite runs once per KERAS_BACKEND, so every engine is
checked exactly once in CI.
"""

import json
import os
import pathlib
import subprocess
import sys

import keras
import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]

# One device vs two must agree to this (float32 summation order differs).
TOLERANCE = 1e-5
# Training must move the weights far beyond the tolerance, or agreement
# would prove nothing (a x2 gradient scale error would then go unseen).
MIN_WEIGHT_CHANGE = 1e-3


def skip_unless_backend(backend):
    return pytest.mark.skipif(
        keras.backend.backend() != backend,
        reason=f"checks the {backend} engine; the suite runs it under KERAS_BACKEND={backend}",
    )


def run_equivalence(backend, *extra_args, timeout=300):
    """Runs the script for `backend`; returns its JSON report."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.pop("XLA_FLAGS", None)
    completed = subprocess.run(
        [sys.executable, str(HERE / "equivalence.py"), "--backend", backend, *extra_args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=timeout,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        pytest.fail(
            f"equivalence.py --backend {backend} failed (exit {completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-6000:]}"
        )
    return json.loads(lines[-1])


def check_equivalence(comparison, config, discriminator_steps):
    """The acceptance property: 2 devices == 1 device, counters, logged losses."""
    reference, distributed = comparison["reference"], comparison["distributed"]
    steps = config["steps"] * config["epochs"]
    assert reference["weight_change"] > MIN_WEIGHT_CHANGE, reference["weight_change"]
    assert comparison["max_weight_diff"] <= TOLERANCE, comparison["max_weight_diff"]
    for run in (reference, distributed):
        assert run["g_iterations"] == steps, run["g_iterations"]
        assert run["d_iterations"] == steps * discriminator_steps, run["d_iterations"]
        assert len(run["logs"]) == steps
    assert comparison["max_log_diff"] is not None, (reference["logs"][0], distributed["logs"][0])
    assert comparison["max_log_diff"] <= TOLERANCE, comparison["max_log_diff"]
