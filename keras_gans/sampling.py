"""Seeded latents, truncated sampling, latent interpolation and image generation.

Shared by GAN models, presets and the command line. Latents are drawn with
NumPy, not `keras.random`, so that the same seed gives bit-identical latents
on TensorFlow, PyTorch and JAX: that is what makes a generator saved on one
backend draw the same images on another.
"""

import math
import numbers

import numpy as np
from keras import ops

INTERPOLATION_METHODS = ("slerp", "linear")
# Most standard-normal values one resampling round of `sample_latents` draws.
_MAX_DRAWS_PER_ROUND = 1 << 22


def check_truncation(truncation):
    """Validates a truncation threshold psi: None, or a finite number > 0.

    Returns:
        None or a float.

    Raises:
        ValueError: with what was wrong and how to fix it.

    Example:

    >>> check_truncation(1), check_truncation(None)
    (1.0, None)
    """
    if truncation is None:
        return None
    if isinstance(truncation, bool) or not isinstance(truncation, numbers.Real) or not (
        math.isfinite(truncation) and truncation > 0
    ):
        raise ValueError(
            "`truncation` must be a finite number > 0 (the largest |z| a latent entry may "
            "take, e.g. 1.0 or 0.5), or None for no truncation; received "
            f"{truncation!r}."
        )
    return float(truncation)


def sample_latents(num_samples, latent_dim, seed=0, truncation=None):
    """Draws standard-normal latents, identical on every backend.

    With `truncation=psi` (the truncation trick, Brock, Donahue and Simonyan
    2019, "Large Scale GAN Training for High Fidelity Natural Image
    Synthesis", BigGAN), every entry with `|z| > psi` is redrawn until
    `|z| <= psi`: entries follow a standard normal truncated to
    `[-psi, psi]`. Smaller psi trades diversity for typical samples. The
    redraws come from the same seeded generator after the first draw, so
    entries already inside `[-psi, psi]` keep their untruncated values and
    `truncation=None` gives the untruncated latents exactly.

    Args:
        num_samples: int. Number of latent vectors.
        latent_dim: int. Size of each latent vector.
        seed: int. Seed of NumPy's PCG64 generator.
        truncation: float > 0 or None. The threshold psi. Defaults to None.

    Returns:
        float32 NumPy array of shape `(num_samples, latent_dim)`.

    Example:

    >>> sample_latents(2, 3, seed=0).shape
    (2, 3)
    >>> bool(np.abs(sample_latents(100, 8, seed=0, truncation=0.5)).max() <= 0.5)
    True
    """
    truncation = check_truncation(truncation)
    rng = np.random.default_rng(seed)
    latents = rng.standard_normal((int(num_samples), int(latent_dim))).astype("float32")
    if truncation is None:
        return latents
    flat = latents.reshape(-1)
    # Compared in float64: the float32 entries themselves satisfy |z| <= psi.
    outside = np.flatnonzero(np.abs(flat.astype("float64")) > truncation)
    # Share of standard-normal draws that land inside [-psi, psi].
    accepted_share = math.erf(truncation / math.sqrt(2.0))
    while outside.size:
        count = min(int(outside.size / accepted_share * 1.2) + 64, _MAX_DRAWS_PER_ROUND)
        draws = rng.standard_normal(count).astype("float32")
        inside = draws[np.abs(draws.astype("float64")) <= truncation][: outside.size]
        flat[outside[: inside.size]] = inside
        outside = outside[inside.size :]
    return latents


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


def images_from_latents(generator, latents, labels=None, batch_size=256):
    """Runs a generator on given latents (and checked labels): NHWC images in [0, 1]."""
    outputs = []
    for start in range(0, len(latents), batch_size):
        z = latents[start : start + batch_size]
        inputs = z if labels is None else [z, labels[start : start + batch_size]]
        outputs.append(ops.convert_to_numpy(generator(inputs, training=False)))
    return to_unit_range(np.concatenate(outputs, axis=0))


def generate_images(
    generator,
    num_samples,
    latent_dim,
    seed=0,
    labels=None,
    num_classes=None,
    batch_size=256,
    truncation=None,
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
        truncation: float > 0 or None. Redraw latent entries with
            `|z| > truncation` (see `sample_latents`). Defaults to None.

    Returns:
        float32 NumPy array `(num_samples, H, W, C)` in [0, 1].

    Example:

    ```python
    G = keras_gans.architectures.mlp_generator(latent_dim=16)
    images = generate_images(G, 4, latent_dim=16, seed=0)   # (4, 8, 8, 1) in [0, 1]
    typical = generate_images(G, 4, latent_dim=16, seed=0, truncation=0.5)
    ```
    """
    num_samples = int(num_samples)
    if num_samples < 1:
        raise ValueError(f"`num_samples` must be >= 1; received {num_samples}.")
    truncation = check_truncation(truncation)
    labels = check_labels(labels, num_samples, num_classes)
    latents = sample_latents(num_samples, latent_dim, seed, truncation)
    return images_from_latents(generator, latents, labels, batch_size)


def interpolate_latents(start, end, n_frames, method="slerp"):
    """`n_frames` latents from `start` to `end`, both included, at even steps.

    With `t_i = i / (n_frames - 1)`:

    - `"linear"`: `z(t) = (1 - t) z0 + t z1`.
    - `"slerp"` (spherical, as recommended for Gaussian latents by White
      2016, "Sampling Generative Networks"): the direction turns at a
      constant angular speed on the great circle from `z0` to `z1` while the
      length moves linearly,
      `z(t) = ((1 - t)|z0| + t|z1|) (sin((1 - t) W) u0 + sin(t W) u1) / sin W`,
      with `u = z / |z|` and `W = arccos(u0 . u1)`. So consecutive frames are
      `W / (n_frames - 1)` apart in angle and, for equal lengths, every frame
      keeps the endpoints' length (a linear path passes near the origin,
      where Gaussian latents never are). Parallel endpoints fall back to the
      linear path.

    Computed in float64; the first and last frames are `start` and `end`
    exactly.

    Args:
        start: array `(latent_dim,)`. The first latent.
        end: array `(latent_dim,)`. The last latent.
        n_frames: int >= 2. Number of latents.
        method: "slerp" or "linear". Defaults to "slerp".

    Returns:
        float32 NumPy array `(n_frames, latent_dim)`.

    Example:

    >>> path = interpolate_latents(np.array([1.0, 0.0]), np.array([0.0, 2.0]), 3)
    >>> [[round(float(v), 4) for v in z] for z in path]   # length 1.5 at 45 degrees
    [[1.0, 0.0], [1.0607, 1.0607], [0.0, 2.0]]
    """
    method = _check_method(method)
    n_frames = _check_frames(n_frames)
    z0, z1 = np.asarray(start, dtype="float64"), np.asarray(end, dtype="float64")
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(
            "`start` and `end` must be latent vectors of the same shape (latent_dim,); "
            f"received shapes {z0.shape} and {z1.shape}."
        )
    t = np.linspace(0.0, 1.0, n_frames)[:, None]
    norm0, norm1 = np.linalg.norm(z0), np.linalg.norm(z1)
    angle = 0.0
    if norm0 > 0 and norm1 > 0:
        angle = math.acos(float(np.clip(np.dot(z0 / norm0, z1 / norm1), -1.0, 1.0)))
    if method == "linear" or math.sin(angle) < 1e-7:
        path = (1.0 - t) * z0 + t * z1
    else:
        direction = (np.sin((1.0 - t) * angle) * (z0 / norm0) + np.sin(t * angle) * (z1 / norm1)) / math.sin(angle)
        path = ((1.0 - t) * norm0 + t * norm1) * direction
    path[0], path[-1] = z0, z1
    return path.astype("float32")


def _check_method(method):
    if method not in INTERPOLATION_METHODS:
        raise ValueError(
            f"`method` must be one of {list(INTERPOLATION_METHODS)} (spherical or straight "
            f"path between the two latents); received {method!r}."
        )
    return method


def _check_frames(n_frames):
    if isinstance(n_frames, bool) or not isinstance(n_frames, numbers.Integral) or n_frames < 2:
        raise ValueError(
            f"`n_frames` must be an integer >= 2 (the two endpoints and the frames "
            f"between them); received {n_frames!r}."
        )
    return int(n_frames)


def _network_and_sizes(generator, latent_dim, num_classes):
    """`(network, latent_dim, num_classes)` of a GAN, a preset or a bare generator."""
    if hasattr(generator, "latent_dim") and hasattr(generator, "generator"):
        # A GAN (its EMA generator when it has one, as in `GAN.generate`), a
        # PretrainedGenerator, or anything else that carries its sizes.
        network = getattr(generator, "ema_generator", None)
        network = generator.generator if network is None else network
        for name, given, own in (("latent_dim", latent_dim, generator.latent_dim),
                                 ("num_classes", num_classes, getattr(generator, "num_classes", None))):
            if given is not None and given != own:
                raise ValueError(
                    f"`{name}={given}` contradicts the model's own {name}={own}: drop `{name}`."
                )
        return network, int(generator.latent_dim), getattr(generator, "num_classes", None)
    inputs = getattr(generator, "inputs", None)
    if not callable(generator) or not inputs:
        raise ValueError(
            "`generator` must be a GAN, a preset from `keras_gans.from_preset`, or a "
            f"built generator keras.Model; received {type(generator).__name__}."
        )
    if len(inputs) > 1 and num_classes is None:
        raise ValueError(
            f"This generator takes {len(inputs)} inputs (latents and labels): pass "
            "`num_classes=K` so the labels can be checked."
        )
    return generator, int(latent_dim or inputs[0].shape[-1]), num_classes


def interpolate(
    generator,
    n_frames,
    seed=0,
    labels=None,
    method="slerp",
    truncation=None,
    latent_dim=None,
    num_classes=None,
    batch_size=256,
):
    """Images along a path between two seeded latents (a latent interpolation).

    The endpoints are the latents of `generate(2, seed=seed,
    truncation=truncation)` (so the first and last frames are those two
    images); the frames between follow `interpolate_latents` (spherical by
    default). For a conditional generator every frame uses the same class
    (an int label) or its own (one label per frame).

    Args:
        generator: a GAN (its `ema_generator` when it has one), a
            `PretrainedGenerator` from `keras_gans.from_preset`, or a bare
            generator `keras.Model`.
        n_frames: int >= 2. Number of images, endpoints included.
        seed: int. Seed of the two endpoint latents. Defaults to 0.
        labels: int, or one int per frame; conditional generators only.
        method: "slerp" or "linear". Defaults to "slerp".
        truncation: float > 0 or None. Truncate the endpoint latents
            (see `sample_latents`). Defaults to None.
        latent_dim: int or None. Only for a bare generator: its latent size
            (default: the size of its first input).
        num_classes: int or None. Only for a bare conditional generator.
        batch_size: int. Images per forward pass. Defaults to 256.

    Returns:
        float32 NumPy array `(n_frames, H, W, C)` in [0, 1].

    Example:

    ```python
    gen = keras_gans.from_preset("dcgan_mnist_conditional")
    frames = keras_gans.sampling.interpolate(gen, 16, seed=3, labels=7)
    keras_gans.visualization.save_image_grid(frames, "walk.png", num_columns=16)
    keras_gans.visualization.save_animation(frames, "walk.gif")
    ```
    """
    method = _check_method(method)
    n_frames = _check_frames(n_frames)
    truncation = check_truncation(truncation)
    network, latent_dim, num_classes = _network_and_sizes(generator, latent_dim, num_classes)
    if num_classes is not None and labels is not None and np.ndim(labels) == 0:
        labels = np.full(n_frames, labels)
    labels = check_labels(labels, n_frames, num_classes)
    start, end = sample_latents(2, latent_dim, seed, truncation)
    latents = interpolate_latents(start, end, n_frames, method)
    return images_from_latents(network, latents, labels, batch_size)
