import numpy as np
import pytest
from PIL import Image

from keras_gans.data import scale_images
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


# --- Transparency, center crop, uint8 storage -------------------------------------


def _rgba_with_hidden_colors():
    """4x4 RGBA: known alphas; the alpha-0 pixels hold colours that are not the background."""
    rgb = np.array(
        [[[255, 0, 0], [0, 255, 0], [10, 20, 30], [0, 0, 255]],
         [[200, 100, 50], [0, 0, 0], [255, 255, 255], [1, 2, 3]]] * 2, "uint8")
    alpha = np.array([[0, 255, 128, 1], [64, 0, 0, 254]] * 2, "uint8")
    return rgb, alpha


@pytest.mark.parametrize("background", ["white", "black", (0, 128, 255)])
def test_transparent_pixels_are_composited_on_the_background_pixel_for_pixel(tmp_path, background):
    rgb, alpha = _rgba_with_hidden_colors()
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(tmp_path / "a.png")
    images, _, _ = load_image_folder(str(tmp_path), image_size=4, background=background, keep_uint8=True)
    color = {"white": (255, 255, 255), "black": (0, 0, 0)}.get(background, background)
    # round((alpha * colour + (255 - alpha) * background) / 255) for every pixel
    a = alpha[..., None].astype(int)
    formula = (rgb.astype(int) * a + np.array(color) * (255 - a) + 127) // 255
    np.testing.assert_array_equal(images[0], formula)
    assert images[0, 0, 1].tolist() == [0, 255, 0]  # opaque: its own colour
    if background == "white":  # by hand: (10 * 128 + 255 * 127) / 255 = 132.02, and so on
        assert images[0, 0, 2].tolist() == [132, 137, 142]
    # Every hidden pixel (alpha 0; red, black and white underneath) is exactly the background.
    assert (images[0][alpha == 0] == color).all()


def test_loader_output_equals_the_composite_when_no_resize_is_needed(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (5, 5, 3), dtype="uint8")
    alpha = rng.integers(0, 256, (5, 5), dtype="uint8")
    alpha[0] = 0  # a hidden row of random colours
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(tmp_path / "a.png")
    images, _, _ = load_image_folder(str(tmp_path), image_size=5, keep_uint8=True)
    a = alpha[..., None].astype(int)
    expected = (rgb.astype(int) * a + 255 * (255 - a) + 127) // 255
    np.testing.assert_array_equal(images[0], expected)
    assert (images[0, 0] == 255).all()
    black, _, _ = load_image_folder(str(tmp_path), image_size=5, background="black", keep_uint8=True)
    assert (black[0, 0] == 0).all()
    floats, _, _ = load_image_folder(str(tmp_path), image_size=5)
    np.testing.assert_array_equal(floats, scale_images(images))


def test_hidden_colours_never_show_after_resizing(tmp_path):
    hidden = np.zeros((16, 16, 4), "uint8")
    hidden[..., 0] = 255  # fully transparent red
    Image.fromarray(hidden, "RGBA").save(tmp_path / "rgba.png")
    gray = np.zeros((16, 16, 2), "uint8")  # LA: black, fully transparent
    Image.fromarray(gray, "LA").save(tmp_path / "la.png")
    palette = Image.new("P", (16, 16), 1)  # palette entry 1 is red and transparent
    palette.putpalette([0, 0, 255, 255, 0, 0] + [0] * 762)
    palette.save(tmp_path / "p.png", transparency=1)
    images, _, _ = load_image_folder(str(tmp_path), image_size=7, keep_uint8=True)
    assert images.shape == (3, 7, 7, 3) and (images == 255).all()
    gray_images, _, _ = load_image_folder(str(tmp_path), image_size=7, channels=1, keep_uint8=True)
    assert (gray_images == 255).all()
    colored, _, _ = load_image_folder(str(tmp_path), image_size=7, background=(0, 128, 255), keep_uint8=True)
    assert (colored.reshape(-1, 3) == [0, 128, 255]).all()


def test_background_must_be_white_black_or_rgb(tmp_path):
    Image.fromarray(np.zeros((4, 4, 3), "uint8")).save(tmp_path / "a.png")
    for bad in ("grey", (0, 0), (0, 0, 256), (0.5, 0, 0)):
        with pytest.raises(ValueError, match="white.*black.*r, g, b"):
            load_image_folder(str(tmp_path), background=bad)


def test_center_crop_keeps_the_centred_square_of_a_non_square_image(tmp_path):
    wide = np.zeros((6, 12, 3), "uint8")
    wide[..., 0] = np.arange(12) * 20  # each column its own red value
    wide[..., 1] = np.arange(6)[:, None] * 40
    Image.fromarray(wide).save(tmp_path / "wide.png")
    cropped, _, info = load_image_folder(str(tmp_path), image_size=6, center_crop=True, keep_uint8=True)
    np.testing.assert_array_equal(cropped[0], wide[:, 3:9])
    assert info["original_sizes"] == [(12, 6)] and info["num_resized"] == 1
    stretched, _, _ = load_image_folder(str(tmp_path), image_size=6, keep_uint8=True)
    assert not np.array_equal(stretched[0], wide[:, 3:9])
    tall = np.transpose(wide, (1, 0, 2))  # 12 high, 6 wide: rows 3..8
    Image.fromarray(np.ascontiguousarray(tall)).save(tmp_path / "wide.png")
    cropped, _, _ = load_image_folder(str(tmp_path), image_size=6, center_crop=True, keep_uint8=True)
    np.testing.assert_array_equal(cropped[0], tall[3:9])


@pytest.mark.parametrize("options", [{}, {"channels": 3, "center_crop": True}, {"background": "black"}])
def test_a_bad_file_gets_one_error_naming_it(tmp_path, options):
    Image.fromarray(np.zeros((8, 8, 3), "uint8")).save(tmp_path / "good.png")
    (tmp_path / "sub").mkdir()
    good = (tmp_path / "good.png").read_bytes()
    (tmp_path / "truncated.png").write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"Could not read image '.*truncated\.png'.*Remove or repair that file"):
        load_image_folder(str(tmp_path), image_size=8, **options)


def test_uint8_storage_is_bit_identical_after_per_batch_scaling(tmp_path):
    from keras_gans.data import SeededBatches

    rng = np.random.default_rng(1)
    for i in range(10):
        Image.fromarray(rng.integers(0, 256, (9, 7, 3), dtype="uint8")).save(tmp_path / f"{i}.png")
    kept, _, _ = load_image_folder(str(tmp_path), image_size=8, keep_uint8=True)
    scaled, _, _ = load_image_folder(str(tmp_path), image_size=8)
    assert kept.dtype == np.uint8 and kept.nbytes * 4 == scaled.nbytes
    np.testing.assert_array_equal(scale_images(kept), scaled)
    uint8_batches, float_batches = SeededBatches(kept, None, 4, seed=3), SeededBatches(scaled, None, 4, seed=3)
    for epoch in (0, 1):
        uint8_batches.set_epoch(epoch)
        float_batches.set_epoch(epoch)
        for i in range(len(uint8_batches)):
            batch = uint8_batches[i]
            assert batch.dtype == np.float32
            np.testing.assert_array_equal(batch, float_batches[i])


def test_npz_keeps_uint8(tmp_path):
    x = np.random.default_rng(2).integers(0, 256, (3, 8, 8, 3), dtype="uint8")
    np.savez(tmp_path / "d.npz", x=x)
    kept, _ = load_npz(str(tmp_path / "d.npz"), keep_uint8=True)
    assert kept.dtype == np.uint8
    np.testing.assert_array_equal(kept, x)
    np.testing.assert_array_equal(scale_images(kept), load_npz(str(tmp_path / "d.npz"))[0])
    resized, _ = load_npz(str(tmp_path / "d.npz"), image_size=4, keep_uint8=True)
    assert resized.shape == (3, 4, 4, 3) and resized.dtype == np.uint8
    np.savez(tmp_path / "f.npz", x=x / 255.0)
    floats, _ = load_npz(str(tmp_path / "f.npz"), keep_uint8=True)
    assert floats.dtype == np.float32  # float data cannot be kept as uint8 without loss
