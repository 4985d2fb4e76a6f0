"""Checks on training data, run before `fit` hands anything to the trainer.

On JAX a step that raises inside `fit` leaves the model's variables purged
(see NOTES), so every check here runs on the host, before `super().fit()`.
"""

import numpy as np

from keras_gans.sampling import check_labels

# Tolerance for images that should lie in [-1, 1] (float round-off).
_RANGE_TOLERANCE = 1e-3


def _to_numpy(value):
    if value is None:
        return None
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        try:
            return np.asarray(value.numpy())
        except Exception:  # e.g. torch tensors that require grad
            return np.asarray(value.detach().cpu().numpy())
    return np.asarray(value)


def check_images(images, image_shape, where="x"):
    """Raises a ValueError saying how to fix images that a GAN cannot train on.

    Args:
        images: array-like `(batch, H, W, C)`.
        image_shape: `(H, W, C)` that the discriminator expects.
        where: name of the argument, for the message.
    """
    images = _to_numpy(images)
    expected = tuple(image_shape)
    if images.ndim == len(expected) and tuple(images.shape) == expected:
        raise ValueError(
            f"`{where}` is a single image of shape {images.shape}; pass a batch "
            f"of shape (batch, {', '.join(map(str, expected))})."
        )
    if images.ndim == len(expected) and expected[-1] == 1 and images.shape[1:] == expected[:-1]:
        raise ValueError(
            f"`{where}` has shape {images.shape} but the discriminator expects "
            f"images of shape (batch, {', '.join(map(str, expected))}): add the "
            f"channel axis, e.g. `{where}[..., None]`."
        )
    if tuple(images.shape[1:]) != expected:
        raise ValueError(
            f"`{where}` has images of shape {tuple(images.shape[1:])} but the "
            f"discriminator expects {expected} (NHWC). Resize the data or build "
            "the generator and discriminator for this image size."
        )
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"`{where}` has dtype {images.dtype}; GANs here train on float "
            "images in [-1, 1]. Convert with `keras_gans.data.scale_images(x)` "
            "(uint8 0..255 -> [-1, 1])."
        )
    if images.size == 0:
        raise ValueError(f"`{where}` is empty.")
    if not np.all(np.isfinite(images)):
        bad = int(np.sum(~np.isfinite(images)))
        raise ValueError(
            f"`{where}` contains {bad} NaN or infinite values. Remove or repair "
            "those images before training."
        )
    low, high = float(images.min()), float(images.max())
    if low < -1.0 - _RANGE_TOLERANCE or high > 1.0 + _RANGE_TOLERANCE:
        hint = (
            "`keras_gans.data.scale_images(x)` maps 0..255 to [-1, 1]"
            if high > 2.0
            else "`x * 2 - 1` maps [0, 1] to [-1, 1]"
        )
        raise ValueError(
            f"`{where}` has values in [{low:.3g}, {high:.3g}] but the generator "
            f"outputs [-1, 1] (tanh), so real images must be in [-1, 1]: {hint}."
        )


def check_batch(images, labels, image_shape, num_classes, where="x"):
    """Checks one batch of images (and labels, for a conditional model)."""
    check_images(images, image_shape, where=where)
    if num_classes is None and labels is not None:
        raise ValueError(
            "Labels were given, but this GAN is unconditional (num_classes=None). "
            "Fit on images alone, or build the GAN with `num_classes=K` to "
            "condition on the labels."
        )
    if num_classes is not None:
        if labels is None:
            raise ValueError(
                f"This conditional GAN (num_classes={num_classes}) needs class "
                "labels: call `fit(images, labels)` or give a dataset of "
                "`(images, labels)` pairs."
            )
        check_labels(_to_numpy(labels), len(_to_numpy(images)), num_classes)


def first_batch(data):
    """The first `(x, y)` of a tf.data.Dataset, torch DataLoader or PyDataset.

    Returns None for inputs that cannot be peeked without consuming them
    (plain Python generators).
    """
    import keras

    if isinstance(data, keras.utils.PyDataset):
        batch = data[0]
    elif hasattr(data, "element_spec") or type(data).__name__ == "DataLoader":
        batch = next(iter(data))
    else:
        return None
    x, y, _ = keras.utils.unpack_x_y_sample_weight(
        tuple(batch) if isinstance(batch, list) else batch
    )
    return x, y
