"""Ready generator/discriminator builders (functional keras.Models) and their layers."""

from keras_gans.architectures.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.architectures.mlp import mlp_discriminator, mlp_generator
from keras_gans.architectures.resnet import (
    ConditionalBatchNormalization,
    GlobalSumPooling2D,
    resnet_discriminator,
    resnet_generator,
)
from keras_gans.architectures.spectral_normalization import SpectralNormalization

__all__ = [
    "ConditionalBatchNormalization",
    "GlobalSumPooling2D",
    "SpectralNormalization",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "resnet_discriminator",
    "resnet_generator",
]
