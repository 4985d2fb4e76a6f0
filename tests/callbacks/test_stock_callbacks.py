"""Keras's own callbacks with a keras_gans GAN, on every backend."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import keras
import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_tensorboard_writes_gan_losses(tmp_path, digits, tiny_gan):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    gan = tiny_gan()
    history = gan.fit(
        digits[0][:64], epochs=2, batch_size=32, verbose=0,
        callbacks=[keras.callbacks.TensorBoard(str(tmp_path))],
    )
    accumulator = EventAccumulator(str(tmp_path / "train"))
    accumulator.Reload()
    for name in ("d_loss", "g_loss"):
        events = accumulator.Tensors(f"epoch_{name}")
        values = [_scalar(e) for e in events]
        assert [e.step for e in events] == [0, 1]
        np.testing.assert_allclose(values, history.history[name], rtol=1e-5)


def _scalar(event):
    from tensorboard.util import tensor_util

    return float(tensor_util.make_ndarray(event.tensor_proto))


def _records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _run(backup_dir, record, sleep_s):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    script = pathlib.Path(__file__).with_name("backup_and_restore_run.py")
    return subprocess.Popen([sys.executable, str(script), str(backup_dir), str(record), str(sleep_s)], env=env)


def test_backup_and_restore_resumes_a_killed_run(tmp_path):
    backup_dir, first, second = tmp_path / "backup", tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    process = _run(backup_dir, first, sleep_s=0.3)
    metadata = backup_dir / "training_metadata.json"
    deadline = time.time() + 120
    while not metadata.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert metadata.exists(), "the run made no backup"
    time.sleep(0.1)  # let the metadata write finish
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed = _records(first)
    assert killed[-1]["event"] == "batch", "the run finished before it was killed"
    saved = json.loads(metadata.read_text())
    # Keras restarts the epoch the backup was taken in, from the saved weights
    # and optimizer state: steps taken before the backup are kept.
    steps_at_backup = saved["epoch"] * 4 + saved["batch"] + 1
    assert steps_at_backup < 12

    assert _run(backup_dir, second, sleep_s=0.0).wait(timeout=300) == 0
    resumed = _records(second)
    begin, batches, end = resumed[0], resumed[1:-1], resumed[-1]
    assert begin["g_iterations"] == begin["d_iterations"] == steps_at_backup
    assert begin["weights_sum"] != _records(first)[0]["weights_sum"]
    assert batches[0]["epoch"] == saved["epoch"]
    assert [b["epoch"] for b in batches] == sorted(b["epoch"] for b in batches)
    assert len(batches) == (3 - saved["epoch"]) * 4
    assert end["g_iterations"] == steps_at_backup + len(batches)
    assert not backup_dir.exists()  # deleted after a finished run


def test_model_checkpoint_overwrites_existing_files(tmp_path, digits, tiny_gan):
    """Documents Keras: ModelCheckpoint overwrites without asking.

    This is why `keras-gans train` refuses an output folder that already holds
    a run unless given --overwrite or --resume.
    """
    path = tmp_path / "user.keras"
    path.write_bytes(b"precious")
    gan = tiny_gan()
    gan.fit(digits[0][:32], epochs=1, batch_size=32, verbose=0,
            callbacks=[keras.callbacks.ModelCheckpoint(str(path))])
    assert path.read_bytes() != b"precious"
