"""Each loss equals its closed form on fixed logits (NumPy reference)."""

import numpy as np
import pytest
from keras import ops

from keras_gans import losses

REAL = np.array([[2.0], [-1.0], [0.5], [30.0]], dtype="float32")
FAKE = np.array([[-3.0], [0.0], [1.5], [-40.0]], dtype="float32")


def log_sigmoid(x):
    x = x.astype("float64")
    return -np.logaddexp(0.0, -x)


def value(tensor):
    return float(ops.convert_to_numpy(tensor))


def test_minimax_discriminator_loss_is_binary_cross_entropy():
    expected = -np.mean(log_sigmoid(REAL)) - np.mean(log_sigmoid(-FAKE))
    assert value(losses.minimax_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-5)


def test_minimax_generator_loss_is_log_one_minus_d():
    expected = np.mean(log_sigmoid(-FAKE))  # log(1 - sigmoid(f))
    assert value(losses.minimax_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-5)


def test_non_saturating_generator_loss_is_minus_log_d():
    expected = -np.mean(log_sigmoid(FAKE))
    assert value(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-5)


def test_non_saturating_discriminator_loss_equals_minimax():
    assert value(losses.non_saturating_discriminator_loss(REAL, FAKE)) == pytest.approx(
        value(losses.minimax_discriminator_loss(REAL, FAKE))
    )


def test_losses_are_finite_for_extreme_logits():
    extreme = np.array([[1e4], [-1e4]], dtype="float32")
    for loss in (
        losses.minimax_discriminator_loss(extreme, extreme),
        losses.minimax_generator_loss(extreme),
        losses.non_saturating_generator_loss(extreme),
    ):
        assert np.isfinite(value(loss))


def test_wasserstein_losses():
    assert value(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(
        FAKE.mean() - REAL.mean(), rel=1e-6
    )
    assert value(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-6)


def test_gradient_penalty_from_gradients_closed_form():
    grads = np.array(
        [[[3.0, 4.0]], [[0.0, 0.0]], [[0.6, 0.8]]], dtype="float32"
    )  # norms 5, 0, 1
    expected = np.mean([(5.0 - 1.0) ** 2, (0.0 - 1.0) ** 2, 0.0])
    assert value(losses.gradient_penalty_from_gradients(grads)) == pytest.approx(expected, rel=1e-5)
