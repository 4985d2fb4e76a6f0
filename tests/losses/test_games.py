"""The new games and label smoothing equal their closed forms (NumPy reference)."""

import numpy as np
import pytest
from keras import ops

from keras_gans import losses

REAL = np.array([[2.0], [-1.0], [0.5], [30.0]], dtype="float32")
FAKE = np.array([[-3.0], [0.0], [1.5], [-40.0]], dtype="float32")


def value(tensor):
    return float(ops.convert_to_numpy(tensor))


def softplus(x):
    return np.logaddexp(0.0, x.astype("float64"))


def test_hinge_losses():
    expected_d = np.mean(np.maximum(0, 1 - REAL)) + np.mean(np.maximum(0, 1 + FAKE))
    assert value(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(expected_d, rel=1e-6)
    assert value(losses.hinge_generator_loss(FAKE)) == pytest.approx(-np.mean(FAKE), rel=1e-6)


def test_least_squares_losses():
    expected_d = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean(FAKE**2)
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(expected_d, rel=1e-6)
    assert value(losses.least_squares_generator_loss(FAKE)) == pytest.approx(
        0.5 * np.mean((FAKE - 1) ** 2), rel=1e-6
    )
    smoothed = 0.5 * np.mean((REAL - 0.9) ** 2) + 0.5 * np.mean(FAKE**2)
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE, 0.1)) == pytest.approx(smoothed, rel=1e-6)


@pytest.mark.parametrize("function", [losses.minimax_discriminator_loss, losses.non_saturating_discriminator_loss])
def test_one_sided_label_smoothing_is_cross_entropy_against_one_minus_s(function):
    s = 0.2
    # Real term: (1 - s) softplus(-l) + s softplus(l); fakes keep target 0.
    expected = np.mean((1 - s) * softplus(-REAL) + s * softplus(REAL)) + np.mean(softplus(FAKE))
    assert value(function(REAL, FAKE, label_smoothing=s)) == pytest.approx(expected, rel=1e-5)
    # ... which is the unsmoothed loss plus s * mean(real logits).
    shift = value(function(REAL, FAKE, label_smoothing=s)) - value(function(REAL, FAKE))
    assert shift == pytest.approx(s * np.mean(REAL), rel=1e-4)


def test_r1_penalty_from_gradients_is_mean_squared_norm():
    grads = np.random.default_rng(0).normal(size=(3, 2, 2, 1)).astype("float32")
    expected = np.mean(np.sum(grads**2, axis=(1, 2, 3)))
    assert value(losses.r1_penalty_from_gradients(grads)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("name, cls", [("minimax", losses.Minimax), ("non_saturating", losses.NonSaturating),
                                       ("nonsaturating", losses.NonSaturating), ("wasserstein", losses.Wasserstein),
                                       ("hinge", losses.Hinge), ("least_squares", losses.LeastSquares)])
def test_get_resolves_names_and_configs(name, cls):
    game = losses.get(name)
    assert type(game) is cls
    import keras

    config = keras.saving.serialize_keras_object(game)
    assert type(losses.get(config)) is cls and losses.get(game) is game
    assert value(game.discriminator_loss(REAL, FAKE)) == pytest.approx(
        value(losses.get(config).discriminator_loss(REAL, FAKE))
    )


def test_game_errors_say_what_to_use():
    with pytest.raises(ValueError, match="Unknown game 'wgan'.*hinge"):
        losses.get("wgan")
    with pytest.raises(ValueError, match="label_smoothing.*hinge.*no targets"):
        losses.Hinge(label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"label_smoothing.*\[0, 1\)"):
        losses.NonSaturating(label_smoothing=1.0)
