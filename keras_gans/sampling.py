"""Seeded latents and image generation shared by GAN models and presets.

Latents for `generate` are drawn with NumPy, not `keras.random`, so that the
same seed gives bit-identical latents on TensorFlow, PyTorch and JAX: that is
what makes a generator saved on one backend draw the same images on another.
"""

import numpy as np
from keras import ops


def sample_latents(num_samples, latent_dim, seed=0):
    """Draws standard-normal latents, identical on every backend.

    Args:
        num_samples: int. Number of latent vectors.
        latent_dim: int. Size of each latent vector.
        seed: int. Seed of NumPy's PCG64 generator.

    Returns:
        float32 NumPy array of shape `(num_samples, latent_dim)`.

    Example:

    >>> sample_latents(2, 3, seed=0).shape
    (2, 3)
    """
    rng = np.random.default_rng(seed)
    return rng.standard_normal((int(num_samples), int(latent_dim))).astype("float32")


def check_labels(labels, num_samples, num_classes):
    """Validates class labels for a conditional generator and returns int32 NumPy.

    Raises:
        ValueError: with what was wrong and how to fix it.
    """
    if num_classes is None:
        if labels is not None:
            raise ValueError(
                "`labels` were given but this model is unconditional "
                "(num_classes=None). Drop `labels`, or build the model with "
                "`num_classes=K` to train a conditional GAN."
            )
        return None
    if labels is None:
        raise ValueError(
            f"This is a conditional model with num_classes={num_classes}: "
            "pass integer class labels, e.g. `labels=[0, 1, 2]` or "
            f"`labels=np.arange({num_samples}) % {num_classes}`."
        )
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[-1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            "Labels must be integers of shape (batch,). "
            f"Received shape {labels.shape}."
        )
    if num_samples is not None and labels.shape[0] != num_samples:
        raise ValueError(
            f"Got {labels.shape[0]} labels for {num_samples} samples: "
            "pass one label per sample."
        )
    if not np.issubdtype(labels.dtype, np.integer):
        if np.issubdtype(labels.dtype, np.floating) and np.all(
            labels == np.round(labels)
        ):
            labels = labels.astype("int64")
        else:
            raise ValueError(
                "Labels must be integer class indices (not one-hot or "
                f"probabilities). Received dtype {labels.dtype}."
            )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"Labels must lie in [0, {num_classes - 1}] for num_classes="
            f"{num_classes}; received values from {labels.min()} to "
            f"{labels.max()}."
        )
    return labels.astype("int32")


def to_unit_range(images):
    """Maps generator output from [-1, 1] to float32 [0, 1] (clipped)."""
    images = np.asarray(images, dtype="float32")
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0)


def generate_images(
    generator,
    num_samples,
    latent_dim,
    seed=0,
    labels=None,
    num_classes=None,
    batch_size=256,
):
    """Runs a generator on seeded latents and returns NHWC images in [0, 1].

    Args:
        generator: a `keras.Model` mapping latents (or `[latents, labels]`
            when `num_classes` is set) to images in [-1, 1].
        num_samples: int. Number of images.
        latent_dim: int. Size of the generator's latent input.
        seed: int. Seed for the latents (see `sample_latents`).
        labels: integer class labels, one per image; required exactly when
            `num_classes` is set.
        num_classes: int or None. Number of classes of a conditional model.
        batch_size: int. Images generated per forward pass.

    Returns:
        float32 NumPy array `(num_samples, H, W, C)` in [0, 1].

    Example:

    ```python
    G = keras_gans.architectures.mlp_generator(latent_dim=16)
    images = generate_images(G, 4, latent_dim=16, seed=0)   # (4, 8, 8, 1) in [0, 1]
    ```
    """
    num_samples = int(num_samples)
    if num_samples < 1:
        raise ValueError(f"`num_samples` must be >= 1; received {num_samples}.")
    labels = check_labels(labels, num_samples, num_classes)
    latents = sample_latents(num_samples, latent_dim, seed)
    outputs = []
    for start in range(0, num_samples, batch_size):
        z = latents[start : start + batch_size]
        inputs = z if labels is None else [z, labels[start : start + batch_size]]
        outputs.append(ops.convert_to_numpy(generator(inputs, training=False)))
    return to_unit_range(np.concatenate(outputs, axis=0))
