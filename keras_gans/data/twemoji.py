"""Twemoji: 3,786 color emoji images with a category each, read from the npm tarball.

Twemoji graphics by Twitter, Inc and other contributors, licensed under
CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Anything trained
on them, and every card or figure that shows them, carries that credit.

The data is the npm package `emoji-datasource-twitter` 16.0.0, exactly as
`npm pack emoji-datasource-twitter@16.0.0` downloads it (checked by sha256),
read from the Keras datasets folder (`$KERAS_HOME/datasets`, default
`~/.keras/datasets`) without any network access:

- `package/img/twitter/64/*.png`: 3,786 images, 64x64, RGBA or palette with
  a transparent colour; one per emoji and per skin-tone variation;
- `package/emoji.json`: one record per emoji with its `image` file name, its
  `category` and its `skin_variations` (each with its own `image`).

All 3,786 images have a category, and they fall in 10 of them. "Component"
holds only the 5 skin-tone swatches (1f3fb.png ... 1f3ff.png), and
"People & Body" 2,261 images (386 emoji and their skin-tone variations).
"""

import functools
import hashlib
import io
import json
import os
import tarfile

import numpy as np

from keras_gans.data.image_folder import composite_on_background

TWEMOJI_FILE = "emoji-datasource-twitter-16.0.0.tgz"
TWEMOJI_SHA256 = "f64a530c63bca463bd8317fdc4615ce63a53a0c65018e4ce2d848aaba7a28877"
TWEMOJI_CREDIT = "Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0"
TWEMOJI_IMAGE_SIZES = (64, 32, 16, 8)
# The category order of the package's categories.json (Unicode's order).
TWEMOJI_CATEGORIES = (
    "Smileys & Emotion", "People & Body", "Component", "Animals & Nature", "Food & Drink",
    "Travel & Places", "Activities", "Objects", "Symbols", "Flags",
)
HELD_OUT_EVERY = 10
_IMAGE_DIR = "package/img/twitter/64/"


def twemoji_path():
    """Where the loader looks for the tarball: `<Keras datasets folder>/emoji-datasource-twitter-16.0.0.tgz`."""
    from keras_gans.data.datasets import keras_datasets_dir

    return os.path.join(keras_datasets_dir(), TWEMOJI_FILE)


def _missing_file_message(path, problem):
    return (
        f"The Twemoji dataset needs the file {path} ({problem}). keras-gans never downloads it: "
        f"get it with `npm pack emoji-datasource-twitter@16.0.0` (writes {TWEMOJI_FILE} in the "
        f"current folder; 61,683,754 bytes, sha256 {TWEMOJI_SHA256}) and move it to "
        f"{os.path.dirname(path)}/ (the Keras datasets folder: $KERAS_HOME/datasets, default "
        "~/.keras/datasets)."
    )


def _read_verified(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(_missing_file_message(path, "not found"))
    with open(path, "rb") as f:
        content = f.read()
    digest = hashlib.sha256(content).hexdigest()
    if digest != TWEMOJI_SHA256:
        raise ValueError(_missing_file_message(path, f"its sha256 is {digest}, not the expected one: "
                                                     "a different version or a damaged download; replace it"))
    return content


def _categories(records):
    """{image file name: (category, emoji sort_order)} for every image, variations included."""
    found = {}
    for record in records:
        entry = (record["category"], record["sort_order"])
        found[record["image"]] = entry
        for variation in (record.get("skin_variations") or {}).values():
            found[variation["image"]] = entry
    return found


@functools.lru_cache(maxsize=1)
def _decoded(path):
    """All images at 64x64 on white (uint8), labels, file names and held-out mask, sorted by file name."""
    from PIL import Image

    # One pass through the gzip stream (seeking back in it would decompress
    # it again from the start): keep emoji.json and the PNG bytes.
    png_bytes, records = {}, None
    with tarfile.open(fileobj=io.BytesIO(_read_verified(path)), mode="r:gz") as archive:
        for member in archive:
            if member.name == "package/emoji.json":
                records = json.load(archive.extractfile(member))
            elif member.isfile() and member.name.startswith(_IMAGE_DIR) and member.name.endswith(".png"):
                png_bytes[member.name] = archive.extractfile(member).read()
    names = sorted(png_bytes)
    images = np.empty((len(names), 64, 64, 3), dtype="uint8")
    for i, name in enumerate(names):
        with Image.open(io.BytesIO(png_bytes[name])) as image:
            images[i] = composite_on_background(image, "white")
    files = [name[len(_IMAGE_DIR):] for name in names]
    categories = _categories(records)
    unknown = [f for f in files if f not in categories]
    if unknown:
        raise ValueError(f"{path}: images without a record in emoji.json: {unknown[:5]}.")
    labels = np.array([TWEMOJI_CATEGORIES.index(categories[f][0]) for f in files], dtype="int32")
    # Held out: every 10th emoji in emoji.json's sort order, with all its
    # skin-tone variations, so no held-out image has a sibling in train.
    orders = sorted({order for _, order in categories.values()})
    held_out_orders = set(orders[HELD_OUT_EVERY - 1 :: HELD_OUT_EVERY])
    held_out = np.array([categories[f][1] in held_out_orders for f in files])
    # A fixed order independent of the file names' code points, so "the
    # first N images" of a split (the evaluation protocol) mix all categories.
    order = np.array(sorted(range(len(files)), key=lambda i: hashlib.sha256(files[i].encode()).hexdigest()))
    for array in (images, labels, held_out):
        array.setflags(write=False)
    return images[order], labels[order], [files[i] for i in order], held_out[order]


def downsample(images, factor):
    """Mean of each `factor x factor` block of uint8 images, rounded: an exact box downsampling.

    Example:

    >>> downsample(np.array([[[[0], [1]], [[2], [4]]]], dtype="uint8"), 2).ravel().tolist()
    [2]
    """
    if factor == 1:
        return np.array(images)
    total = np.zeros(images[:, ::factor, ::factor].shape, dtype="uint32")
    for dy in range(factor):
        for dx in range(factor):
            total += images[:, dy::factor, dx::factor]
    return ((total + factor * factor // 2) // (factor * factor)).astype("uint8")


def load_twemoji(split="train", image_size=64, return_names=False):
    """Loads Twemoji images on a white background as uint8 and their category labels.

    Reads `emoji-datasource-twitter-16.0.0.tgz` from the Keras datasets folder
    (`$KERAS_HOME/datasets`, default `~/.keras/datasets`), checks its sha256
    and decodes every `package/img/twitter/64/*.png` (once per process).
    Transparent pixels are composited on white (`composite_on_background`).
    Labels are the image's `category` in `package/emoji.json` (skin-tone
    variations take their emoji's), indexed as in `TWEMOJI_CATEGORIES`.

    Splits: "test" holds every 10th emoji of emoji.json's sort order together
    with all its skin-tone variations (371 images; no test image has a
    skin-tone sibling in "train"), "train" the other 3,415 images, "all"
    the 3,786. Within a split, images are in a fixed pseudo-random order
    (by the sha256 of their file name), so the first N mix all categories.

    Twemoji graphics by Twitter, Inc and other contributors, licensed under
    CC-BY 4.0: credit them wherever a model trained on them, or its samples,
    are shown.

    Args:
        split: "train", "test" or "all". Defaults to "train".
        image_size: 64, 32, 16 or 8. Smaller sizes are the exact mean of each
            2x2 (4x4, 8x8) block of the 64x64 image, rounded. Defaults to 64.
        return_names: bool. Also return the image file names. Defaults to False.

    Returns:
        `(images, labels)` (plus `names` with `return_names`): images uint8
        `(N, S, S, 3)` 0..255, labels int32 `(N,)` in 0..9.

    Raises:
        FileNotFoundError: the file is absent; the message says how to get it
            (`npm pack emoji-datasource-twitter@16.0.0`) and where to put it.
        ValueError: the file is there but not the expected one (sha256).

    Example:

    ```python
    images, labels = load_twemoji("train", image_size=32)
    images.shape, images.dtype  # ((3415, 32, 32, 3), dtype('uint8'))
    ```
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"`split` must be 'train', 'test' or 'all'; received {split!r}.")
    if image_size not in TWEMOJI_IMAGE_SIZES:
        raise ValueError(
            f"`image_size` must be one of {list(TWEMOJI_IMAGE_SIZES)} for Twemoji (64 divided by a "
            f"power of two); received {image_size!r}."
        )
    images, labels, names, held_out = _decoded(twemoji_path())
    rows = {"train": ~held_out, "test": held_out, "all": np.ones_like(held_out)}[split]
    selected = downsample(images[rows], 64 // int(image_size))
    result = (selected, labels[rows].copy())
    if return_names:
        result += ([n for n, keep in zip(names, rows) if keep],)
    return result
