import itertools

import numpy as np
import pytest

from keras_gans.metrics.kernel_inception_distance import (
    kernel_inception_distance,
    mmd2_unbiased,
    polynomial_kernel,
)


def brute_force_mmd2(x, y):
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3, written out pair by pair."""
    d = x.shape[1]
    k = lambda a, b: (float(np.dot(a, b)) / d + 1.0) ** 3  # noqa: E731
    m = len(x)
    xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(m), 2))
    yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(m), 2))
    xy = sum(k(a, b) for a in x for b in y)
    return xx / (m * (m - 1)) + yy / (m * (m - 1)) - 2.0 * xy / (m * m)


def test_kernel_and_mmd2_match_brute_force():
    x = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[3.0, 0.0]])
    np.testing.assert_allclose(polynomial_kernel(x, y), [[(3 / 2 + 1) ** 3], [1.0]])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(7, 4)), rng.normal(loc=0.3, size=(7, 4))
    np.testing.assert_allclose(mmd2_unbiased(x, y), brute_force_mmd2(x, y), rtol=1e-10)


def test_kid_matches_brute_force_over_seeded_subsets():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(12, 3)), rng.normal(scale=1.5, size=(10, 3))
    kid_mean, kid_std = kernel_inception_distance(x, y, num_subsets=4, subset_size=6, seed=7)
    draw = np.random.default_rng(7)
    estimates = []
    for _ in range(4):
        xs = x[draw.choice(12, 6, replace=False)]
        ys = y[draw.choice(10, 6, replace=False)]
        estimates.append(brute_force_mmd2(xs, ys))
    np.testing.assert_allclose(kid_mean, np.mean(estimates), rtol=1e-10)
    np.testing.assert_allclose(kid_std, np.std(estimates), rtol=1e-8)


def test_about_zero_for_same_distribution_and_increasing_with_mean_shift():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    kid_mean, kid_std = kernel_inception_distance(x, y, num_subsets=20, subset_size=300)
    assert abs(kid_mean) < 0.02
    assert kid_std < 0.05
    shifted, _ = kernel_inception_distance(x, y + 0.5, num_subsets=20, subset_size=300)
    assert abs(kid_mean) < 0.02 * shifted
    x, y = x[:400, :8], y[:400, :8]
    kids = [
        kernel_inception_distance(x, y + shift, num_subsets=10, subset_size=200)[0]
        for shift in (0.0, 0.25, 0.5, 1.0)
    ]
    assert all(a < b for a, b in zip(kids, kids[1:])), kids
    assert kids[-1] > 0.5


def test_seed_makes_kid_deterministic():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(50, 4)), rng.normal(size=(50, 4))
    first = kernel_inception_distance(x, y, num_subsets=3, subset_size=20, seed=5)
    assert first == kernel_inception_distance(x, y, num_subsets=3, subset_size=20, seed=5)
    assert first != kernel_inception_distance(x, y, num_subsets=3, subset_size=20, seed=6)


def test_bad_inputs_raise_clear_errors():
    x = np.zeros((10, 4))
    with pytest.raises(ValueError, match="subset_size.*min\\(N1, N2\\) = 10"):
        kernel_inception_distance(x, x, subset_size=11)
    with pytest.raises(ValueError, match="same dimension"):
        kernel_inception_distance(x, np.zeros((10, 5)), subset_size=5)
    with pytest.raises(ValueError, match="NaN"):
        kernel_inception_distance(x, np.full((10, 4), np.nan), subset_size=5)
    with pytest.raises(ValueError, match="num_subsets"):
        kernel_inception_distance(x, x, num_subsets=0, subset_size=5)
