"""Every public GAN class meets the contract, plain and with the whole toolkit."""

import pytest

import keras_gans
from tests.models.gan_contract import public_gan_classes, run_gan_contract

CLASSES = public_gan_classes()
WITH_TARGETS = {"minimax", "non_saturating", "least_squares"}


def test_the_contract_sees_every_named_class():
    names = {cls.__name__ for cls in CLASSES}
    assert {"MinimaxGAN", "NonSaturatingGAN", "WGANGP", "HingeGAN", "LeastSquaresGAN"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_plain(cls, tmp_path):
    run_gan_contract(cls, {"critic_steps": 2} if cls is keras_gans.WGANGP else {}, tmp_path)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_with_toolkit(cls, tmp_path):
    kwargs = {
        "r1_penalty_weight": 1.0,
        "r1_interval": 2,
        "ema_decay": 0.9,
        "augmentation": keras_gans.augment.DiffAugment("color,translation,cutout"),
    }
    if cls.default_game in WITH_TARGETS:
        kwargs["label_smoothing"] = 0.1
    if cls is keras_gans.WGANGP:
        kwargs["critic_steps"] = 2
    run_gan_contract(cls, kwargs, tmp_path, conditional=cls is keras_gans.NonSaturatingGAN)


def test_base_gan_with_a_game_and_both_penalties(tmp_path):
    gan = run_gan_contract(
        keras_gans.GAN, {"game": "hinge", "gradient_penalty_weight": 1.0, "r1_penalty_weight": 1.0}, tmp_path
    )
    assert type(gan.game) is keras_gans.losses.Hinge
