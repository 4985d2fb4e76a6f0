"""Tiny GANs on the 8x8 digits, shared by the callback tests."""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.architectures import mlp_discriminator, mlp_generator


def build_tiny_gan(conditional=False, seed=0, optimizers=None, latent_dim=8):
    num_classes = 10 if conditional else None
    generator = mlp_generator(latent_dim, (8, 8, 1), num_classes, hidden_units=(32,), seed=seed)
    discriminator = mlp_discriminator((8, 8, 1), num_classes, hidden_units=(32,), seed=seed + 1)
    gan = keras_gans.NonSaturatingGAN(generator, discriminator, latent_dim, num_classes=num_classes, seed=seed)
    optimizers = optimizers or {}
    gan.compile(
        generator_optimizer=optimizers.get("g", keras.optimizers.Adam(1e-3, beta_1=0.5)),
        discriminator_optimizer=optimizers.get("d", keras.optimizers.Adam(1e-3, beta_1=0.5)),
    )
    return gan


@pytest.fixture(scope="session")
def digits():
    """128 digits images in [-1, 1] and their labels."""
    images, labels = keras_gans.data.load_dataset("digits")
    return images[:128], labels[:128]


@pytest.fixture
def tiny_gan():
    return build_tiny_gan


def read_png(path):
    from PIL import Image

    return np.asarray(Image.open(path))
