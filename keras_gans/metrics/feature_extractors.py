"""Feature networks for FID and KID: the zoo classifiers and InceptionV3.

Every extractor takes float NHWC images **in [0, 1]** and returns a NumPy
array `(N, D)`, batching internally. Its `name` goes into the evaluation
protocol ("FID (mnist classifier)" is the FID of `mnist_classifier` features),
and its `fingerprint()` (name + hash of the weights) keys the cache of real
features, so two networks with the same name but other weights never share
cached statistics.
"""

import hashlib

import keras
import numpy as np

from keras_gans.metrics.classifier import FEATURE_LAYER

CLASSIFIER_DATASETS = ("mnist", "fashion_mnist", "digits", "twemoji")


def validate_images(images, name="images"):
    """Checks that images are a finite float NHWC batch in [0, 1].

    Args:
        images: array-like `(N, H, W, C)` with C in {1, 3}; backend tensors
            are converted to NumPy.
        name: str. How to call the argument in error messages.

    Returns:
        float32 NumPy array.

    Raises:
        ValueError: saying what is wrong and how to fix it.

    Example:

    >>> validate_images(np.zeros((2, 28, 28, 1))).dtype
    dtype('float32')
    """
    images = np.asarray(keras.ops.convert_to_numpy(images), dtype="float32")
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"`{name}` must be an NHWC batch (N, height, width, channels) with 1 "
            f"or 3 channels; received shape {images.shape}. Add a channel axis "
            "with `images[..., None]` for grayscale."
        )
    if images.shape[0] == 0:
        raise ValueError(f"`{name}` is empty (shape {images.shape}); pass at least one image.")
    if not np.all(np.isfinite(images)):
        bad = int(np.sum(~np.isfinite(images)))
        raise ValueError(
            f"`{name}` contains {bad} NaN or infinite pixel values. Check the "
            "generator (a diverged GAN outputs NaN)."
        )
    low, high = float(images.min()), float(images.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"`{name}` must lie in [0, 1]; received values from {low:.4g} to "
            f"{high:.4g}. Map generator output in [-1, 1] with `(x + 1) / 2` "
            "(or use `keras_gans.generate_images`, which returns [0, 1])."
        )
    return images


def load_feature_classifier(dataset):
    """Loads the pretrained feature classifier of `dataset` from the zoo.

    The classifier is the preset `<dataset>_classifier`, packaged in the
    wheel (`zoo/<dataset>_classifier/` in the repository) and sha256-checked
    on load like any preset.

    Args:
        dataset: str. "mnist", "fashion_mnist", "digits" or "twemoji".

    Returns:
        The uncompiled `keras.Model` (images in [0, 1] -> class probabilities);
        its layer `"features"` is the feature layer.

    Example:

    >>> model = load_feature_classifier("mnist")
    >>> model.get_layer("features").output.shape
    (None, 128)
    """
    if dataset not in CLASSIFIER_DATASETS:
        raise ValueError(
            f"No pretrained feature classifier for dataset {dataset!r}. "
            f"Expected one of {list(CLASSIFIER_DATASETS)}, or pass your own "
            "`feature_extractor`."
        )
    # Through the preset resolver: the packaged file, checked by sha256.
    from keras_gans.presets import load_preset_model

    return load_preset_model(f"{dataset}_classifier")


def weights_fingerprint(model):
    """A short sha256 of a model's weights, to key caches of its features.

    Args:
        model: a built `keras.Model`.

    Returns:
        str of 12 hex digits.

    Example:

    >>> len(weights_fingerprint(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])))
    12
    """
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight)).tobytes())
    return digest.hexdigest()[:12]


def box_reduce_to_input(images, model):
    """Reduces images whose size is a whole multiple of `model`'s input size to it.

    Each `factor x factor` block becomes its mean: the box filter
    `load_dataset("twemoji", image_size=32)` applies to the 64x64 images, so a
    32x32 classifier sees 64x64 samples as it sees the 32x32 data. Images of
    any other size are returned unchanged (the model then checks them).

    Args:
        images: float array `(N, H, W, C)`.
        model: a `keras.Model` with a known input size.

    Returns:
        float32 NumPy array.

    Example:

    >>> model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten()])
    >>> box_reduce_to_input(np.ones((2, 64, 64, 3)), model).shape
    (2, 32, 32, 3)
    """
    images = np.asarray(images, dtype="float32")
    expected = tuple(model.inputs[0].shape[1:3]) if model.inputs else (None, None)
    if None in expected:
        return images
    factor = images.shape[1] // expected[0]
    if factor > 1 and images.shape[1:3] == (expected[0] * factor, expected[1] * factor):
        n, h, w, c = images.shape
        images = images.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))
    return images


class FeatureExtractor:
    """Maps images in [0, 1] to feature vectors with a Keras model, in batches.

    Runs `model.predict` (compiled once per model by the backend, then
    reused), so the first call is slower than the following ones.

    The common interface of FID/KID feature networks: `name` identifies the
    network in evaluation protocols, `__call__(images)` returns features as a
    NumPy array `(N, D)`. Subclasses: `ClassifierFeatureExtractor` (offline
    default for MNIST and Fashion-MNIST) and `InceptionFeatureExtractor`.

    Args:
        model: a `keras.Model` taking NHWC images in [0, 1] and returning
            `(N, D)` features.
        name: str. Name of the feature network, recorded in the protocol.
        batch_size: int. Images per forward pass. Defaults to 500.

    Example:

    >>> model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten()])
    >>> extractor = FeatureExtractor(model, name="pixels")
    >>> extractor(np.zeros((3, 28, 28, 1))).shape
    (3, 784)
    """

    def __init__(self, model, name, batch_size=500):
        if int(batch_size) < 1:
            raise ValueError(f"`batch_size` must be >= 1; received {batch_size}.")
        self.model = model
        self.name = name
        self.batch_size = int(batch_size)
        self._fingerprint = None

    def check_image_shape(self, images):
        """Raises a ValueError when images do not fit the model's input shape."""
        expected = tuple(self.model.inputs[0].shape[1:]) if self.model.inputs else None
        if expected is None:
            return
        for got, want in zip(images.shape[1:], expected):
            if want is not None and got != want:
                raise ValueError(
                    f"Feature network {self.name!r} expects images of shape "
                    f"(N, {', '.join(str(d) for d in expected)}); received "
                    f"{images.shape}. Use a feature network made for this "
                    "image size."
                )

    def fingerprint(self):
        """`name` plus a hash of the weights: the key of cached real features."""
        if self._fingerprint is None:
            self._fingerprint = f"{self.name}-{weights_fingerprint(self.model)}"
        return self._fingerprint

    def __call__(self, images):
        """Features of `images` (NHWC, [0, 1]) as a float32 NumPy array `(N, D)`."""
        images = validate_images(images)
        self.check_image_shape(images)
        batch_size = min(self.batch_size, images.shape[0])
        features = self.model.predict(images, batch_size=batch_size, verbose=0)
        features = np.asarray(keras.ops.convert_to_numpy(features), dtype="float32")
        return features.reshape(features.shape[0], -1)


class ClassifierFeatureExtractor(FeatureExtractor):
    """Penultimate-layer features of a zoo classifier: "FID (<dataset> classifier)".

    The offline default feature network for 28x28x1 datasets: the small CNN of
    `build_feature_classifier`, trained on the dataset's train images by
    `zoo/<dataset>_classifier/train.py`; features are the 128 ReLU
    activations of its layer `"features"`. Images: NHWC in [0, 1],
    `(N, 28, 28, 1)`.

    Images larger than the classifier's input by a whole factor (64x64
    Twemoji samples for the 32x32 `twemoji_classifier`) are first reduced to
    its input size by the mean of each `factor x factor` block, the same
    box filter `load_dataset("twemoji", image_size=32)` applies to the
    64x64 images; so 64x64 and 32x32 models are measured in one feature space
    (at 32x32: detail finer than the block does not count).

    Args:
        dataset: str. "mnist" or "fashion_mnist"; names the network
            `"<dataset>_classifier"`.
        model: optional `keras.Model`. A classifier to use instead of the one
            loaded by `load_feature_classifier(dataset)`.
        feature_layer: str. Name of the feature layer. Defaults to
            `"features"`.
        batch_size: int. Images per forward pass. Defaults to 500.

    Example:

    >>> extractor = ClassifierFeatureExtractor("mnist")
    >>> extractor(np.zeros((2, 28, 28, 1))).shape
    (2, 128)
    """

    def __init__(self, dataset, model=None, feature_layer=FEATURE_LAYER, batch_size=500):
        if model is None:
            model = load_feature_classifier(dataset)
        try:
            layer = model.get_layer(feature_layer)
        except ValueError as error:
            names = [layer.name for layer in model.layers]
            raise ValueError(
                f"The classifier has no layer {feature_layer!r}; its layers are "
                f"{names}. Pass `feature_layer=` with one of them."
            ) from error
        features = keras.Model(model.input, layer.output, name=f"{dataset}_features")
        super().__init__(features, name=f"{dataset}_classifier", batch_size=batch_size)
        self.dataset = dataset
        self.feature_layer = feature_layer

    def __call__(self, images):
        """Features of `images` (NHWC, [0, 1]); whole multiples of the input size are box-reduced first."""
        return super().__call__(box_reduce_to_input(validate_images(images), self.model))


def build_inception_feature_model(weights="imagenet", input_shape=(None, None, 1)):
    """InceptionV3 pool features (2048-D) for images in [0, 1] of any size.

    Inside the model: bilinear resize to 299x299, grayscale replicated to 3
    channels, pixels scaled from [0, 1] to [-1, 1] (what
    `keras.applications.inception_v3.preprocess_input` does to [0, 255]), then
    `keras.applications.InceptionV3(include_top=False, pooling="avg")`.

    Args:
        weights: "imagenet" (downloads once into the Keras cache), None
            (random initialisation: for tests only) or a path to weights.
        input_shape: tuple `(H, W, C)`, C in {1, 3}. Defaults to
            `(None, None, 1)`.

    Returns:
        A `keras.Model` mapping `(N, H, W, C)` to `(N, 2048)`.

    Example:

    >>> model = build_inception_feature_model(weights=None)
    >>> model.output.shape
    (None, 2048)
    """
    channels = input_shape[-1]
    if channels not in (1, 3):
        raise ValueError(
            f"InceptionV3 features need 1 or 3 input channels; received "
            f"input_shape={input_shape!r}."
        )
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    x = keras.layers.Resizing(299, 299, interpolation="bilinear", name="resize")(inputs)
    x = keras.layers.Rescaling(2.0, offset=-1.0, name="to_minus_one_one")(x)
    if channels == 1:
        x = keras.layers.Concatenate(name="gray_to_rgb")([x, x, x])
    inception = keras.applications.InceptionV3(
        include_top=False, pooling="avg", weights=weights, input_shape=(299, 299, 3)
    )
    outputs = inception(x)
    return keras.Model(inputs, outputs, name="inception_v3_features")


class InceptionFeatureExtractor(FeatureExtractor):
    """InceptionV3 pool features (2048-D), the standard FID feature network.

    Needs the ImageNet weights (downloaded once by Keras, about 90 MB) and is
    slow on CPU (about 6 GFLOPs per image at 299x299): use it on a GPU or for
    comparison with published FIDs; the zoo classifiers are the offline
    default. Images: NHWC in [0, 1], 1 or 3 channels, any size.

    Args:
        weights: "imagenet", None (random weights: plumbing tests only) or a
            weights path. Defaults to "imagenet".
        channels: int. 1 for grayscale input (replicated to RGB) or 3.
            Defaults to 1.
        batch_size: int. Images per forward pass. Defaults to 32.

    Example:

    >>> extractor = InceptionFeatureExtractor(weights=None)
    >>> extractor(np.zeros((2, 28, 28, 1))).shape
    (2, 2048)
    """

    def __init__(self, weights="imagenet", channels=1, batch_size=32):
        model = build_inception_feature_model(weights, input_shape=(None, None, channels))
        name = "inception_v3" if weights == "imagenet" else f"inception_v3(weights={weights})"
        super().__init__(model, name=name, batch_size=batch_size)
        self.weights = weights
