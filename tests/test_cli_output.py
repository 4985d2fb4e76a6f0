"""What the command line prints: no TensorFlow log lines, one bar for short epochs,
about 20 sample grids a run, and `evaluate`'s table and JSON."""

import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from keras_gans.cli import main

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
# The lines TensorFlow 2.21 writes while it is imported (and its C++ INFO/WARNING lines later).
TF_LOG_LINE = re.compile(
    r"^[IW]\d{4} [\d:.]+\s+\d+ \S+:\d+\]|absl::InitializeLog|oneDNN custom operations|cpu_feature_guard"
    r"|TF_ENABLE_ONEDNN_OPTS|rebuild TensorFlow with the appropriate compiler flags",
    re.M,
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _tensorflow_logs_module():
    """keras_gans/backend/tensorflow_logs.py on its own (it imports nothing of keras_gans)."""
    path = REPO_ROOT / "keras_gans" / "backend" / "tensorflow_logs.py"
    spec = importlib.util.spec_from_file_location("tensorflow_logs_alone", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_run_writes_no_tensorflow_log_line(tmp_path):
    """train, sample and evaluate in one CLI process on this backend: stderr holds
    no TensorFlow log line (on JAX and torch Keras imports TensorFlow lazily,
    mid-run; on TensorFlow at import)."""
    run = tmp_path / "run"
    driver = (
        "import sys\n"
        "from keras_gans.cli import main\n"  # imports keras_gans first, as `python -m keras_gans`
        f"assert main(['train', '--dataset', 'digits', '--out', {str(run)!r}]) == 0\n"
        f"assert main(['sample', '--model', {str(run / 'model.keras')!r}, '--num', '4', '--out', {str(tmp_path / 'g.png')!r}]) == 0\n"
        f"assert main(['evaluate', '--model', {str(run / 'generator.keras')!r}, '--dataset', 'digits', '--num-samples', '20', '--no-floor']) == 0\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), KERAS_GANS_TINY="1")
    for name in ("TF_CPP_MIN_LOG_LEVEL", "KERAS_GANS_TF_LOGS"):  # the defaults a user has
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", driver], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FID" in result.stdout and (tmp_path / "g.png").exists()
    assert not TF_LOG_LINE.search(result.stderr), result.stderr[-3000:]


def test_stderr_filter_keeps_warnings_and_errors(tmp_path):
    """Inside the filter only TensorFlow's INFO/WARNING log lines are dropped: a
    Python warning, a traceback and C-level error lines still reach stderr."""
    script = (
        "import os, sys, warnings, importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('m', {str(REPO_ROOT / 'keras_gans' / 'backend' / 'tensorflow_logs.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "with m.filtered_stderr():\n"
        "    os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
        "    os.write(2, b'I0000 00:00:1796197935.096667    6244 port.cc:153] oneDNN custom operations are on.\\n')\n"
        "    os.write(2, b'W0000 00:00:1796197935.1    6244 cuda_dnn.cc:8] Unable to register cuDNN factory\\n')\n"
        "    os.write(2, b'To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.\\n')\n"
        "    os.write(2, b'E0000 00:00:1796197935.2    6244 cuda_driver.cc:1] failed call to cuInit\\n')\n"
        "    os.write(2, b'a C library message\\n')\n"
        "    warnings.warn('a real warning', UserWarning)\n"
        "    print('on stdout')\n"
        "    raise RuntimeError('a real error')\n"
    )
    env = dict(os.environ)
    env.pop("KERAS_GANS_TF_LOGS", None)
    result = subprocess.run([sys.executable, "-W", "always", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == "on stdout\n"
    err = result.stderr
    for kept in ("E0000 00:00:1796197935.2", "failed call to cuInit", "a C library message",
                 "UserWarning: a real warning", "RuntimeError: a real error", "Traceback"):
        assert kept in err, (kept, err)
    assert not TF_LOG_LINE.search(err), err
    # Asked for: every line.
    result = subprocess.run([sys.executable, "-c", script], env=dict(env, KERAS_GANS_TF_LOGS="1"),
                            capture_output=True, text=True, timeout=60)
    assert sum(bool(TF_LOG_LINE.search(line)) for line in result.stderr.splitlines()) == 4, result.stderr


def test_tensorflow_log_line_patterns():
    module = _tensorflow_logs_module()
    assert module.is_tensorflow_log_line("I0000 00:00:1796198096.848374    9151 generator_dataset_op.cc:213] Memory patch\n")
    assert module.is_tensorflow_log_line("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR")
    assert not module.is_tensorflow_log_line("F0000 00:00:1.2    9151 op.cc:2] Check failed")
    assert not module.is_tensorflow_log_line("WARNING:absl:a Python absl warning")
    assert not module.is_tensorflow_log_line("I0000 is not a log line without the prefix")


def _small_npz(tmp_path):
    path = tmp_path / "small.npz"
    np.savez(path, x=np.random.default_rng(0).integers(0, 255, (40, 8, 8), dtype="uint8"))
    return path


def test_train_prints_one_bar_for_short_epochs_and_about_20_grids(tmp_path, capsys, monkeypatch):
    from keras_gans import runs

    monkeypatch.delenv("KERAS_GANS_TINY", raising=False)
    # Every epoch counts as short, however loaded the machine (the timing itself
    # is tested in tests/callbacks/test_run_progress_bar.py).
    monkeypatch.setattr(runs, "SHORT_EPOCH_SECONDS", 1e6)
    out = tmp_path / "run"
    # 40 images, batch 16: 3 steps an epoch; 21 epochs -> a grid every 2 epochs.
    argv = ["train", "--dataset", f"npz:{_small_npz(tmp_path)}", "--batch-size", "16", "--epochs", "21", "--out", str(out)]
    capsys.readouterr()
    assert main(argv) == 0
    lines = [ANSI.sub("", line.split("\r")[-1]).strip() for line in capsys.readouterr().out.split("\n") if line.strip()]
    headers = [line for line in lines if line.startswith("Epoch")]
    # Keras's bar for the first epoch (or two, when the first cannot be timed), then one bar.
    assert len(headers) in (2, 3) and headers[-1].startswith(f"Epochs {len(headers)}-21/21: "), lines
    steps_left = 3 * (22 - len(headers))
    assert lines[-2].startswith(f"{steps_left}/{steps_left} ") and "g_loss:" in lines[-2]
    assert lines[-1].startswith("Saved ") and len(lines) == 2 + 2 * len(headers)
    expected = [f"epoch_{e:04d}.png" for e in range(2, 21, 2)] + ["epoch_0021.png"]  # 10 + the last
    assert sorted(os.listdir(out / "samples")) == expected


def test_evaluate_prints_a_table_or_json_with_the_floor(capsys, monkeypatch):
    from keras_gans import cli
    from keras_gans.evaluation import real_data_floor
    from keras_gans.evaluation_report import evaluation_table
    from keras_gans.metrics import FID, KID, PrecisionRecall

    monkeypatch.setenv("KERAS_GANS_TINY", "1")  # 100 samples
    # KID on 5 subsets, not 100: the same output, in a fraction of the time.
    monkeypatch.setattr(cli, "_evaluation_metrics", lambda: [FID(), KID(subsets=5), PrecisionRecall(k=3)])

    argv = ["evaluate", "--preset", "mlp_digits_nonsaturating"]
    assert main(argv + ["--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == {"preset": "mlp_digits_nonsaturating"}
    assert result["protocol"]["dataset"] == "digits" and result["protocol"]["num_samples"] == 100
    assert result["protocol"]["kid_subsets"] == 5 and result["floor"]["protocol"]["kid_subsets"] == 5
    floor = real_data_floor("digits", num_real=result["protocol"]["num_real"], metrics=cli._evaluation_metrics())
    assert result["floor"]["fid"] == pytest.approx(floor["fid"], rel=1e-9)
    assert result["floor"]["protocol"] == json.loads(json.dumps(floor["protocol"]))

    assert main(argv) == 0
    table = capsys.readouterr().out.strip().splitlines()
    assert table[0].split() == ["metric", "value", "real", "floor"]
    rows = {line.split()[0]: line for line in table[1:5]}
    assert list(rows) == ["FID", "KID", "precision", "recall"]
    assert rows["FID"].split()[1:] == [f"{result['fid']:.4f}", f"{result['floor']['fid']:.4f}"]
    assert f"{result['kid_mean']:.4f} ± {result['kid_std']:.4f}" in rows["KID"]
    assert "generated images vs the first 297 images of the test split of digits" in table[5]
    # The same table from the JSON: nothing is printed that the JSON does not hold.
    floor_json = result.pop("floor")
    result.pop("source")
    assert "\n".join(table) == evaluation_table(result, floor_json)

