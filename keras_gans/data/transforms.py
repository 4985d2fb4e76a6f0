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
