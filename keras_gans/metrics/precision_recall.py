"""Improved precision and recall of a generator (k-NN manifolds; pure NumPy).

Kynkäänniemi, Karras, Laine, Lehtinen and Aila (2019), "Improved Precision
and Recall Metric for Assessing Generative Models" (NeurIPS,
arXiv:1904.06991). FID mixes two failures into one number; these two scores
separate them:

- **precision**: how many generated samples look real (quality);
- **recall**: how much of the real distribution the generator covers
  (diversity). Mode collapse shows as a low recall at a high precision.

Each set of feature vectors estimates its manifold as a union of balls: the
ball around a point `x` of the set `S` has radius `r_k(x, S)`, the distance
from `x` to its k-th nearest *other* point of `S`. With real features `R` and
generated features `G`:

    precision = (1/|G|) sum_{g in G} [exists r in R: ||g - r|| <= r_k(r, R)]
    recall    = (1/|R|) sum_{r in R} [exists g in G: ||r - g|| <= r_k(g, G)]

As in the authors' reference code, distances are Euclidean, a point on a
ball's boundary counts as inside, and nothing is pruned. Distances are
computed in float64 in blocks of rows, so 10,000 x 10,000 feature sets need
a few hundred MB at most, never a full distance matrix.
"""

import numbers

import numpy as np

# Rows of a distance block; a block is `block_size x N` float64.
DEFAULT_BLOCK_SIZE = 1024


def _check_features(name, features):
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2:
        raise ValueError(
            f"`{name}` must be a 2D array of feature vectors (N, D); received "
            f"shape {features.shape}. Embed images with a feature extractor first."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values. Check the images the "
            "features were computed from."
        )
    return features


def _check_feature_pair(real_features, fake_features):
    """Both feature sets as float64 `(N, D)` arrays of the same dimension D."""
    real = _check_features("real_features", real_features)
    fake = _check_features("fake_features", fake_features)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            "`real_features` and `fake_features` must have the same dimension D; "
            f"received {real.shape[1]} and {fake.shape[1]}. Compute both with the "
            "same feature extractor."
        )
    return real, fake


def _check_k(k, num_points):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"`k` must be an integer >= 1 (3 in the paper); received {k!r}.")
    k = int(k)
    if k < 1 or k > num_points - 1:
        raise ValueError(
            f"`k` must be in [1, N - 1] = [1, {num_points - 1}] for a set of "
            f"N={num_points} feature vectors (the k-th nearest other point must "
            f"exist); received k={k}. Pass a smaller `k` or more feature vectors."
        )
    return k


def _check_block_size(block_size):
    if isinstance(block_size, bool) or not isinstance(block_size, numbers.Integral) or block_size < 1:
        raise ValueError(f"`block_size` must be an integer >= 1; received {block_size!r}.")
    return int(block_size)


def _squared_distances(rows, columns, column_norms):
    """`||rows_i - columns_j||^2`, clipped at 0 against round-off."""
    row_norms = np.einsum("ij,ij->i", rows, rows)[:, None]
    squared = row_norms - 2.0 * (rows @ columns.T) + column_norms[None, :]
    return np.maximum(squared, 0.0)


def knn_radii(features, k=3, block_size=DEFAULT_BLOCK_SIZE):
    """Distance from each point to its k-th nearest other point of the same set.

    These are the radii of the balls whose union estimates the manifold of
    `features` (Kynkäänniemi et al. 2019). Duplicated points are distinct
    points at distance 0.

    Args:
        features: array `(N, D)`, N >= k + 1.
        k: int. Neighbourhood size, 1 <= k <= N - 1. Defaults to 3.
        block_size: int. Rows per distance block. Defaults to 1024.

    Returns:
        float64 array `(N,)`.

    Example:

    >>> knn_radii(np.array([[0.0], [1.0], [3.0]]), k=1).tolist()
    [1.0, 1.0, 2.0]
    """
    features = _check_features("features", features)
    k = _check_k(k, features.shape[0])
    block_size = _check_block_size(block_size)
    return np.sqrt(_knn_squared_radii(features, k, block_size))


def _knn_squared_radii(features, k, block_size):
    num_points = features.shape[0]
    norms = np.einsum("ij,ij->i", features, features)
    radii = np.empty(num_points)
    for start in range(0, num_points, block_size):
        stop = min(start + block_size, num_points)
        squared = _squared_distances(features[start:stop], features, norms)
        # Each point's distance to itself is 0 (exactly, not up to round-off),
        # so it sorts first and index k is the k-th nearest *other* point.
        rows = np.arange(stop - start)
        squared[rows, start + rows] = 0.0
        radii[start:stop] = np.partition(squared, k, axis=1)[:, k]
    return radii


def precision_recall(real_features, fake_features, k=3, block_size=DEFAULT_BLOCK_SIZE):
    """Improved precision and recall (Kynkäänniemi et al. 2019) of generated features.

    precision = share of fake points inside at least one real k-NN ball;
    recall = share of real points inside at least one fake k-NN ball. A real
    point's ball has radius `||r - NN_k(r)||`, the distance to its k-th
    nearest other real point (likewise for fakes). Both scores lie in [0, 1]:
    a generator that drops modes keeps its precision and loses recall; one
    that makes unrealistic samples loses precision.

    The paper uses k=3 and equally many real and fake samples (50,000 in
    VGG-16 features). The scores depend on k, the feature network and the
    sample counts (the larger set has smaller balls), so pass sets of equal
    size and compare only like with like. For images, use
    `keras_gans.evaluation.evaluate_generator` with
    `keras_gans.metrics.PrecisionRecall()`, which equalises the counts.

    Args:
        real_features: array `(N_real, D)` of real samples' features.
        fake_features: array `(N_fake, D)` of generated samples' features.
        k: int. Neighbourhood size, 1 <= k <= min(N_real, N_fake) - 1.
            Defaults to 3 (the paper's choice).
        block_size: int. Rows per block of distances (memory is about
            `8 * block_size * max(N_real, N_fake)` bytes). Defaults to 1024.

    Returns:
        dict `{"precision": float, "recall": float}`.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 2))
    >>> collapsed = real[real[:, 0] > 0]          # a generator covering half
    >>> scores = precision_recall(real, collapsed, k=3)
    >>> scores["precision"], round(scores["recall"], 1)
    (1.0, 0.5)
    """
    real, fake = _check_feature_pair(real_features, fake_features)
    k = _check_k(k, min(real.shape[0], fake.shape[0]))
    block_size = _check_block_size(block_size)
    return _precision_recall(real, fake, k, block_size)


def _precision_recall(real, fake, k, block_size, real_squared_radii=None):
    """`precision_recall` on checked float64 arrays (reusing real radii if given)."""
    if real_squared_radii is None:
        real_squared_radii = _knn_squared_radii(real, k, block_size)
    fake_squared_radii = _knn_squared_radii(fake, k, block_size)
    real_norms = np.einsum("ij,ij->i", real, real)
    fake_in_real = np.zeros(fake.shape[0], dtype=bool)
    real_in_fake = np.zeros(real.shape[0], dtype=bool)
    # One pass over the fake x real distances serves both scores.
    for start in range(0, fake.shape[0], block_size):
        stop = min(start + block_size, fake.shape[0])
        squared = _squared_distances(fake[start:stop], real, real_norms)
        fake_in_real[start:stop] = np.any(squared <= real_squared_radii[None, :], axis=1)
        real_in_fake |= np.any(squared <= fake_squared_radii[start:stop, None], axis=0)
    return {"precision": float(fake_in_real.mean()), "recall": float(real_in_fake.mean())}
