"""Improved precision and recall (Kynkäänniemi et al. 2019): closed forms, mode dropping, bad input."""

import doctest
import importlib

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.metrics import PrecisionRecall, knn_radii, precision_recall
from keras_gans.metrics import sample_metrics

# `keras_gans.metrics.precision_recall` is the function; this is its module.
PR_MODULE = importlib.import_module("keras_gans.metrics.precision_recall")


def column(*values):
    return np.array(values, dtype="float64")[:, None]


def test_radius_is_the_distance_to_the_kth_nearest_other_point():
    points = column(0, 1, 2, 10)
    np.testing.assert_array_equal(knn_radii(points, k=1), [1, 1, 1, 8])
    np.testing.assert_array_equal(knn_radii(points, k=2), [2, 1, 2, 9])
    np.testing.assert_array_equal(knn_radii(points, k=3), [10, 9, 8, 10])
    # A duplicate is another point at distance 0, not the point itself.
    np.testing.assert_array_equal(knn_radii(column(0, 0, 5), k=1), [0, 0, 5])
    # 2D: a 3-4-5 triangle plus a far point.
    triangle = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [30.0, 40.0]])
    np.testing.assert_allclose(knn_radii(triangle, k=1), [3, 3, 4, np.hypot(30, 36)])  # (0, 4) is nearest


def test_hand_made_sets_closed_form():
    real = column(0, 1, 2, 10)  # k=1 radii 1, 1, 1, 8
    fake = column(0.5, 5, 20, 21)  # k=1 radii 4.5, 4.5, 1, 1
    # Fakes 0.5 (ball of 0) and 5 (ball of 10, radius 8) are inside; 20, 21 not.
    # Reals 0, 1, 2 lie in the ball of 0.5 (radius 4.5); 10 in none.
    assert precision_recall(real, fake, k=1) == {"precision": 0.5, "recall": 0.75}
    # k=2: radius of 10 is 9 (20 still out); the ball of 0.5 grows to 19.5.
    assert precision_recall(real, fake, k=2) == {"precision": 0.5, "recall": 1.0}
    # Swapping the roles swaps the scores.
    assert precision_recall(fake, real, k=1) == {"precision": 0.75, "recall": 0.5}


def test_a_point_on_a_ball_boundary_counts_as_inside():
    # Real radii (k=1) are 1; fake 2 is exactly 1 away from real 1.
    scores = precision_recall(column(0, 1), column(2, 5), k=1)
    assert scores["precision"] == 0.5


def test_identical_sets_give_one_and_one():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(300, 16))
    assert precision_recall(features, features, k=3) == {"precision": 1.0, "recall": 1.0}
    assert PrecisionRecall(k=5)(features, features.copy()) == {"precision": 1.0, "recall": 1.0}


def brute_force(real, fake, k):
    """The definition, with full distance matrices and sorting (no blocks)."""
    def radii(points):
        d = np.linalg.norm(points[:, None] - points[None], axis=-1)
        return np.sort(d, axis=1)[:, k]  # column 0 is the point itself

    cross = np.linalg.norm(fake[:, None] - real[None], axis=-1)
    precision = np.mean(np.any(cross <= radii(real)[None, :], axis=1))
    recall = np.mean(np.any(cross <= radii(fake)[:, None], axis=0))
    return precision, recall


@pytest.mark.parametrize("block_size", [1, 7, 64, 1024])
def test_blocks_give_the_brute_force_result(block_size):
    rng = np.random.default_rng(1)
    real = rng.normal(size=(150, 5))
    fake = rng.normal(loc=0.3, scale=1.2, size=(110, 5))
    expected = brute_force(real, fake, k=3)
    scores = precision_recall(real, fake, k=3, block_size=block_size)
    assert (scores["precision"], scores["recall"]) == pytest.approx(expected, abs=1e-12)
    assert 0.2 < expected[0] < 0.95 and 0.2 < expected[1] < 0.95  # a non-trivial case


def gaussian_clusters(rng, modes, num, means):
    chosen = rng.choice(modes, num)
    return means[chosen] + rng.normal(size=(num, means.shape[1])), chosen


def test_dropping_half_the_modes_keeps_precision_and_halves_recall():
    rng = np.random.default_rng(0)
    means = rng.normal(scale=20.0, size=(10, 4))  # 10 well separated modes
    real, real_modes = gaussian_clusters(rng, np.arange(10), 1000, means)
    full, _ = gaussian_clusters(rng, np.arange(10), 1000, means)
    dropped, _ = gaussian_clusters(rng, np.arange(5), 1000, means)  # modes 0..4 only
    good = precision_recall(real, full, k=3)
    collapsed = precision_recall(real, dropped, k=3)
    assert good["precision"] > 0.85 and good["recall"] > 0.85
    assert collapsed["precision"] == pytest.approx(good["precision"], abs=0.03)
    # Recall drops to the share of real points in the kept modes (about half).
    kept_share = np.mean(real_modes < 5)
    assert collapsed["recall"] == pytest.approx(good["recall"] * kept_share, abs=0.03)
    assert 0.4 < collapsed["recall"] < 0.55


def test_unrealistic_samples_lose_precision():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(500, 4))
    far = rng.normal(loc=10.0, size=(500, 4))
    assert precision_recall(real, far, k=3) == {"precision": 0.0, "recall": 0.0}
    half_far = np.concatenate([rng.normal(size=(250, 4)), far[:250]])
    assert precision_recall(real, half_far, k=3)["precision"] == pytest.approx(0.5, abs=0.06)


BAD_INPUTS = [
    (dict(real_features=np.zeros(10), fake_features=np.zeros((10, 2))), "real_features.*2D"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 3))), "same dimension.*2 and 3"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 2)), k=0), r"\[1, 9\].*k=0"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((4, 2)), k=4), r"\[1, 3\].*N=4.*k=4"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 2)), k=2.5), "integer"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 2)), k=True), "integer"),
    (dict(real_features=np.zeros((1, 2)), fake_features=np.zeros((10, 2)), k=1), r"\[1, 0\].*N=1"),
    (dict(real_features=np.full((10, 2), np.nan), fake_features=np.zeros((10, 2))), "real_features.*NaN"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.full((10, 2), np.inf)), "fake_features.*NaN or inf"),
    (dict(real_features=np.zeros((10, 2)), fake_features=np.zeros((10, 2)), block_size=0), "block_size"),
]


@pytest.mark.parametrize("kwargs, message", BAD_INPUTS)
def test_bad_input_raises_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        precision_recall(**kwargs)


def test_metric_objects_validate_and_round_trip_their_config():
    with pytest.raises(ValueError, match="`k` must be an integer >= 1"):
        PrecisionRecall(k=0)
    with pytest.raises(ValueError, match="`subsets`"):
        keras_gans.metrics.KID(subsets=0)
    for metric in (PrecisionRecall(k=5, block_size=256), keras_gans.metrics.KID(7, 50), keras_gans.metrics.FID()):
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
        assert type(restored) is type(metric) and restored.get_config() == metric.get_config()


def test_docstring_examples():
    for module in (PR_MODULE, sample_metrics):
        result = doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0
