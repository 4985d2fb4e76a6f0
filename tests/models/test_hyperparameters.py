"""Every constructor hyperparameter is range-checked with an error that names it."""

import math

import numpy as np
import pytest

import keras_gans
from tests.models.gan_contract import tiny_players

BAD = [
    (keras_gans.WGANGP, {"gradient_penalty_weight": -1.0}, r"`gradient_penalty_weight` must be >= 0"),
    (keras_gans.NonSaturatingGAN, {"r1_penalty_weight": -0.5}, r"`r1_penalty_weight` must be >= 0"),
    (keras_gans.NonSaturatingGAN, {"r1_penalty_weight": math.nan}, r"`r1_penalty_weight` must be a finite number"),
    (keras_gans.NonSaturatingGAN, {"r1_interval": 0}, r"`r1_interval` must be an integer >= 1"),
    (keras_gans.NonSaturatingGAN, {"label_smoothing": 1.0}, r"`label_smoothing` must lie in \[0, 1\)"),
    (keras_gans.MinimaxGAN, {"label_smoothing": -0.1}, r"`label_smoothing` must lie in \[0, 1\)"),
    (keras_gans.NonSaturatingGAN, {"ema_decay": 1.0}, r"`ema_decay` must lie in \[0, 1\)"),
    (keras_gans.NonSaturatingGAN, {"ema_decay": -0.1}, r"`ema_decay` must lie in \[0, 1\)"),
    (keras_gans.WGANGP, {"critic_steps": 0}, r"`critic_steps` must be an integer >= 1"),
    (keras_gans.NonSaturatingGAN, {"discriminator_steps": 2.5}, r"`discriminator_steps` must be an integer >= 1"),
    (keras_gans.NonSaturatingGAN, {"latent_dim": 0}, r"`latent_dim` must be an integer >= 1"),
    (keras_gans.WGANGP, {"label_smoothing": 0.1}, r"label_smoothing.*wasserstein.*no targets"),
    (keras_gans.HingeGAN, {"label_smoothing": 0.1}, r"label_smoothing.*hinge.*no targets"),
    (keras_gans.NonSaturatingGAN, {"game": "hinge"}, r"always plays the 'non_saturating' game"),
    (keras_gans.GAN, {"game": "wgan"}, r"Unknown game 'wgan'"),
    (keras_gans.NonSaturatingGAN, {"augmentation": "DiffAugment"}, r"`augmentation` must be callable"),
    (keras_gans.NonSaturatingGAN, {"augmentation": lambda x: x[:, :4]}, r"`augmentation` must keep the image shape"),
    (keras_gans.NonSaturatingGAN, {"regularizers": ["r1"]}, r"`regularizers` must hold"),
    (keras_gans.NonSaturatingGAN,
     {"r1_penalty_weight": 1.0, "regularizers": [keras_gans.regularizers.R1Penalty(2.0)]}, r"share a name"),
]


@pytest.mark.parametrize("cls, kwargs, match", BAD, ids=lambda v: str(v)[:40])
def test_bad_hyperparameter_is_rejected_with_its_name_and_range(cls, kwargs, match):
    G, D, _ = tiny_players()
    kwargs = dict(kwargs)
    latent_dim = kwargs.pop("latent_dim", 8)
    weights_before = [np.array(w) for w in G.get_weights()]
    with pytest.raises(ValueError, match=match):
        cls(G, D, latent_dim=latent_dim, **kwargs)
    # Nothing the user built was touched.
    assert all(np.array_equal(a, b) for a, b in zip(weights_before, G.get_weights()))


def test_defaults_turn_every_knob_off():
    G, D, _ = tiny_players()
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=8)
    assert gan.label_smoothing == 0.0 and gan.ema_generator is None and gan.augmentation is None
    assert gan.discriminator_regularizers == [] and gan.discriminator_steps == 1
