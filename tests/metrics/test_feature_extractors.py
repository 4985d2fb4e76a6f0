import keras
import numpy as np
import pytest

from keras_gans.metrics.classifier import build_feature_classifier
from keras_gans.metrics.feature_extractors import (
    ClassifierFeatureExtractor,
    FeatureExtractor,
    InceptionFeatureExtractor,
    validate_images,
)


def tiny_classifier():
    return build_feature_classifier(feature_dim=16)


BAD_IMAGES = [
    (np.zeros((28, 28, 1)), "NHWC"),
    (np.zeros((2, 28, 28, 2)), "1 or 3 channels"),
    (np.zeros((0, 28, 28, 1)), "empty"),
    (np.full((2, 28, 28, 1), -0.5), r"\[0, 1\].*\(x \+ 1\) / 2"),
    (np.full((2, 28, 28, 1), 255.0), r"\[0, 1\]"),
    (np.full((2, 28, 28, 1), np.nan), "NaN"),
]


def test_validate_images():
    images = validate_images(np.ones((2, 4, 4, 3), dtype="float64"))
    assert images.dtype == np.float32 and images.shape == (2, 4, 4, 3)
    for images, message in BAD_IMAGES:
        with pytest.raises(ValueError, match=message):
            validate_images(images)


def test_batching_does_not_change_features():
    model = tiny_classifier()
    images = np.random.default_rng(0).uniform(size=(7, 28, 28, 1))
    one_batch = ClassifierFeatureExtractor("mnist", model=model, batch_size=100)(images)
    small_batches = ClassifierFeatureExtractor("mnist", model=model, batch_size=3)(images)
    assert one_batch.shape == (7, 16) and one_batch.dtype == np.float32
    np.testing.assert_allclose(one_batch, small_batches, rtol=1e-5, atol=1e-6)
    reference = keras.Model(model.input, model.get_layer("features").output)
    np.testing.assert_allclose(
        one_batch, keras.ops.convert_to_numpy(reference(images)), rtol=1e-5, atol=1e-6
    )


def test_classifier_extractor_checks_layer_and_image_shape():
    model = tiny_classifier()
    with pytest.raises(ValueError, match="no layer 'pool5'"):
        ClassifierFeatureExtractor("mnist", model=model, feature_layer="pool5")
    extractor = ClassifierFeatureExtractor("mnist", model=model)
    assert extractor.name == "mnist_classifier"
    with pytest.raises(ValueError, match=r"expects images of shape \(N, 28, 28, 1\)"):
        extractor(np.zeros((2, 32, 32, 1)))
    # The fingerprint (cache key) depends on the weights, not only the name.
    first = extractor
    second = ClassifierFeatureExtractor("mnist", model=tiny_classifier())
    assert first.name == second.name
    assert first.fingerprint() != second.fingerprint()
    assert first.fingerprint() == first.fingerprint()


def test_generic_extractor_flattens_and_rejects_bad_batch_size():
    model = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3)])
    assert FeatureExtractor(model, name="conv")(np.zeros((3, 5, 5, 1))).shape == (3, 18)
    with pytest.raises(ValueError, match="batch_size"):
        FeatureExtractor(model, name="conv", batch_size=0)


def test_inception_extractor_shapes_and_plumbing():
    # weights=None: random InceptionV3, for shapes and plumbing only.
    extractor = InceptionFeatureExtractor(weights=None, batch_size=1)
    assert extractor.name == "inception_v3(weights=None)"
    model = extractor.model
    assert model.get_layer("resize").output.shape == (None, 299, 299, 1)
    assert model.get_layer("gray_to_rgb").output.shape == (None, 299, 299, 3)
    images = np.random.default_rng(0).uniform(size=(2, 28, 28, 1)).astype("float32")
    features = extractor(images)
    assert features.shape == (2, 2048) and np.all(np.isfinite(features))
    # The scaling stage maps [0, 1] to [-1, 1], what InceptionV3 expects.
    scale = keras.Model(model.inputs, model.get_layer("to_minus_one_one").output)
    scaled = keras.ops.convert_to_numpy(scale(np.ones((1, 28, 28, 1))))
    np.testing.assert_allclose(scaled, 1.0, atol=1e-6)
