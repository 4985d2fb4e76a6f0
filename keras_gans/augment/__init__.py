"""Augmentations applied to every image batch the discriminator sees."""

from keras_gans.augment.diff_augment import DiffAugment

__all__ = ["DiffAugment"]
