"""`SampleGrid`: watch a GAN learn, one PNG grid of fixed samples at a time."""

import os

import keras
import numpy as np

from keras_gans.visualization import image_grid, save_image_grid


def epochs_between_grids(epochs, num_grids=20):
    """`every_n_epochs` for about `num_grids` grids in a run of `epochs` epochs.

    `ceil(epochs / num_grids)`: a 200-epoch run gets a grid every 10 epochs
    (20 grids), a 30-epoch run every 2 (15), a run of `num_grids` epochs or
    fewer every epoch. With `write_last_epoch=True` the final epoch's grid
    is written too.

    Example:

    >>> epochs_between_grids(200), epochs_between_grids(30), epochs_between_grids(5)
    (10, 2, 1)
    """
    epochs = _check_every("epochs", epochs, False)
    return -(-epochs // _check_every("num_grids", num_grids, False))


def _check_every(name, value, allow_none):
    if value is None and allow_none:
        return None
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1; received {value!r}.")
    return int(value)


class SampleGrid(keras.callbacks.Callback):
    """Saves a grid of samples from fixed latents during `fit`.

    The latents are drawn once from `seed` (NumPy, identical on every
    backend), so successive grids show the same samples evolving. For a
    conditional GAN the labels are fixed too: by default
    `np.arange(num_samples) % num_classes`, so each column of a 10-column
    grid is one class. Files are named `epoch_0001.png` (1-based, as in
    `ModelCheckpoint`'s `{epoch}`), or `epoch_0001_batch_000050.png` with
    `every_n_batches`. With `tensorboard_log_dir`, each grid is also written
    as an image summary (tag `samples`, step = 0-based epoch as in Keras's
    `TensorBoard` callback, or the global batch count), on any backend and
    without TensorFlow.

    Args:
        directory: str. Folder for the PNG files; created if missing.
        every_n_epochs: int. Write a grid after every N-th epoch. Defaults to 1.
        every_n_batches: int or None. When set, write after every N-th
            training batch instead of per epoch. Defaults to None.
        num_samples: int. Images per grid. Defaults to 64.
        seed: int. Seed of the fixed latents. Defaults to 0.
        labels: integer labels for a conditional GAN, one per sample.
            Defaults to `np.arange(num_samples) % num_classes`.
        tensorboard_log_dir: str or None. Also log each grid to TensorBoard
            in this folder. Defaults to None.
        num_columns: int or None. Images per row; defaults to
            `num_classes` for a conditional GAN, else `ceil(sqrt(n))`.
        scale: int. Pixel enlargement of the PNG. Defaults to 4.
        write_last_epoch: bool. Also write the grid of the last epoch that
            `fit` ran (the final one, or the one a `stop_training` ended on)
            when `every_n_epochs` skipped it. Defaults to False.

    Example:

    ```python
    gan.fit(images, epochs=10, callbacks=[
        keras_gans.callbacks.SampleGrid("runs/samples", tensorboard_log_dir="runs/logs")
    ])
    ```
    """

    def __init__(
        self,
        directory,
        every_n_epochs=1,
        every_n_batches=None,
        num_samples=64,
        seed=0,
        labels=None,
        tensorboard_log_dir=None,
        num_columns=None,
        scale=4,
        write_last_epoch=False,
    ):
        super().__init__()
        self.directory = str(directory)
        self.every_n_epochs = _check_every("every_n_epochs", every_n_epochs, False)
        self.every_n_batches = _check_every("every_n_batches", every_n_batches, True)
        self.num_samples = _check_every("num_samples", num_samples, False)
        self.seed = int(seed)
        self.labels = None if labels is None else np.asarray(labels)
        self.tensorboard_log_dir = tensorboard_log_dir
        self.num_columns = num_columns
        self.scale = int(scale)
        self.write_last_epoch = bool(write_last_epoch)
        self.paths = []
        self._writer = None
        self._global_batch = 0
        self._epoch = 0
        self._epoch_start = 0  # `_global_batch` when the current epoch began
        self._unwritten_epoch = None  # the last finished epoch, when it has no grid

    def _labels_for(self, model):
        num_classes = getattr(model, "num_classes", None)
        if num_classes is None or self.labels is not None:
            return self.labels
        return np.arange(self.num_samples) % num_classes

    def on_train_begin(self, logs=None):
        if not callable(getattr(self._model, "generate", None)):
            raise TypeError(
                "SampleGrid needs a keras_gans GAN (a model with `generate`); it "
                f"was attached to {type(self._model).__name__}."
            )
        os.makedirs(self.directory, exist_ok=True)
        if self.tensorboard_log_dir and self._writer is None:
            from keras_gans.callbacks.event_file_writer import EventFileWriter

            self._writer = EventFileWriter(self.tensorboard_log_dir)

    def sample(self):
        """The current samples from the fixed latents, `(n, H, W, C)` in [0, 1]."""
        # `self.model` (not `self._model`): on JAX this re-syncs the weights
        # that `fit` keeps in its own state.
        model = self.model
        return model.generate(self.num_samples, seed=self.seed, labels=self._labels_for(model))

    def _write(self, filename, step):
        images = self.sample()
        columns = self.num_columns or getattr(self.model, "num_classes", None)
        path = os.path.join(self.directory, filename)
        save_image_grid(images, path, num_columns=columns, scale=self.scale)
        self.paths.append(path)
        if self._writer is not None:
            self._writer.add_image("samples", image_grid(images, num_columns=columns), step)

    def on_epoch_end(self, epoch, logs=None):
        self._unwritten_epoch = epoch
        if self.every_n_batches is None and (epoch + 1) % self.every_n_epochs == 0:
            self._write(f"epoch_{epoch + 1:04d}.png", step=epoch)
            self._unwritten_epoch = None

    def on_train_batch_end(self, batch, logs=None):
        # With `steps_per_execution=k`, Keras calls this once per k steps, with
        # the index of the execution's last step (for a short last execution,
        # its nominal end): count steps from `batch`, capped at the epoch's.
        steps_per_epoch = (self.params or {}).get("steps")
        done = batch + 1 if not steps_per_epoch else min(batch + 1, steps_per_epoch)
        previous = self._global_batch
        self._global_batch = self._epoch_start + done
        n = self.every_n_batches
        if n and self._global_batch // n > previous // n:
            self._write(f"epoch_{self._epoch + 1:04d}_batch_{self._global_batch:06d}.png", self._global_batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = self._global_batch

    def on_train_end(self, logs=None):
        if self.write_last_epoch and self.every_n_batches is None and self._unwritten_epoch is not None:
            self._write(f"epoch_{self._unwritten_epoch + 1:04d}.png", step=self._unwritten_epoch)
        self._unwritten_epoch = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
