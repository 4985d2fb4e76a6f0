"""DCGAN generator and discriminator (Radford et al., 2015) for square images.

Sizes: 28x28 (a 7x7 stem) and the powers of two from 16x16 to 256x256 (a
4x4 stem). Each stride-2 layer doubles (generator) or halves
(discriminator) the feature map, so an image of size `4 * 2**n` has `n`
of them. The 28x28 and 32x32 models are those of keras-gans 0.x, layer
for layer, so saved models and presets keep loading.
"""

import keras
from keras import layers

from keras_gans.architectures.common import (
    check_label_conditioning,
    projection_logits,
    InitializerFactory,
    check_image_shape,
    check_normalization,
    generator_inputs,
    label_embedding,
    normalization_layer,
    weight_layer,
)

# Spatial size of the first feature map and the number of stride-2 layers,
# per image size: each transposed convolution doubles the feature map.
_BASE_SIZE = {(28, 28): (7, 2), **{(4 * 2**n, 4 * 2**n): (4, n) for n in range(2, 7)}}
SUPPORTED_SIZES = tuple(sorted(size for size, _ in _BASE_SIZE))


def stem(image_shape):
    """`(stem_size, num_stride_2_layers)` for an image shape; clear error if unsupported.

    >>> stem((64, 64, 3))
    (4, 4)
    """
    image_shape = check_image_shape(image_shape)
    if image_shape[:2] not in _BASE_SIZE:
        raise ValueError(
            f"The DCGAN builders support square images of size {', '.join(map(str, SUPPORTED_SIZES))}; "
            f"received {image_shape[0]}x{image_shape[1]}. Resize the images to one of them "
            "(`--image-size` on the command line)."
        )
    return _BASE_SIZE[image_shape[:2]]


def dcgan_generator(
    latent_dim=64,
    image_shape=(28, 28, 1),
    num_classes=None,
    base_filters=64,
    seed=None,
    name="dcgan_generator",
):
    """Builds a DCGAN generator: latents -> images in [-1, 1] (tanh).

    28x28: Dense to 7x7, then two stride-2 transposed convolutions (4x4
    kernels). Powers of two from 16x16 to 256x256: Dense to 4x4, then
    `log2(size / 4)` of them (32x32: three; 64x64: four, as in Radford et
    al.). BatchNorm and ReLU after every layer but the last, which has tanh.
    Filters halve at each step, ending at `base_filters` before the image
    layer, so the stem has `base_filters * 2**(n - 1)` (64x64 with
    `base_filters=64`: 512, as in the paper).

    Args:
        latent_dim: int. Size of the latent input.
        image_shape: tuple. `(S, S, C)`, S in {16, 28, 32, 64, 128, 256},
            C in {1, 3}.
        num_classes: int or None. When set, the model takes
            `[latents, labels]` and concatenates a label embedding to the
            latents.
        base_filters: int. Filters of the last hidden layer; earlier layers
            double it.
        seed: int or None. Seeds the weight initialisers.
        name: str. Model name.

    Returns:
        A functional `keras.Model`.

    Example:

    >>> G = dcgan_generator(latent_dim=16, image_shape=(28, 28, 1), base_filters=8)
    >>> tuple(G.output.shape)
    (None, 28, 28, 1)
    >>> G = dcgan_generator(latent_dim=128, image_shape=(64, 64, 3), base_filters=8)
    >>> tuple(G.output.shape), G.get_layer("to_feature_map").output.shape[1:]
    ((None, 64, 64, 3), (4, 4, 64))
    """
    image_shape = check_image_shape(image_shape)
    base, num_upsamplings = stem(image_shape)
    init = InitializerFactory(seed)
    inputs, x = generator_inputs(latent_dim, num_classes, init)
    filters = base_filters * 2 ** (num_upsamplings - 1)
    x = layers.Dense(base * base * filters, use_bias=False, kernel_initializer=init(), name="project")(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((base, base, filters), name="to_feature_map")(x)
    for i in range(num_upsamplings - 1):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=init(), name=f"upsample_{i}",
        )(x)
        x = layers.BatchNormalization(name=f"upsample_{i}_bn")(x)
        x = layers.ReLU(name=f"upsample_{i}_relu")(x)
    images = layers.Conv2DTranspose(
        image_shape[-1], 4, strides=2, padding="same", activation="tanh",
        kernel_initializer=init(), name="to_image",
    )(x)
    return keras.Model(inputs, images, name=name)


def dcgan_discriminator(
    image_shape=(28, 28, 1),
    num_classes=None,
    base_filters=64,
    normalization="batch",
    seed=None,
    name="dcgan_discriminator",
    label_conditioning="channel",
):
    """Builds a DCGAN discriminator: images -> one logit per image `(batch, 1)`.

    Stride-2 convolutions (4x4 kernels) with LeakyReLU(0.2), as many as the
    generator has transposed ones (28x28: two, to 7x7; powers of two: down
    to 4x4), then Flatten and Dense(1) with no activation (losses take
    logits). Filters start at `base_filters` and double at each step.

    Args:
        image_shape: tuple. `(S, S, C)`, S in {16, 28, 32, 64, 128, 256},
            C in {1, 3}.
        num_classes: int or None. When set, the model takes
            `[images, labels]`; see `label_conditioning`.
        base_filters: int. Filters of the first convolution; later ones
            double it.
        normalization: "batch" (DCGAN), "layer", "spectral" or None.
            "spectral" (Miyato et al. 2018) wraps every convolution and
            dense layer in `keras_gans.architectures.SpectralNormalization`
            (a `keras.layers.SpectralNormalization` whose inference mode
            also uses W / sigma) and adds no other normalization. A WGAN-GP
            critic needs "layer", "spectral" or None: its penalty is per
            example, which BatchNorm breaks.
        seed: int or None. Seeds the weight initialisers.
        name: str. Model name.
        label_conditioning: "channel" (default: the label is embedded into
            an extra image channel) or "projection" (Miyato & Koyama 2018:
            an inner product of a label embedding with the flattened
            features, added to the logit; the convolutional features, the
            layer named "features", then never see the label, which
            `keras_gans.SelfConditioning` needs). Only used with
            `num_classes`.

    Returns:
        A functional `keras.Model`.

    Example:

    >>> D = dcgan_discriminator((28, 28, 1), base_filters=8)
    >>> tuple(D.output.shape)
    (None, 1)
    >>> D = dcgan_discriminator((28, 28, 1), base_filters=8, normalization="spectral")
    >>> [layer.name for layer in D.layers if "SpectralNormalization" in type(layer).__name__]
    ['downsample_0', 'downsample_1', 'logit']
    """
    image_shape = check_image_shape(image_shape)
    check_normalization(normalization)
    check_label_conditioning(label_conditioning)
    _, num_downsamplings = stem(image_shape)
    init = InitializerFactory(seed)
    images = keras.Input(image_shape, name="images")
    inputs, x = [images], images
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
    if num_classes is not None and label_conditioning == "channel":
        height, width = image_shape[:2]
        label_map = weight_layer(
            layers.Dense, normalization, "label_map", units=height * width, kernel_initializer=init()
        )(label_embedding(labels, num_classes, 50, "label", init.embedding()))
        label_map = layers.Reshape((height, width, 1), name="label_channel")(label_map)
        x = layers.Concatenate(name="image_and_label")([x, label_map])
    filters = base_filters
    for i in range(num_downsamplings):
        x = weight_layer(
            layers.Conv2D, normalization, f"downsample_{i}", filters=filters, kernel_size=4,
            strides=2, padding="same", kernel_initializer=init(),
        )(x)
        if i > 0:  # DCGAN: no normalisation on the first layer
            x = normalization_layer(normalization, f"downsample_{i}_norm")(x)
        x = layers.LeakyReLU(0.2, name=f"downsample_{i}_lrelu")(x)
        filters *= 2
    if num_classes is not None and label_conditioning == "projection":
        x = layers.Identity(name="features")(x)  # what SelfConditioning clusters
    x = layers.Flatten(name="flatten")(x)
    logits = weight_layer(layers.Dense, normalization, "logit", units=1, kernel_initializer=init())(x)
    if num_classes is not None and label_conditioning == "projection":
        logits = projection_logits(x, logits, labels, num_classes, normalization, init.embedding())
    return keras.Model(inputs if num_classes is not None else images, logits, name=name)
