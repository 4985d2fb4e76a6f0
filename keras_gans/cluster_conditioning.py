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
# Arrays of a fitted conditioning, saved with the GAN's own variables
# (`ids` and `fingerprint`: `SelfConditioning` only).
STATE_KEYS = ("mean", "components", "centers", "frequencies", "ids", "fingerprint")
# Layer names, in order, whose output `discriminator_features` takes.
FEATURE_LAYERS = ("features", "sum_pool")


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


def _in_blocks(function, images):
    """`function` applied to `images` `_BLOCK` rows at a time: float64 NumPy `(N, features)`."""
    outputs = [np.asarray(ops.convert_to_numpy(function(images[start : start + _BLOCK])))
               for start in range(0, len(images), _BLOCK)]
    return np.concatenate(outputs, axis=0).reshape(len(images), -1).astype("float64")


def _squared_distance_to(x, center):
    return np.sum((x - center) ** 2, axis=1)


def kmeans(features, num_clusters, seed=0, max_iterations=100, initial_centers=None):
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
        initial_centers: array `(num_clusters, d)` or None. Lloyd starts
            from these instead of k-means++ (re-clustering from the previous
            clusters). Defaults to None.

    Example:

    >>> x = np.array([[0.0], [0.1], [10.0], [10.1]])
    >>> centers, ids = kmeans(x, 2, seed=0)
    >>> bool(ids[0] == ids[1] != ids[2] == ids[3])
    True
    """
    x = np.asarray(features, dtype="float64")
    x = x.reshape(len(x), -1)
    k = _check_num_clusters(num_clusters, len(x))
    if initial_centers is not None:
        centers = np.array(initial_centers, dtype="float64")
        if centers.shape != (k, x.shape[1]):
            raise ValueError(
                f"`initial_centers` must have shape {(k, x.shape[1])} (clusters, features); "
                f"received {centers.shape}."
            )
    else:
        centers = _kmeans_plus_plus(x, k, seed)
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


def _kmeans_plus_plus(x, k, seed):
    """k-means++ seeding (Arthur & Vassilvitskii 2007): each next center drawn with p ~ D(x)^2."""
    rng = np.random.default_rng(int(seed))
    centers = np.empty((k, x.shape[1]))
    centers[0] = x[rng.integers(len(x))]
    closest = _squared_distance_to(x, centers[0])
    for j in range(1, k):
        total = closest.sum()
        index = rng.choice(len(x), p=closest / total) if total > 0 else rng.integers(len(x))
        centers[j] = x[index]
        closest = np.minimum(closest, _squared_distance_to(x, centers[j]))
    return centers


def linear_assignment(cost):
    """The assignment of rows to distinct columns with the least total cost (Hungarian method).

    Kuhn 1955 / Munkres 1957, in the O(n^2 m) shortest-augmenting-path form
    with row and column potentials `u`, `v` (reduced cost
    `cost[i, j] - u[i] - v[j] >= 0`, zero on the matching). Returns
    `columns` (int64, one per row): row `i` goes to column `columns[i]`.
    Needs `rows <= columns`.

    Example:

    >>> linear_assignment([[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]]).tolist()
    [1, 0, 2]
    """
    cost = np.asarray(cost, dtype="float64")
    if cost.ndim != 2 or cost.shape[0] > cost.shape[1]:
        raise ValueError(f"`cost` must be a 2D array with rows <= columns; received shape {cost.shape}.")
    n, m = cost.shape
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    row_of = np.zeros(m + 1, dtype="int64")  # column j (1-based) -> its row (1-based), 0: free
    previous = np.zeros(m + 1, dtype="int64")
    for row in range(1, n + 1):
        row_of[0], column = row, 0  # column 0: a virtual start holding the new row
        shortest = np.full(m + 1, np.inf)
        visited = np.zeros(m + 1, dtype=bool)
        while True:
            visited[column] = True
            i = row_of[column]
            reduced = cost[i - 1] - u[i] - v[1:]
            free = ~visited[1:]
            closer = free & (reduced < shortest[1:])
            shortest[1:][closer] = reduced[closer]
            previous[1:][closer] = column
            candidates = np.where(free, shortest[1:], np.inf)
            nearest = int(np.argmin(candidates)) + 1
            delta = candidates[nearest - 1]
            u[row_of[visited]] += delta
            v[visited] -= delta
            shortest[1:][free] -= delta
            column = nearest
            if row_of[column] == 0:
                break
        while column:  # augment along the shortest path
            row_of[column] = row_of[previous[column]]
            column = previous[column]
    columns = np.empty(n, dtype="int64")
    for j in range(1, m + 1):
        if row_of[j]:
            columns[row_of[j] - 1] = j - 1
    return columns


def match_clusters(previous_ids, new_ids, num_clusters):
    """Renames `new_ids` so they overlap `previous_ids` the most (Liu et al. 2020's matching).

    With `C[a, b] = #{i : new_i = a, previous_i = b}`, the renaming `pi`
    maximises `sum_a C[a, pi(a)]` over permutations (`linear_assignment` of
    `-C`), so a re-clustering keeps the ids the generator has learned.

    Example:

    >>> match_clusters(np.array([0, 0, 1, 2]), np.array([2, 2, 0, 1]), 3).tolist()
    [0, 0, 1, 2]
    """
    k = int(num_clusters)
    overlap = np.zeros((k, k), dtype="int64")
    np.add.at(overlap, (np.asarray(new_ids), np.asarray(previous_ids)), 1)
    renaming = linear_assignment(-overlap)
    return renaming[np.asarray(new_ids)].astype("int32")


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
            return _in_blocks(self.feature_extractor, images)
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


def images_fingerprint(images):
    """Four numbers that tell one training set from another: N, sum, sum of squares, row-weighted sum.

    Example:

    >>> images_fingerprint(np.ones((2, 1, 1, 1))).tolist()
    [2.0, 2.0, 2.0, 3.0]
    """
    x = np.asarray(images, dtype="float64").reshape(len(images), -1)
    rows = x.sum(axis=1)
    return np.array([len(x), rows.sum(), np.sum(x * x), rows @ np.arange(1, len(x) + 1)], dtype="float64")


def discriminator_features(discriminator):
    """`images -> features` of a discriminator, spatially averaged, without any label input.

    Takes the layer named "features" (the DCGAN and MLP builders) or
    "sum_pool" (the ResNet one). Raises ValueError when the discriminator has
    neither, or when that layer's output needs the label (a `"channel"`
    conditioned discriminator): self-conditioning clusters features that
    must not depend on the clusters.

    Example:

    >>> from keras_gans.architectures import mlp_discriminator
    >>> D = mlp_discriminator(num_classes=3, hidden_units=(8,), label_conditioning="projection")
    >>> tuple(discriminator_features(D)(np.zeros((2, 8, 8, 1), "float32")).shape)
    (2, 8)
    """
    layer = next((l for l in discriminator.layers for name in FEATURE_LAYERS if l.name == name), None)
    if layer is None:
        raise ValueError(
            "Self-conditioning clusters the discriminator's features, read from a layer named "
            f"{' or '.join(repr(n) for n in FEATURE_LAYERS)}; {discriminator.name!r} has none. Build it with "
            "`label_conditioning='projection'` (dcgan/mlp_discriminator; resnet_discriminator always has "
            "one), or name your own label-free feature layer 'features'."
        )
    images = discriminator.inputs[0]
    try:
        model = keras.Model(images, layer.output, name=f"{discriminator.name}_features")
    except ValueError:
        raise ValueError(
            f"The features of {discriminator.name!r} depend on its label input, so they cannot be clustered "
            "into the labels they are fed: build the discriminator with "
            "`label_conditioning='projection'` (dcgan/mlp_discriminator; resnet_discriminator always is)."
        ) from None

    def features(batch):
        out = model(batch, training=False)
        if len(out.shape) == 4:
            out = ops.mean(out, axis=(1, 2))
        return out

    return features


def get(identifier):
    """Resolves a `ClusterConditioning` from an instance, an int (`num_clusters`), True or a dict.

    True gives the defaults (`DEFAULT_NUM_CLUSTERS` clusters); a dict is
    either its constructor arguments or a serialized Keras config.

    Example:

    >>> get(10).num_clusters
    10
    >>> get(True).num_clusters == DEFAULT_NUM_CLUSTERS
    True
    >>> type(get({"num_clusters": 10, "recluster_every_epochs": 2})).__name__
    'SelfConditioning'
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
        elif "recluster_every_epochs" in identifier:
            return SelfConditioning(**identifier)
        else:
            return ClusterConditioning(**identifier)
    raise ValueError(
        "`cluster_conditioning` must be a keras_gans.ClusterConditioning, a number of "
        f"clusters, True (the default number) or a dict of its arguments; received {identifier!r}."
    )


@keras.saving.register_keras_serializable(package="keras_gans")
class SelfConditioning(ClusterConditioning):
    """Cluster conditioning re-clustered in the discriminator's features (Liu et al. 2020).

    "Diverse Image Generation via Self-Conditioned GANs" (CVPR 2020): the
    clusters come from the discriminator's own features and are recomputed
    during training. Here:

    ```
    before training:      c_i = k-means(PCA_m(x_i))             as ClusterConditioning
    every N epochs:       f_i = mean_hw phi_D(x_i)              D's label-free features
                          mu_j <- mean{f_i : c_i = j}           start from the previous clusters
                          c'_i = k-means(f_i) from mu           Lloyd's iterations
                          c_i  <- pi(c'_i), pi = argmax_pi sum_i [pi(c'_i) = c_i]
                                                                (Hungarian matching, so ids stay stable)
    ```

    The first clusters use PCA of the pixels (our choice: a randomly
    initialised D has no features worth clustering yet). The discriminator
    must have label-free features: `label_conditioning="projection"` for the
    DCGAN/MLP builders; the ResNet one always is (see
    `discriminator_features`). Every N-th epoch re-clusters, the last one
    too, so that a run continued with more epochs (or resumed) re-clusters
    exactly where an uninterrupted one does; matching keeps the ids the
    generator learned.

    The current ids of the training images and a fingerprint of those images
    are saved with the GAN, so a resumed run continues with the same
    clusters. `cluster_ids(images)` of other images uses the nearest
    center in the discriminator's features once re-clustered.

    Args:
        num_clusters: int >= 2. Defaults to `DEFAULT_NUM_CLUSTERS` (20).
        recluster_every_epochs: int >= 1. Defaults to 1.
        pca_components: int >= 1. The first clustering's PCA. Defaults to 50.
        seed: int. Seeds the first k-means++. Defaults to 0.
        max_iterations: int >= 1. Lloyd iterations at most. Defaults to 100.

    Example:

    ```python
    k = 20
    G = keras_gans.architectures.dcgan_generator(64, (28, 28, 1), num_classes=k)
    D = keras_gans.architectures.dcgan_discriminator(
        (28, 28, 1), num_classes=k, label_conditioning="projection")
    gan = keras_gans.NonSaturatingGAN(
        G, D, latent_dim=64,
        cluster_conditioning=keras_gans.SelfConditioning(k, recluster_every_epochs=2))
    gan.compile()
    gan.fit(images, epochs=10, batch_size=64)   # re-clusters after epochs 2, 4, 6, 8, 10
    ```
    """

    def __init__(self, num_clusters=DEFAULT_NUM_CLUSTERS, recluster_every_epochs=1, pca_components=50, seed=0,
                 max_iterations=100):
        super().__init__(num_clusters, pca_components=pca_components, seed=seed, max_iterations=max_iterations)
        self.recluster_every_epochs = hyperparameters.positive_int("recluster_every_epochs", recluster_every_epochs)

    @property
    def is_reclustered(self):
        """True once the centers live in the discriminator's feature space."""
        return "ids" in self.state and "mean" not in self.state

    def fit(self, images):
        ids = super().fit(images)
        self.state["ids"] = ids.astype("int64")
        self.state["fingerprint"] = images_fingerprint(images)
        return ids

    def known_ids(self, images):
        """The saved ids when `images` are the training images (same fingerprint), else None."""
        if "ids" not in self.state or len(self.state["ids"]) != len(images):
            return None
        if not np.array_equal(self.state["fingerprint"], images_fingerprint(images)):
            return None
        return self.state["ids"].astype("int32")

    def recluster(self, features):
        """Re-clusters the training images from their features `(N, f)`; returns the matched int32 ids."""
        features = np.asarray(features, dtype="float64").reshape(len(features), -1)
        previous = self.state["ids"]
        if len(previous) != len(features):
            raise ValueError(
                f"`recluster` needs the features of the {len(previous)} training images; received {len(features)}."
            )
        k = self.num_clusters
        counts = np.bincount(previous, minlength=k)
        start = np.zeros((k, features.shape[1]))
        np.add.at(start, previous, features)
        start /= np.maximum(counts, 1)[:, None]
        empty = counts == 0
        if empty.any():  # an emptied cluster restarts at the k-means++ draws
            start[empty] = _kmeans_plus_plus(features, k, self.seed)[empty]
        _, ids = kmeans(features, k, self.seed, self.max_iterations, initial_centers=start)
        ids = match_clusters(previous, ids, k)
        centers = np.zeros((k, features.shape[1]))
        np.add.at(centers, ids, features)
        counts = np.bincount(ids, minlength=k)
        centers /= np.maximum(counts, 1)[:, None]
        self.state = {
            "centers": centers,
            "frequencies": counts / len(ids),
            "ids": ids.astype("int64"),
            "fingerprint": self.state["fingerprint"],
        }
        return ids

    def predict(self, images, features=None):
        """Nearest clusters; after a re-clustering, in `features` (a `discriminator_features`)."""
        if not self.is_reclustered:
            return super().predict(images)
        if features is None:
            raise ValueError("These clusters live in the discriminator's features: pass `features=`.")
        embedded = _in_blocks(lambda batch: features(np.asarray(batch, "float32")), images)
        return nearest_center(embedded, self.state["centers"]).astype("int32")

    def get_config(self):
        config = super().get_config()
        del config["feature_extractor"]
        config["recluster_every_epochs"] = self.recluster_every_epochs
        return config


class Recluster(keras.callbacks.Callback):
    """Re-clusters a `SelfConditioning` GAN's training images every N epochs (added by `fit`).

    Writes the new ids into `batches.labels` (a `keras_gans.data.SeededBatches`),
    which the next epoch reads. Put it before any callback that saves the GAN
    at epoch end, so the save holds the new clusters. `GAN.fit` on arrays and
    `recipes.fit` add it themselves; with your own seeded batches:

    ```python
    batches = keras_gans.data.SeededBatches(images, gan.cluster_ids(images), 64, seed=0)
    gan.fit(batches.fit_input(), epochs=10, shuffle=False,
            callbacks=[batches.callback, Recluster(gan, batches)])
    ```
    """

    def __init__(self, gan, batches):
        super().__init__()
        self._gan = gan
        self.batches = batches

    def on_epoch_end(self, epoch, logs=None):
        conditioning = self._gan.cluster_conditioning
        if (epoch + 1) % conditioning.recluster_every_epochs:
            return
        # On JAX `fit` has synced the variables into the model before epoch-end callbacks.
        features = discriminator_features(self._gan.discriminator)
        embedded = _in_blocks(lambda batch: features(self.batches.scale(batch)), self.batches.images)
        self.batches.labels[...] = conditioning.recluster(embedded)
