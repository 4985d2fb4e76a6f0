"""Training batches whose order depends only on (seed, epoch).

`fit(x, shuffle=True)` shuffles with an unseeded global generator, so two
runs with the same seed see the data in different orders, and a resumed run
cannot replay the order the interrupted one would have used. `SeededBatches`
draws epoch `e`'s order from `numpy.random.default_rng([seed, e])`: the same
on every run, whether the epoch is the first of a process or the tenth
after a resume.
"""

import math

import keras
import numpy as np

from keras_gans.data.transforms import to_model_range


class SeededBatches(keras.utils.PyDataset):
    """Batches of `(images[, labels])` in a per-epoch order derived from `(seed, epoch)`.

    Epoch `e` visits `numpy.random.default_rng([seed, e]).permutation(N)` in
    batches of `batch_size` (the last one may be smaller). `fit` must be told
    which epoch it is in: pass `batches.callback` in `callbacks` (it calls
    `set_epoch(epoch)` at the start of every epoch, including the first
    epoch of a resumed run), and `shuffle=False` (Keras would otherwise
    shuffle the batch indices with Python's global `random`).

    uint8 images (0..255) are scaled to float32 in [-1, 1] batch by batch,
    so a dataset kept as uint8 takes a quarter of the memory of float32 and
    trains on the same values.

    Args:
        images: array `(N, H, W, C)`: float in [-1, 1], or uint8 0..255.
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
        self.set_epoch(0)
        self.callback = _SetEpoch(self)

    def order(self, epoch):
        """The permutation of the examples that epoch `epoch` visits."""
        return np.random.default_rng([self.seed, int(epoch)]).permutation(len(self.images))

    def set_epoch(self, epoch):
        self.epoch = int(epoch)
        self._order = self.order(epoch)

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        images = to_model_range(self.images[rows])
        if self.labels is None:
            return images
        return images, self.labels[rows]


class _SetEpoch(keras.callbacks.Callback):
    """Tells a `SeededBatches` which epoch `fit` is starting."""

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.set_epoch(epoch)
