"""CrashSafeBackup + SeededBatches: a run SIGKILLed at any moment resumes to the uninterrupted weights."""

import importlib.util
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from keras_gans.callbacks import CrashSafeBackup
from keras_gans.callbacks.crash_safe_backup import PAUSE_ENV

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = pathlib.Path(__file__).with_name("crash_safe_backup_run.py")
_spec = importlib.util.spec_from_file_location("crash_safe_backup_run", SCRIPT)
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def _start(backup, *argv, pause=None):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = pause
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(backup), *map(str, argv)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _kill_when(process, marker, timeout=600):
    """SIGKILLs `process` once it has written `marker` (it then sleeps at the chosen moment)."""
    deadline = time.time() + timeout
    while not marker.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if not marker.exists():
        process.kill()
        raise AssertionError(f"never reached the pause: {process.communicate()[1].decode()[-3000:]}")
    process.send_signal(signal.SIGKILL)
    process.wait()
    return marker.read_text().split()


def _state(backup):
    return json.loads((backup / "state.json").read_text())


def _weights(gan):
    optimizers = [gan.generator_optimizer, gan.discriminator_optimizer]
    return gan.get_weights() + [keras.ops.convert_to_numpy(v.value) for o in optimizers for v in o.variables]


def test_killed_anywhere_then_resumed_ends_as_an_uninterrupted_run(tmp_path):
    backup = tmp_path / "backup"
    # 1. Killed inside the write of the second backup: the new weights sit in
    #    a temporary file, state.json still names the first backup.
    assert _kill_when(_start(backup, pause=f"weights:2:{tmp_path / 'm1'}"), tmp_path / "m1") == ["weights", "2"]
    assert _state(backup)["epoch"] == 1
    assert sorted(os.listdir(backup)) == ["epoch_000001.weights.h5", "partial_epoch_000002.weights.h5", "state.json"]
    # 2. Resumed; killed once the third backup's weights are in place but
    #    before state.json names them: the second backup is still complete.
    assert _kill_when(_start(backup, pause=f"commit:3:{tmp_path / 'm2'}"), tmp_path / "m2") == ["commit", "3"]
    assert _state(backup)["epoch"] == 2
    assert sorted(os.listdir(backup)) == ["epoch_000002.weights.h5", "epoch_000003.weights.h5", "state.json"]
    # 3. Resumed; killed mid-epoch (after batch 1 of the fourth epoch).
    assert _kill_when(_start(backup, 3, 1, tmp_path / "m3"), tmp_path / "m3") == ["batch", "3", "1"]
    assert _state(backup)["epoch"] == 3
    # 4. Resumed here, to the end.
    resumed, history = run.train(str(backup))
    assert (history.initial_epoch, history.epochs_done, len(history.epoch)) == (3, 4, 1)
    assert history.wall_seconds > 0
    uninterrupted, _ = run.train(None)
    assert int(keras.ops.convert_to_numpy(resumed.generator_optimizer.iterations)) == 4 * 3
    for a, b in zip(_weights(resumed), _weights(uninterrupted), strict=True):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_weights_other_seed_other_weights(monkeypatch):
    first, _ = run.train(None)
    second, _ = run.train(None)
    for a, b in zip(_weights(first), _weights(second), strict=True):
        np.testing.assert_array_equal(a, b)
    monkeypatch.setitem(run.RECIPE, "seed", 8)
    other, _ = run.train(None)
    assert not np.array_equal(first.generator.get_weights()[0], other.generator.get_weights()[0])


def _one_line_error(function):
    with pytest.raises(ValueError) as info:
        function()
    message = str(info.value)
    assert "\n" not in message and "Delete the folder" in message
    return message


def test_a_damaged_backup_is_a_one_line_error_naming_the_file(tmp_path):
    backup = tmp_path / "backup"
    gan, _ = run.train(str(backup))  # recipes.fit keeps the backup at the end
    state = _state(backup)
    assert state["epoch"] == 4 and state["metadata"]["wall_seconds"] > 0
    weights = backup / state["weights"]
    intact = weights.read_bytes()

    weights.write_bytes(intact[:8192])  # truncated, as by a kill in a plain write
    message = _one_line_error(lambda: CrashSafeBackup(backup).restore(gan))
    assert str(weights) in message and "sha256" in message

    weights.write_bytes(intact)
    (backup / "state.json").write_text('{"epoch": 4, "weig')
    assert str(backup / "state.json") in _one_line_error(lambda: CrashSafeBackup(backup).restore(gan))

    # Intact and hashed, but from another model: Keras's load error, in one line.
    other_dir = tmp_path / "other"
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    CrashSafeBackup(other_dir).save(other, 1)
    shutil.copy(other_dir / "epoch_000001.weights.h5", weights)
    state["sha256"] = _state(other_dir)["sha256"]
    (backup / "state.json").write_text(json.dumps(state))
    message = _one_line_error(lambda: CrashSafeBackup(backup).restore(gan))
    assert "does not load into this model" in message and str(weights) in message


def test_no_backup_starts_from_zero_and_delete_removes_the_folder(tmp_path):
    backup = CrashSafeBackup(tmp_path / "none")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert backup.restore(model) == 0 and backup.read_state() is None
    backup.save(model, 5)
    assert backup.read_state()["epoch"] == 5
    backup.delete()
    assert not (tmp_path / "none").exists()


class _EpochClock(keras.callbacks.Callback):
    """A fake clock for `CrashSafeBackup._clock`: `times[epoch]` during each epoch, 0 before the first."""

    def __init__(self, times):
        super().__init__()
        self.times, self.epoch = times, None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def __call__(self):
        return 0.0 if self.epoch is None else self.times[self.epoch]


class _CrashAt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.target = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.target:
            raise RuntimeError("simulated crash")


def _spaced_backup(path, clock, interval, delete_on_finish=False):
    backup = CrashSafeBackup(path, delete_on_finish=delete_on_finish, min_interval_seconds=interval)
    backup._clock = clock
    return backup


def test_an_interval_spaces_the_backups_and_the_last_epoch_is_always_backed_up(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    clock = _EpochClock({0: 3.0, 1: 11.0, 2: 15.0, 3: 16.0})
    backup = _spaced_backup(tmp_path / "b", clock, interval=10.0)
    backup.set_model(model)
    backup.set_params({"epochs": 4})
    backup.on_train_begin()
    backed_up = []
    for epoch in range(4):
        clock.on_epoch_begin(epoch)
        backup.on_epoch_end(epoch)
        backed_up.append((backup.read_state() or {}).get("epoch"))
    # 3 s after the start: skipped; 11 s: backed up; 4 s later: skipped; the last epoch: backed up.
    assert backed_up == [None, 2, 2, 4]

    # Stopped early (EarlyStopping, a time budget) between backups: fit's end backs up the last epoch.
    clock = _EpochClock({0: 20.0, 1: 21.0})
    early = _spaced_backup(tmp_path / "early", clock, interval=10.0)
    early.set_model(model)
    early.set_params({"epochs": 10})
    early.on_train_begin()
    for epoch in range(2):
        clock.on_epoch_begin(epoch)
        early.on_epoch_end(epoch)
    assert early.read_state()["epoch"] == 1
    early.on_train_end()
    assert early.read_state()["epoch"] == 2


def test_a_crash_between_spaced_backups_repeats_epochs_to_the_uninterrupted_weights(tmp_path):
    path = tmp_path / "backup"
    # Epoch 1 ends 10 s in (backed up), epoch 2 at 12 s (skipped), epoch 3 crashes.
    clock = _EpochClock({0: 10.0, 1: 12.0, 2: 14.0, 3: 16.0})
    with pytest.raises(RuntimeError, match="simulated crash"):
        run.train(_spaced_backup(path, clock, interval=5.0), callbacks=[clock, _CrashAt(2, 1)])
    assert _state(path)["epoch"] == 1
    resumed, history = run.train(str(path))
    assert (history.initial_epoch, len(history.epoch)) == (1, 3)  # epoch 2 is trained again
    uninterrupted, _ = run.train(None)
    for a, b in zip(_weights(resumed), _weights(uninterrupted), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("interval", [-1.0, float("nan"), float("inf"), True, "30"])
def test_a_bad_interval_is_refused_before_any_backup(tmp_path, interval):
    with pytest.raises(ValueError, match="`min_interval_seconds` must be a finite number of seconds >= 0"):
        CrashSafeBackup(tmp_path / "b", min_interval_seconds=interval)
    assert not (tmp_path / "b").exists()
