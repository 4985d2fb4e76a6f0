"""Differentiable augmentation (DiffAugment) for data-efficient GAN training."""

import keras
from keras import ops

# Random values each transform consumes per image, in this order.
_VALUES_PER_TRANSFORM = {"color": 3, "translation": 2, "cutout": 2}


@keras.saving.register_keras_serializable(package="keras_gans")
class DiffAugment:
    """DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training").

    Applied by the GAN to every batch the discriminator sees, real and fake,
    in both steps. Every transform is differentiable in the images, so the
    generator's gradient flows through it. Images are `(batch, H, W, C)`.

    Policies (comma-separated, applied in the order given), per image:
    - `color`: brightness `x + (u1 - 0.5)`; saturation
      `(x - mean_c x) * 2 u2 + mean_c x`; contrast
      `(x - mean_hwc x) * (u3 + 0.5) + mean_hwc x`.
    - `translation`: shift by integers in `[-r H, r H]` x `[-r W, r W]`
      (`r = translation_ratio`, 1/8), zero padding.
    - `cutout`: zero a `(c H) x (c W)` square (`c = cutout_ratio`, 1/2)
      centred at a random pixel, clipped at the borders.

    The GAN draws the random values (uniform in [0, 1), `random_values_per_image`
    per image) from its training seed for the global batch, so runs are
    reproducible and multi-device training matches one device. Called with
    images alone, the object draws its own values with `keras.random.uniform`
    from `seed` (`sample_random_values`), which is how to look at an
    augmentation before training.

    Args:
        policy: str. Comma-separated transforms. Defaults to
            "color,translation,cutout".
        translation_ratio: float. Defaults to 0.125.
        cutout_ratio: float. Defaults to 0.5.

    Example:

    ```python
    gan = keras_gans.HingeGAN(G, D, latent_dim=64,
                              augmentation=keras_gans.augment.DiffAugment("color,translation,cutout"))
    # Or by hand: with images alone it draws its own values (seeded) ...
    augment = keras_gans.augment.DiffAugment("translation")
    shifted = augment(images, seed=0)
    # ... which equals passing those values yourself:
    values = augment.sample_random_values(len(images), seed=0)
    shifted = augment(images, values)
    ```
    """

    def __init__(self, policy="color,translation,cutout", translation_ratio=0.125, cutout_ratio=0.5):
        transforms = [t.strip() for t in str(policy).split(",") if t.strip()]
        unknown = [t for t in transforms if t not in _VALUES_PER_TRANSFORM]
        if not transforms or unknown:
            raise ValueError(
                f"Unknown DiffAugment policy {policy!r}: use comma-separated names from "
                f"{sorted(_VALUES_PER_TRANSFORM)}, e.g. 'color,translation,cutout'."
            )
        for name, ratio in (("translation_ratio", translation_ratio), ("cutout_ratio", cutout_ratio)):
            if not 0.0 < float(ratio) <= 1.0:
                raise ValueError(f"`{name}` must lie in (0, 1]; received {ratio!r}.")
        self.policy = ",".join(transforms)
        self.transforms = transforms
        self.translation_ratio = float(translation_ratio)
        self.cutout_ratio = float(cutout_ratio)
        self.random_values_per_image = sum(_VALUES_PER_TRANSFORM[t] for t in transforms)

    def sample_random_values(self, batch_size, seed=None):
        """Uniform values in [0, 1) `(batch_size, random_values_per_image)` for `__call__`.

        Args:
            batch_size: int. Number of images.
            seed: int, `keras.random.SeedGenerator` or None. An int gives the
                same values on every call (on one backend); a SeedGenerator
                advances; None uses Keras's global seed generator.

        Returns:
            A float32 tensor of the backend.
        """
        return keras.random.uniform((batch_size, self.random_values_per_image), seed=seed)

    def __call__(self, images, random_values=None, seed=None):
        """Augments `images`; the random values are given or drawn from `seed`.

        Args:
            images: `(batch, H, W, C)` images.
            random_values: `(batch, random_values_per_image)` in [0, 1), or
                None to draw them with `sample_random_values(batch, seed)`.
                The GAN always passes values drawn from its training seed.
            seed: int, `keras.random.SeedGenerator` or None. Only when
                `random_values` is None. Defaults to None.

        Returns:
            The augmented images, same shape and dtype as `images`.
        """
        images = ops.convert_to_tensor(images)
        if random_values is None:
            random_values = self.sample_random_values(ops.shape(images)[0], seed)
        elif seed is not None:
            raise ValueError(
                "Pass either `random_values` or `seed` to DiffAugment, not both: with "
                "`random_values` nothing is drawn, so `seed` would be ignored."
            )
        else:
            random_values = ops.convert_to_tensor(random_values)
        expected = self.random_values_per_image
        if random_values.shape[-1] is not None and random_values.shape[-1] != expected:
            raise ValueError(
                f"DiffAugment({self.policy!r}) takes {expected} random values per image "
                f"(`random_values` of shape (batch, {expected})); received shape "
                f"{tuple(random_values.shape)}. Draw them with `sample_random_values(batch, seed)`."
            )
        random_values = ops.cast(random_values, images.dtype)
        start = 0
        for name in self.transforms:
            count = _VALUES_PER_TRANSFORM[name]
            values = random_values[:, start : start + count]
            start += count
            images = getattr(self, f"_{name}")(images, values)
        return images

    @staticmethod
    def _color(images, values):
        per_image = lambda i: ops.reshape(values[:, i], (-1, 1, 1, 1))  # noqa: E731
        images = images + (per_image(0) - 0.5)
        mean = ops.mean(images, axis=-1, keepdims=True)
        images = (images - mean) * (per_image(1) * 2.0) + mean
        mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
        return (images - mean) * (per_image(2) + 0.5) + mean

    @staticmethod
    def _random_integers(values, low, high):
        # Integers uniform in [low, high) from uniform values in [0, 1).
        return ops.floor(values * (high - low)) + low

    def _shift_matrices(self, shifts, size, dtype):
        # (batch, size, size) with out[b, i, k] = 1 where k = i - shift_b:
        # a shift with zero padding, written as a matmul so it is differentiable.
        rows = ops.reshape(ops.arange(size, dtype=dtype), (1, size, 1))
        cols = ops.reshape(ops.arange(size, dtype=dtype), (1, 1, size))
        return ops.cast(ops.equal(rows - ops.reshape(shifts, (-1, 1, 1)), cols), dtype)

    def _translation(self, images, values):
        height, width = images.shape[1], images.shape[2]
        max_dy = int(height * self.translation_ratio + 0.5)
        max_dx = int(width * self.translation_ratio + 0.5)
        dy = self._random_integers(values[:, 0], -max_dy, max_dy + 1)
        dx = self._random_integers(values[:, 1], -max_dx, max_dx + 1)
        shift_rows = self._shift_matrices(dy, height, images.dtype)
        shift_cols = self._shift_matrices(dx, width, images.dtype)
        return ops.einsum("bik,bjl,bklc->bijc", shift_rows, shift_cols, images)

    def _cutout(self, images, values):
        height, width = images.shape[1], images.shape[2]
        cut_h = int(height * self.cutout_ratio + 0.5)
        cut_w = int(width * self.cutout_ratio + 0.5)
        top = self._random_integers(values[:, 0], 0, height + (1 - cut_h % 2)) - cut_h // 2
        left = self._random_integers(values[:, 1], 0, width + (1 - cut_w % 2)) - cut_w // 2
        rows = ops.reshape(ops.arange(height, dtype=images.dtype), (1, height, 1))
        cols = ops.reshape(ops.arange(width, dtype=images.dtype), (1, 1, width))
        top, left = ops.reshape(top, (-1, 1, 1)), ops.reshape(left, (-1, 1, 1))
        inside = ops.logical_and(
            ops.logical_and(rows >= top, rows < top + cut_h),
            ops.logical_and(cols >= left, cols < left + cut_w),
        )
        mask = 1.0 - ops.cast(inside, images.dtype)
        return images * ops.expand_dims(mask, -1)

    def get_config(self):
        return {
            "policy": self.policy,
            "translation_ratio": self.translation_ratio,
            "cutout_ratio": self.cutout_ratio,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"DiffAugment({self.policy!r})"
