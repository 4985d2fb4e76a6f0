"""Self-conditioning (Liu et al. 2020): clusters re-computed in D's features during `fit`, on the suite's backend."""

import itertools

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans import cluster_conditioning as clustering
from tests.helpers import LATENT_DIM, digits, max_abs_diff, snapshot

NUM_CLUSTERS = 4


def self_conditioned_gan(seed=0, every=1, **kwargs):
    G = keras_gans.architectures.mlp_generator(LATENT_DIM, num_classes=NUM_CLUSTERS, hidden_units=(16,), seed=seed)
    D = keras_gans.architectures.mlp_discriminator(
        num_classes=NUM_CLUSTERS, hidden_units=(16,), seed=seed + 1, label_conditioning="projection"
    )
    conditioning = keras_gans.SelfConditioning(NUM_CLUSTERS, recluster_every_epochs=every, pca_components=8)
    return keras_gans.NonSaturatingGAN(G, D, latent_dim=LATENT_DIM, seed=seed, cluster_conditioning=conditioning,
                                       **kwargs)


# --- Matching and re-clustering (NumPy, backend-free) ------------------------------


def test_linear_assignment_is_the_cheapest_of_all_assignments():
    rng = np.random.default_rng(0)
    for trial in range(60):
        rows = int(rng.integers(1, 6))
        cols = int(rng.integers(rows, 7))
        cost = rng.normal(size=(rows, cols)) if trial % 2 else rng.integers(0, 3, (rows, cols)).astype(float)
        columns = clustering.linear_assignment(cost)
        assert len(set(columns.tolist())) == rows
        best = min(sum(cost[i, p[i]] for i in range(rows)) for p in itertools.permutations(range(cols), rows))
        assert cost[np.arange(rows), columns].sum() == pytest.approx(best, abs=1e-12)
    with pytest.raises(ValueError, match="rows <= columns"):
        clustering.linear_assignment(np.zeros((3, 2)))


def test_matching_undoes_a_renaming_and_keeps_most_ids():
    rng = np.random.default_rng(1)
    previous = rng.integers(0, 6, 500)
    renaming = rng.permutation(6)
    np.testing.assert_array_equal(clustering.match_clusters(previous, renaming[previous], 6), previous)
    # 50 points move cluster: the matching still maps every renamed cluster home.
    moved = renaming[previous].copy()
    moved[:50] = (moved[:50] + 1) % 6
    matched = clustering.match_clusters(previous, moved, 6)
    np.testing.assert_array_equal(matched[50:], previous[50:])


def test_recluster_of_separated_features_keeps_the_previous_ids():
    rng = np.random.default_rng(2)
    previous = np.repeat(np.arange(NUM_CLUSTERS), 25)
    features = rng.normal(size=(NUM_CLUSTERS, 3))[previous] * 100.0 + rng.normal(size=(100, 3))
    conditioning = keras_gans.SelfConditioning(NUM_CLUSTERS)
    conditioning.state = {"ids": previous, "fingerprint": np.zeros(4), "mean": 0, "components": 0, "centers": 0}
    ids = conditioning.recluster(features)
    np.testing.assert_array_equal(ids, previous)
    assert conditioning.is_reclustered and "mean" not in conditioning.state
    for j in range(NUM_CLUSTERS):
        np.testing.assert_allclose(conditioning.state["centers"][j], features[previous == j].mean(axis=0))
    np.testing.assert_allclose(conditioning.frequencies, np.full(NUM_CLUSTERS, 0.25))


def test_kmeans_from_given_centers_runs_lloyd_from_them():
    x = np.array([[0.0], [1.0], [9.0], [10.0]])
    centers, ids = clustering.kmeans(x, 2, initial_centers=[[10.0], [0.0]])
    np.testing.assert_array_equal(ids, [1, 1, 0, 0])
    np.testing.assert_allclose(centers, [[9.5], [0.5]])
    with pytest.raises(ValueError, match="initial_centers"):
        clustering.kmeans(x, 2, initial_centers=[[0.0]])


# --- Discriminator features ----------------------------------------------------------


@pytest.mark.parametrize("builder", ["dcgan", "mlp"])
def test_projection_discriminator_is_linear_in_the_label_embedding(builder):
    """logit(x, a) - logit(x, b) = (e_a - e_b) . phi(x) (Miyato & Koyama 2018), and phi ignores the label."""
    if builder == "dcgan":
        D = keras_gans.architectures.dcgan_discriminator(
            (16, 16, 1), num_classes=3, base_filters=4, seed=0, label_conditioning="projection")
        x = np.random.default_rng(0).uniform(-1, 1, (5, 16, 16, 1)).astype("float32")
    else:
        D = keras_gans.architectures.mlp_discriminator(num_classes=3, hidden_units=(8,), seed=0,
                                                       label_conditioning="projection")
        x = np.random.default_rng(0).uniform(-1, 1, (5, 8, 8, 1)).astype("float32")
    features = keras.Model(D.inputs[0], D.get_layer("flatten" if builder == "dcgan" else "features").output)
    phi = keras.ops.convert_to_numpy(features(x)).reshape(5, -1)
    embedding = keras.ops.convert_to_numpy(D.get_layer("projection").embeddings)
    logit = {c: keras.ops.convert_to_numpy(D([x, np.full(5, c, "int32")])) for c in (0, 2)}
    np.testing.assert_allclose(logit[0] - logit[2], (phi @ (embedding[0] - embedding[2]))[:, None], atol=1e-5)
    pooled = keras.ops.convert_to_numpy(clustering.discriminator_features(D)(x))
    assert pooled.shape == (5, 4 * 2 if builder == "dcgan" else 8)


def test_features_that_see_the_label_are_refused():
    D = keras_gans.architectures.mlp_discriminator(num_classes=NUM_CLUSTERS, hidden_units=(8,))
    with pytest.raises(ValueError, match="label_conditioning='projection'"):
        clustering.discriminator_features(D)
    G = keras_gans.architectures.mlp_generator(LATENT_DIM, num_classes=NUM_CLUSTERS, hidden_units=(8,))
    with pytest.raises(ValueError, match="label_conditioning='projection'"):
        keras_gans.NonSaturatingGAN(G, D, latent_dim=LATENT_DIM,
                                    cluster_conditioning=keras_gans.SelfConditioning(NUM_CLUSTERS))
    with pytest.raises(ValueError, match="label_conditioning"):
        keras_gans.architectures.mlp_discriminator(num_classes=2, label_conditioning="concat")


# --- The GAN ---------------------------------------------------------------------


class _Features(keras.callbacks.Callback):
    """Keeps D's features of `images` at each epoch end (after `Recluster`, which does not change D)."""

    def __init__(self, gan, images):
        super().__init__()
        self.gan, self.images, self.features = gan, images, []

    def on_epoch_end(self, epoch, logs=None):
        extract = clustering.discriminator_features(self.gan.discriminator)
        self.features.append(np.asarray(keras.ops.convert_to_numpy(extract(self.images)), "float64"))


def test_fit_reclusters_in_d_features_every_n_epochs():
    x, _ = digits(64)
    gan = self_conditioned_gan(every=2)
    gan.compile()
    spy = _Features(gan, x)
    gan.fit(x, epochs=4, batch_size=32, verbose=0, callbacks=[spy])
    first = keras_gans.SelfConditioning(NUM_CLUSTERS, pca_components=8)
    expected = first.fit(x)
    for features in (spy.features[1], spy.features[3]):  # after epochs 2 and 4
        expected = first.recluster(features)
    assert gan.cluster_conditioning.is_reclustered
    np.testing.assert_array_equal(gan.cluster_ids(x), expected)
    np.testing.assert_allclose(gan.cluster_conditioning.frequencies, first.frequencies)
    np.testing.assert_allclose(gan.cluster_conditioning.state["centers"], first.state["centers"])
    # Other images go to the nearest center in D's (final) features.
    other, _ = digits(20, split="test")
    other_features = keras.ops.convert_to_numpy(clustering.discriminator_features(gan.discriminator)(other))
    nearest = clustering.nearest_center(np.asarray(other_features, "float64"), first.state["centers"])
    np.testing.assert_array_equal(gan.cluster_ids(other), nearest)


def test_a_resumed_self_conditioned_run_equals_the_uninterrupted_one(tmp_path):
    x, _ = digits(64)
    straight = self_conditioned_gan(every=1)
    straight.compile()
    straight.fit(x, epochs=2, batch_size=32, verbose=0)

    class StopAfterOne(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    first = self_conditioned_gan(every=1)
    first.compile()
    first.fit(x, epochs=2, batch_size=32, verbose=0, callbacks=[StopAfterOne()])
    first.save(tmp_path / "gan.keras")
    resumed = keras.saving.load_model(tmp_path / "gan.keras")
    np.testing.assert_array_equal(resumed.cluster_ids(x), first.cluster_ids(x))
    resumed.fit(x, epochs=2, initial_epoch=1, batch_size=32, verbose=0)
    assert max_abs_diff(snapshot(resumed.generator.weights), snapshot(straight.generator.weights)) == 0.0
    np.testing.assert_array_equal(resumed.cluster_ids(x), straight.cluster_ids(x))
    np.testing.assert_array_equal(resumed.generate(6, seed=1), straight.generate(6, seed=1))


def test_bad_self_conditioning_input_is_refused_before_any_weight_changes():
    x, _ = digits(64)
    gan = self_conditioned_gan()
    gan.compile()
    before = snapshot(gan.weights)
    ids = gan.cluster_ids(x)  # the first clusters, so that a dataset of (images, ids) gets as far as the check
    with pytest.raises(ValueError, match="as an array"):
        gan.fit(keras_gans.data.SeededBatches(x, ids, 16, 0), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="recluster_every_epochs"):
        keras_gans.SelfConditioning(NUM_CLUSTERS, recluster_every_epochs=0)
    with pytest.raises(ValueError, match="by name"):
        gan.fit(x, None, 16, 1)
    assert max_abs_diff(snapshot(gan.weights), before) == 0.0
    clone = keras_gans.NonSaturatingGAN.from_config(gan.get_config())
    assert isinstance(clone.cluster_conditioning, keras_gans.SelfConditioning)
    assert clone.cluster_conditioning.get_config() == gan.cluster_conditioning.get_config()
