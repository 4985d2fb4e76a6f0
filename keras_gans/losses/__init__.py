"""GAN losses as pure functions of logits (see `functional.py` for formulas)."""

from keras_gans.losses.functional import (
    gradient_penalty_from_gradients,
    hinge_discriminator_loss,
    hinge_generator_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    non_saturating_discriminator_loss,
    non_saturating_generator_loss,
    r1_penalty_from_gradients,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
)
from keras_gans.losses.games import (
    Game,
    Hinge,
    LeastSquares,
    Minimax,
    NonSaturating,
    Wasserstein,
    get,
)
from keras_gans.losses.gradient_penalty import gradient_penalty, interpolate

__all__ = [
    "Game",
    "Hinge",
    "LeastSquares",
    "Minimax",
    "NonSaturating",
    "Wasserstein",
    "get",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "r1_penalty_from_gradients",
    "gradient_penalty",
    "gradient_penalty_from_gradients",
    "interpolate",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
