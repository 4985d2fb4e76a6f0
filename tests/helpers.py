"""Small models and data shared by the tests (8x8 digits, tiny MLPs)."""

import keras
import numpy as np

import keras_gans
from keras_gans.data import load_dataset

GAN_CLASSES = {
    "minimax": keras_gans.MinimaxGAN,
    "nonsaturating": keras_gans.NonSaturatingGAN,
    "wgan_gp": keras_gans.WGANGP,
}
LATENT_DIM = 8


def digits(n=128, split="train"):
    images, labels = load_dataset("digits", split=split)
    return images[:n], labels[:n]


def make_gan(kind="nonsaturating", conditional=False, seed=0, hidden=(32,), **kwargs):
    num_classes = 10 if conditional else None
    G = keras_gans.architectures.mlp_generator(
        LATENT_DIM, num_classes=num_classes, hidden_units=hidden, seed=seed
    )
    D = keras_gans.architectures.mlp_discriminator(
        num_classes=num_classes, hidden_units=hidden, seed=seed + 1
    )
    if kind == "wgan_gp":
        kwargs.setdefault("critic_steps", 2)
    return GAN_CLASSES[kind](G, D, latent_dim=LATENT_DIM, num_classes=num_classes, seed=seed, **kwargs)


def make_dcgan(kind="nonsaturating", seed=0, normalization="batch"):
    """A tiny DCGAN with BatchNorm in both players."""
    G = keras_gans.architectures.dcgan_generator(LATENT_DIM, (28, 28, 1), base_filters=4, seed=seed)
    D = keras_gans.architectures.dcgan_discriminator(
        (28, 28, 1), base_filters=4, normalization=normalization, seed=seed + 1
    )
    return GAN_CLASSES[kind](G, D, latent_dim=LATENT_DIM, seed=seed)


def snapshot(variables):
    return [np.array(keras.ops.convert_to_numpy(v.value)) for v in variables]


def max_abs_diff(a, b):
    return max(float(np.max(np.abs(x - y))) if x.size else 0.0 for x, y in zip(a, b))


def fit_kwargs(**overrides):
    kwargs = dict(epochs=1, batch_size=32, verbose=0, shuffle=False)
    kwargs.update(overrides)
    return kwargs
