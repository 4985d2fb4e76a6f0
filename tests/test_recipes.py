"""keras_gans.recipes: one validated recipe format for the CLI and the zoo."""

import copy
import json
import pathlib

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans import recipes

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
ZOO_RECIPES = sorted(REPO_ROOT.glob("zoo/*/recipe.json"))

TINY = {
    "seed": 3,
    "data": {"dataset": "digits", "conditional": True},
    "generator": {"builder": "mlp_generator", "kwargs": {"hidden_units": [8]}},
    "discriminator": {"builder": "mlp_discriminator", "kwargs": {"hidden_units": [8]}},
    "gan": {"class": "NonSaturatingGAN", "config": {"latent_dim": 4}},
    "optimizers": {
        "generator": {"class_name": "SGD", "config": {"learning_rate": 0.1}},
        "discriminator": {"class_name": "Adam", "config": {"learning_rate": 0.01, "beta_1": 0.5}},
    },
    "compile": {"steps_per_execution": 1},
    "fit": {"epochs": 2, "batch_size": 16},
}


def _tiny_data(recipe=TINY, n=32):
    data = recipes.resolve_data(recipe)
    return data._replace(images=data.images[:n], labels=None if data.labels is None else data.labels[:n])


def _with(path, value, recipe=TINY):
    recipe = copy.deepcopy(recipe)
    *parents, last = path.split(".")
    node = recipe
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return recipe


_DELETE = object()


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("seed", _DELETE, "Recipe key `seed` is missing"),
        ("seed", -1, "`seed` must be an integer >= 0"),
        ("epochs", 3, "Recipe key `<top level>.epochs` is not a recipe key"),
        ("data.dataset", "cifar10", "`data.dataset` must be one of digits"),
        ("data.conditional", "yes", "`data.conditional` must be true or false"),
        ("data.image_size", 16, "`data.image_size` and `data.channels` apply to folder: and npz:"),
        ("generator.builder", "vit_generator", "`generator.builder` must name a function of keras_gans.architectures"),
        ("discriminator.kwargs", {"seed": 1}, "`discriminator.kwargs.seed` is set by the recipe itself"),
        ("generator.kwargs", {"latent_dim": 8}, "`generator.kwargs.latent_dim` is set by the recipe itself"),
        ("gan.class", "DCGAN", "`gan.class` must name a keras_gans GAN class, one of ['HingeGAN', 'LeastSquaresGAN'"),
        ("gan.config", {}, "`gan.config.latent_dim` is missing"),
        ("gan.config.latent_dim", 0, "`gan.config.latent_dim` must be an integer >= 1; received 0"),
        ("gan.config.num_classes", 10, "`gan.config.num_classes` is set by the recipe itself"),
        ("optimizers.generator", "adam", "`optimizers.generator` must be a Keras optimizer config"),
        ("optimizers.discriminator.config.learning_rate", -1, "`optimizers.discriminator.config.learning_rate` must be > 0"),
        ("compile.steps_per_execution", 0, "`compile.steps_per_execution` must be an integer >= 1"),
        ("compile.run_eagerly", True, "`compile.run_eagerly` is not a recipe key"),
        ("fit.batch_size", _DELETE, "`fit.batch_size` is missing"),
        ("fit.epochs", 1.5, "`fit.epochs` must be an integer >= 1"),
        ("fit.max_minutes", 0, "`fit.max_minutes` must be a number > 0 or null"),
    ],
)
def test_validation_errors_name_the_key(path, value, message):
    with pytest.raises(recipes.RecipeError) as info:
        recipes.validate_recipe(_with(path, value))
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("generator.kwargs", {"widths": [4]}, "Recipe key `generator.kwargs`: mlp_generator() got an unexpected keyword argument 'widths'"),
        ("gan.config.critic_steps", 2, "Recipe key `gan.config`"),
        ("gan.config.ema_decay", 1.0, "Recipe key `gan.config`: `ema_decay` must lie in [0, 1)"),
        ("optimizers.generator", {"class_name": "Adamm", "config": {}}, "`optimizers.generator.class_name` must name a Keras optimizer"),
    ],
)
def test_build_errors_name_the_key(path, value, message):
    with pytest.raises(recipes.RecipeError) as info:
        recipes.build_gan(_with(path, value), recipes.Data(None, None, 10, (8, 8, 1), ""))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_load_recipe_reports_the_file_and_the_json_error(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"seed": 0,\n "data": }')
    with pytest.raises(recipes.RecipeError, match=r"r.json' is not valid JSON \(line 2, column 10"):
        recipes.load_recipe(path)
    path.write_text(json.dumps(_with("fit.epochs", 0)))
    with pytest.raises(recipes.RecipeError, match=r"Recipe key `fit.epochs` in '.*r.json' must be an integer >= 1"):
        recipes.load_recipe(path)


@pytest.mark.parametrize("path", ZOO_RECIPES, ids=lambda p: p.parent.name)
def test_every_zoo_recipe_is_valid(path):
    recipe = recipes.load_recipe(path)
    assert recipe["name"] == path.parent.name and recipe["gan"]["class"] in recipes.gan_classes()


def test_the_wgan_gp_preset_recipe_builds_what_its_card_says():
    recipe = recipes.load_recipe(REPO_ROOT / "zoo" / "dcgan_mnist_wgan_gp" / "recipe.json")
    recipe["generator"]["kwargs"]["base_filters"] = recipe["discriminator"]["kwargs"]["base_filters"] = 4
    gan = recipes.build_gan(recipe, recipes.Data(None, None, None, (28, 28, 1), ""))
    assert type(gan) is keras_gans.WGANGP and gan.latent_dim == 64
    assert gan.get_config()["critic_steps"] == 5 and gan.get_config()["gradient_penalty_weight"] == 10.0
    assert "LayerNormalization" in {type(l).__name__ for l in gan.discriminator.layers}
    g_opt = gan.generator_optimizer
    assert isinstance(g_opt, keras.optimizers.Adam) and g_opt.beta_1 == 0.0 and g_opt.beta_2 == 0.9
    assert float(keras.ops.convert_to_numpy(g_opt.learning_rate)) == pytest.approx(1e-4)


def test_build_uses_the_seed_the_data_and_the_toolkit_options():
    recipe = _with("gan.config", {
        "latent_dim": 4, "ema_decay": 0.5, "label_smoothing": 0.1,
        "augmentation": keras.saving.serialize_keras_object(keras_gans.augment.DiffAugment("translation")),
    })
    data = _tiny_data(recipe)
    gan = recipes.build_gan(recipe, data)
    again = recipes.build_gan(recipe, data)
    assert gan.num_classes == 10 and gan.image_shape == (8, 8, 1) and gan.seed == 3
    assert gan.ema_generator is not None and gan.augmentation.policy == "translation"
    for a, b in zip(gan.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # builders seeded from the recipe's seed
    assert isinstance(gan.generator_optimizer, keras.optimizers.SGD)
    assert isinstance(gan.discriminator_optimizer, keras.optimizers.Adam)


def test_fit_trains_the_budget_and_the_time_limit_stops_it(tmp_path):
    data = _tiny_data()
    gan = recipes.build_gan(TINY, data)
    history = recipes.fit(gan, TINY, data, verbose=0, history_csv=str(tmp_path / "log.csv"))
    assert history.epochs_done == 2 and history.initial_epoch == 0
    assert int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations)) == 2 * 2
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 1 + 2

    limited = _with("fit.max_minutes", 1e-6)
    gan = recipes.build_gan(limited, data)
    assert recipes.fit(gan, limited, data, verbose=0).epochs_done == 1  # stops after the first epoch


def test_resolve_data_checks_the_images(tmp_path):
    np.savez(tmp_path / "nan.npz", x=np.full((4, 8, 8), np.nan, "float32"))
    with pytest.raises(ValueError, match="contains 256 NaN"):
        recipes.resolve_data(_with("data", {"dataset": f"npz:{tmp_path / 'nan.npz'}"}))
    np.savez(tmp_path / "nolabels.npz", x=np.zeros((4, 8, 8), "uint8"))
    with pytest.raises(recipes.RecipeError, match="needs class labels"):
        recipes.resolve_data(_with("data", {"dataset": f"npz:{tmp_path / 'nolabels.npz'}", "conditional": True}))


def test_a_recipe_asking_for_xla_trains_on_every_backend():
    """The zoo's CPU recipes ask for `jit_compile: true` (TensorFlow's fastest CPU setting); PyTorch
    trains them without torch.compile, the other backends compile them with XLA."""
    recipe = _with("compile", {"jit_compile": True, "steps_per_execution": 2})
    if keras.backend.backend() == "torch":
        with pytest.warns(UserWarning, match="PyTorch trains without torch.compile"):
            gan = recipes.build_gan(recipe, _tiny_data(recipe))
    else:
        gan = recipes.build_gan(recipe, _tiny_data(recipe))
    assert gan.jit_compile is (keras.backend.backend() != "torch")
    data = _tiny_data(recipe)
    gan.fit(data.images, data.labels, epochs=1, batch_size=16, verbose=0)
    assert int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations)) == 2


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the XLA-on-CPU warning is TensorFlow's")
def test_xla_with_an_input_gradient_penalty_warns_on_a_cpu():
    """XLA made the WGAN-GP presets' step about 1.5x slower on a CPU (benchmarks/wgan_gp_xla_cpu.py):
    a recipe or a direct `compile` asking for it with a gradient penalty is warned; without the
    penalty, or without XLA, not."""
    import warnings

    import tensorflow as tf

    if tf.config.list_logical_devices("GPU"):
        pytest.skip("the warning is for CPU runs")
    wgan = _with("gan", {"class": "WGANGP", "config": {"latent_dim": 4, "critic_steps": 2}})
    with pytest.warns(UserWarning, match="1.5x slower"):
        recipes.build_gan(_with("compile", {"jit_compile": True}, wgan), _tiny_data(wgan))
    for quiet in (_with("compile", {"jit_compile": False}, wgan), _with("compile", {"jit_compile": True})):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            recipes.build_gan(quiet, _tiny_data(quiet))
    # The warning is `GAN.compile`'s, so a direct compile gets it too, pointing at the caller.
    gan = recipes.build_gan(_with("compile", {"jit_compile": False}, wgan), _tiny_data(wgan))
    with pytest.warns(UserWarning, match="1.5x slower") as caught:
        gan.compile(jit_compile=True)
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gan.compile(jit_compile="auto")
