import json

import numpy as np
import pytest

from keras_gans.data import load_dataset
from keras_gans.evaluation import real_images
from keras_gans.metrics.classifier import FEATURE_LAYER, build_feature_classifier
from keras_gans.metrics.feature_extractors import (
    ClassifierFeatureExtractor,
    load_feature_classifier,
)
from keras_gans.presets import packaged_zoo_dir


def test_builder_shapes():
    model = build_feature_classifier()
    assert model.output.shape == (None, 10)
    assert model.get_layer(FEATURE_LAYER).output.shape == (None, 128)
    with pytest.raises(ValueError, match="image_shape"):
        build_feature_classifier(image_shape=(28, 28))


def test_unknown_dataset_raises():
    with pytest.raises(ValueError, match="No pretrained feature classifier.*'cifar10'"):
        load_feature_classifier("cifar10")


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_zoo_classifier_matches_its_preset_card(dataset):
    folder = packaged_zoo_dir() / f"{dataset}_classifier"
    preset = json.loads((folder / "preset.json").read_text())
    assert preset["name"] == f"{dataset}_classifier"
    assert preset["kind"] == "classifier" and preset["dataset"] == dataset
    assert (folder / preset["weights"]).stat().st_size < 2_000_000
    model = load_feature_classifier(dataset)
    assert model.get_layer(preset["feature_layer"]).output.shape == (None, 128)
    # Re-measure the test accuracy on this backend: the card must be honest.
    images = real_images(dataset, "test", 10000)
    _, labels = load_dataset(dataset, "test")
    probs = model.predict(images, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(probs, axis=-1) == labels))
    assert accuracy == pytest.approx(preset["test_accuracy"], abs=2e-3)
    assert f"{preset['test_accuracy']:.4f}" in (folder / "README.md").read_text()
    features = ClassifierFeatureExtractor(dataset, model=model)(images[:8])
    assert features.shape == (8, 128) and np.all(features >= 0.0)
