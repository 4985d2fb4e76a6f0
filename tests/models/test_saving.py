"""Saving: `.keras` round trips, exact resume, and portability across backends."""

import pathlib

import keras
import numpy as np
import pytest

import keras_gans
from tests.helpers import digits, fit_kwargs, make_gan, max_abs_diff, snapshot

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("kind", ["nonsaturating", "wgan_gp"])
def test_save_load_restores_everything_and_resumes_exactly(kind, tmp_path):
    x, _ = digits(64)
    gan = make_gan(kind, conditional=(kind == "wgan_gp"))
    y = digits(64)[1] if gan.num_classes else None
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
    )
    gan.fit(x, y, **fit_kwargs())
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)

    assert type(loaded) is type(gan)
    assert loaded.num_classes == gan.num_classes and loaded.latent_dim == gan.latent_dim
    assert max_abs_diff(snapshot(gan.weights), snapshot(loaded.weights)) == 0.0
    assert int(loaded.generator_optimizer.iterations) == int(gan.generator_optimizer.iterations)
    assert int(loaded.discriminator_optimizer.iterations) == int(gan.discriminator_optimizer.iterations)
    assert max_abs_diff(
        snapshot(gan.generator_optimizer.variables), snapshot(loaded.generator_optimizer.variables)
    ) == 0.0
    assert max_abs_diff(
        snapshot(gan.discriminator_optimizer.variables), snapshot(loaded.discriminator_optimizer.variables)
    ) == 0.0
    assert float(loaded.discriminator_optimizer.learning_rate) == pytest.approx(2e-3)

    # Both continue identically: weights, optimizer state and RNG state were restored.
    gan.fit(x, y, **fit_kwargs())
    loaded.fit(x, y, **fit_kwargs())
    assert max_abs_diff(snapshot(gan.weights), snapshot(loaded.weights)) < 1e-6
    assert int(loaded.generator_optimizer.iterations) == 4


def test_uncompiled_gan_round_trips(tmp_path):
    gan = make_gan("minimax")
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded, keras_gans.MinimaxGAN)
    np.testing.assert_allclose(loaded.generate(3, seed=1), gan.generate(3, seed=1), atol=1e-6)


def test_get_config_round_trip_keeps_wgan_settings():
    gan = make_gan("wgan_gp", gradient_penalty_weight=5.0, critic_steps=3)
    clone = keras_gans.WGANGP.from_config(gan.get_config())
    assert clone.gradient_penalty_weight == 5.0 and clone.critic_steps == 3
    assert clone.latent_dim == gan.latent_dim


@pytest.mark.parametrize("saved_on", ["tensorflow", "torch", "jax"])
def test_model_saved_on_any_backend_generates_the_same_images_here(saved_on):
    # Fixtures written by tests/data/make_cross_backend_fixtures.py, once per backend.
    model = keras.models.load_model(FIXTURES / f"gan_saved_on_{saved_on}.keras")
    expected = np.load(FIXTURES / f"gan_saved_on_{saved_on}_images.npy")
    labels = np.arange(len(expected)) % 10
    np.testing.assert_allclose(model.generate(len(expected), seed=0, labels=labels), expected, atol=1e-4)
    assert int(model.generator_optimizer.iterations) > 0  # optimizer state came along
