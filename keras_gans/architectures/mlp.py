"""Small fully connected GANs, sized for scikit-learn's 8x8 digits."""

import math

import keras
from keras import layers

from keras_gans.architectures.common import (
    check_label_conditioning,
    projection_logits,
    InitializerFactory,
    check_image_shape,
    generator_inputs,
    label_embedding,
)


def _hidden_stack(x, hidden_units, init, prefix):
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, kernel_initializer=init(), name=f"{prefix}_dense_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"{prefix}_lrelu_{i}")(x)
    return x


def mlp_generator(
    latent_dim=16,
    image_shape=(8, 8, 1),
    num_classes=None,
    hidden_units=(128, 128),
    seed=None,
    name="mlp_generator",
):
    """Builds a fully connected generator: latents -> images in [-1, 1].

    Args:
        latent_dim: int. Size of the latent input.
        image_shape: tuple `(H, W, C)`; defaults to the 8x8 digits.
        num_classes: int or None. When set, takes `[latents, labels]`.
        hidden_units: tuple of ints. Width of each hidden layer.
        seed: int or None. Seeds the weight initialisers.
        name: str. Model name.

    Example:

    >>> G = mlp_generator(latent_dim=16)
    >>> tuple(G.output.shape)
    (None, 8, 8, 1)
    """
    image_shape = check_image_shape(image_shape)
    init = InitializerFactory(seed, stddev=0.05)
    inputs, x = generator_inputs(latent_dim, num_classes, init)
    x = _hidden_stack(x, hidden_units, init, "hidden")
    x = layers.Dense(math.prod(image_shape), activation="tanh", kernel_initializer=init(), name="to_pixels")(x)
    images = layers.Reshape(image_shape, name="to_image")(x)
    return keras.Model(inputs, images, name=name)


def mlp_discriminator(
    image_shape=(8, 8, 1),
    num_classes=None,
    hidden_units=(128, 128),
    seed=None,
    name="mlp_discriminator",
    label_conditioning="channel",
):
    """Builds a fully connected discriminator: images -> logits `(batch, 1)`.

    No normalisation layers, so it also serves as a WGAN-GP critic.

    Args:
        image_shape: tuple `(H, W, C)`; defaults to the 8x8 digits.
        num_classes: int or None. When set, takes `[images, labels]`.
        hidden_units: tuple of ints. Width of each hidden layer.
        seed: int or None. Seeds the weight initialisers.
        name: str. Model name.
        label_conditioning: "channel" (default: a label embedding is
            concatenated to the pixels) or "projection" (Miyato & Koyama
            2018: the last hidden layer, named "features", never sees the
            label; `keras_gans.SelfConditioning` needs that).

    Example:

    >>> D = mlp_discriminator()
    >>> tuple(D.output.shape)
    (None, 1)
    """
    image_shape = check_image_shape(image_shape)
    check_label_conditioning(label_conditioning)
    init = InitializerFactory(seed, stddev=0.05)
    images = keras.Input(image_shape, name="images")
    inputs = [images]
    x = layers.Flatten(name="flatten")(images)
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
    if num_classes is not None and label_conditioning == "channel":
        x = layers.Concatenate(name="pixels_and_label")(
            [x, label_embedding(labels, num_classes, 16, "label", init.embedding())]
        )
    x = _hidden_stack(x, hidden_units, init, "hidden")
    if num_classes is not None and label_conditioning == "projection":
        x = layers.Identity(name="features")(x)  # what SelfConditioning clusters
    logits = layers.Dense(1, kernel_initializer=init(), name="logit")(x)
    if num_classes is not None and label_conditioning == "projection":
        logits = projection_logits(x, logits, labels, num_classes, None, init.embedding())
    return keras.Model(inputs if num_classes is not None else images, logits, name=name)
