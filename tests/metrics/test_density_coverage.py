"""Density and coverage (Naeem et al. 2020): closed forms, the authors' `prdc`, and the metric object."""

import doctest
import importlib

import keras
import numpy as np
import pytest

from keras_gans import evaluation
from keras_gans.metrics import DensityCoverage, PrecisionRecall, density_coverage, precision_recall
from keras_gans.metrics.classifier import build_feature_classifier
from keras_gans.metrics.feature_extractors import ClassifierFeatureExtractor

prdc = pytest.importorskip("prdc")  # the authors' reference code (the `test` extra)

# `keras_gans.metrics.density_coverage` is the function; this is its module.
DC_MODULE = importlib.import_module("keras_gans.metrics.density_coverage")


def column(*values):
    return np.array(values, dtype="float64")[:, None]


def test_hand_made_sets_closed_form():
    real = column(0, 1, 2, 10)  # k=1 radii 1, 1, 1, 8
    # 0.5 lies in the balls of 0 and 1, 9 in the ball of 10, 20 in none:
    # 3 (fake, ball) pairs over k M = 3 fakes; balls of 0, 1 and 10 covered.
    assert density_coverage(real, column(0.5, 9, 20), k=1) == {"density": 1.0, "coverage": 0.75}
    # On a boundary is outside (strict <, as in the reference code): 1.0 is
    # at distance 1 from 0 and 2 (radius 1), inside only the ball of 1.
    assert density_coverage(real, column(1.0), k=1) == {"density": 1.0, "coverage": 0.25}
    # k=2 radii 2, 1, 2, 9: a fake at 1 lies in the balls of 0 and 2 too.
    assert density_coverage(real, column(1.0), k=2) == {"density": 1.5, "coverage": 0.75}
    assert density_coverage(real, column(100.0, -50.0), k=3) == {"density": 0.0, "coverage": 0.0}


def _random_sets(seed, num_real, num_fake, dim):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(num_real, dim))
    fake = rng.normal(loc=0.3, scale=rng.uniform(0.7, 1.5), size=(num_fake, dim))
    return real, fake


@pytest.mark.parametrize("num_real, num_fake, dim, k", [
    (60, 60, 2, 1), (100, 80, 8, 3), (150, 200, 16, 5), (300, 300, 64, 5), (257, 130, 32, 10),
])
def test_equals_the_authors_reference_code(num_real, num_fake, dim, k, capsys):
    real, fake = _random_sets(num_real + k, num_real, num_fake, dim)
    theirs = prdc.compute_prdc(real, fake, nearest_k=k)
    capsys.readouterr()  # prdc prints the set sizes
    ours = {**precision_recall(real, fake, k=k), **density_coverage(real, fake, k=k, block_size=64)}
    assert (ours["precision"], ours["recall"], ours["coverage"]) == (
        theirs["precision"], theirs["recall"], theirs["coverage"]
    )
    # Density is a count of (fake, ball) pairs over k M: the same count, summed in another order.
    assert round(ours["density"] * k * num_fake) == round(theirs["density"] * k * num_fake)
    assert ours["density"] == pytest.approx(theirs["density"], rel=1e-12)


def test_fakes_from_the_real_distribution_match_the_papers_expectations():
    # E[density] = 1 and E[coverage] = 1 - prod_{i=1..k} (N - i) / (N + M - i).
    rng = np.random.default_rng(0)
    n, k, trials = 200, 5, 30
    scores = [density_coverage(rng.normal(size=(n, 2)), rng.normal(size=(n, 2)), k=k) for _ in range(trials)]
    expected_coverage = 1 - np.prod([(n - i) / (2 * n - i) for i in range(1, k + 1)])
    assert np.mean([s["density"] for s in scores]) == pytest.approx(1.0, abs=0.03)
    assert np.mean([s["coverage"] for s in scores]) == pytest.approx(expected_coverage, abs=0.01)
    # Samples crowded at the mode: in 2-D they cover a small part of the real
    # balls; in 16-D the mode lies inside many real balls, so density >> 1.
    crowded = density_coverage(rng.normal(size=(n, 2)), 0.1 * rng.normal(size=(n, 2)), k=k)
    assert crowded["coverage"] < 0.2 and 0.5 < crowded["density"] < 1.5
    assert density_coverage(rng.normal(size=(n, 16)), 0.5 * rng.normal(size=(n, 16)), k=k)["density"] > 3


@pytest.mark.parametrize("kwargs, message", [
    (dict(real_features=np.zeros(10), fake_features=np.zeros((10, 2))), "real_features.*2D"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 3))), "same dimension.*2 and 3"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 2)), k=10), r"\[1, 9\].*k=10"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.full((10, 2), np.nan)), "fake_features.*NaN"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 2)), block_size=0), "block_size"),
])
def test_bad_input_raises_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        density_coverage(**kwargs)


def test_metric_object_in_evaluate_generator_equals_the_pure_function():
    extractor = ClassifierFeatureExtractor("mnist", model=build_feature_classifier(feature_dim=16))
    noise = lambda n, seed: np.random.default_rng(seed).uniform(size=(n, 28, 28, 1))  # noqa: E731
    evaluation.clear_feature_cache()
    kwargs = dict(num_samples=120, num_real=150, feature_extractor=extractor, cache=False)
    result = evaluation.evaluate_generator(noise, "mnist", metrics=[PrecisionRecall(k=5), DensityCoverage(k=5)], **kwargs)
    real = evaluation.real_features("mnist", "test", 150, extractor, cache=False)["features"]
    fake = extractor(noise(120, 0).astype("float32"))
    expected = density_coverage(real[:120], fake, k=5)  # both sets cut to the smaller size
    assert (result["density"], result["coverage"]) == pytest.approx((expected["density"], expected["coverage"]), abs=1e-12)
    assert result["protocol"]["density_coverage_k"] == 5 and result["protocol"]["density_coverage_samples"] == 120
    assert result["precision"] == pytest.approx(precision_recall(real[:120], fake, k=5)["precision"], abs=1e-12)
    fixed = evaluation.evaluate_generator(noise, "mnist", metrics=[DensityCoverage(k=3, num_samples=100)], **kwargs)
    expected = density_coverage(real[:100], fake[:100], k=3)
    assert (fixed["density"], fixed["coverage"]) == pytest.approx((expected["density"], expected["coverage"]), abs=1e-12)
    with pytest.raises(ValueError, match=r"DensityCoverage\(num_samples=200\).*120 generated and 150 real"):
        evaluation.evaluate_generator(noise, "mnist", metrics=[DensityCoverage(num_samples=200)], **kwargs)


def test_metric_object_validates_and_round_trips_its_config():
    with pytest.raises(ValueError, match="`k` must be an integer >= 1"):
        DensityCoverage(k=0)
    with pytest.raises(ValueError, match="`num_samples` must be an integer >= 6"):
        DensityCoverage(k=5, num_samples=5)
    metric = DensityCoverage(k=4, num_samples=50, block_size=128)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert type(restored) is DensityCoverage and restored.get_config() == metric.get_config()
    assert metric.settings(80, 90) == {"density_coverage_k": 4, "density_coverage_samples": 50}


def test_docstring_examples():
    result = doctest.testmod(DC_MODULE, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
