"""Label-free cluster conditioning: a conditional GAN trained on k-means clusters.

An unconditional GAN has one unimodal latent to cover every mode of its data;
its samples between modes look like no training image. Conditioning the pair
on clusters of the training images, found without labels, gives the
generator that structure back (Sage et al. 2018, "Logo synthesis and
manipulation with clustered generative adversarial networks", CVPR: k-means
on a fixed embedding; Liu et al. 2020, "Diverse Image Generation via
Self-Conditioned GANs", CVPR: clusters of the discriminator's features).

Once, before training (`ClusterConditioning.fit`):

```
e_i  = PCA_m(x_i)   (or feature_extractor(x_i))     a fixed label-free embedding
c_i  = argmin_j ||e_i - mu_j||^2                    k-means (k-means++ seeding, Lloyd)
p_j  = #{i : c_i = j} / N                           the cluster frequencies
```

The GAN then trains the conditional pair `G(z, c)`, `D(x, c)` on `(x_i, c_i)`
and samples `c ~ Categorical(p)` when no cluster is asked for, so that
`generate(n)` needs no labels and draws clusters as often as the data holds
them. Everything is NumPy, float64 and seeded: the same images and seed give
the same clusters on every backend, which is what exact resume needs.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import hyperparameters
from keras_gans.serialization import Configurable

# The default number of clusters, chosen by measurement among 10, 20 and 50: on MNIST
# (DCGAN base 32, 3 epochs, 2 seeds) 20 gave the lowest FID and unsure share, 10 within
# noise of it, 50 worse (benchmarks/recipe_table.py what_helps_mnist; benchmarks/README.md).
DEFAULT_NUM_CLUSTERS = 20
# Rows per block when computing distances or running a feature extractor.
_BLOCK = 4096
# Arrays of a fitted conditioning, saved with the GAN's own variables.
STATE_KEYS = ("mean", "components", "centers", "frequencies")


def pca(features, num_components):
    """Principal components of `features`: `(mean, components)`.

    `components` is `(d, m)` with orthonormal columns, largest variance
    first, each with its largest-magnitude entry positive (a fixed sign, so
    the result is deterministic). `m = min(num_components, N, d)`.

    Example:

    >>> x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]])
    >>> mean, components = pca(x, 1)
    >>> np.round(np.abs(components[:, 0]), 2)
    array([1.  , 0.02])
    """
    x = np.asarray(features, dtype="float64").reshape(len(features), -1)
    mean = x.mean(axis=0)
    centered = x - mean
    n, d = centered.shape
    m = min(int(num_components), n, d)
    if d <= n:
        values, vectors = np.linalg.eigh(centered.T @ centered)
        components = vectors[:, ::-1][:, :m]
    else:  # fewer images than pixels: eigenvectors of the Gram matrix
        values, vectors = np.linalg.eigh(centered @ centered.T)
        order = np.argsort(values)[::-1][:m]
        components = centered.T @ vectors[:, order]
        components /= np.maximum(np.linalg.norm(components, axis=0, keepdims=True), 1e-12)
    signs = np.sign(components[np.argmax(np.abs(components), axis=0), np.arange(m)])
    return mean, components * np.where(signs == 0, 1.0, signs)


def nearest_center(features, centers):
    """Index of the nearest center (squared Euclidean) of every row; ties go to the lowest index."""
    x = np.asarray(features, dtype="float64")
    centers = np.asarray(centers, dtype="float64")
    center_norms = np.sum(centers**2, axis=1)
    ids = np.empty(len(x), dtype="int64")
    for start in range(0, len(x), _BLOCK):
        block = x[start : start + _BLOCK]
        distances = center_norms[None, :] - 2.0 * block @ centers.T
        ids[start : start + _BLOCK] = np.argmin(distances, axis=1)
    return ids


def _squared_distance_to(x, center):
    return np.sum((x - center) ** 2, axis=1)


def kmeans(features, num_clusters, seed=0, max_iterations=100):
    """k-means (k-means++ seeding, then Lloyd's iterations): `(centers, ids)`.

    Deterministic for a given `seed`. `ids[i]` is the nearest final center of
    row `i`. A cluster left empty is moved to the row farthest from its
    center.

    Args:
        features: array `(N, d)`.
        num_clusters: int in [2, N].
        seed: int. Seeds the k-means++ draws. Defaults to 0.
        max_iterations: int >= 1. Lloyd iterations at most (it stops earlier
            once no assignment changes). Defaults to 100.

    Example:

    >>> x = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> centers, ids = kmeans(x, 2, seed=0)
    >>> bool(ids[0] == ids[1] != ids[2] == ids[3])
    True
    """
    x = np.asarray(features, dtype="float64")
    x = x.reshape(len(x), -1)
    k = _check_num_clusters(num_clusters, len(x))
    rng = np.random.default_rng(int(seed))
    centers = np.empty((k, x.shape[1]))
    centers[0] = x[rng.integers(len(x))]
    closest = _squared_distance_to(x, centers[0])
    for j in range(1, k):
        total = closest.sum()
        index = rng.choice(len(x), p=closest / total) if total > 0 else rng.integers(len(x))
        centers[j] = x[index]
        closest = np.minimum(closest, _squared_distance_to(x, centers[j]))
    ids = nearest_center(x, centers)
    for _ in range(int(max_iterations)):
        for j in range(k):
            members = ids == j
            if members.any():
                centers[j] = x[members].mean(axis=0)
            else:
                far = np.argmax(_squared_distance_to(x, centers[ids]))
                centers[j] = x[far]
                ids[far] = j  # so a second empty cluster takes another row
        new_ids = nearest_center(x, centers)
        if np.array_equal(new_ids, ids):
            break
        ids = new_ids
    return centers, nearest_center(x, centers)


def _check_num_clusters(num_clusters, num_images):
    if isinstance(num_clusters, bool) or not isinstance(num_clusters, (int, np.integer)) or num_clusters < 2:
        raise ValueError(
            f"`num_clusters` must be an integer >= 2 (one cluster is an unconditional GAN); "
            f"received {num_clusters!r}."
        )
    if num_clusters > num_images:
        raise ValueError(
            f"`num_clusters`={num_clusters} is more than the {num_images} training images: "
            "each cluster needs at least one image. Use fewer clusters or more images."
        )
    return int(num_clusters)


def sample_clusters(frequencies, num_samples, seed=0):
    """Cluster ids drawn by `frequencies` with NumPy, identical on every backend.

    The draw uses its own stream, `default_rng((seed, 1))`, so the latents of
    the same seed (`default_rng(seed)`) are the same with or without clusters.

    Example:

    >>> sample_clusters([0.0, 1.0], 3, seed=0)
    array([1, 1, 1], dtype=int32)
    """
    p = np.asarray(frequencies, dtype="float64")
    rng = np.random.default_rng((int(seed), 1))
    return rng.choice(len(p), size=int(num_samples), p=p / p.sum()).astype("int32")


def condition_ids(frequencies, num_samples, seed=0, clusters=None):
    """The cluster id of each generated image: `clusters` checked, or drawn by frequency.

    Shared by `GAN.generate` and `PretrainedGenerator.generate`, so a GAN and
    its preset draw the same images for a seed.
    """
    from keras_gans.sampling import check_labels

    num_clusters = len(frequencies) if frequencies is not None else None
    if clusters is not None:
        if num_clusters is None:
            raise ValueError("`clusters` needs a fitted cluster conditioning; this one has no clusters yet.")
        try:
            return check_labels(clusters, num_samples, num_clusters)
        except ValueError as error:
            raise ValueError(str(error).replace("Labels", "Clusters").replace("labels", "clusters")) from None
    if frequencies is None:
        raise ValueError(
            "The clusters are not computed yet: train the GAN with `fit(images)` (or call "
            "`gan.cluster_conditioning.fit(images)`) before `generate`, or pass `clusters=[...]`."
        )
    return sample_clusters(frequencies, num_samples, seed)


@keras.saving.register_keras_serializable(package="keras_gans")
class ClusterConditioning(Configurable):
    """Clusters of the training images, found without labels, to condition a GAN on.

    Pass it to any GAN class with the conditional builders
    (`num_classes=num_clusters`): `fit(images)` then computes the cluster
    ids once (k-means on a fixed embedding: PCA of the pixels, or your
    feature extractor), trains the conditional pair on them, and keeps the
    cluster frequencies, so `generate(n, seed)` draws clusters as often as
    the data holds them and `generate(n, clusters=[...])` picks them. The
    fitted state (PCA, centers, frequencies) is saved with the GAN (`.keras`)
    and the frequencies with its preset (`save_preset`).

    Args:
        num_clusters: int >= 2 (and at most the number of training images).
            Defaults to `DEFAULT_NUM_CLUSTERS` (20), the best of 10, 20 and 50
            in the measured "what helps" table (benchmarks/README.md).
        pca_components: int >= 1. Dimensions of the PCA embedding of the
            pixels. Ignored with `feature_extractor`. Defaults to 50.
        feature_extractor: callable or None. Maps a batch of images
            `(n, H, W, C)` in [-1, 1] to features `(n, f)`, e.g. a frozen
            Keras model; k-means then runs on its features. Defaults to None
            (PCA of the pixels).
        seed: int. Seeds k-means++. Defaults to 0.
        max_iterations: int >= 1. Lloyd iterations at most. Defaults to 100.

    Example:

    ```python
    k = 50
    G = keras_gans.architectures.dcgan_generator(64, (28, 28, 1), num_classes=k)
    D = keras_gans.architectures.dcgan_discriminator((28, 28, 1), num_classes=k)
    gan = keras_gans.NonSaturatingGAN(
        G, D, latent_dim=64, ema_decay=0.999,
        cluster_conditioning=keras_gans.ClusterConditioning(num_clusters=k))
    gan.compile()
    gan.fit(images, epochs=20, batch_size=64)   # no labels: clusters computed first
    images = gan.generate(16, seed=0)           # clusters drawn by frequency
    threes = gan.generate(8, clusters=[3] * 8)  # one cluster
    ```
    """

    def __init__(self, num_clusters=DEFAULT_NUM_CLUSTERS, pca_components=50, feature_extractor=None, seed=0,
                 max_iterations=100):
        self.num_clusters = _check_num_clusters(num_clusters, float("inf"))
        self.pca_components = hyperparameters.positive_int("pca_components", pca_components)
        if isinstance(feature_extractor, dict):
            feature_extractor = keras.saving.deserialize_keras_object(feature_extractor)
        if feature_extractor is not None and not callable(feature_extractor):
            raise ValueError(
                "`feature_extractor` must be callable (images -> features), such as a frozen "
                f"keras.Model, or None for PCA of the pixels; received {feature_extractor!r}."
            )
        self.feature_extractor = feature_extractor
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"`seed` must be an integer >= 0; received {seed!r}.")
        self.seed = int(seed)
        self.max_iterations = hyperparameters.positive_int("max_iterations", max_iterations)
        self.state = {}

    @property
    def frequencies(self):
        """float64 array `(num_clusters,)` summing to 1, or None before `fit`."""
        return self.state.get("frequencies")

    @property
    def is_fitted(self):
        return "centers" in self.state

    def embed(self, images):
        """The embedding k-means runs on: PCA of the pixels, or the feature extractor's output."""
        images = np.asarray(images, dtype="float32")
        if self.feature_extractor is not None:
            features = [
                np.asarray(ops.convert_to_numpy(self.feature_extractor(images[start : start + _BLOCK])))
                for start in range(0, len(images), _BLOCK)
            ]
            return np.concatenate(features, axis=0).reshape(len(images), -1).astype("float64")
        if "components" not in self.state:
            raise ValueError("Call `fit(images)` first: the PCA is computed there.")
        flat = images.reshape(len(images), -1)
        embedded = [
            (flat[start : start + _BLOCK].astype("float64") - self.state["mean"]) @ self.state["components"]
            for start in range(0, len(flat), _BLOCK)
        ]
        return np.concatenate(embedded, axis=0)

    def fit(self, images):
        """Clusters `images`; returns their int32 cluster ids.

        Raises ValueError when there are fewer images than clusters.
        """
        images = np.asarray(images, dtype="float32")
        _check_num_clusters(self.num_clusters, len(images))
        state = {}
        if self.feature_extractor is None:
            state["mean"], state["components"] = pca(images.reshape(len(images), -1), self.pca_components)
            self.state = state
        features = self.embed(images)
        state["centers"], ids = kmeans(features, self.num_clusters, self.seed, self.max_iterations)
        state["frequencies"] = np.bincount(ids, minlength=self.num_clusters) / len(ids)
        self.state = state
        return ids.astype("int32")

    def predict(self, images):
        """The nearest cluster of each image (int32), with the fitted embedding and centers."""
        if not self.is_fitted:
            raise ValueError("Call `fit(images)` before `predict`.")
        return nearest_center(self.embed(images), self.state["centers"]).astype("int32")

    def sample(self, num_samples, seed=0):
        """Cluster ids drawn by the training frequencies (see `sample_clusters`)."""
        return condition_ids(self.frequencies, num_samples, seed)

    def get_config(self):
        extractor = self.feature_extractor
        if extractor is not None:
            extractor = keras.saving.serialize_keras_object(extractor)
        return {
            "num_clusters": self.num_clusters,
            "pca_components": self.pca_components,
            "feature_extractor": extractor,
            "seed": self.seed,
            "max_iterations": self.max_iterations,
        }


def get(identifier):
    """Resolves a `ClusterConditioning` from an instance, an int (`num_clusters`), True or a dict.

    True gives the defaults (`DEFAULT_NUM_CLUSTERS` clusters); a dict is
    either its constructor arguments or a serialized Keras config.

    Example:

    >>> get(10).num_clusters
    10
    >>> get(True).num_clusters == DEFAULT_NUM_CLUSTERS
    True
    """
    if identifier is None or isinstance(identifier, ClusterConditioning):
        return identifier
    if identifier is True:
        return ClusterConditioning()
    if isinstance(identifier, (int, np.integer)) and not isinstance(identifier, bool):
        return ClusterConditioning(num_clusters=identifier)
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            resolved = keras.saving.deserialize_keras_object(identifier)
            if isinstance(resolved, ClusterConditioning):
                return resolved
        else:
            return ClusterConditioning(**identifier)
    raise ValueError(
        "`cluster_conditioning` must be a keras_gans.ClusterConditioning, a number of "
        f"clusters, True (the default number) or a dict of its arguments; received {identifier!r}."
    )
