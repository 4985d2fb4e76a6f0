"""Fréchet distance between two Gaussians, the math behind FID (pure NumPy).

FD = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2)).

`S1 S2` is not symmetric, so a general matrix square root (scipy's `sqrtm`)
can return complex values from round-off. Here the trace term is computed as
Tr((sqrt(S1) S2 sqrt(S1))^(1/2)): `sqrt(S1) S2 sqrt(S1)` is symmetric positive
semi-definite and similar to `S1 S2`, so its eigenvalues are the same, and
`numpy.linalg.eigh` returns them as real numbers. Eigenvalues that round-off
makes slightly negative are clipped to 0.
"""

import numpy as np


def _as_float64(name, value, ndim):
    array = np.asarray(value, dtype="float64")
    if array.ndim != ndim:
        kind = "a vector (D,)" if ndim == 1 else "a matrix (D, D)"
        raise ValueError(f"`{name}` must be {kind}; received shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values. Check the features "
            "it was computed from (e.g. images with NaN pixels)."
        )
    return array


def _check_statistics(mu1, sigma1, mu2, sigma2):
    mu1 = _as_float64("mu1", mu1, 1)
    mu2 = _as_float64("mu2", mu2, 1)
    sigma1 = _as_float64("sigma1", sigma1, 2)
    sigma2 = _as_float64("sigma2", sigma2, 2)
    d = mu1.shape[0]
    for name, shape in (
        ("mu2", mu2.shape),
        ("sigma1", sigma1.shape),
        ("sigma2", sigma2.shape),
    ):
        expected = (d,) if name == "mu2" else (d, d)
        if shape != expected:
            raise ValueError(
                f"Inconsistent dimensions: mu1 has D={d}, so `{name}` must have "
                f"shape {expected}; received {shape}. Compute both statistics "
                "with the same feature extractor."
            )
    return mu1, sigma1, mu2, sigma2


def symmetric_sqrt(matrix):
    """Square root of a symmetric positive semi-definite matrix via `eigh`.

    The matrix is symmetrised first and negative eigenvalues (round-off) are
    clipped to 0, so the result is real, symmetric and PSD.

    Args:
        matrix: array `(D, D)`, symmetric PSD up to round-off.

    Returns:
        float64 array `(D, D)` whose square is `matrix`.

    Example:

    >>> symmetric_sqrt(np.diag([4.0, 9.0])).round(6).tolist()
    [[2.0, 0.0], [0.0, 3.0]]
    """
    matrix = np.asarray(matrix, dtype="float64")
    matrix = (matrix + matrix.T) / 2.0
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    roots = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (eigenvectors * roots) @ eigenvectors.T


def trace_sqrt_product(sigma1, sigma2):
    """Tr((sigma1 sigma2)^(1/2)) for two covariance matrices, computed stably.

    Uses the eigenvalues of the symmetric PSD matrix
    `sqrt(sigma1) sigma2 sqrt(sigma1)`, which equal those of `sigma1 sigma2`;
    negative round-off eigenvalues are clipped to 0.

    Args:
        sigma1: array `(D, D)`, symmetric PSD.
        sigma2: array `(D, D)`, symmetric PSD.

    Returns:
        float.

    Example:

    >>> float(round(trace_sqrt_product(np.diag([1.0, 4.0]), np.diag([4.0, 1.0])), 6))
    4.0
    """
    root1 = symmetric_sqrt(sigma1)
    sigma2 = np.asarray(sigma2, dtype="float64")
    middle = root1 @ ((sigma2 + sigma2.T) / 2.0) @ root1
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2).

    FD = |mu1 - mu2|^2 + Tr(sigma1) + Tr(sigma2) - 2 Tr((sigma1 sigma2)^(1/2)),
    computed in float64 with `trace_sqrt_product`. This is FID when the
    statistics are those of Inception features (or of another feature
    network, see `keras_gans.evaluation.evaluate_generator`). A result that
    round-off makes slightly negative is returned as 0.

    Args:
        mu1: array `(D,)`. Mean of the first set of features.
        sigma1: array `(D, D)`. Covariance of the first set.
        mu2: array `(D,)`. Mean of the second set.
        sigma2: array `(D, D)`. Covariance of the second set.

    Returns:
        float >= 0.

    Example:

    >>> frechet_distance(np.zeros(2), np.eye(2), np.array([3.0, 4.0]), np.eye(2))
    25.0
    """
    mu1, sigma1, mu2, sigma2 = _check_statistics(mu1, sigma1, mu2, sigma2)
    diff = mu1 - mu2
    value = (
        diff @ diff
        + np.trace(sigma1)
        + np.trace(sigma2)
        - 2.0 * trace_sqrt_product(sigma1, sigma2)
    )
    return float(max(value, 0.0))


def feature_statistics(features):
    """Mean and covariance (unbiased, N - 1) of a set of feature vectors.

    Args:
        features: array `(N, D)` with N >= 2.

    Returns:
        `(mu, sigma)`: float64 arrays `(D,)` and `(D, D)`.

    Example:

    >>> mu, sigma = feature_statistics(np.array([[0.0, 1.0], [2.0, 3.0]]))
    >>> mu.tolist(), sigma.tolist()
    ([1.0, 2.0], [[2.0, 2.0], [2.0, 2.0]])
    """
    features = _as_float64("features", features, 2)
    if features.shape[0] < 2:
        raise ValueError(
            "At least 2 feature vectors are needed for a covariance; received "
            f"{features.shape[0]}. Pass more images."
        )
    mu = features.mean(axis=0)
    sigma = np.cov(features, rowvar=False).reshape(features.shape[1], -1)
    return mu, sigma


def frechet_distance_from_features(features1, features2):
    """Fréchet distance between Gaussians fitted to two sets of features.

    Args:
        features1: array `(N1, D)`.
        features2: array `(N2, D)`.

    Returns:
        float >= 0.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(500, 4))
    >>> round(frechet_distance_from_features(a, a), 6)
    0.0
    """
    mu1, sigma1 = feature_statistics(features1)
    mu2, sigma2 = feature_statistics(features2)
    return frechet_distance(mu1, sigma1, mu2, sigma2)
