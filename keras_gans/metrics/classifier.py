"""The small CNN classifier whose penultimate layer defines "FID (<dataset> classifier)".

InceptionV3 features need a download and about 6 GFLOPs per image; for 28x28
grayscale datasets a small classifier trained on the dataset itself is the
offline, CPU-friendly default. The recipes that train it live in
`zoo/<dataset>_classifier/train.py`; this module only holds the architecture,
shared by both recipes so the two feature networks are the same shape.
"""

import keras

FEATURE_LAYER = "features"
"""Name of the penultimate (feature) layer of `build_feature_classifier`."""


def _conv_block(x, filters, name):
    x = keras.layers.Conv2D(
        filters, 3, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    x = keras.layers.ReLU(name=f"{name}_relu")(x)
    return keras.layers.MaxPooling2D(2, name=f"{name}_pool")(x)


def build_feature_classifier(
    image_shape=(28, 28, 1), num_classes=10, feature_dim=128, dropout=0.3
):
    """Builds the small CNN classifier used as the offline FID feature network.

    Three conv blocks (conv 3x3 -> batch norm -> ReLU -> max pool 2x2) with 32,
    64 and 128 filters, then flatten, a dense ReLU layer named `"features"`
    (the penultimate layer, whose activations are the FID/KID features),
    dropout and a softmax output. The model takes NHWC images in [0, 1].
    The model is returned uncompiled.

    Args:
        image_shape: tuple. Input shape `(height, width, channels)`.
            Defaults to `(28, 28, 1)`.
        num_classes: int. Number of output classes. Defaults to 10.
        feature_dim: int. Width of the `"features"` layer. Defaults to 128.
        dropout: float. Dropout rate between features and logits.
            Defaults to 0.3.

    Returns:
        An uncompiled `keras.Model` mapping images in [0, 1] to class
        probabilities.

    Example:

    >>> model = build_feature_classifier()
    >>> model.get_layer("features").output.shape
    (None, 128)
    """
    if len(image_shape) != 3:
        raise ValueError(
            "`image_shape` must be (height, width, channels), e.g. (28, 28, 1); "
            f"received {image_shape!r}."
        )
    inputs = keras.Input(shape=tuple(image_shape), name="images")
    x = inputs
    for i, filters in enumerate((32, 64, 128)):
        x = _conv_block(x, filters, name=f"block{i + 1}")
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(feature_dim, activation="relu", name=FEATURE_LAYER)(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="feature_classifier")
