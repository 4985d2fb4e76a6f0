"""Label-free cluster conditioning (keras_gans/cluster_conditioning.py) on the suite's backend."""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans import cluster_conditioning as clustering
from tests.helpers import LATENT_DIM, digits, max_abs_diff, snapshot
from tests.models.gan_contract import public_gan_classes

NUM_CLUSTERS = 4


def blobs(num_blobs=4, per_blob=30, dim=6, seed=0):
    """Well separated Gaussian blobs: centers 100 apart, unit spread."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(num_blobs, dim)) * 100.0
    labels = np.repeat(np.arange(num_blobs), per_blob)
    return centers[labels] + rng.normal(size=(len(labels), dim)), labels


def same_partition(a, b):
    """True when two labelings group the points identically (up to renaming)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def cluster_gan(cls=keras_gans.NonSaturatingGAN, seed=0, **kwargs):
    G = keras_gans.architectures.mlp_generator(LATENT_DIM, num_classes=NUM_CLUSTERS, hidden_units=(16,), seed=seed)
    D = keras_gans.architectures.mlp_discriminator(num_classes=NUM_CLUSTERS, hidden_units=(16,), seed=seed + 1)
    conditioning = keras_gans.ClusterConditioning(NUM_CLUSTERS, pca_components=8, seed=0)
    return cls(G, D, latent_dim=LATENT_DIM, seed=seed, cluster_conditioning=conditioning, **kwargs)


# --- k-means and PCA (NumPy, backend-free) ---------------------------------------


def test_kmeans_finds_separated_blobs_exactly_and_is_seeded():
    x, labels = blobs()
    centers, ids = clustering.kmeans(x, 4, seed=3)
    assert same_partition(ids, labels)
    # Each center is the mean of its members (Lloyd's fixed point).
    for j in range(4):
        np.testing.assert_allclose(centers[j], x[ids == j].mean(axis=0), atol=1e-9)
    centers_again, ids_again = clustering.kmeans(x, 4, seed=3)
    assert np.array_equal(ids, ids_again) and np.array_equal(centers, centers_again)


def test_pca_of_points_on_the_axes_is_the_axes_by_decreasing_spread():
    # +-s_i e_i for each axis: mean 0, covariance diag(2 s_i^2) exactly.
    scales = np.array([0.5, 10.0, 1.0, 5.0, 2.0])
    x = np.concatenate([np.diag(scales), -np.diag(scales)]) + 3.0
    mean, components = clustering.pca(x, 3)
    np.testing.assert_allclose(mean, np.full(5, 3.0))
    np.testing.assert_allclose(components, np.eye(5)[:, [1, 3, 4]], atol=1e-12)


def test_conditioning_fit_on_blob_images_recovers_them_and_frequencies_sum_to_one():
    x, labels = blobs(per_blob=10, dim=16)
    images = x.reshape(-1, 4, 4, 1).astype("float32")
    conditioning = keras_gans.ClusterConditioning(4, pca_components=3, seed=0)
    ids = conditioning.fit(images)
    assert ids.dtype == np.int32 and same_partition(ids, labels)
    np.testing.assert_allclose(conditioning.frequencies, np.bincount(ids) / len(ids))
    assert conditioning.frequencies.sum() == pytest.approx(1.0)
    assert np.array_equal(conditioning.predict(images), ids)
    assert np.array_equal(keras_gans.ClusterConditioning(4, pca_components=3, seed=0).fit(images), ids)


def test_feature_extractor_replaces_pca():
    x, labels = blobs(per_blob=10, dim=16)
    images = x.reshape(-1, 4, 4, 1).astype("float32")
    # An extractor that keeps only the first pixel still separates the blobs
    # iff their first coordinates differ; compare with k-means on that pixel.
    conditioning = keras_gans.ClusterConditioning(4, feature_extractor=lambda b: b[:, 0, 0, :], seed=0)
    ids = conditioning.fit(images)
    assert "components" not in conditioning.state
    assert np.array_equal(ids, clustering.kmeans(x[:, :1], 4, seed=0)[1])


def test_sampled_clusters_follow_the_frequencies():
    frequencies = np.array([0.5, 0.3, 0.15, 0.05])
    n = 200_000
    counts = np.bincount(clustering.sample_clusters(frequencies, n, seed=7), minlength=4) / n
    # Within 5 standard deviations of a multinomial proportion.
    assert np.all(np.abs(counts - frequencies) < 5 * np.sqrt(frequencies * (1 - frequencies) / n))
    assert np.array_equal(clustering.sample_clusters(frequencies, 50, 7), clustering.sample_clusters(frequencies, 50, 7))


@pytest.mark.parametrize(
    "kwargs, message",
    [({"num_clusters": 1}, "num_clusters"), ({"num_clusters": 2.0}, "num_clusters"),
     ({"num_clusters": 4, "pca_components": 0}, "pca_components"),
     ({"num_clusters": 4, "feature_extractor": "pixels"}, "feature_extractor"),
     ({"num_clusters": 4, "seed": -1}, "seed")],
)
def test_bad_conditioning_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras_gans.ClusterConditioning(**kwargs)


# --- The GAN ---------------------------------------------------------------------


def test_fit_trains_the_conditional_pair_on_the_cluster_ids():
    """Exactly as a conditional GAN given the cluster ids as labels."""
    x, _ = digits(64)
    gan = cluster_gan()
    gan.compile()
    gan.fit(x, epochs=1, batch_size=16, shuffle=False, verbose=0)
    ids = keras_gans.ClusterConditioning(NUM_CLUSTERS, pca_components=8, seed=0).fit(x)
    assert np.array_equal(gan.cluster_ids(x), ids)

    G = keras_gans.architectures.mlp_generator(LATENT_DIM, num_classes=NUM_CLUSTERS, hidden_units=(16,), seed=0)
    D = keras_gans.architectures.mlp_discriminator(num_classes=NUM_CLUSTERS, hidden_units=(16,), seed=1)
    labelled = keras_gans.NonSaturatingGAN(G, D, latent_dim=LATENT_DIM, seed=0, num_classes=NUM_CLUSTERS)
    labelled.compile()
    labelled.fit(x, ids, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert max_abs_diff(snapshot(gan.generator.weights), snapshot(labelled.generator.weights)) == 0.0
    assert max_abs_diff(snapshot(gan.discriminator.weights), snapshot(labelled.discriminator.weights)) == 0.0


def test_generate_draws_clusters_by_frequency_and_clusters_picks_them():
    x, _ = digits(64)
    gan = cluster_gan()
    gan.compile()
    gan.fit(x, epochs=1, batch_size=32, verbose=0)
    frequencies = gan.cluster_conditioning.frequencies
    drawn = clustering.sample_clusters(frequencies, 12, seed=5)
    np.testing.assert_array_equal(gan.generate(12, seed=5), gan.generate(12, seed=5, clusters=drawn))
    picked = [3, 0, 2]
    expected = keras_gans.generate_images(
        gan.generator, 3, LATENT_DIM, seed=1, labels=picked, num_classes=NUM_CLUSTERS
    )
    np.testing.assert_array_equal(gan.generate(3, seed=1, clusters=picked), expected)
    with pytest.raises(ValueError, match="clusters"):
        gan.generate(3, labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"\[0, 3\]"):
        gan.generate(2, clusters=[0, NUM_CLUSTERS])


def test_saved_gan_and_preset_keep_the_clusters(tmp_path):
    x, _ = digits(64)
    gan = cluster_gan(ema_decay=0.9)
    gan.compile()
    gan.fit(x, epochs=1, batch_size=32, verbose=0)
    images = gan.generate(10, seed=3)

    gan.save(tmp_path / "gan.keras")
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    for key, value in gan.cluster_conditioning.state.items():
        np.testing.assert_array_equal(loaded.cluster_conditioning.state[key], value)
    np.testing.assert_array_equal(loaded.generate(10, seed=3), images)
    assert np.array_equal(loaded.cluster_ids(x), gan.cluster_ids(x))

    keras_gans.save_preset(gan, tmp_path / "preset", dataset="digits")
    preset = keras_gans.from_preset(tmp_path / "preset")
    assert preset.num_classes is None and preset.num_clusters == NUM_CLUSTERS
    np.testing.assert_allclose(preset.cluster_frequencies, gan.cluster_conditioning.frequencies)
    np.testing.assert_array_equal(preset.generate(10, seed=3), images)
    np.testing.assert_array_equal(preset.generate(2, seed=0, clusters=[1, 1]), gan.generate(2, seed=0, clusters=[1, 1]))


def test_bad_inputs_are_refused_before_any_weight_changes():
    x, y = digits(64)
    gan = cluster_gan()
    gan.compile()
    before = snapshot(gan.weights)
    with pytest.raises(ValueError, match="Labels were given"):
        gan.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="more than the 3 training images"):
        gan.fit(x[:3], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="not computed yet"):
        gan.generate(2)
    assert gan.cluster_conditioning.frequencies is None
    assert max_abs_diff(snapshot(gan.weights), before) == 0.0
    gan.fit(x, epochs=1, batch_size=32, verbose=0)  # still usable (JAX purges on a failed step)
    with pytest.raises(ValueError, match="either `num_classes`"):
        cluster_gan(num_classes=NUM_CLUSTERS)


@pytest.mark.parametrize("cls", public_gan_classes(), ids=lambda c: c.__name__)
def test_every_gan_class_fits_with_clusters(cls):
    x, _ = digits(32)
    kwargs = {"critic_steps": 1} if cls is keras_gans.WGANGP else {}
    gan = cluster_gan(cls, **kwargs)
    gan.compile()
    history = gan.fit(x, epochs=1, batch_size=16, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert gan.cluster_conditioning.frequencies.sum() == pytest.approx(1.0)
    clone = cls.from_config(gan.get_config())
    assert clone.cluster_conditioning.get_config() == gan.cluster_conditioning.get_config()
