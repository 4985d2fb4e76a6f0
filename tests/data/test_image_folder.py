import numpy as np
import pytest
from PIL import Image

from keras_gans.data.image_folder import load_image_folder, load_npz


def test_folder_grayscale_inferred_resized_and_unlabelled(tmp_path):
    Image.fromarray(np.full((10, 12), 255, "uint8")).save(tmp_path / "a.png")
    Image.fromarray(np.zeros((16, 16), "uint8")).save(tmp_path / "b.jpg")
    images, labels, info = load_image_folder(str(tmp_path), image_size=16)
    assert images.shape == (2, 16, 16, 1) and images.dtype == np.float32
    assert labels is None and info["num_resized"] == 1 and info["original_sizes"] == [(12, 10), (16, 16)]
    np.testing.assert_allclose(images[0], 1.0)
    np.testing.assert_allclose(images[1], -1.0, atol=0.02)  # JPEG round-off
    rgb, _, _ = load_image_folder(str(tmp_path), image_size=8, channels=3)
    assert rgb.shape == (2, 8, 8, 3)


def test_folder_errors(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a png")
    for channels in (None, 1):
        with pytest.raises(ValueError, match="broken.png"):
            load_image_folder(str(tmp_path), channels=channels)
    with pytest.raises(ValueError, match="channels"):
        load_image_folder(str(tmp_path), channels=2)


@pytest.mark.parametrize(
    "x, expected_low, expected_high",
    [
        (np.array([[[0, 255]]], "uint8"), -1.0, 1.0),
        (np.array([[[0.0, 1.0]]], "float32"), -1.0, 1.0),
        (np.array([[[-1.0, 0.5]]], "float32"), -1.0, 0.5),
    ],
)
def test_npz_ranges(tmp_path, x, expected_low, expected_high):
    np.savez(tmp_path / "d.npz", x=x, y=[3])
    images, labels = load_npz(str(tmp_path / "d.npz"))
    assert images.shape == (1, 1, 2, 1) and labels.tolist() == [3]
    assert (images.min(), images.max()) == pytest.approx((expected_low, expected_high))


def test_npz_resize_and_label_mismatch(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 8, 8, 3), "uint8"), y=[1, 2, 3])
    with pytest.raises(ValueError, match="3 labels"):
        load_npz(str(tmp_path / "d.npz"))
    np.savez(tmp_path / "e.npz", x=np.zeros((2, 8, 8, 3), "uint8"))
    images, labels = load_npz(str(tmp_path / "e.npz"), image_size=4)
    assert images.shape == (2, 4, 4, 3) and labels is None
