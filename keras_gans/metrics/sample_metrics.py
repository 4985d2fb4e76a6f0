"""Sample-quality metrics as objects: `FID()`, `KID()`, `PrecisionRecall(k=3)`, `DensityCoverage(k=5)`.

`keras_gans.evaluation.evaluate_generator(..., metrics=[...])` takes a list
of these, so a new metric does not change every signature. Each object
compares the features of generated images with those of real images and
returns named scores; it also reports the settings that belong in the
evaluation protocol. The math lives in the pure modules
(`frechet_distance`, `kernel_inception_distance`, `precision_recall`,
`density_coverage`).

A metric of your own subclasses `SampleMetric` and defines `score`
(and `settings` if it has any), plus `get_config` for its arguments.
"""

import numbers

import keras
import numpy as np

from keras_gans.metrics.density_coverage import _density_coverage
from keras_gans.metrics.frechet_distance import feature_statistics, frechet_distance
from keras_gans.metrics.kernel_inception_distance import kernel_inception_distance
from keras_gans.metrics.precision_recall import (
    _check_block_size,
    _check_features,
    _check_k,
    _knn_squared_radii,
    _precision_recall,
)
from keras_gans.serialization import Configurable


def _positive_int(name, value, minimum):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or int(value) != value
        or value < minimum
    ):
        raise ValueError(f"`{name}` must be an integer >= {minimum}; received {value!r}.")
    return int(value)


class SampleMetric(Configurable):
    """Base class of the metrics that `evaluate_generator` takes.

    Subclasses set `name` and define `score(fake_features, reference,
    seed)`. `reference` is the dict of `keras_gans.evaluation.real_features`:
    "features" `(N_real, D)` plus cached statistics ("mu", "sigma"), which
    a metric may use and may add its own cached values to.

    Example:

    ```python
    class MeanFeatureDistance(SampleMetric):
        name = "mean_distance"

        def score(self, fake_features, reference, seed=0):
            gap = fake_features.mean(0) - reference["features"].mean(0)
            return {"mean_distance": float(np.linalg.norm(gap))}
    ```
    """

    name = None

    def __call__(self, real_features, fake_features, seed=0):
        """Scores two plain feature arrays `(N, D)`: a dict of floats."""
        real = _check_features("real_features", real_features)
        return self.score(_check_features("fake_features", fake_features), {"features": real}, seed)

    def score(self, fake_features, reference, seed=0):
        raise NotImplementedError(f"{type(self).__name__} must define score().")

    def settings(self, num_fake, num_real):
        """Protocol entries this metric records (e.g. KID's subset size)."""
        return {}

    def get_config(self):
        return {}


@keras.saving.register_keras_serializable(package="keras_gans")
class FID(SampleMetric):
    """Fréchet distance between Gaussians fitted to real and fake features (FID).

    FD = |mu_r - mu_f|^2 + Tr(S_r) + Tr(S_f) - 2 Tr((S_r S_f)^(1/2))
    (Heusel et al. 2017). It is the Fréchet *Inception* Distance only with
    Inception features; with a dataset's zoo classifier it is "FID
    (<dataset> classifier)". Returns `{"fid": float}`.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 4))
    >>> FID()(real, real + 1.0)["fid"] > 3.9
    True
    """

    name = "fid"

    def score(self, fake_features, reference, seed=0):
        if "mu" not in reference:
            reference = {**reference}
            reference["mu"], reference["sigma"] = feature_statistics(reference["features"])
        mu, sigma = feature_statistics(fake_features)
        return {"fid": frechet_distance(mu, sigma, reference["mu"], reference["sigma"])}


@keras.saving.register_keras_serializable(package="keras_gans")
class KID(SampleMetric):
    """Kernel Inception Distance: unbiased MMD^2 with k(x, y) = (x.y / D + 1)^3.

    Binkowski et al. 2018, "Demystifying MMD GANs": the unbiased MMD^2
    averaged over `subsets` random subsets of `subset_size` rows of each set
    (clipped to the smaller set; the size used is recorded as
    `kid_subset_size`). Returns `{"kid_mean": float, "kid_std": float}`.

    Args:
        subsets: int >= 1. Number of random subsets. Defaults to 100.
        subset_size: int >= 2. Rows per subset. Defaults to 1000.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(200, 8))
    >>> KID(subsets=10, subset_size=100)(real, real + 1.0)["kid_mean"] > 0.5
    True
    """

    name = "kid"

    def __init__(self, subsets=100, subset_size=1000):
        self.subsets = _positive_int("subsets", subsets, 1)
        self.subset_size = _positive_int("subset_size", subset_size, 2)

    def _subset_size(self, num_fake, num_real):
        return min(self.subset_size, num_fake, num_real)

    def score(self, fake_features, reference, seed=0):
        real = reference["features"]
        size = self._subset_size(fake_features.shape[0], real.shape[0])
        kid_mean, kid_std = kernel_inception_distance(fake_features, real, self.subsets, size, seed)
        return {"kid_mean": kid_mean, "kid_std": kid_std}

    def settings(self, num_fake, num_real):
        return {"kid_subsets": self.subsets, "kid_subset_size": self._subset_size(num_fake, num_real)}

    def get_config(self):
        return {"subsets": self.subsets, "subset_size": self.subset_size}


class _NearestNeighbourMetric(SampleMetric):
    """Shared by the k-NN metrics: equal sample counts and cached real radii."""

    def __init__(self, k, num_samples=None, block_size=1024):
        self.k = _positive_int("k", k, 1)
        self.num_samples = None if num_samples is None else _positive_int("num_samples", num_samples, self.k + 1)
        self.block_size = _check_block_size(block_size)

    def _num_rows(self, num_fake, num_real):
        smaller = min(num_fake, num_real)
        if self.num_samples is not None and self.num_samples > smaller:
            raise ValueError(
                f"{type(self).__name__}(num_samples={self.num_samples}) needs at least that many "
                f"generated and real samples; received {num_fake} generated and {num_real} "
                "real. Pass a smaller `num_samples` (or None to use the smaller set's size)."
            )
        return smaller if self.num_samples is None else self.num_samples

    def _rows_and_real_radii(self, fake_features, reference):
        """The first n rows of each set, k, and the real squared k-NN radii."""
        real = np.asarray(reference["features"], dtype="float64")
        fake = np.asarray(fake_features, dtype="float64")
        n = self._num_rows(fake.shape[0], real.shape[0])
        k = _check_k(self.k, n)
        real, fake = real[:n], fake[:n]
        # The real radii depend only on the real rows and k: keep them with
        # the cached real features (in memory) for the next evaluation.
        radii = reference.setdefault("knn_squared_radii", {})
        if (k, n) not in radii:
            radii[(k, n)] = _knn_squared_radii(real, k, self.block_size)
        return real, fake, k, radii[(k, n)]

    def get_config(self):
        return {"k": self.k, "num_samples": self.num_samples, "block_size": self.block_size}


@keras.saving.register_keras_serializable(package="keras_gans")
class PrecisionRecall(_NearestNeighbourMetric):
    """Improved precision and recall (Kynkäänniemi et al. 2019) with k-NN manifolds.

    precision = share of fakes inside some real ball, recall = share of
    reals inside some fake ball; a point's ball reaches its k-th nearest
    other point of its own set (see
    `keras_gans.metrics.precision_recall`). Low recall at high precision is
    mode collapse. Returns `{"precision": float, "recall": float}`.

    The scores depend on the sample counts: the balls of the larger set are
    smaller (measured on the digits preset against its 297 test images:
    recall 0.74 with 297 samples, 0.50 with 1,000, 0.16 with 10,000). So,
    as in the paper, both sets are cut to the same size: the first
    `num_samples` rows of each (default: the size of the smaller set). The
    size used is recorded as `precision_recall_samples`, next to
    `precision_recall_k`. The real radii are cached with the real features.

    Args:
        k: int >= 1. Neighbourhood size. Defaults to 3 (the paper's).
        num_samples: int >= k + 1 or None. Rows used from each set; None
            means the smaller set's size. Defaults to None.
        block_size: int. Rows per block of distances. Defaults to 1024.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 2))
    >>> PrecisionRecall(k=3)(real, real)
    {'precision': 1.0, 'recall': 1.0}
    """

    name = "precision_recall"

    def __init__(self, k=3, num_samples=None, block_size=1024):
        super().__init__(k, num_samples, block_size)

    def score(self, fake_features, reference, seed=0):
        real, fake, k, real_squared_radii = self._rows_and_real_radii(fake_features, reference)
        return _precision_recall(real, fake, k, self.block_size, real_squared_radii)

    def settings(self, num_fake, num_real):
        return {"precision_recall_k": self.k, "precision_recall_samples": self._num_rows(num_fake, num_real)}


@keras.saving.register_keras_serializable(package="keras_gans")
class DensityCoverage(_NearestNeighbourMetric):
    """Density and coverage (Naeem et al. 2020) with k-NN balls around real points.

    density = (1 / (k M)) * number of (fake, real ball) pairs with the fake
    inside the ball (about 1 for samples like the real data, above 1 when
    they crowd where real neighbourhoods overlap); coverage = share of real balls holding
    at least one fake (in [0, 1]; diversity). A real point's ball reaches
    its k-th nearest other real point (see
    `keras_gans.metrics.density_coverage`). Unlike precision/recall, no ball
    is built around a generated sample, so fake outliers cannot inflate
    them. Returns `{"density": float, "coverage": float}`.

    As with `PrecisionRecall`, both sets are cut to the first `num_samples`
    rows (default: the smaller set's size), recorded as
    `density_coverage_samples` next to `density_coverage_k`; the real radii
    are cached with the real features (shared with `PrecisionRecall` at the
    same k).

    Args:
        k: int >= 1. Neighbourhood size. Defaults to 5 (the paper's).
        num_samples: int >= k + 1 or None. Rows used from each set; None
            means the smaller set's size. Defaults to None.
        block_size: int. Rows per block of distances. Defaults to 1024.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(1000, 2))
    >>> scores = DensityCoverage(k=5)(real, rng.normal(size=(1000, 2)))
    >>> round(scores["density"], 1), round(scores["coverage"], 1)
    (1.0, 1.0)
    """

    name = "density_coverage"

    def __init__(self, k=5, num_samples=None, block_size=1024):
        super().__init__(k, num_samples, block_size)

    def score(self, fake_features, reference, seed=0):
        real, fake, k, real_squared_radii = self._rows_and_real_radii(fake_features, reference)
        return _density_coverage(real, fake, k, self.block_size, real_squared_radii)

    def settings(self, num_fake, num_real):
        return {"density_coverage_k": self.k, "density_coverage_samples": self._num_rows(num_fake, num_real)}


def default_metrics(kid_subsets=100, kid_subset_size=1000):
    """The metrics of `evaluate_generator` when none are given: FID and KID."""
    return [FID(), KID(kid_subsets, kid_subset_size)]
