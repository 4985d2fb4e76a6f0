"""ResNet generator and discriminator of SNGAN for 32x32, 64x64 and 128x128 images.

The residual blocks of Gulrajani, Ahmed, Arjovsky, Dumoulin and Courville
(2017), "Improved Training of Wasserstein GANs" (NeurIPS, arXiv:1704.00028),
as Miyato, Kataoka, Koyama and Yoshida (2018), "Spectral Normalization for
Generative Adversarial Networks" (ICLR, arXiv:1802.05957) use them; class-
conditional models add conditional batch normalization to the generator
(de Vries et al. 2017; Dumoulin et al. 2017) and the projection
discriminator of Miyato and Koyama (2018), "cGANs with Projection
Discriminator" (ICLR, arXiv:1802.05637). The widths per image size follow
the SNGAN models of Mimicry (Lee and Town 2020) with `base_filters=64`.

Blocks (`conv3` a 3x3 convolution, `conv1` a 1x1 one, "same" padding;
`up` nearest-neighbour upsampling by 2; `pool` 2x2 average pooling):

- generator block, `in -> out` channels, one per doubling:
  `h = conv3(ReLU(BN(conv3(up(ReLU(BN(x)))))))`, `x' = h + conv1(up(x))`.
  Conditional: each BN is `ConditionalBatchNormalization` (a gain and a
  bias per class).
- first discriminator block ("optimized", Miyato et al.):
  `h = pool(conv3(ReLU(conv3(x))))`, `x' = h + conv1(pool(x))`.
- discriminator block, `in -> out`, with or without downsampling:
  `h = conv3(ReLU(conv3(ReLU(x))))`, then `pool(h)` when downsampling;
  shortcut `pool(conv1(x))` (the `conv1` only when `in != out` or
  downsampling; else `x`). `x' = h + shortcut`.
"""

import keras
from keras import layers
from keras import ops

from keras_gans.architectures.common import check_image_shape, weight_layer

# Generator: (stem width, block output widths), in multiples of base_filters.
_GENERATOR_WIDTHS = {
    32: (4, (4, 4, 4)),
    64: (16, (8, 4, 2, 1)),
    128: (16, (16, 8, 4, 2, 1)),
}
# Discriminator: block output widths (multiples of base_filters) and
# whether each block halves the feature map.
_DISCRIMINATOR_WIDTHS = {
    32: ((2, 2, 2, 2), (True, True, False, False)),
    64: ((1, 2, 4, 8, 16), (True, True, True, True, True)),
    128: ((1, 2, 4, 8, 16, 16), (True, True, True, True, True, False)),
}
SUPPORTED_SIZES = tuple(sorted(_GENERATOR_WIDTHS))
DISCRIMINATOR_NORMALIZATIONS = ("spectral", None)
# PyTorch's and Chainer's BatchNorm settings, which the reference code uses.
_BN_MOMENTUM = 0.9
_BN_EPSILON = 1e-5


@keras.saving.register_keras_serializable(package="keras_gans")
class ConditionalBatchNormalization(layers.Layer):
    """Batch normalization with a gain and a bias per class.

    `y = gain[label] * (x - mean) / sqrt(var + epsilon) + bias[label]`, the
    mean and variance over the batch and the spatial axes per channel
    (training) or their moving averages (inference), as in
    `keras.layers.BatchNormalization(center=False, scale=False)`. `gain`
    and `bias` are `(num_classes, channels)` tables, initialized to ones
    and zeros (de Vries et al. 2017, "Modulating early visual processing
    by language"; Dumoulin et al. 2017; Miyato and Koyama 2018 use it in
    their conditional generator).

    Called on `[x, labels]`: `x` is `(batch, ..., channels)`, `labels`
    integer class ids `(batch,)`.

    Args:
        num_classes: int >= 1. Number of classes.
        momentum: float. Of the moving mean and variance. Defaults to 0.9.
        epsilon: float. Added to the variance. Defaults to 1e-5.
        **kwargs: base layer arguments (`name`, ...).

    Example:

    >>> cbn = ConditionalBatchNormalization(num_classes=2)
    >>> x = np.random.default_rng(0).normal(size=(4, 2, 2, 3)).astype("float32")
    >>> y = cbn([x, np.array([0, 1, 0, 1])], training=True)
    >>> tuple(y.shape)
    (4, 2, 2, 3)
    """

    def __init__(self, num_classes, momentum=_BN_MOMENTUM, epsilon=_BN_EPSILON, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
            raise ValueError(f"`num_classes` must be an integer >= 1; received {num_classes!r}.")
        self.num_classes = num_classes
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.batch_norm = layers.BatchNormalization(
            momentum=momentum, epsilon=epsilon, center=False, scale=False, name="batch_norm"
        )

    def build(self, input_shape):
        x_shape, _ = input_shape
        channels = x_shape[-1]
        self.batch_norm.build(x_shape)
        self.gain = self.add_weight(shape=(self.num_classes, channels), initializer="ones", name="gain")
        self.bias = self.add_weight(shape=(self.num_classes, channels), initializer="zeros", name="bias")

    def call(self, inputs, training=False):
        x, labels = inputs
        labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        normalized = self.batch_norm(x, training=training)
        broadcast = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gain = ops.reshape(ops.take(self.gain, labels, axis=0), broadcast)
        bias = ops.reshape(ops.take(self.bias, labels, axis=0), broadcast)
        return normalized * ops.cast(gain, normalized.dtype) + ops.cast(bias, normalized.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes, "momentum": self.momentum, "epsilon": self.epsilon})
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class GlobalSumPooling2D(layers.Layer):
    """Sums a `(batch, height, width, channels)` feature map over its spatial axes.

    SNGAN's discriminator pools this way (Miyato et al. 2018), not by the
    mean: `(batch, channels)`.

    Example:

    >>> tuple(GlobalSumPooling2D()(np.ones((2, 4, 4, 3))).shape)
    (2, 3)
    """

    def call(self, inputs):
        return ops.sum(inputs, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


class _Initializers:
    """Xavier-uniform initializers with a gain (Glorot and Bengio 2010), as SNGAN's code.

    `VarianceScaling(gain**2, "fan_avg", "uniform")` is Xavier uniform with
    that gain; each call is seeded differently from one base seed.
    """

    def __init__(self, seed):
        self.seed = seed
        self._count = 0

    def __call__(self, gain=1.0):
        self._count += 1
        seed = None if self.seed is None else self.seed * 1000 + self._count
        return keras.initializers.VarianceScaling(gain**2, mode="fan_avg", distribution="uniform", seed=seed)


def _check_size(image_shape, builder):
    image_shape = check_image_shape(image_shape)
    if image_shape[0] != image_shape[1] or image_shape[0] not in SUPPORTED_SIZES:
        raise ValueError(
            f"`{builder}` supports square images of size {', '.join(map(str, SUPPORTED_SIZES))}; received "
            f"{image_shape[0]}x{image_shape[1]}. Resize the images, or use `dcgan_{builder.split('_')[1]}` "
            "(16 to 256 and 28)."
        )
    return image_shape


def _check_base_filters(base_filters):
    if not isinstance(base_filters, int) or isinstance(base_filters, bool) or base_filters < 1:
        raise ValueError(f"`base_filters` must be an integer >= 1; received {base_filters!r}.")


def _batch_norm(x, labels, num_classes, name):
    if num_classes is None:
        return layers.BatchNormalization(momentum=_BN_MOMENTUM, epsilon=_BN_EPSILON, name=name)(x)
    return ConditionalBatchNormalization(num_classes, name=name)([x, labels])


def _generator_block(x, labels, num_classes, filters, init, name):
    h = _batch_norm(x, labels, num_classes, f"{name}_bn_0")
    h = layers.ReLU(name=f"{name}_relu_0")(h)
    h = layers.UpSampling2D(2, name=f"{name}_upsample")(h)
    h = layers.Conv2D(filters, 3, padding="same", kernel_initializer=init(2**0.5), name=f"{name}_conv_0")(h)
    h = _batch_norm(h, labels, num_classes, f"{name}_bn_1")
    h = layers.ReLU(name=f"{name}_relu_1")(h)
    h = layers.Conv2D(filters, 3, padding="same", kernel_initializer=init(2**0.5), name=f"{name}_conv_1")(h)
    shortcut = layers.UpSampling2D(2, name=f"{name}_shortcut_upsample")(x)
    shortcut = layers.Conv2D(filters, 1, kernel_initializer=init(), name=f"{name}_shortcut")(shortcut)
    return layers.Add(name=f"{name}_add")([h, shortcut])


def resnet_generator(
    latent_dim=128,
    image_shape=(32, 32, 3),
    num_classes=None,
    base_filters=64,
    seed=None,
    name="resnet_generator",
):
    """Builds the SNGAN ResNet generator: latents -> images in [-1, 1] (tanh).

    Dense to a 4x4 feature map, one upsampling residual block per doubling
    (BatchNorm, ReLU, nearest upsampling, 3x3 convolutions, a 1x1
    convolution on the shortcut; see the module docstring), then BatchNorm,
    ReLU, a 3x3 convolution to the image channels and tanh (Miyato et al.
    2018, after Gulrajani et al. 2017). Widths, with `c = base_filters`:

    | size | stem (4x4) | blocks |
    |---|---|---|
    | 32 | 4c | 4c, 4c, 4c |
    | 64 | 16c | 8c, 4c, 2c, c |
    | 128 | 16c | 16c, 8c, 4c, 2c, c |

    `base_filters=64` gives SNGAN's widths (CIFAR-10: 256 throughout).
    A conditional generator takes `[latents, labels]` and replaces every
    BatchNorm inside the blocks by `ConditionalBatchNormalization` (the
    last one stays unconditional, as in Miyato and Koyama 2018). Weights
    are Xavier-uniform (gain sqrt(2) in the residual branch).

    Args:
        latent_dim: int. Size of the latent input. Defaults to 128 (SNGAN).
        image_shape: tuple. `(S, S, C)`, S in {32, 64, 128}, C in {1, 3}.
        num_classes: int or None. When set, the model takes
            `[latents, labels]` (labels: integers `(batch,)`).
        base_filters: int. Width unit `c` (table above). Defaults to 64.
        seed: int or None. Seeds the weight initialisers.
        name: str. Model name.

    Returns:
        A functional `keras.Model`.

    Example:

    >>> G = resnet_generator(latent_dim=32, image_shape=(64, 64, 3), base_filters=4)
    >>> tuple(G.output.shape)
    (None, 64, 64, 3)
    >>> G = resnet_generator(32, (32, 32, 3), num_classes=10, base_filters=4)
    >>> [tuple(t.shape) for t in G.inputs]
    [(None, 32), (None,)]
    """
    image_shape = _check_size(image_shape, "resnet_generator")
    _check_base_filters(base_filters)
    stem_width, widths = _GENERATOR_WIDTHS[image_shape[0]]
    init = _Initializers(seed)
    latents = keras.Input((latent_dim,), name="latents")
    inputs, labels = latents, None
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs = [latents, labels]
    filters = stem_width * base_filters
    x = layers.Dense(4 * 4 * filters, kernel_initializer=init(), name="project")(latents)
    x = layers.Reshape((4, 4, filters), name="to_feature_map")(x)
    for i, width in enumerate(widths):
        x = _generator_block(x, labels, num_classes, width * base_filters, init, f"block_{i}")
    x = layers.BatchNormalization(momentum=_BN_MOMENTUM, epsilon=_BN_EPSILON, name="final_bn")(x)
    x = layers.ReLU(name="final_relu")(x)
    images = layers.Conv2D(
        image_shape[-1], 3, padding="same", activation="tanh", kernel_initializer=init(), name="to_image"
    )(x)
    return keras.Model(inputs, images, name=name)


def _conv(normalization, filters, kernel_size, initializer, name):
    return weight_layer(
        layers.Conv2D, normalization, name, filters=filters, kernel_size=kernel_size, padding="same",
        kernel_initializer=initializer,
    )


def _optimized_block(x, filters, normalization, init, name):
    h = _conv(normalization, filters, 3, init(2**0.5), f"{name}_conv_0")(x)
    h = layers.ReLU(name=f"{name}_relu_1")(h)
    h = _conv(normalization, filters, 3, init(2**0.5), f"{name}_conv_1")(h)
    h = layers.AveragePooling2D(2, name=f"{name}_downsample")(h)
    shortcut = layers.AveragePooling2D(2, name=f"{name}_shortcut_downsample")(x)
    shortcut = _conv(normalization, filters, 1, init(), f"{name}_shortcut")(shortcut)
    return layers.Add(name=f"{name}_add")([h, shortcut])


def _discriminator_block(x, filters, downsample, normalization, init, name):
    in_filters = x.shape[-1]
    h = layers.ReLU(name=f"{name}_relu_0")(x)
    h = _conv(normalization, in_filters, 3, init(2**0.5), f"{name}_conv_0")(h)
    h = layers.ReLU(name=f"{name}_relu_1")(h)
    h = _conv(normalization, filters, 3, init(2**0.5), f"{name}_conv_1")(h)
    shortcut = x
    if downsample or in_filters != filters:
        shortcut = _conv(normalization, filters, 1, init(), f"{name}_shortcut")(shortcut)
    if downsample:
        h = layers.AveragePooling2D(2, name=f"{name}_downsample")(h)
        shortcut = layers.AveragePooling2D(2, name=f"{name}_shortcut_downsample")(shortcut)
    return layers.Add(name=f"{name}_add")([h, shortcut])


def resnet_discriminator(
    image_shape=(32, 32, 3),
    num_classes=None,
    base_filters=64,
    normalization="spectral",
    seed=None,
    name="resnet_discriminator",
):
    """Builds the SNGAN ResNet discriminator: images -> one logit per image `(batch, 1)`.

    An optimized first block, then residual blocks (ReLU and 3x3
    convolutions, 2x2 average pooling when downsampling; see the module
    docstring), ReLU, a sum over the spatial axes (`GlobalSumPooling2D`)
    giving the features `phi(x)`, and a dense layer `psi` to one logit with
    no activation (Miyato et al. 2018). Every convolution and dense layer
    is spectrally normalized by default. Widths, with `c = base_filters`
    (`/2`: the block halves the feature map):

    | size | blocks | features |
    |---|---|---|
    | 32 | 2c/2, 2c/2, 2c, 2c | 8x8x2c |
    | 64 | c/2, 2c/2, 4c/2, 8c/2, 16c/2 | 2x2x16c |
    | 128 | c/2, 2c/2, 4c/2, 8c/2, 16c/2, 16c | 4x4x16c |

    A conditional discriminator takes `[images, labels]` and is a
    projection discriminator (Miyato and Koyama 2018):

        logit = psi(phi(x)) + embed(y) . phi(x)

    with `embed` a `(num_classes, features)` table (layer `projection`,
    spectrally normalized too) and `.` the inner product (layer
    `projection_dot`).

    Args:
        image_shape: tuple. `(S, S, C)`, S in {32, 64, 128}, C in {1, 3}.
        num_classes: int or None. When set, the model takes
            `[images, labels]` (labels: integers `(batch,)`).
        base_filters: int. Width unit `c` (table above). Defaults to 64
            (SNGAN's widths).
        normalization: "spectral" or None. "spectral" wraps every
            convolution, dense and embedding layer in
            `keras_gans.architectures.SpectralNormalization`. There is no
            BatchNorm, so either suits a WGAN-GP critic.
        seed: int or None. Seeds the weight initialisers.
        name: str. Model name.

    Returns:
        A functional `keras.Model`.

    Example:

    >>> D = resnet_discriminator((64, 64, 3), base_filters=4)
    >>> tuple(D.output.shape)
    (None, 1)
    >>> D = resnet_discriminator((32, 32, 3), num_classes=10, base_filters=4)
    >>> tuple(D.get_layer("projection_dot").output.shape)
    (None, 1)
    """
    image_shape = _check_size(image_shape, "resnet_discriminator")
    _check_base_filters(base_filters)
    if normalization not in DISCRIMINATOR_NORMALIZATIONS:
        raise ValueError(
            f"Unknown `normalization`={normalization!r} for `resnet_discriminator`. Expected 'spectral' "
            "(SNGAN) or None (e.g. a WGAN-GP critic)."
        )
    widths, downsamples = _DISCRIMINATOR_WIDTHS[image_shape[0]]
    init = _Initializers(seed)
    images = keras.Input(image_shape, name="images")
    x = _optimized_block(images, widths[0] * base_filters, normalization, init, "block_0")
    for i, (width, downsample) in enumerate(zip(widths[1:], downsamples[1:]), start=1):
        x = _discriminator_block(x, width * base_filters, downsample, normalization, init, f"block_{i}")
    x = layers.ReLU(name="final_relu")(x)
    features = GlobalSumPooling2D(name="sum_pool")(x)
    logits = weight_layer(layers.Dense, normalization, "logit", units=1, kernel_initializer=init())(features)
    if num_classes is None:
        return keras.Model(images, logits, name=name)
    labels = keras.Input((), dtype="int32", name="labels")
    embedded = weight_layer(
        layers.Embedding, normalization, "projection", input_dim=num_classes,
        output_dim=features.shape[-1], embeddings_initializer=init(),
    )(labels)
    projection = layers.Dot(axes=1, name="projection_dot")([embedded, features])
    logits = layers.Add(name="logit_plus_projection")([logits, projection])
    return keras.Model([images, labels], logits, name=name)
