"""Your own images as GAN training data: a folder of PNG/JPEG files or an .npz.

Both loaders return float32 NHWC images in [-1, 1] (what every keras_gans
GAN trains on) and integer labels or None, and work on every backend (they
use only NumPy and Pillow).
"""

import os

import numpy as np

from keras_gans.data.transforms import scale_images

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


def _image_files(path):
    """Sorted image files under `path` and their class folder ('' at top level)."""
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(IMAGE_EXTENSIONS):
                found.append((os.path.join(root, name), os.path.relpath(root, path)))
    return found


def _labels_from_folders(folders):
    """Class labels from one level of sub-folders, else None."""
    if any(folder == "." or os.sep in folder for folder in folders):
        return None, None
    class_names = sorted(set(folders))
    index = {name: i for i, name in enumerate(class_names)}
    return np.array([index[f] for f in folders], dtype="int32"), class_names


def _read_image(file, image_size, channels):
    from PIL import Image

    try:
        with Image.open(file) as image:
            image = image.convert("L" if channels == 1 else "RGB")
            size = image.size
            if size != (image_size, image_size):
                image = image.resize((image_size, image_size), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype="uint8")
    except OSError as error:
        raise ValueError(
            f"Could not read image {file!r} ({error}). Remove or repair that file."
        ) from error
    return (array[..., None] if channels == 1 else array), size


def _infer_channels(files):
    from PIL import Image

    for file, _ in files:
        try:
            with Image.open(file) as image:
                mode = image.mode
        except OSError as error:
            raise ValueError(
                f"Could not read image {file!r} ({error}). Remove or repair that file."
            ) from error
        if mode not in ("1", "L", "LA", "I", "I;16", "F"):
            return 3
    return 1


def load_image_folder(path, image_size=32, channels=None):
    """Loads every image in a folder (recursively), resized to a square size.

    Every image is resized to `image_size x image_size` (bilinear), whatever
    its original size: mixed sizes are allowed, and how many were resized is
    reported in the returned info. When all images sit in sub-folders one
    level deep (`path/cat/1.png`, `path/dog/2.png`), the sub-folder names are
    the classes (sorted) and labels are returned; otherwise labels are None.

    Args:
        path: str. Folder of PNG/JPEG/BMP/GIF/WebP images.
        image_size: int. Output height and width. Defaults to 32.
        channels: 1 (grayscale), 3 (RGB) or None: RGB if any image has
            colour, else grayscale. Defaults to None.

    Returns:
        `(images, labels, info)`: images float32 `(N, S, S, C)` in [-1, 1];
        labels int32 `(N,)` or None; info a dict with `class_names`,
        `num_resized` and `original_sizes` (distinct sizes seen).

    Example:

    ```python
    images, labels, info = load_image_folder("my_faces/", image_size=32, channels=3)
    ```
    """
    if not os.path.isdir(path):
        raise ValueError(f"Image folder {path!r} does not exist or is not a folder.")
    if int(image_size) < 4:
        raise ValueError(f"`image_size` must be >= 4; received {image_size}.")
    if channels not in (None, 1, 3):
        raise ValueError(f"`channels` must be 1, 3 or None; received {channels!r}.")
    files = _image_files(path)
    if not files:
        raise ValueError(
            f"No images found in folder {path!r}: expected files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)}."
        )
    channels = channels or _infer_channels(files)
    arrays, sizes = zip(*(_read_image(f, int(image_size), channels) for f, _ in files))
    labels, class_names = _labels_from_folders([folder for _, folder in files])
    target = (int(image_size), int(image_size))
    info = {
        "class_names": class_names,
        "num_resized": sum(size != target for size in sizes),
        "original_sizes": sorted(set(sizes)),
    }
    return scale_images(np.stack(arrays)), labels, info


def resize_images(images, image_size):
    """Resizes float images in [-1, 1] `(N, H, W, C)` to `image_size` squared."""
    from PIL import Image

    if images.shape[1:3] == (image_size, image_size):
        return images

    def resize_channel(channel):
        pil = Image.fromarray(np.ascontiguousarray(channel, dtype="float32"), mode="F")
        return np.asarray(pil.resize((image_size, image_size), Image.Resampling.BILINEAR))

    out = [
        np.stack([resize_channel(image[..., c]) for c in range(image.shape[-1])], axis=-1)
        for image in images
    ]
    return np.clip(np.stack(out).astype("float32"), -1.0, 1.0)


def load_npz(path, image_size=None):
    """Loads images (and labels) from an .npz file with arrays `x` (and `y`).

    `x`: `(N, H, W)` or `(N, H, W, C)`, C in {1, 3}; uint8 0..255, float in
    [0, 1] or float in [-1, 1] (detected from the values). `y`: optional
    integer labels `(N,)`.

    Args:
        path: str. The .npz file.
        image_size: int or None. Resize to this square size; None keeps the
            stored size.

    Returns:
        `(images, labels)`: float32 NHWC in [-1, 1], int32 labels or None.

    Example:

    ```python
    np.savez("mine.npz", x=uint8_images, y=labels)
    images, labels = load_npz("mine.npz")
    ```
    """
    if not os.path.isfile(path):
        raise ValueError(f"The .npz file {path!r} does not exist.")
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as error:
        raise ValueError(f"Could not read {path!r} as an .npz file ({error}).") from error
    if "x" not in arrays:
        raise ValueError(
            f"{path!r} has arrays {sorted(arrays)} but no `x`: save the images "
            "as `np.savez(path, x=images, y=labels)`."
        )
    x = arrays["x"]
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(
            f"`x` in {path!r} has shape {x.shape}; expected (N, H, W) or "
            "(N, H, W, C) with C 1 or 3."
        )
    if np.issubdtype(x.dtype, np.integer):
        images = scale_images(x, 255.0)
    elif float(np.min(x)) >= 0.0:
        images = scale_images(x, 1.0)
    else:
        images = x.astype("float32")
    if image_size is not None:
        images = resize_images(images, int(image_size))
    labels = arrays.get("y")
    if labels is not None:
        labels = np.asarray(labels).reshape(-1).astype("int32")
        if len(labels) != len(images):
            raise ValueError(f"{path!r} has {len(images)} images but {len(labels)} labels in `y`.")
    return images, labels
