"""Image grids and animations for looking at samples."""

import numpy as np


def image_grid(images, num_columns=None, padding=1, pad_value=1.0):
    """Tiles a batch of images into one image.

    Args:
        images: array `(N, H, W, C)` (or `(N, H, W)`) with values in [0, 1].
        num_columns: int. Images per row; defaults to `ceil(sqrt(N))`.
        padding: int. Pixels between images.
        pad_value: float. Value of the padding pixels.

    Returns:
        uint8 NumPy array `(rows * (H + padding) + padding, ..., C)`; C is
        1 or 3.

    Example:

    >>> grid = image_grid(np.zeros((10, 8, 8, 1)), num_columns=5)
    >>> grid.shape
    (19, 46, 1)
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            "`images` must have shape (N, H, W, C) with C in {1, 3}; "
            f"received shape {images.shape}."
        )
    n, h, w, c = images.shape
    if num_columns is None:
        num_columns = int(np.ceil(np.sqrt(n)))
    num_columns = max(1, min(int(num_columns), n))
    num_rows = int(np.ceil(n / num_columns))
    grid = np.full(
        (num_rows * (h + padding) + padding, num_columns * (w + padding) + padding, c),
        pad_value,
        dtype="float32",
    )
    for i in range(n):
        row, col = divmod(i, num_columns)
        top, left = padding + row * (h + padding), padding + col * (w + padding)
        grid[top : top + h, left : left + w] = images[i]
    return np.round(np.clip(grid, 0.0, 1.0) * 255.0).astype("uint8")


def save_image_grid(images, path, num_columns=None, scale=1):
    """Writes `image_grid(images)` to a PNG file; `scale` enlarges pixels.

    Example:

    ```python
    save_image_grid(gan.generate(64, seed=0), "samples.png", num_columns=8, scale=4)
    ```
    """
    from PIL import Image

    grid = image_grid(images, num_columns=num_columns)
    if scale > 1:
        grid = np.kron(grid, np.ones((scale, scale, 1), dtype="uint8"))
    mode = "L" if grid.shape[-1] == 1 else "RGB"
    Image.fromarray(grid[..., 0] if mode == "L" else grid, mode=mode).save(path)
    return path


def save_animation(images, path, frame_duration_ms=100, scale=1, loop=True):
    """Writes a batch of images as an animated GIF, one image per frame.

    Made for `keras_gans.sampling.interpolate`. Written by Pillow, which
    merges consecutive frames that are identical after the [0, 1] -> uint8
    rounding into one longer frame, and reduces RGB frames to a 256-colour
    palette.

    Args:
        images: array `(N, H, W, C)` (or `(N, H, W)`), C in {1, 3}, values in [0, 1].
        path: str. The .gif file to write.
        frame_duration_ms: int >= 1. How long each frame shows. Defaults to 100.
        scale: int >= 1. Enlarges each pixel to `scale x scale`. Defaults to 1.
        loop: bool. Repeat forever (True) or play once. Defaults to True.

    Returns:
        `path`.

    Example:

    ```python
    frames = keras_gans.sampling.interpolate(gan, 16, seed=0)
    save_animation(frames, "walk.gif", scale=4)
    ```
    """
    from PIL import Image

    images = np.asarray(images, dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) < 1:
        raise ValueError(
            "`images` must have shape (N, H, W, C) with N >= 1 and C in {1, 3}; "
            f"received shape {images.shape}."
        )
    if int(frame_duration_ms) != frame_duration_ms or frame_duration_ms < 1:
        raise ValueError(f"`frame_duration_ms` must be an integer >= 1; received {frame_duration_ms!r}.")
    frames = np.round(np.clip(images, 0.0, 1.0) * 255.0).astype("uint8")
    if scale > 1:
        frames = np.kron(frames, np.ones((1, scale, scale, 1), dtype="uint8"))
    pictures = [Image.fromarray(f[..., 0] if f.shape[-1] == 1 else f) for f in frames]
    options = {"loop": 0} if loop else {}
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=int(frame_duration_ms), **options)
    return path
