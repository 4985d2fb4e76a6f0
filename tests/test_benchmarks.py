"""Keeps `benchmarks/gan_step_speed.py` from rotting: a tiny `--quick` run on
the current backend must write its JSON and markdown with sane fields. The
figures themselves are not asserted (CI machines are noisy)."""

import json
import os
import pathlib
import subprocess
import sys

import keras

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "benchmarks" / "gan_step_speed.py"


def test_gan_step_speed_quick_writes_results(tmp_path):
    backend = keras.backend.backend()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [
        sys.executable, str(SCRIPT), "--quick", "--backends", backend,
        "--losses", "non_saturating", "--steps", "1", "--repeats", "1",
        "--base-filters", "4", "--out-dir", str(tmp_path),
    ]
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]

    report = json.loads((tmp_path / "gan_step_speed.json").read_text())
    assert report["config"]["quick"] is True
    assert report["config"]["backends"] == [backend]
    assert report["machine"]["logical_cores"] >= 1
    assert "keras" in report["versions"]
    assert report["errors"] == []
    (result,) = report["results"]
    assert (result["backend"], result["loss"], result["batch_size"]) == (
        backend, "non_saturating", 64)
    for side in ("keras_gans", "native"):
        assert result[side]["median_s_per_step"] > 0
        assert result[side]["steps_per_s"] > 0
    assert result["ratio_median"] > 0
    (backend_info,) = report["backends"]
    assert backend_info["peak_rss_mib"] > 0

    markdown = (tmp_path / "gan_step_speed.md").read_text()
    assert "| backend | model | batch |" in markdown
    assert f"| {backend} | NonSaturatingGAN | 64 | default |" in markdown
