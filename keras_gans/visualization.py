"""Image grids for looking at samples."""

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
