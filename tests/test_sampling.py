"""Truncated latents and latent interpolation (keras_gans.sampling) against closed forms."""

import math

import numpy as np
import pytest
from PIL import Image

import keras_gans
from keras_gans.sampling import (
    images_from_latents,
    interpolate,
    interpolate_latents,
    sample_latents,
)
from keras_gans.visualization import save_animation
from tests.helpers import LATENT_DIM, make_gan


@pytest.fixture(scope="module")
def gan():
    return make_gan(ema_decay=0.9)


@pytest.fixture(scope="module")
def conditional_gan():
    return make_gan(conditional=True)

# --- Truncation ----------------------------------------------------------------------


@pytest.mark.parametrize("psi", [0.1, 0.5, 0.7, 1.0, 2.0])
def test_truncated_latents_stay_within_psi_and_keep_the_entries_already_inside(psi):
    plain = sample_latents(500, 64, seed=3)
    truncated = sample_latents(500, 64, seed=3, truncation=psi)
    assert truncated.dtype == np.float32 and truncated.shape == plain.shape
    assert np.abs(truncated.astype("float64")).max() <= psi
    inside = np.abs(plain.astype("float64")) <= psi
    np.testing.assert_array_equal(truncated[inside], plain[inside])
    assert not np.array_equal(truncated[~inside], plain[~inside])
    np.testing.assert_array_equal(truncated, sample_latents(500, 64, seed=3, truncation=psi))
    assert not np.array_equal(truncated, sample_latents(500, 64, seed=4, truncation=psi))
    # Variance of a standard normal truncated to [-psi, psi]: 1 - 2 psi phi(psi) / (2 Phi(psi) - 1).
    density = math.exp(-psi * psi / 2) / math.sqrt(2 * math.pi)
    variance = 1 - 2 * psi * density / math.erf(psi / math.sqrt(2))
    assert truncated.var() == pytest.approx(variance, rel=0.02)


def test_no_truncation_gives_todays_latents_exactly():
    expected = np.random.default_rng(5).standard_normal((7, 3)).astype("float32")
    np.testing.assert_array_equal(sample_latents(7, 3, seed=5), expected)
    np.testing.assert_array_equal(sample_latents(7, 3, seed=5, truncation=None), expected)


@pytest.mark.parametrize("psi", [0, -1.0, float("inf"), float("nan"), True, "1"])
def test_bad_truncation_is_refused_before_anything_runs(psi, gan):
    with pytest.raises(ValueError, match="`truncation` must be a finite number > 0"):
        gan.generate(2, truncation=psi)
    with pytest.raises(ValueError, match="`truncation` must be a finite number > 0"):
        sample_latents(2, 3, truncation=psi)


def test_gan_generate_runs_the_generator_on_the_truncated_latents(gan):
    latents = sample_latents(6, LATENT_DIM, seed=2, truncation=0.5)
    expected = images_from_latents(gan.ema_generator, latents)
    np.testing.assert_array_equal(gan.generate(6, seed=2, truncation=0.5), expected)
    np.testing.assert_array_equal(
        gan.generate(6, seed=2, truncation=None), images_from_latents(gan.ema_generator, sample_latents(6, LATENT_DIM, seed=2))
    )
    assert not np.allclose(gan.generate(6, seed=2), expected)
    raw = images_from_latents(gan.generator, latents)
    np.testing.assert_array_equal(gan.generate(6, seed=2, truncation=0.5, use_ema=False), raw)


# --- Interpolation -------------------------------------------------------------------


def _angle(a, b):
    cosine = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return math.acos(float(np.clip(cosine, -1.0, 1.0)))


def test_slerp_turns_at_constant_angle_with_linear_length():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(16).astype("float32"), 2.5 * rng.standard_normal(16).astype("float32")
    path = interpolate_latents(z0, z1, 9).astype("float64")
    assert path.shape == (9, 16) and path.dtype == np.float64
    np.testing.assert_array_equal(path[0], z0)  # endpoints exact
    np.testing.assert_array_equal(path[-1], z1)
    total = _angle(z0, z1)
    t = np.linspace(0, 1, 9)
    np.testing.assert_allclose([_angle(z0, p) for p in path], t * total, atol=2e-6)
    np.testing.assert_allclose([_angle(a, b) for a, b in zip(path[:-1], path[1:])], total / 8, atol=2e-6)
    # Every frame lies in the plane of z0 and z1, at length (1 - t)|z0| + t|z1|.
    norms = (1 - t) * np.linalg.norm(z0) + t * np.linalg.norm(z1)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), norms, rtol=1e-6)
    basis, _ = np.linalg.qr(np.stack([z0, z1], axis=1).astype("float64"))
    np.testing.assert_allclose(path @ basis @ basis.T, path, atol=1e-5)


def test_slerp_keeps_the_length_of_equal_length_endpoints_and_linear_is_a_straight_line():
    z0 = np.array([3.0, 0.0, 0.0], "float32")
    z1 = np.array([0.0, 0.0, 3.0], "float32")
    slerp = interpolate_latents(z0, z1, 5)
    np.testing.assert_allclose(np.linalg.norm(slerp, axis=1), 3.0, rtol=1e-6)
    np.testing.assert_allclose(slerp[2], [3 / math.sqrt(2), 0.0, 3 / math.sqrt(2)], rtol=1e-6)
    linear = interpolate_latents(z0, z1, 5, method="linear")
    np.testing.assert_allclose(linear, [[3 - 0.75 * i, 0.0, 0.75 * i] for i in range(5)], rtol=1e-6)
    # Parallel endpoints: the angle is 0, so slerp is the straight line.
    np.testing.assert_allclose(interpolate_latents(z0, 2 * z0, 3), [[3, 0, 0], [4.5, 0, 0], [6, 0, 0]], rtol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_frames": 1}, "`n_frames` must be an integer >= 2"),
    ({"method": "cubic"}, r"`method` must be one of \['slerp', 'linear'\]"),
    ({"truncation": -1}, "`truncation` must be a finite number > 0"),
])
def test_interpolate_argument_errors(kwargs, match, gan):
    arguments = {"n_frames": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        interpolate(gan, **arguments)


def test_interpolate_a_gan_preset_and_bare_generator(gan):
    frames = interpolate(gan, 6, seed=4, truncation=1.5)
    assert frames.shape == (6, 8, 8, 1) and 0.0 <= frames.min() and frames.max() <= 1.0
    # Endpoints are the images of generate(2, seed) (EMA generator, like generate).
    np.testing.assert_allclose(frames[[0, -1]], gan.generate(2, seed=4, truncation=1.5), atol=1e-6)
    latents = interpolate_latents(*sample_latents(2, LATENT_DIM, seed=4, truncation=1.5), 6)
    np.testing.assert_allclose(frames, images_from_latents(gan.ema_generator, latents), atol=1e-6)
    linear = interpolate(gan, 6, seed=4, truncation=1.5, method="linear")
    np.testing.assert_allclose(linear[[0, -1]], frames[[0, -1]], atol=1e-6)
    assert not np.allclose(linear[1:-1], frames[1:-1], atol=1e-4)

    preset = keras_gans.PretrainedGenerator(gan.ema_generator, latent_dim=LATENT_DIM)
    np.testing.assert_allclose(interpolate(preset, 6, seed=4, truncation=1.5), frames, atol=1e-6)
    np.testing.assert_allclose(interpolate(gan.ema_generator, 6, seed=4, truncation=1.5), frames, atol=1e-6)
    with pytest.raises(ValueError, match="contradicts the model's own latent_dim"):
        interpolate(gan, 3, latent_dim=LATENT_DIM + 1)
    with pytest.raises(ValueError, match="must be a GAN, a preset"):
        interpolate(np.zeros(3), 3)


def test_interpolate_a_conditional_generator_with_one_class_or_one_per_frame(conditional_gan):
    gan = conditional_gan
    same_class = interpolate(gan, 4, seed=1, labels=3)
    np.testing.assert_allclose(same_class[[0, -1]], gan.generate(2, seed=1, labels=[3, 3]), atol=1e-6)
    per_frame = interpolate(gan, 4, seed=1, labels=[3, 3, 3, 3])
    np.testing.assert_array_equal(per_frame, same_class)
    with pytest.raises(ValueError, match="conditional model"):
        interpolate(gan, 4, seed=1)
    with pytest.raises(ValueError, match="pass `num_classes=K`"):
        interpolate(gan.generator, 4, labels=3)
    np.testing.assert_allclose(interpolate(gan.generator, 4, seed=1, labels=3, num_classes=10), same_class, atol=1e-6)


def test_save_animation_writes_one_gif_frame_per_image(tmp_path):
    frames = np.linspace(0, 1, 5)[:, None, None, None] * np.ones((5, 4, 6, 1))
    path = save_animation(frames, str(tmp_path / "walk.gif"), frame_duration_ms=40, scale=2)
    with Image.open(path) as gif:
        assert (gif.n_frames, gif.size, gif.info["duration"], gif.info["loop"]) == (5, (12, 8), 40, 0)
        gif.seek(4)
        assert np.asarray(gif.convert("L")).min() == 255
    with pytest.raises(ValueError, match="must have shape"):
        save_animation(np.zeros((2, 4, 4, 2)), str(tmp_path / "x.gif"))
