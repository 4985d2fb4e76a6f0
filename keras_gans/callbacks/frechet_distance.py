"""`FrechetDistance`: FID during training, written into the epoch logs."""

import keras
import numpy as np


class FrechetDistance(keras.callbacks.Callback):
    """Computes the Fréchet distance to held-out real images every N epochs.

    The value is written into the epoch `logs` under `name` before the
    callbacks that come after it in the list run, so `History`,
    `TensorBoard`, `EarlyStopping(monitor="fid", mode="min")` and
    `ModelCheckpoint(monitor="fid", mode="min")` can all use it (put this
    callback first). Epochs in between carry no value (Keras's monitors then
    skip them with a warning). Lower is better: always give `mode="min"`.

    The samples come from `model.generate(num_samples, seed=seed)` (fixed
    seed: the noise of the estimate does not change between epochs); a
    conditional GAN draws balanced labels `arange(num_samples) % num_classes`.
    Real features are computed once, at the start of training.

    Args:
        real_images: array `(N, H, W, C)` of held-out real images in [-1, 1]
            (as training data) — use `images_range=(0, 1)` for [0, 1].
        every_n_epochs: int. Compute after every N-th epoch. Defaults to 1.
        num_samples: int. Generated images per estimate. Defaults to
            `len(real_images)`.
        feature_extractor: callable mapping images in [0, 1] `(n, H, W, C)`
            to NumPy features `(n, D)`. Defaults to the dataset feature
            extractor of `keras_gans.metrics` (requires `dataset`).
        distance_fn: callable `(features1, features2) -> float`. Defaults to
            `keras_gans.metrics.frechet_distance_from_features`.
        name: str. Key in the logs. Defaults to "fid".
        seed: int. Seed of the generated samples. Defaults to 0.
        dataset: str or None. Dataset name used to pick the default
            feature extractor (e.g. "mnist").
        images_range: `(low, high)` range of `real_images`. Defaults to (-1, 1).

    Example:

    ```python
    fid = keras_gans.callbacks.FrechetDistance(test_images, num_samples=1000,
                                               feature_extractor=features)
    best = keras.callbacks.ModelCheckpoint("best.keras", monitor="fid",
                                           mode="min", save_best_only=True)
    history = gan.fit(images, epochs=20, callbacks=[fid, best])
    history.history["fid"]
    ```
    """

    def __init__(
        self,
        real_images,
        every_n_epochs=1,
        num_samples=None,
        feature_extractor=None,
        distance_fn=None,
        name="fid",
        seed=0,
        dataset=None,
        images_range=(-1.0, 1.0),
    ):
        super().__init__()
        real_images = np.asarray(real_images, dtype="float32")
        if real_images.ndim != 4 or len(real_images) < 2:
            raise ValueError(
                "`real_images` must be at least 2 images (N, H, W, C); received "
                f"shape {real_images.shape}."
            )
        if int(every_n_epochs) < 1:
            raise ValueError(f"`every_n_epochs` must be >= 1; received {every_n_epochs}.")
        low, high = images_range
        self.real_images = (real_images - low) / (high - low)
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples or len(real_images))
        if self.num_samples < 2:
            raise ValueError(f"`num_samples` must be >= 2; received {num_samples}.")
        self.feature_extractor = feature_extractor
        self.distance_fn = distance_fn
        self.name = name
        self.seed = int(seed)
        self.dataset = dataset
        self._real_features = None

    def _resolve(self):
        if self.feature_extractor is None or self.distance_fn is None:
            from keras_gans.evaluation import default_feature_extractor
            from keras_gans.metrics import frechet_distance_from_features

            if self.distance_fn is None:
                self.distance_fn = frechet_distance_from_features
            if self.feature_extractor is None:
                if self.dataset is None:
                    raise ValueError(
                        "FrechetDistance needs `feature_extractor=` or `dataset=` "
                        "(to pick keras_gans.metrics' feature extractor for it)."
                    )
                self.feature_extractor = default_feature_extractor(self.dataset)

    def on_train_begin(self, logs=None):
        self._resolve()
        if self._real_features is None:
            self._real_features = np.asarray(self.feature_extractor(self.real_images))

    def compute(self):
        """The distance between generated and real features now (a float)."""
        model = self.model  # re-syncs the weights on JAX
        num_classes = getattr(model, "num_classes", None)
        labels = None if num_classes is None else np.arange(self.num_samples) % num_classes
        fake = model.generate(self.num_samples, seed=self.seed, labels=labels)
        features = np.asarray(self.feature_extractor(fake))
        return float(self.distance_fn(features, self._real_features))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and (epoch + 1) % self.every_n_epochs == 0:
            logs[self.name] = self.compute()
