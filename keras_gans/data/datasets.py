"""Datasets ready for GAN training: NHWC images and int labels.

`digits` is scikit-learn's bundled 8x8 handwritten digits (no download).
`mnist` and `fashion_mnist` go through `keras.datasets`, which downloads them
once into the Keras cache (`$KERAS_HOME/datasets`, default `~/.keras/datasets`).
These three come as float32 in [-1, 1].
`twemoji` (color, 64x64 or 32x32; see `keras_gans.data.twemoji`) is read from
the npm tarball in that same folder, never downloaded, and comes as uint8
0..255 on white (scale a batch with `scale_images`). Twemoji graphics by
Twitter, Inc and other contributors, licensed under CC-BY 4.0.
"""

import functools
import os

import numpy as np

from keras_gans.data.transforms import scale_images

DATASETS = {
    "digits": "scikit-learn's 8x8 handwritten digits, 1797 images, 10 classes (bundled, no download)",
    "mnist": "MNIST 28x28 handwritten digits, 60000 train / 10000 test (keras.datasets)",
    "fashion_mnist": "Fashion-MNIST 28x28 clothing, 60000 train / 10000 test (keras.datasets)",
    "twemoji": "Twemoji 64x64 (or 32x32) color emoji on white, 10 categories, 3415 train / 371 held out "
    "(emoji-datasource-twitter 16.0.0; Twemoji graphics by Twitter, Inc and other contributors, "
    "licensed under CC-BY 4.0)",
}
# Datasets offered at several sizes (`load_dataset(name, image_size=...)`); the first is the default.
IMAGE_SIZES = {"twemoji": (64, 32, 16, 8)}

_KERAS_CACHE_FILES = {
    "mnist": ["mnist.npz"],
    "fashion_mnist": [
        "fashion-mnist/train-labels-idx1-ubyte.gz",
        "fashion-mnist/train-images-idx3-ubyte.gz",
        "fashion-mnist/t10k-labels-idx1-ubyte.gz",
        "fashion-mnist/t10k-images-idx3-ubyte.gz",
    ],
}


def keras_datasets_dir():
    """The folder where `keras.datasets` caches its downloads."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return os.path.join(keras_home, "datasets")


def _load_keras_dataset(name):
    import keras

    loader = getattr(keras.datasets, name)
    try:
        return loader.load_data()
    except Exception as error:  # network failures surface as many types
        where = ", ".join(
            os.path.join(keras_datasets_dir(), f) for f in _KERAS_CACHE_FILES[name]
        )
        raise RuntimeError(
            f"Could not load the {name!r} dataset through keras.datasets "
            f"({type(error).__name__}: {error}). If this machine is offline, "
            f"copy the official files to: {where}"
        ) from error


def load_dataset(name, split="train", image_size=None):
    """Loads a dataset as NHWC images and int32 labels.

    Args:
        name: str. One of `keras_gans.data.DATASETS`: "digits", "mnist",
            "fashion_mnist" or "twemoji".
        split: str. "train", "test" or "all". `digits` has no official
            split: "train" is its first 1500 images, "test" the remaining 297.
            `twemoji`'s "test" is its fixed held-out tenth (371 images, see
            `keras_gans.data.twemoji.load_twemoji`).
        image_size: int or None. For `twemoji`: 64 (None) or 32 (also 16, 8).
            The other datasets have one size: leave it None.

    Returns:
        `(images, labels)`: images `(N, H, W, 1)` float32 in [-1, 1] for the
        grayscale datasets; `(N, S, S, 3)` uint8 0..255 on white for
        `twemoji`. Labels `(N,)` int32.

    Example:

    >>> images, labels = load_dataset("digits")
    >>> images.shape, float(images.min()), float(images.max())
    ((1500, 8, 8, 1), -1.0, 1.0)
    """
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Expected one of {sorted(DATASETS)}."
        )
    if split not in ("train", "test", "all"):
        raise ValueError(f"`split` must be 'train', 'test' or 'all'; received {split!r}.")
    if image_size is not None and name not in IMAGE_SIZES:
        raise ValueError(
            f"The {name!r} dataset has one image size: drop `image_size` (received {image_size!r}); "
            f"it applies to {sorted(IMAGE_SIZES)}."
        )
    if name == "twemoji":
        from keras_gans.data.twemoji import load_twemoji

        return load_twemoji(split, IMAGE_SIZES[name][0] if image_size is None else image_size)
    if name == "digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError as error:
            raise ImportError(
                "The 'digits' dataset needs scikit-learn: "
                "pip install 'keras-gans[digits]'"
            ) from error
        bunch = load_digits()
        images = scale_images(bunch.images, max_value=16.0)[..., None]
        labels = bunch.target.astype("int32")
        parts = {"train": slice(0, 1500), "test": slice(1500, None), "all": slice(None)}
        return images[parts[split]], labels[parts[split]]
    (x_train, y_train), (x_test, y_test) = _load_keras_dataset(name)
    if split == "train":
        x, y = x_train, y_train
    elif split == "test":
        x, y = x_test, y_test
    else:
        x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    return scale_images(x)[..., None], y.astype("int32")


@functools.lru_cache(maxsize=None)
def split_size(name, split):
    """Number of images in a dataset split (loaded once per process, then cached).

    Example:

    >>> split_size("digits", "test")
    297
    """
    return len(load_dataset(name, split)[0])
