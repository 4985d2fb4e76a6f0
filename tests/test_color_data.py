"""Color data through the recipes, the command line and the evaluation: --background,
--center-crop, uint8 storage, `--dataset twemoji` and the twemoji classifier.

Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0.
"""

import json
import os

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.data.twemoji import twemoji_path

needs_twemoji = pytest.mark.skipif(
    not os.path.isfile(twemoji_path()),
    reason="emoji-datasource-twitter-16.0.0.tgz is not in the Keras datasets folder; tests/conftest.py links "
    "it from ../shared/datasets/twemoji/ (or $KERAS_GANS_SHARED_DATASETS/twemoji/)",
)


def _recipe(dataset, **data):
    recipe = recipes.default_recipe("digits")
    recipe["data"] = {"dataset": dataset, **data}
    return recipe


def _transparent_folder(path):
    """Two 6x12 RGBA images: the left half hidden (alpha 0) and red, the right half opaque blue."""
    path.mkdir()
    image = np.zeros((6, 12, 4), "uint8")
    image[:, :6] = [255, 0, 0, 0]
    image[:, 6:] = [0, 0, 255, 255]
    for i in range(2):
        Image.fromarray(image, "RGBA").save(path / f"{i}.png")
    return path


def test_recipe_folder_data_is_uint8_on_the_chosen_background_and_cropped(tmp_path):
    folder = _transparent_folder(tmp_path / "pngs")
    data = recipes.resolve_data(_recipe(f"folder:{folder}", image_size=6, background=[0, 255, 0], center_crop=True))
    assert data.images.dtype == np.uint8 and data.image_shape == (6, 6, 3)
    # The centred 6x6 square is columns 3..8: three hidden (green background), three blue.
    assert (data.images[:, :, :3] == [0, 255, 0]).all() and (data.images[:, :, 3:] == [0, 0, 255]).all()
    white = recipes.resolve_data(_recipe(f"folder:{folder}", image_size=6))
    assert (white.images[..., 0] != 255).any() and not (white.images == [255, 0, 0]).all(axis=-1).any()
    np.savez(tmp_path / "d.npz", x=np.zeros((3, 4, 4, 3), "uint8"))
    assert recipes.resolve_data(_recipe(f"npz:{tmp_path / 'd.npz'}")).images.dtype == np.uint8


@pytest.mark.parametrize(
    "data, message",
    [
        ({"dataset": "mnist", "background": "white"}, "data.background"),
        ({"dataset": "npz:x.npz", "center_crop": True}, "data.background"),
        ({"dataset": "folder:x", "background": "grey"}, "white"),
        ({"dataset": "folder:x", "center_crop": "yes"}, "data.center_crop"),
        ({"dataset": "twemoji", "image_size": 48}, "data.image_size"),
        ({"dataset": "twemoji", "channels": 1}, "data.channels"),
    ],
)
def test_recipe_data_errors(data, message):
    with pytest.raises(recipes.RecipeError, match=message):
        recipes.validate_recipe(_recipe(**data))


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--dataset", "digits", "--background", "black"], "--background and --center-crop apply to folder:"),
        (["--dataset", "twemoji", "--center-crop"], "--background and --center-crop apply to folder:"),
        (["--dataset", "folder:x", "--background", "1,2"], "--background must be white, black or R,G,B"),
        (["--dataset", "folder:x", "--background", "0,0,300"], "--background must be white, black or R,G,B"),
        (["--dataset", "twemoji", "--image-size", "48"], "--image-size must be one of 64, 32"),
        (["--dataset", "twemoji", "--channels", "1"], "--channels does not apply to twemoji"),
    ],
)
def test_cli_color_flag_errors(tmp_path, capsys, argv, expected):
    assert main(["train", *argv, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("keras-gans: error: ") and expected in err and "\n" not in err


def test_cli_background_and_center_crop_reach_the_recipe_and_the_data(tmp_path):
    from keras_gans import cli

    folder = _transparent_folder(tmp_path / "pngs")
    args = cli._parse(["train", "--dataset", f"folder:{folder}", "--image-size", "6", "--architecture", "mlp", "--background", "0,255,0",
                       "--center-crop"])
    cli._check_train_flags(args)
    recipe, data = cli._recipe_from_flags(args)
    assert recipe["data"]["background"] == [0, 255, 0] and recipe["data"]["center_crop"] is True
    assert data.images.dtype == np.uint8 and (data.images[:, :, :3] == [0, 255, 0]).all()
    args = cli._parse(["train", "--dataset", f"folder:{folder}", "--image-size", "6", "--architecture", "mlp", "--background", "Black"])
    cli._check_train_flags(args)
    recipe, data = cli._recipe_from_flags(args)
    assert recipe["data"]["background"] == "black" and "center_crop" not in recipe["data"]
    assert (data.images[:, :, :2] == 0).all()  # stretched: the left half of the 12 columns is hidden


@needs_twemoji
def test_twemoji_recipe_data_and_classifier_evaluation():
    data = recipes.resolve_data(_recipe("twemoji", image_size=32, conditional=True))
    assert data.images.shape == (3415, 32, 32, 3) and data.images.dtype == np.uint8
    assert data.num_classes == 10 and "CC-BY 4.0" in data.description

    from keras_gans.evaluation import evaluate_generator, real_images
    from keras_gans.presets import load_preset_model
    from keras_gans.presets.loading import resolve_preset

    classifier = load_preset_model("twemoji_classifier")
    assert tuple(classifier.inputs[0].shape[1:]) == (32, 32, 3) and classifier.get_layer("probs").units == 10
    # The card's held-out accuracy is what the packaged file measures (one image of slack across backends).
    from keras_gans.metrics.classifier_recipe import measure_test_accuracy

    recorded = resolve_preset("twemoji_classifier")[0]["test_accuracy"]
    assert abs(measure_test_accuracy(classifier, "twemoji") - recorded) <= 1.5 / 371

    small = dict(num_samples=200, num_real=200)
    real = evaluate_generator(lambda n, seed: real_images("twemoji", "train", n, image_size=32), "twemoji", **small)
    noise = evaluate_generator(lambda n, seed: np.random.default_rng(seed).uniform(size=(n, 32, 32, 3)), "twemoji", **small)
    # Real train images score near the floor (KID 2.3 on 371 held-out images), noise far above it.
    assert real["kid_mean"] * 4 < noise["kid_mean"] and real["fid"] * 4 < noise["fid"]
    assert real["protocol"]["image_size"] == 32 and real["protocol"]["feature_extractor"] == "twemoji_classifier"
    large = evaluate_generator(lambda n, seed: real_images("twemoji", "train", n, image_size=64), "twemoji", **small)
    assert large["protocol"]["image_size"] == 64 and abs(large["kid_mean"] - real["kid_mean"]) < 0.1 * real["kid_mean"]
    with pytest.raises(ValueError, match="64x64, 32x32"):
        evaluate_generator(lambda n, seed: np.zeros((n, 48, 48, 3)), "twemoji", **small)


@needs_twemoji
def test_features_of_64_pixel_images_are_those_of_their_32_pixel_box_mean():
    from keras_gans.data import load_dataset, to_unit_range
    from keras_gans.metrics import ClassifierFeatureExtractor

    extractor = ClassifierFeatureExtractor("twemoji")
    large = to_unit_range(load_dataset("twemoji", "test", image_size=64)[0][:40])
    small = to_unit_range(load_dataset("twemoji", "test", image_size=32)[0][:40])
    # The 32x32 dataset is the rounded box mean: the features differ only by that rounding.
    np.testing.assert_allclose(extractor(large), extractor(small), atol=0.05 * float(np.abs(extractor(small)).max()))


@needs_twemoji
def test_cli_evaluate_on_twemoji(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_TINY", "1")
    generator = keras.Sequential([
        keras.Input((4,)), keras.layers.Dense(32 * 32 * 3, activation="tanh"), keras.layers.Reshape((32, 32, 3)),
    ])
    path = str(tmp_path / "g.keras")
    generator.save(path)
    assert main(["evaluate", "--model", path, "--dataset", "twemoji", "--num-samples", "50", "--json", "--no-floor"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert float(printed["kid_mean"]) > 0 and {"fid", "precision", "recall"} <= set(printed)
