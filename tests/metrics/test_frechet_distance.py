import numpy as np
import pytest
import scipy.linalg

from keras_gans.metrics.frechet_distance import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_features,
    symmetric_sqrt,
    trace_sqrt_product,
)


def random_spd(rng, dim, rank=None):
    a = rng.normal(size=(dim, rank or dim))
    return a @ a.T + (1e-3 * np.eye(dim) if rank is None else 0.0)


def test_diagonal_and_scaled_gaussians_match_closed_forms():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    s1, s2 = rng.uniform(0.1, 3.0, 6), rng.uniform(0.1, 3.0, 6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2))
    got = frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    # sigma2 = c^2 sigma1 => Tr((s1 s2)^1/2) = c Tr(s1), FD = (1 - c)^2 Tr(s1).
    rng = np.random.default_rng(1)
    sigma = random_spd(rng, 8)
    got = frechet_distance(np.zeros(8), sigma, np.zeros(8), 9.0 * sigma)
    np.testing.assert_allclose(got, 4.0 * np.trace(sigma), rtol=1e-9)


def test_identical_statistics_give_zero_and_mean_shift_its_squared_norm():
    rng = np.random.default_rng(2)
    mu, sigma = rng.normal(size=16), random_spd(rng, 16)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-8
    shift = rng.normal(size=16)
    got = frechet_distance(mu, sigma, mu + shift, sigma)
    np.testing.assert_allclose(got, shift @ shift, rtol=1e-7)


def test_trace_term_agrees_with_scipy_sqrtm():
    for seed in range(3):
        check_against_scipy(np.random.default_rng(seed))


def check_against_scipy(rng):
    sigma1, sigma2 = random_spd(rng, 12), random_spd(rng, 12)
    reference = np.trace(scipy.linalg.sqrtm(sigma1 @ sigma2)).real
    np.testing.assert_allclose(trace_sqrt_product(sigma1, sigma2), reference, rtol=1e-8)
    mu1, mu2 = rng.normal(size=12), rng.normal(size=12)
    expected = (
        np.sum((mu1 - mu2) ** 2)
        + np.trace(sigma1)
        + np.trace(sigma2)
        - 2 * reference
    )
    np.testing.assert_allclose(frechet_distance(mu1, sigma1, mu2, sigma2), expected, rtol=1e-8)


def test_singular_covariances_stay_real_and_non_negative():
    # Fewer samples than dimensions: rank-deficient covariances, where a
    # general sqrtm of sigma1 @ sigma2 picks up complex round-off.
    rng = np.random.default_rng(4)
    sigma1, sigma2 = random_spd(rng, 64, rank=5), random_spd(rng, 64, rank=5)
    value = frechet_distance(np.zeros(64), sigma1, np.zeros(64), sigma2)
    assert isinstance(value, float) and np.isfinite(value) and value >= 0.0
    assert abs(frechet_distance(np.zeros(64), sigma1, np.zeros(64), sigma1)) < 1e-6


def test_symmetric_sqrt_squares_back():
    rng = np.random.default_rng(5)
    sigma = random_spd(rng, 7)
    root = symmetric_sqrt(sigma)
    np.testing.assert_allclose(root @ root, sigma, atol=1e-9)
    np.testing.assert_allclose(root, root.T)


def test_from_features_matches_statistics_and_is_symmetric():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(400, 5))
    b = rng.normal(loc=0.5, scale=2.0, size=(300, 5))
    mu_a, sigma_a = feature_statistics(a)
    np.testing.assert_allclose(sigma_a, np.cov(a, rowvar=False))
    mu_b, sigma_b = feature_statistics(b)
    expected = frechet_distance(mu_a, sigma_a, mu_b, sigma_b)
    assert frechet_distance_from_features(a, b) == pytest.approx(expected)
    assert frechet_distance_from_features(b, a) == pytest.approx(expected, rel=1e-9)
    assert frechet_distance_from_features(a, a) == pytest.approx(0.0, abs=1e-9)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="sigma2.*shape \\(3, 3\\)"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(3), np.eye(4))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.zeros(2), np.eye(2), np.array([np.nan, 0.0]), np.eye(2))
    with pytest.raises(ValueError, match="At least 2"):
        frechet_distance_from_features(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="2D|matrix|vector"):
        frechet_distance(np.zeros((2, 2)), np.eye(2), np.zeros(2), np.eye(2))
