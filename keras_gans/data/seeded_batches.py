"""Training batches whose order depends only on (seed, epoch).

`fit(x, shuffle=True)` shuffles with an unseeded global generator, so two
runs with the same seed see the data in different orders, and a resumed run
cannot replay the order the interrupted one would have used. `SeededBatches`
draws epoch `e`'s order from `numpy.random.default_rng([seed, e])`: the same
on every run, whether the epoch is the first of a process or the tenth
after a resume.

`fit` iterates a `keras.utils.PyDataset` through a Python generator; on
TensorFlow that costs as much as the train step itself. `fit_input()`
returns the same batches as the backend's native pipeline where one is
faster (TensorFlow: a `tf.data` pipeline, `keras_gans.backend`), and the
`PyDataset` itself elsewhere.
"""

import math

import keras
import numpy as np


def _white_value(images):
    """The white value of integer images (scaled per batch), None for float images (used as they are)."""
    return 255.0 if np.issubdtype(np.asarray(images[:0]).dtype, np.integer) else None


class SeededBatches(keras.utils.PyDataset):
    """Batches of `(images[, labels])` in a per-epoch order derived from `(seed, epoch)`.

    Epoch `e` visits `numpy.random.default_rng([seed, e]).permutation(N)` in
    batches of `batch_size` (the last one may be smaller). `fit` must be told
    which epoch it is in: pass `batches.callback` in `callbacks` (it calls
    `set_epoch(epoch)` at the start of every epoch, including the first
    epoch of a resumed run), and `shuffle=False` (Keras would otherwise
    shuffle the batch indices with Python's global `random`).

    Integer images (uint8 pixels in [0, 255]) are kept as they are and
    scaled to float32 [-1, 1] one batch at a time (as
    `keras_gans.data.scale_images` scales them); float images are used as
    they are.

    Pass `batches.fit_input()` to `fit` rather than `batches`: the same
    batches in the same order, through the backend's native input pipeline
    where that is faster (TensorFlow: `tf.data`; Keras feeds a `PyDataset`
    to TensorFlow through a Python generator). `benchmarks/recipe_data_path.py`
    times both against `fit` on arrays.

    Args:
        images: array `(N, H, W, C)`, float (used as is) or integer (0-255).
        labels: array `(N,)` or None.
        batch_size: int >= 1.
        seed: int. Seed of the orders.

    Example:

    >>> import numpy as np
    >>> batches = SeededBatches(np.arange(10.0).reshape(10, 1, 1, 1), None, batch_size=4, seed=0)
    >>> len(batches), batches[2].shape
    (3, (2, 1, 1, 1))
    >>> batches.set_epoch(1)
    >>> sorted(np.concatenate([batches[i] for i in range(3)]).ravel().tolist()) == list(range(10))
    True

    In `fit` (`recipes.fit` does this):

    ```python
    batches = SeededBatches(images, None, batch_size=64, seed=0)
    gan.fit(batches.fit_input(), epochs=10, shuffle=False, callbacks=[batches.callback])
    ```
    """

    def __init__(self, images, labels, batch_size, seed):
        super().__init__()
        if int(batch_size) < 1:
            raise ValueError(f"`batch_size` must be >= 1; received {batch_size}.")
        if labels is not None and len(labels) != len(images):
            raise ValueError(
                f"`images` and `labels` must have the same length; received {len(images)} and {len(labels)}."
            )
        self.images = images
        self.labels = labels
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.white_value = _white_value(images)
        self.set_epoch(0)
        self.callback = _SetEpoch(self)

    def order(self, epoch):
        """The permutation of the examples that epoch `epoch` visits."""
        return np.random.default_rng([self.seed, int(epoch)]).permutation(len(self.images))

    def set_epoch(self, epoch):
        self.epoch = int(epoch)
        self._order = self.order(epoch)

    def current_order(self):
        """The order of the epoch `set_epoch` last set (int64)."""
        return self._order

    def scale(self, images):
        """A batch as the GAN sees it: integer pixels scaled to float32 [-1, 1]."""
        if self.white_value is None:
            return images
        return (images.astype("float32") / (self.white_value / 2.0) - 1.0).astype("float32")

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        if self.labels is None:
            return self.scale(self.images[rows])
        return self.scale(self.images[rows]), self.labels[rows]

    def fit_input(self):
        """What to pass to `fit`: these batches through the backend's fastest input pipeline.

        TensorFlow: a `tf.data.Dataset` that gathers each batch in the
        order of `current_order()`, read once per epoch when the epoch's
        first batch is drawn (after `callback` set the epoch). Other
        backends: this `PyDataset`.
        """
        from keras_gans import backend

        return backend.active_backend().seeded_batches_input(self)


class _SetEpoch(keras.callbacks.Callback):
    """Tells a `SeededBatches` which epoch `fit` is starting."""

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.set_epoch(epoch)
