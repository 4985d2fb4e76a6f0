"""A short run on real data (the 8x8 digits) actually learns.

Judged without the discriminator: a logistic-regression digit classifier
trained on the real images becomes more confident on generated samples, and
samples move closer to their nearest real test image.
"""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.data import load_dataset

sklearn_linear = pytest.importorskip("sklearn.linear_model")


def sample_quality(gan, classifier, real_test):
    samples = gan.generate(300, seed=1).reshape(300, -1)
    nearest = np.sqrt(((samples[:, None, :] - real_test[None]) ** 2).sum(-1)).min(1).mean()
    confidence = classifier.predict_proba(samples).max(1).mean()
    return float(nearest), float(confidence)


def test_nonsaturating_gan_learns_digits():
    # fit's shuffling draws from the global seed: fixed here, so the result does not depend on test order.
    keras.utils.set_random_seed(0)
    x, y = load_dataset("digits", "train")
    x_test, _ = load_dataset("digits", "test")
    to_unit = lambda images: (images.reshape(len(images), -1) + 1) / 2  # noqa: E731
    classifier = sklearn_linear.LogisticRegression(max_iter=2000).fit(to_unit(x), y)
    G = keras_gans.architectures.mlp_generator(16, hidden_units=(64, 64), seed=0)
    D = keras_gans.architectures.mlp_discriminator(hidden_units=(64, 64), seed=1)
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=16, seed=0)
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    nearest_before, confidence_before = sample_quality(gan, classifier, to_unit(x_test))
    gan.fit(x, epochs=20, batch_size=64, verbose=0)
    nearest_after, confidence_after = sample_quality(gan, classifier, to_unit(x_test))
    assert confidence_after > confidence_before + 0.15, (confidence_before, confidence_after)
    assert nearest_after < 0.9 * nearest_before, (nearest_before, nearest_after)
