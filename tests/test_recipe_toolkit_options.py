"""Recipe options of issue 20: cluster conditioning, top-k and the SNGAN settings."""

import copy
import json
import pathlib

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans import recipes
from tests.helpers import max_abs_diff, snapshot

CLUSTERED = {
    "seed": 1,
    "data": {"dataset": "digits", "conditional": False},
    "generator": {"builder": "mlp_generator", "kwargs": {"hidden_units": [8]}},
    "discriminator": {"builder": "mlp_discriminator", "kwargs": {"hidden_units": [8]}},
    "gan": {"class": "NonSaturatingGAN", "config": {
        "latent_dim": 4, "cluster_conditioning": {"num_clusters": 3, "pca_components": 6},
        "top_k": {"decay": 0.5, "min_fraction": 0.5}, "ema_decay": 0.9, "ema_start_step": 1,
    }},
    "compile": {"steps_per_execution": 1},
    "fit": {"epochs": 2, "batch_size": 16},
}


def _data(recipe=CLUSTERED, n=48):
    data = recipes.resolve_data(recipe)
    return data._replace(images=data.images[:n])


def test_cluster_recipe_builds_the_conditional_pair_and_resumes_exactly(tmp_path):
    data = _data()
    assert data.labels is None and data.num_classes is None  # no labels are read
    gan = recipes.build_gan(CLUSTERED, data)
    assert gan.num_classes is None and gan.cluster_conditioning.num_clusters == 3
    assert len(gan.generator.inputs) == 2 and len(gan.discriminator.inputs) == 2
    recipes.fit(gan, CLUSTERED, data, verbose=0)
    assert gan.cluster_conditioning.frequencies.sum() == pytest.approx(1.0)
    assert float(keras.ops.convert_to_numpy(gan.top_k_fraction)) == pytest.approx(0.5)

    # One epoch, "killed", then resumed from the backup to the end: same weights.
    first = copy.deepcopy(CLUSTERED)
    first["fit"]["epochs"] = 1
    interrupted = recipes.build_gan(first, data)
    recipes.fit(interrupted, first, data, backup=str(tmp_path / "backup"), verbose=0)
    resumed = recipes.build_gan(CLUSTERED, data)
    history = recipes.fit(resumed, CLUSTERED, data, backup=str(tmp_path / "backup"), verbose=0)
    assert history.initial_epoch == 1
    assert max_abs_diff(snapshot(resumed.weights), snapshot(gan.weights)) == 0.0
    np.testing.assert_array_equal(resumed.generate(4, seed=2), gan.generate(4, seed=2))


def test_self_conditioned_recipe_reclusters_and_resumes_exactly(tmp_path):
    recipe = copy.deepcopy(CLUSTERED)
    recipe["gan"]["config"] = {"latent_dim": 4, "cluster_conditioning": {
        "num_clusters": 3, "pca_components": 6, "recluster_every_epochs": 1}}
    recipe["discriminator"]["kwargs"]["label_conditioning"] = "projection"
    recipe["fit"]["epochs"] = 3
    data = _data(recipe)
    gan = recipes.build_gan(recipe, data)
    assert isinstance(gan.cluster_conditioning, keras_gans.SelfConditioning)
    recipes.fit(gan, recipe, data, verbose=0)
    assert gan.cluster_conditioning.is_reclustered

    first = copy.deepcopy(recipe)
    first["fit"]["epochs"] = 1
    interrupted = recipes.build_gan(first, data)
    recipes.fit(interrupted, first, data, backup=str(tmp_path / "backup"), verbose=0)
    resumed = recipes.build_gan(recipe, data)
    history = recipes.fit(resumed, recipe, data, backup=str(tmp_path / "backup"), verbose=0)
    assert history.initial_epoch == 1
    assert max_abs_diff(snapshot(resumed.weights), snapshot(gan.weights)) == 0.0
    np.testing.assert_array_equal(resumed.cluster_ids(data.images), gan.cluster_ids(data.images))


@pytest.mark.parametrize(
    "config, conditional, message",
    [({"latent_dim": 4, "cluster_conditioning": 1}, False, "`num_clusters` must be an integer >= 2"),
     ({"latent_dim": 4, "cluster_conditioning": {"clusters": 5}}, False, "gan.config.cluster_conditioning"),
     ({"latent_dim": 4, "cluster_conditioning": 5}, True, "`data.conditional` trains on class labels")],
)
def test_bad_cluster_options_name_the_key(config, conditional, message):
    recipe = copy.deepcopy(CLUSTERED)
    recipe["gan"]["config"] = config
    recipe["data"]["conditional"] = conditional
    with pytest.raises(recipes.RecipeError, match="gan.config.cluster_conditioning") as info:
        recipes.validate_recipe(recipe)
    assert message in str(info.value)


def test_sngan_recipe_builds_exactly_the_sngan_settings():
    recipe = recipes.sngan_recipe("mnist", discriminator_steps=3, base_filters=4, latent_dim=8)
    gan = recipes.build_gan(recipe, recipes.Data(None, None, None, (28, 28, 1), ""))
    assert type(gan) is keras_gans.HingeGAN and isinstance(gan.game, keras_gans.losses.Hinge)
    assert gan.discriminator_steps == 3 and gan.latent_dim == 8
    kinds = {type(layer).__name__ for layer in gan.discriminator.layers}
    assert "SpectralNormalization" in kinds and not kinds & {"BatchNormalization", "LayerNormalization"}
    weighted = [l for l in gan.discriminator.layers if isinstance(l, (keras.layers.Conv2D, keras.layers.Dense))]
    assert not weighted  # every conv/dense is wrapped
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert optimizer.beta_1 == 0.0 and optimizer.beta_2 == 0.9
        assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(2e-4)


WHAT_HELPS = sorted((pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "what_helps").glob("*.json"))


@pytest.mark.parametrize("path", WHAT_HELPS, ids=lambda p: p.stem)
def test_what_helps_recipes_are_valid_and_label_free(path):
    recipe = recipes.load_recipe(path)
    assert recipe["name"] == path.stem and recipe["data"]["conditional"] is False
    assert recipe["fit"] == {"epochs": 20, "batch_size": 64, "max_minutes": None}
    assert recipe["compile"] == {"jit_compile": True, "steps_per_execution": 8}
    assert recipe["generator"]["kwargs"]["base_filters"] == 64


def test_cli_clusters_flag_trains_a_label_free_clustered_gan(tmp_path, monkeypatch, capfd):
    from keras_gans.cli import main

    monkeypatch.setenv("KERAS_GANS_TINY", "1")
    out = tmp_path / "run"
    argv = ["train", "--dataset", "digits", "--epochs", "1", "--batch-size", "32", "--verbose", "0"]
    assert main(argv + ["--clusters", "3", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["recipe"]["gan"]["config"]["cluster_conditioning"] == 3 and not run["recipe"]["data"]["conditional"]
    assert run["recipe"]["discriminator"]["kwargs"]["label_conditioning"] == "projection"
    gan = keras.saving.load_model(out / "model.keras")
    assert gan.num_classes is None and gan.cluster_conditioning.frequencies.sum() == pytest.approx(1.0)
    assert main(["sample", "--model", str(out / "model.keras"), "--num", "4", "--out", str(tmp_path / "s.png")]) == 0
    assert main(argv + ["--clusters", "3", "--recluster-every", "1", "--out", str(tmp_path / "self")]) == 0
    run = json.loads((tmp_path / "self" / "run.json").read_text())
    assert run["recipe"]["gan"]["config"]["cluster_conditioning"] == {"num_clusters": 3, "recluster_every_epochs": 1}
    assert run["recipe"]["discriminator"]["kwargs"]["label_conditioning"] == "projection"
    gan = keras.saving.load_model(tmp_path / "self" / "model.keras")
    assert isinstance(gan.cluster_conditioning, keras_gans.SelfConditioning) and gan.cluster_conditioning.is_reclustered
    for bad, message in ((["--clusters", "1"], "--clusters must be an integer >= 2"),
                         (["--clusters", "3", "--conditional"], "pass one of them"),
                         (["--recluster-every", "2"], "comes with --clusters"),
                         (["--clusters", "3", "--recluster-every", "0"], "--recluster-every must be an integer >= 1")):
        assert main(argv + bad + ["--out", str(tmp_path / "bad")]) == 2
        assert message in capfd.readouterr().err  # fd-level: robust to a rebound sys.stderr
    assert not (tmp_path / "bad").exists()


def test_clusters_default_to_the_measured_number():
    from keras_gans.cli import build_parser
    from keras_gans.cluster_conditioning import DEFAULT_NUM_CLUSTERS, get

    args = build_parser().parse_args(["train", "--dataset", "mnist", "--clusters"])
    assert args.clusters == DEFAULT_NUM_CLUSTERS
    assert build_parser().parse_args(["train", "--dataset", "mnist", "--clusters", "7"]).clusters == 7
    assert build_parser().parse_args(["train", "--dataset", "mnist"]).clusters is None
    assert get(True).num_clusters == keras_gans.ClusterConditioning().num_clusters == DEFAULT_NUM_CLUSTERS
    assert DEFAULT_NUM_CLUSTERS in (10, 20, 50)   # the measured candidates
