"""Pieces shared by the architecture builders."""

import keras
from keras import layers


class InitializerFactory:
    """Hands out initializers, each seeded differently from one base seed.

    With `seed=None` the initializers are unseeded (Keras's global RNG).
    """

    def __init__(self, seed=None, stddev=0.02):
        self.seed = seed
        self.stddev = stddev
        self._count = 0

    def __call__(self):
        self._count += 1
        seed = None if self.seed is None else self.seed * 1000 + self._count
        # DCGAN's initialisation (Radford et al., 2015): N(0, 0.02).
        return keras.initializers.RandomNormal(stddev=self.stddev, seed=seed)

    def embedding(self):
        """Keras's default Embedding initializer, U(-0.05, 0.05), seeded from the base seed.

        A seed apart from the counted ones, so adding an embedding does not
        change the other layers' initial weights.
        """
        seed = None if self.seed is None else self.seed * 1000 + 999
        return keras.initializers.RandomUniform(-0.05, 0.05, seed=seed)


def check_image_shape(image_shape, supported=None):
    image_shape = tuple(int(d) for d in image_shape)
    if len(image_shape) != 3 or image_shape[-1] not in (1, 3):
        raise ValueError(
            "`image_shape` must be (height, width, channels) with 1 (grayscale) "
            f"or 3 (RGB) channels; received {image_shape}."
        )
    if supported is not None and image_shape[:2] not in supported:
        raise ValueError(
            f"This builder supports image sizes {sorted(supported)}; received "
            f"{image_shape[:2]}."
        )
    return image_shape


def label_embedding(labels, num_classes, size, name, initializer="uniform"):
    """Embeds integer labels `(batch,)` into `(batch, size)`."""
    embedded = layers.Embedding(num_classes, size, embeddings_initializer=initializer, name=f"{name}_embedding")(labels)
    return layers.Flatten(name=f"{name}_flatten")(embedded)


LABEL_CONDITIONINGS = ("channel", "projection")


def check_label_conditioning(kind):
    if kind not in LABEL_CONDITIONINGS:
        raise ValueError(
            f"Unknown `label_conditioning`={kind!r}. Expected 'channel' (the label enters with "
            "the image) or 'projection' (Miyato & Koyama 2018: the features never see the label, "
            "which `keras_gans.SelfConditioning` needs)."
        )
    return kind


def projection_logits(features, logits, labels, num_classes, normalization, initializer, name="projection"):
    """Projection discriminator head (Miyato & Koyama 2018, "cGANs with Projection Discriminator").

    `logit(x, c) = w^T phi(x) + b + embed(c)^T phi(x)`: the label enters only
    through an inner product with the features `phi(x)`, so the features are
    label-free (what `keras_gans.SelfConditioning` clusters).
    """
    embedded = weight_layer(
        layers.Embedding, normalization, name, input_dim=num_classes,
        output_dim=features.shape[-1], embeddings_initializer=initializer,
    )(labels)
    projection = layers.Dot(axes=1, name=f"{name}_dot")([embedded, features])
    return layers.Add(name="logit_plus_projection")([logits, projection])


NORMALIZATIONS = ("batch", "layer", "spectral", None)


def check_normalization(kind):
    if kind not in NORMALIZATIONS:
        raise ValueError(
            f"Unknown `normalization`={kind!r}. Expected 'batch', 'layer', 'spectral' "
            "or None (use 'layer', 'spectral' or None for a WGAN-GP critic)."
        )
    return kind


def normalization_layer(kind, name):
    """The normalization layer after a hidden layer ('spectral' and None: none)."""
    check_normalization(kind)
    if kind == "batch":
        return layers.BatchNormalization(name=name)
    if kind == "layer":
        return layers.LayerNormalization(axis=[1, 2, 3], name=name)
    return layers.Identity(name=name)


def weight_layer(layer_class, normalization, name, **kwargs):
    """`layer_class(name=name, **kwargs)`, spectrally normalized when asked.

    With `normalization="spectral"` the layer (named `<name>_inner`) is
    wrapped in `keras_gans.architectures.SpectralNormalization` named `name`.
    """
    if normalization != "spectral":
        return layer_class(name=name, **kwargs)
    from keras_gans.architectures.spectral_normalization import SpectralNormalization

    return SpectralNormalization(layer_class(name=f"{name}_inner", **kwargs), name=name)


def generator_inputs(latent_dim, num_classes, init=None):
    """Generator inputs and the tensor the first layer reads.

    Returns `(inputs, x)`: unconditional, `inputs` is the latent `keras.Input`
    and `x` is it; conditional, `inputs` is `[latents, labels]` and `x`
    concatenates the latents with a label embedding of the same size.
    """
    latents = keras.Input((latent_dim,), name="latents")
    if num_classes is None:
        return latents, latents
    labels = keras.Input((), dtype="int32", name="labels")
    initializer = "uniform" if init is None else init.embedding()
    embedded = label_embedding(labels, num_classes, latent_dim, "label", initializer)
    return [latents, labels], layers.Concatenate(name="latents_and_label")([latents, embedded])
