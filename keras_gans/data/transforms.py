"""Pixel-range conversions between datasets and GAN inputs."""

import numpy as np


def scale_images(images, max_value=None):
    """Scales images to float32 in [-1, 1], the range GAN models expect.

    Args:
        images: array of pixel values in [0, max_value].
        max_value: float. The white value: 255 for uint8 images, 16 for
            scikit-learn's digits, 1.0 for float images in [0, 1]. Defaults
            to 255 for integer arrays and 1.0 otherwise.

    Returns:
        float32 NumPy array of the same shape in [-1, 1].

    Example:

    >>> scale_images(np.array([0, 255], dtype="uint8")).tolist()
    [-1.0, 1.0]
    """
    images = np.asarray(images)
    if max_value is None:
        max_value = 255.0 if np.issubdtype(images.dtype, np.integer) else 1.0
    return (images.astype("float32") / (float(max_value) / 2.0) - 1.0).astype("float32")


def to_model_range(images):
    """A batch as float32 in [-1, 1]: uint8 pixels are scaled, anything else passes through.

    Data kept as uint8 (image folders, .npz, Twemoji) is scaled here, one
    batch at a time, with the same arithmetic as `scale_images` on the whole
    array, so the batches are bit-identical to those of float32 data.

    Example:

    >>> to_model_range(np.array([0, 255], dtype="uint8")).tolist()
    [-1.0, 1.0]
    >>> to_model_range(np.array([0.5], dtype="float32")).tolist()
    [0.5]
    """
    images = np.asarray(images)
    return scale_images(images) if images.dtype == np.uint8 else images


def to_unit_range(images):
    """Images as float32 in [0, 1]: uint8 0..255, or float in [-1, 1] (model range).

    What the feature networks of `keras_gans.metrics` take.

    Example:

    >>> to_unit_range(np.array([0, 255], dtype="uint8")).tolist()
    [0.0, 1.0]
    >>> to_unit_range(np.array([-1.0, 1.0], dtype="float32")).tolist()
    [0.0, 1.0]
    """
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return (images.astype("float32") / 255.0).astype("float32")
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0).astype("float32")
