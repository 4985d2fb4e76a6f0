"""Kernel Inception Distance (KID): unbiased MMD^2 with a cubic polynomial kernel.

KID (Binkowski et al., 2018, "Demystifying MMD GANs") compares two sets of
features with the kernel k(x, y) = (x . y / D + 1)^3. The unbiased MMD^2
estimate is averaged over random subsets of both sets, which also gives a
standard deviation. Unlike FID it is unbiased, so two samples of the same
distribution score about 0 and may score slightly below 0.
Pure NumPy.
"""

import numpy as np


def polynomial_kernel(features1, features2):
    """The KID kernel k(x, y) = (x . y / D + 1)^3 between all pairs of rows.

    Args:
        features1: array `(N1, D)`.
        features2: array `(N2, D)`.

    Returns:
        float64 array `(N1, N2)`.

    Example:

    >>> polynomial_kernel(np.ones((1, 2)), np.ones((1, 2))).tolist()
    [[8.0]]
    """
    features1 = np.asarray(features1, dtype="float64")
    features2 = np.asarray(features2, dtype="float64")
    dim = features1.shape[1]
    return (features1 @ features2.T / dim + 1.0) ** 3


def mmd2_unbiased(features1, features2):
    """Unbiased MMD^2 estimate between two equally sized sets, polynomial kernel.

    MMD^2 = mean_{i != j} k(x_i, x_j) + mean_{i != j} k(y_i, y_j)
            - 2 mean_{i, j} k(x_i, y_j).

    Args:
        features1: array `(M, D)` with M >= 2.
        features2: array `(M, D)`.

    Returns:
        float (may be slightly negative).

    Example:

    >>> x = np.array([[0.0], [1.0]])
    >>> round(mmd2_unbiased(x, x + 1.0), 6)
    9.5
    """
    m = features1.shape[0]
    k_xx = polynomial_kernel(features1, features1)
    k_yy = polynomial_kernel(features2, features2)
    k_xy = polynomial_kernel(features1, features2)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def _check_features(name, features):
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2:
        raise ValueError(
            f"`{name}` must be a 2D array of feature vectors (N, D); received "
            f"shape {features.shape}."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values. Check the images the "
            "features were computed from."
        )
    return features


def kernel_inception_distance(
    features1, features2, num_subsets=100, subset_size=1000, seed=0
):
    """KID: unbiased MMD^2 (cubic polynomial kernel) averaged over random subsets.

    Each of the `num_subsets` rounds draws `subset_size` rows without
    replacement from each set (NumPy generator seeded with `seed`) and computes
    `mmd2_unbiased`. The features are typically those of real and generated
    images from the same feature network.

    Args:
        features1: array `(N1, D)`.
        features2: array `(N2, D)`, same D.
        num_subsets: int. Number of random subsets. Defaults to 100.
        subset_size: int. Rows per subset, at most `min(N1, N2)`.
            Defaults to 1000.
        seed: int. Seed of the subset draws. Defaults to 0.

    Returns:
        `(kid_mean, kid_std)`: floats, mean and standard deviation of the
        per-subset estimates.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(200, 8))
    >>> fake = rng.normal(loc=1.0, size=(200, 8))
    >>> kid_mean, kid_std = kernel_inception_distance(
    ...     real, fake, num_subsets=10, subset_size=100)
    >>> kid_mean > 0.5
    True
    """
    features1 = _check_features("features1", features1)
    features2 = _check_features("features2", features2)
    if features1.shape[1] != features2.shape[1]:
        raise ValueError(
            "Both feature sets must have the same dimension D; received "
            f"{features1.shape[1]} and {features2.shape[1]}. Compute them with "
            "the same feature extractor."
        )
    n = min(features1.shape[0], features2.shape[0])
    if not 2 <= subset_size <= n:
        raise ValueError(
            f"`subset_size` must be between 2 and min(N1, N2) = {n}; received "
            f"{subset_size}. Pass a smaller `subset_size` or more features."
        )
    if num_subsets < 1:
        raise ValueError(f"`num_subsets` must be >= 1; received {num_subsets}.")
    rng = np.random.default_rng(seed)
    estimates = np.empty(num_subsets)
    for i in range(num_subsets):
        x = features1[rng.choice(features1.shape[0], subset_size, replace=False)]
        y = features2[rng.choice(features2.shape[0], subset_size, replace=False)]
        estimates[i] = mmd2_unbiased(x, y)
    return float(estimates.mean()), float(estimates.std())
