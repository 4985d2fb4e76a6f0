"""Your own images as GAN training data: a folder of PNG/JPEG files or an .npz.

Both loaders return NHWC images and integer labels or None, and work on every
backend (they use only NumPy and Pillow). By default the images are float32
in [-1, 1] (what every keras_gans GAN trains on); with `keep_uint8=True`
8-bit pixels stay uint8 (0..255), a quarter of the memory, and are scaled to
[-1, 1] only when a batch is drawn (`keras_gans.data.SeededBatches`, which
`keras-gans train` and `keras_gans.recipes` use).

Transparent images (RGBA, LA, palette or RGB/L images with a transparent
colour) are composited on a background colour (white by default): hidden
pixels never show, whatever colour they hold.
"""

import os

import numpy as np

from keras_gans.data.transforms import scale_images

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
BACKGROUNDS = {"white": (255, 255, 255), "black": (0, 0, 0)}
_GRAYSCALE_MODES = ("1", "L", "LA", "La", "I", "I;16", "F")


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


def background_color(background):
    """The RGB triple of a background: "white", "black" or an `(r, g, b)` of 0..255 ints.

    Raises a ValueError naming the accepted values for anything else.

    Example:

    >>> background_color("white"), background_color([0, 128, 255])
    ((255, 255, 255), (0, 128, 255))
    """
    if isinstance(background, str):
        if background.lower() in BACKGROUNDS:
            return BACKGROUNDS[background.lower()]
    elif isinstance(background, (tuple, list)) and len(background) == 3 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= 255 for v in background
    ):
        return tuple(int(v) for v in background)
    raise ValueError(
        f"`background` must be \"white\", \"black\" or an (r, g, b) tuple of integers "
        f"0..255, e.g. (0, 128, 255); received {background!r}."
    )


def has_transparency(image):
    """Whether a PIL image has an alpha channel or a transparent colour."""
    return image.mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info


def composite_on_background(image, background="white"):
    """A PIL image as an RGB uint8 array `(H, W, 3)`, transparency composited on `background`.

    Each pixel becomes `round((alpha * color + (255 - alpha) * background) / 255)`
    with straight (non-premultiplied) alpha, so a fully transparent pixel is
    exactly the background whatever colour it holds, and an opaque one keeps
    its colour. Images without transparency are converted to RGB unchanged.

    Args:
        image: a PIL image of any mode.
        background: "white", "black" or an `(r, g, b)` tuple of 0..255 ints.
            Defaults to "white".

    Example:

    >>> from PIL import Image
    >>> pixel = Image.new("RGBA", (1, 1), (255, 0, 0, 0))  # hidden red
    >>> composite_on_background(pixel, "white").tolist()
    [[[255, 255, 255]]]
    """
    color = background_color(background)
    if not has_transparency(image):
        return np.asarray(image.convert("RGB"), dtype="uint8")
    rgba = np.asarray(image.convert("RGBA"), dtype="uint32")
    alpha = rgba[..., 3:]
    blended = rgba[..., :3] * alpha + np.asarray(color, "uint32") * (255 - alpha)
    return ((blended + 127) // 255).astype("uint8")


def center_crop_box(width, height):
    """The `(left, top, right, bottom)` box of the largest centred square.

    Example:

    >>> center_crop_box(12, 10)
    (1, 0, 11, 10)
    """
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def _read_image(file, image_size, channels, background="white", center_crop=False):
    from PIL import Image

    try:
        with Image.open(file) as image:
            size = image.size
            if center_crop and size[0] != size[1]:
                image = image.crop(center_crop_box(*size))
            if has_transparency(image):
                image = Image.fromarray(composite_on_background(image, background))
            image = image.convert("L" if channels == 1 else "RGB")
            if image.size != (image_size, image_size):
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
        if mode not in _GRAYSCALE_MODES:
            return 3
    return 1


def load_image_folder(path, image_size=32, channels=None, background="white", center_crop=False,
                      keep_uint8=False):
    """Loads every image in a folder (recursively), resized to a square size.

    Every image is resized to `image_size x image_size` (bilinear), whatever
    its original size: mixed sizes are allowed, and how many were resized is
    reported in the returned info. With `center_crop=True` a non-square image
    is first cropped to its largest centred square, so it keeps its aspect
    ratio; otherwise it is stretched. Transparent pixels are composited on
    `background` before resizing (see `composite_on_background`). When all
    images sit in sub-folders one level deep (`path/cat/1.png`,
    `path/dog/2.png`), the sub-folder names are the classes (sorted) and
    labels are returned; otherwise labels are None.

    Args:
        path: str. Folder of PNG/JPEG/BMP/GIF/WebP images.
        image_size: int. Output height and width. Defaults to 32.
        channels: 1 (grayscale), 3 (RGB) or None: RGB if any image has
            colour, else grayscale. Defaults to None.
        background: "white", "black" or an `(r, g, b)` tuple of 0..255 ints:
            the colour behind transparent pixels. Defaults to "white".
        center_crop: bool. Crop to the centred square before resizing.
            Defaults to False.
        keep_uint8: bool. Return uint8 pixels 0..255 (a quarter of the
            memory of float32; scale a batch with
            `keras_gans.data.scale_images`). Defaults to False: float32 in
            [-1, 1].

    Returns:
        `(images, labels, info)`: images `(N, S, S, C)`, float32 in [-1, 1]
        (uint8 with `keep_uint8`); labels int32 `(N,)` or None; info a dict
        with `class_names`, `num_resized` and `original_sizes` (distinct
        sizes seen, before any crop).

    Raises:
        ValueError: naming the file that cannot be read, or the bad argument.

    Example:

    ```python
    images, labels, info = load_image_folder("my_faces/", image_size=64, channels=3,
                                             background="white", center_crop=True)
    ```
    """
    if not os.path.isdir(path):
        raise ValueError(f"Image folder {path!r} does not exist or is not a folder.")
    if int(image_size) < 4:
        raise ValueError(f"`image_size` must be >= 4; received {image_size}.")
    if channels not in (None, 1, 3):
        raise ValueError(f"`channels` must be 1, 3 or None; received {channels!r}.")
    background_color(background)
    files = _image_files(path)
    if not files:
        raise ValueError(
            f"No images found in folder {path!r}: expected files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)}."
        )
    channels = channels or _infer_channels(files)
    size = int(image_size)
    # Filled in place: the peak memory is the uint8 array, not a list of
    # images plus its stacked copy.
    images = np.empty((len(files), size, size, channels), dtype="uint8")
    sizes = []
    for i, (file, _) in enumerate(files):
        images[i], original = _read_image(file, size, channels, background, center_crop)
        sizes.append(original)
    labels, class_names = _labels_from_folders([folder for _, folder in files])
    info = {
        "class_names": class_names,
        "num_resized": sum(s != (size, size) for s in sizes),
        "original_sizes": sorted(set(sizes)),
    }
    return (images if keep_uint8 else scale_images(images)), labels, info


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


def _resize_uint8(images, image_size):
    """Resizes uint8 images `(N, H, W, C)` with Pillow's bilinear filter, as the folder loader does."""
    from PIL import Image

    out = np.empty((len(images), image_size, image_size, images.shape[-1]), dtype="uint8")
    for i, image in enumerate(images):
        pil = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
        resized = np.asarray(pil.resize((image_size, image_size), Image.Resampling.BILINEAR))
        out[i] = resized[..., None] if image.shape[-1] == 1 else resized
    return out


def load_npz(path, image_size=None, keep_uint8=False):
    """Loads images (and labels) from an .npz file with arrays `x` (and `y`).

    `x`: `(N, H, W)` or `(N, H, W, C)`, C in {1, 3}; uint8 0..255, float in
    [0, 1] or float in [-1, 1] (detected from the values). `y`: optional
    integer labels `(N,)`.

    Args:
        path: str. The .npz file.
        image_size: int or None. Resize to this square size; None keeps the
            stored size.
        keep_uint8: bool. Return uint8 `x` as uint8 0..255 (resized with
            Pillow's bilinear filter, as image folders are) instead of
            float32 in [-1, 1]; float `x` is returned as float32 in [-1, 1]
            either way. Defaults to False.

    Returns:
        `(images, labels)`: NHWC float32 in [-1, 1] (uint8 with
        `keep_uint8` and uint8 `x`), int32 labels or None.

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
    if keep_uint8 and x.dtype == np.uint8:
        images = x
        if image_size is not None and images.shape[1:3] != (int(image_size), int(image_size)):
            images = _resize_uint8(images, int(image_size))
    else:
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
