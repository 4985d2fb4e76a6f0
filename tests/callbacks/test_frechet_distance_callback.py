"""FrechetDistance with a tiny feature extractor, and with the dataset's zoo classifier."""

import os

import keras
import numpy as np
import pytest

from keras_gans import metrics
from keras_gans.callbacks import FrechetDistance

_PROJECTION = np.random.default_rng(0).standard_normal((64, 8)).astype("float32")


def _features(images):
    """Flattened 8x8 images times a fixed random projection: (n, 8)."""
    return np.asarray(images, dtype="float32").reshape(len(images), -1) @ _PROJECTION


def test_fid_in_history_and_checkpoint(tmp_path, digits, tiny_gan):
    gan = tiny_gan()
    fid = FrechetDistance(digits[0][:64], num_samples=64, feature_extractor=_features)
    path = str(tmp_path / "best.keras")
    best = keras.callbacks.ModelCheckpoint(path, monitor="fid", mode="min", save_best_only=True)
    history = gan.fit(digits[0], epochs=2, batch_size=32, verbose=0, callbacks=[fid, best])
    values = history.history["fid"]
    assert len(values) == 2 and all(np.isfinite(v) and v > 0 for v in values)
    assert values[0] != values[1]
    assert os.path.exists(path)
    expected = metrics.frechet_distance_from_features(
        _features(gan.generate(64, seed=0)), _features((digits[0][:64] + 1) / 2)
    )
    assert values[-1] == pytest.approx(expected, rel=1e-4)


def test_every_n_epochs_and_errors(digits, tiny_gan):
    gan = tiny_gan()
    fid = FrechetDistance(digits[0][:32], every_n_epochs=2, feature_extractor=_features, name="my_fid")
    history = gan.fit(digits[0][:32], epochs=2, batch_size=32, verbose=0, callbacks=[fid])
    assert len(history.history["my_fid"]) == 1
    with pytest.raises(ValueError, match="real_images"):
        FrechetDistance(np.zeros((1, 8, 8, 1)))


def test_default_features_are_the_dataset_classifier(digits, tiny_gan):
    gan = tiny_gan()
    fid = FrechetDistance(digits[0][:64], num_samples=64, dataset="digits")
    history = gan.fit(digits[0][:64], epochs=1, batch_size=32, verbose=0, callbacks=[fid])
    extractor = metrics.ClassifierFeatureExtractor("digits")
    expected = metrics.frechet_distance_from_features(
        extractor(gan.generate(64, seed=0)), extractor((digits[0][:64] + 1) / 2)
    )
    assert history.history["fid"][-1] == pytest.approx(expected, rel=1e-3)
