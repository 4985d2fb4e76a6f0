"""`CrashSafeBackup`: resume a killed `fit` exactly, from a backup that is never half-written."""

import glob
import hashlib
import json
import math
import numbers
import os
import shutil
import time

import keras

STATE_FILE = "state.json"
# Test hook: "STAGE:EPOCH:MARKER" makes the backup written after epoch EPOCH
# (1-based count of finished epochs) create the file MARKER and sleep at STAGE,
# so that a test can SIGKILL the process at that exact moment. Stages:
# "weights" (new weights written to a temporary file, nothing committed) and
# "commit" (new weights renamed into place, state.json not yet updated).
PAUSE_ENV = "KERAS_GANS_TEST_BACKUP_PAUSE"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path):
    with open(path, "rb") as f:
        os.fsync(f.fileno())


class CrashSafeBackup(keras.callbacks.Callback):
    """Backs up the training state at epoch ends; a new `fit` resumes from it.

    Like `keras.callbacks.BackupAndRestore(save_freq="epoch")`, but safe
    against a kill at any moment:
    - the weights (both players, both optimizers' state and iteration counts,
      the GAN's random-number state) are written to a temporary file, then
      renamed to `epoch_NNNNNN.weights.h5`; `state.json` (the epoch count,
      the file name and its sha256) is then replaced in one `os.replace`.
      The previous backup is deleted only after that, so the folder always
      holds one complete backup, or none;
    - a damaged backup (an edited or truncated file) raises a one-line
      `ValueError` that names the file and says what to do, never an h5py
      traceback.

    Backups are taken at epoch ends only: after every epoch by default, or,
    with `min_interval_seconds`, at the first epoch end that many seconds
    after the previous backup, and after the last epoch of `fit`. Writing
    one takes tens of milliseconds (Keras's `save_weights`, about 70 ms for
    the 8x8 digits GAN), which is a large share of a short epoch: the
    command line backs up at most every 30 s. A kill then repeats the epochs
    trained since the last backup, which changes nothing in the result.
    Resuming mid-epoch would replay a
    partial epoch (Keras's `BackupAndRestore(save_freq=N)` restarts the epoch
    from weights taken after some of its steps), which an uninterrupted run
    never does. With a data order that depends only on (seed, epoch)
    (`keras_gans.data.SeededBatches`) and a seeded GAN, a run killed at any
    moment and resumed ends with the same weights as an uninterrupted one.

    Args:
        backup_dir: str. Folder of the backup (created when first needed);
            use it for nothing else.
        delete_on_finish: bool. Delete the folder when `fit` ends normally.
            Defaults to True; pass False when the caller deletes it after
            saving its final model (see `delete()`).
        metadata: callable or None. Called at each backup; its JSON-able
            result is stored with it (atomically) and returned by
            `read_state()["metadata"]` (e.g. the wall time so far).
        min_interval_seconds: float >= 0. Skip the backup at an epoch end
            less than this long after the previous backup (or the start of
            `fit`); the last finished epoch is always backed up when `fit`
            ends (unless `delete_on_finish`). Defaults to 0: every epoch.

    Example:

    ```python
    batches = keras_gans.data.SeededBatches(images, None, batch_size=64, seed=0)
    backup = keras_gans.callbacks.CrashSafeBackup("runs/backup")
    gan.fit(batches, epochs=100, shuffle=False, callbacks=[batches.callback, backup])
    # killed? run the same lines again: training continues after the last finished epoch
    ```
    """

    # The clock of `min_interval_seconds` (tests replace it).
    _clock = staticmethod(time.monotonic)

    def __init__(self, backup_dir, delete_on_finish=True, metadata=None, min_interval_seconds=0.0):
        super().__init__()
        if not backup_dir:
            raise ValueError("`backup_dir` must be a folder path; received an empty value.")
        if (
            isinstance(min_interval_seconds, bool)
            or not isinstance(min_interval_seconds, numbers.Real)
            or not math.isfinite(min_interval_seconds)
            or min_interval_seconds < 0
        ):
            raise ValueError(
                "`min_interval_seconds` must be a finite number of seconds >= 0 (0 backs up after "
                f"every epoch); received {min_interval_seconds!r}."
            )
        self.backup_dir = str(backup_dir)
        self.delete_on_finish = bool(delete_on_finish)
        self.metadata = metadata
        self.min_interval_seconds = float(min_interval_seconds)
        self._restored_model = None
        self.restored_state = None
        self._last_backup_time = None
        self._unsaved_epochs_done = None

    @property
    def state_path(self):
        return os.path.join(self.backup_dir, STATE_FILE)

    def _damaged(self, path, reason):
        return ValueError(
            f"The training backup {path} is damaged ({reason}). Delete the folder "
            f"{self.backup_dir} to train again from the start, or put back an intact copy."
        )

    def read_state(self):
        """The committed backup's `{"epoch", "weights", "sha256", "metadata"}`, or None if there is none.

        Checks the weights file against its sha256; raises a one-line
        ValueError naming the file when anything is damaged.
        """
        if not os.path.exists(self.state_path):
            return None
        try:
            with open(self.state_path) as f:
                state = json.load(f)
            epoch, weights, digest = state["epoch"], state["weights"], state["sha256"]
            if not isinstance(epoch, int) or epoch < 0 or not isinstance(weights, str):
                raise ValueError("bad values")
        except (ValueError, KeyError, TypeError, OSError) as error:
            raise self._damaged(self.state_path, f"not a backup state file: {type(error).__name__}") from None
        path = os.path.join(self.backup_dir, os.path.basename(weights))
        if not os.path.exists(path):
            raise self._damaged(path, "the weights file is missing")
        if _sha256(path) != digest:
            raise self._damaged(path, "its sha256 does not match state.json; it was modified or truncated")
        return {"epoch": epoch, "weights": path, "sha256": digest, "metadata": state.get("metadata")}

    def restore(self, model):
        """Loads the committed backup into `model`; returns its epoch count (0 if none).

        `fit` calls this at its start; call it yourself before `fit` to get
        the epoch to pass as `initial_epoch` (and to see a damaged backup
        before any training).
        """
        state = self.read_state()
        self._restored_model = model
        self.restored_state = state
        if state is None:
            return 0
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)
        try:
            model.load_weights(state["weights"])
        except Exception as error:  # h5py and Keras raise many types for a bad file
            message = str(error).splitlines()[0] if str(error) else ""
            raise self._damaged(
                state["weights"], f"it does not load into this model: {type(error).__name__}: {message}"
            ) from None
        return state["epoch"]

    def on_train_begin(self, logs=None):
        self._last_backup_time = self._clock()
        self._unsaved_epochs_done = None
        if self._restored_model is self.model:
            return  # restored by the caller before fit
        epoch = self.restore(self.model)
        if epoch:
            # What keras.callbacks.BackupAndRestore sets: fit starts there.
            self.model._initial_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        epochs_done = epoch + 1
        last_epoch = epochs_done == (self.params or {}).get("epochs")
        if self._last_backup_time is not None and not last_epoch:
            if self._clock() - self._last_backup_time < self.min_interval_seconds:
                self._unsaved_epochs_done = epochs_done
                return
        self.save(self.model, epochs_done)
        self._last_backup_time = self._clock()
        self._unsaved_epochs_done = None

    def save(self, model, epochs_done):
        """Writes a backup of `model` after `epochs_done` epochs (atomically)."""
        os.makedirs(self.backup_dir, exist_ok=True)
        name = f"epoch_{epochs_done:06d}.weights.h5"
        final = os.path.join(self.backup_dir, name)
        partial = os.path.join(self.backup_dir, f"partial_{name}")
        model.save_weights(partial, overwrite=True)
        _fsync(partial)
        self._pause("weights", epochs_done)
        digest = _sha256(partial)
        os.replace(partial, final)
        self._pause("commit", epochs_done)
        state_partial = self.state_path + ".partial"
        with open(state_partial, "w") as f:
            state = {"epoch": epochs_done, "weights": name, "sha256": digest}
            if self.metadata is not None:
                state["metadata"] = self.metadata()
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(state_partial, self.state_path)
        for old in glob.glob(os.path.join(self.backup_dir, "*.weights.h5")):
            if os.path.basename(old) != name:
                os.remove(old)

    def _pause(self, stage, epochs_done):
        hook = os.environ.get(PAUSE_ENV)
        if not hook:
            return
        want_stage, want_epoch, marker = hook.split(":", 2)
        if want_stage == stage and int(want_epoch) == epochs_done:
            with open(marker, "w") as f:
                f.write(f"{stage} {epochs_done}\n")
            while True:  # until the test kills the process
                time.sleep(1)

    def delete(self):
        """Deletes the backup folder."""
        if os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)

    def on_train_end(self, logs=None):
        if self.delete_on_finish:
            self.delete()
        elif self._unsaved_epochs_done is not None:
            # `fit` stopped early (EarlyStopping, a time budget) between backups.
            self.save(self.model, self._unsaved_epochs_done)
            self._unsaved_epochs_done = None
