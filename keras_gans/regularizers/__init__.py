"""Discriminator regularizers: penalties a GAN adds to its discriminator loss."""

from keras_gans.regularizers.discriminator_regularizer import (
    DiscriminatorRegularizer,
    deserialize,
    serialize,
)
from keras_gans.regularizers.gradient_penalty import GradientPenalty
from keras_gans.regularizers.r1_penalty import R1Penalty

__all__ = ["DiscriminatorRegularizer", "GradientPenalty", "R1Penalty", "deserialize", "serialize"]
