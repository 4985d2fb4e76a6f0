"""`keras-gans sample --truncation` and `--interpolate` on a packaged preset (in process)."""

import numpy as np
import pytest
from PIL import Image

import keras_gans
from keras_gans.cli import main
from keras_gans.visualization import image_grid

PRESET = "mlp_digits_nonsaturating"  # 8x8 images: files are enlarged 16 times


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("keras-gans: error: ") and "\n" not in err
    return err


def test_truncated_grid_equals_generate_with_truncation(tmp_path):
    out = str(tmp_path / "grid.png")
    assert main(["sample", "--preset", PRESET, "--num", "12", "--seed", "2", "--truncation", "0.5", "--out", out]) == 0
    expected = image_grid(keras_gans.from_preset(PRESET).generate(12, seed=2, truncation=0.5))[..., 0]
    np.testing.assert_array_equal(np.asarray(Image.open(out))[::16, ::16], expected)


def test_interpolation_writes_a_strip_and_a_gif_with_one_frame_per_image(tmp_path, capsys):
    out = tmp_path / "walk.png"
    assert main(["sample", "--preset", PRESET, "--interpolate", "--num", "7", "--seed", "1", "--out", str(out)]) == 0
    frames = keras_gans.sampling.interpolate(keras_gans.from_preset(PRESET), 7, seed=1)
    strip = np.asarray(Image.open(out))
    assert strip.shape == (10 * 16, (7 * 9 + 1) * 16)  # one row of 7 frames, 1-pixel padding
    np.testing.assert_array_equal(strip[::16, ::16], image_grid(frames, num_columns=7)[..., 0])
    with Image.open(tmp_path / "walk.gif") as gif:
        assert gif.n_frames == 7 and gif.size == (8 * 16, 8 * 16)
        for i in (0, 6):
            gif.seek(i)
            np.testing.assert_array_equal(np.asarray(gif.convert("L"))[::16, ::16], np.round(frames[i, ..., 0] * 255))
    # With only the GIF left from that run, a second run still refuses to overwrite it.
    out.unlink()
    assert "walk.gif' already exists" in _error(capsys, ["sample", "--preset", PRESET, "--interpolate", "--out", str(out)])
    assert not out.exists()


@pytest.mark.parametrize("argv, expected", [
    (["--truncation", "0"], "--truncation must be a finite number > 0"),
    (["--truncation", "nan"], "--truncation must be a finite number > 0"),
    (["--interpolate", "--num", "1"], "--num must be >= 2"),
    (["--method", "linear"], "use it with --interpolate"),
])
def test_sample_flag_errors(tmp_path, capsys, argv, expected):
    assert expected in _error(capsys, ["sample", "--preset", PRESET, "--out", str(tmp_path / "x.png")] + argv)
