"""Density and coverage of a generator (k-NN balls around real points; pure NumPy).

Naeem, Oh, Uh, Choi and Yoo (2020), "Reliable Fidelity and Diversity Metrics
for Generative Models" (ICML, arXiv:2002.09797). Improved precision and
recall (`keras_gans.metrics.precision_recall`) also build balls around the
*generated* points, so one outlier fake with a huge ball inflates recall, and
a real outlier inflates precision. Density and coverage use balls around the
real points only:

    density  = 1/(k M) sum_{j=1..M} sum_{i=1..N} 1[Y_j in B(X_i, r_k(X_i))]
    coverage = 1/N sum_{i=1..N} 1[exists j: Y_j in B(X_i, r_k(X_i))]

with real features `X_1..X_N`, generated features `Y_1..Y_M` and
`r_k(X_i)` the distance from `X_i` to its k-th nearest *other* real point.

- **density** (fidelity): how many real neighbourhoods hold each sample, per
  k. About 1 when fakes follow the real distribution; near 0 for
  unrealistic samples; above 1 (it is not bounded) when they crowd where
  real neighbourhoods overlap, which in high-dimensional features is near
  the real mode.
- **coverage** (diversity): the share of real points whose neighbourhood
  holds at least one sample, in [0, 1].

For fakes drawn from the real distribution, the paper shows E[density] = 1
and E[coverage] = 1 - prod_{i=1..k} (N - i) / (N + M - i), about
`1 - 2^-k` (0.97 at k=5) when M = N.

As in the authors' reference code (`prdc`, by NAVER), distances are
Euclidean and a sample exactly on a ball's boundary is outside (strict `<`).
The paper uses k=5 and equally many real and fake samples (10,000).
Distances are computed in float64 in blocks of rows.
"""

import numpy as np

from keras_gans.metrics.precision_recall import (
    DEFAULT_BLOCK_SIZE,
    _check_block_size,
    _check_feature_pair,
    _check_k,
    _knn_squared_radii,
    _squared_distances,
)


def density_coverage(real_features, fake_features, k=5, block_size=DEFAULT_BLOCK_SIZE):
    """Density and coverage (Naeem et al. 2020) of generated features.

    density = mean over fakes of the number of real k-NN balls holding the
    fake, divided by k; coverage = share of real points whose k-NN ball holds
    at least one fake. A real point's ball reaches its k-th nearest other
    real point (see the module docstring for the formulas). For images, use
    `keras_gans.evaluation.evaluate_generator` with
    `keras_gans.metrics.DensityCoverage()`, which equalises the counts.

    Args:
        real_features: array `(N_real, D)` of real samples' features.
        fake_features: array `(N_fake, D)` of generated samples' features.
        k: int. Neighbourhood size, 1 <= k <= N_real - 1. Defaults to 5
            (the paper's choice).
        block_size: int. Rows per block of distances (memory is about
            `8 * block_size * N_real` bytes). Defaults to 1024.

    Returns:
        dict `{"density": float, "coverage": float}`.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(1000, 2))
    >>> scores = density_coverage(real, rng.normal(size=(1000, 2)), k=5)
    >>> round(scores["density"], 1), round(scores["coverage"], 1)
    (1.0, 1.0)
    >>> density_coverage(real, real[real[:, 0] > 0], k=5)["coverage"] < 0.6   # half the modes
    True
    """
    real, fake = _check_feature_pair(real_features, fake_features)
    k = _check_k(k, real.shape[0])
    block_size = _check_block_size(block_size)
    return _density_coverage(real, fake, k, block_size)


def _density_coverage(real, fake, k, block_size, real_squared_radii=None):
    """`density_coverage` on checked float64 arrays (reusing real radii if given)."""
    if real_squared_radii is None:
        real_squared_radii = _knn_squared_radii(real, k, block_size)
    real_norms = np.einsum("ij,ij->i", real, real)
    balls_holding_fakes = 0
    covered = np.zeros(real.shape[0], dtype=bool)
    for start in range(0, fake.shape[0], block_size):
        stop = min(start + block_size, fake.shape[0])
        inside = _squared_distances(fake[start:stop], real, real_norms) < real_squared_radii[None, :]
        balls_holding_fakes += int(inside.sum())
        covered |= inside.any(axis=0)
    return {
        "density": balls_holding_fakes / (k * fake.shape[0]),
        "coverage": float(covered.mean()),
    }
