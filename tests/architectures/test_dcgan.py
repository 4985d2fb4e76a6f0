"""DCGAN builders at every supported size, and the 28x28/32x32 models kept layer for layer.

The 28x28 and 32x32 models must stay the ones saved presets were trained
with: the same layers, names, shapes, initializers and weight order. Two
checks pin that: the zoo's DCGAN recipes rebuild their saved generators
exactly (config and weights), and the configs of every 28/32 variant hash
to the digests written from the builders as they were before sizes other
than 28 and 32 existed (commit 209fa7d).
"""

import hashlib
import itertools
import json
import pathlib
import zipfile

import keras
import numpy as np
import pytest

from keras_gans.architectures import dcgan_discriminator, dcgan_generator

ZOO = pathlib.Path(__file__).resolve().parents[2] / "zoo"
SIZES = (16, 28, 32, 64, 128, 256)


@pytest.mark.parametrize("size", SIZES)
def test_every_size_builds_and_runs(size):
    channels = 3 if size != 28 else 1
    base, n = (7, 2) if size == 28 else (4, int(np.log2(size // 4)))
    G = dcgan_generator(8, (size, size, channels), num_classes=3, base_filters=2, seed=0)
    D = dcgan_discriminator((size, size, channels), num_classes=3, base_filters=2, seed=1)
    assert tuple(G.get_layer("to_feature_map").output.shape[1:]) == (base, base, 2 * 2 ** (n - 1))
    assert sum(layer.name.startswith("downsample_") and layer.name[-1].isdigit() for layer in D.layers) == n
    labels = keras.ops.convert_to_tensor(np.array([0, 2], dtype="int32"))
    images = G([keras.ops.zeros((2, 8)), labels], training=False)
    assert tuple(images.shape) == (2, size, size, channels)
    assert tuple(D([images, labels], training=False).shape) == (2, 1)
    assert tuple(dcgan_discriminator((size, size, 1), base_filters=2).output.shape) == (None, 1)


@pytest.mark.parametrize("shape", [(48, 48, 3), (24, 24, 1), (512, 512, 3), (8, 8, 1), (32, 64, 3)])
def test_unsupported_sizes_say_which_are(shape):
    for build in (lambda: dcgan_generator(8, shape), lambda: dcgan_discriminator(shape)):
        with pytest.raises(ValueError, match="16, 28, 32, 64, 128, 256; received"):
            build()


def _digest(model):
    text = json.dumps(keras.saving.serialize_keras_object(model), sort_keys=True)
    shapes = [tuple(w.shape) for w in model.weights]
    return hashlib.sha256((text + repr(shapes) + repr([w.path for w in model.weights])).encode()).hexdigest()[:16]


# Written on every backend (the same) with keras 3.15.1 from the builders of
# commit 209fa7d: latent_dim 64, base_filters 64, G seed 0, D seed 1.
DIGESTS_KERAS_VERSION = "3.15.1"
DIGESTS = {
    "D28x1 nc=10 batch": "c50c426ba29e26da", "D28x1 nc=10 spectral": "48839760a52573e8",
    "D28x1 nc=None None": "21596d96797236ee", "D28x1 nc=None batch": "79b8ad0071416557",
    "D28x1 nc=None layer": "2925871e5b1797e7", "D28x1 nc=None spectral": "74dfed1a9dc90094",
    "D32x3 nc=10 batch": "0998ca2d7c6c9283", "D32x3 nc=10 spectral": "f9704fb6594b6ce2",
    "D32x3 nc=None batch": "56ebda7c8df7bf39", "D32x3 nc=None spectral": "4bacc8e740f6d77c",
    "G28x1 nc=10": "61031023ded3cc25", "G28x1 nc=None": "c6a2d90750d628f7",
    "G32x3 nc=10": "0a510ce2e5105497", "G32x3 nc=None": "a727fb7aca90b2a3",
}


def test_28_and_32_configs_are_those_of_before():
    if keras.__version__ != DIGESTS_KERAS_VERSION:
        pytest.skip(f"digests written with keras {DIGESTS_KERAS_VERSION} (serialization may differ in {keras.__version__})")
    for key, expected in DIGESTS.items():
        kind, rest = key.split(" ", 1)
        size, channels = (int(v) for v in kind[1:].split("x"))
        parts = rest.split(" ")
        num_classes = None if parts[0] == "nc=None" else 10
        if kind[0] == "G":
            model = dcgan_generator(64, (size, size, channels), num_classes=num_classes, base_filters=64, seed=0)
        else:
            norm = None if parts[1] == "None" else parts[1]
            model = dcgan_discriminator(
                (size, size, channels), num_classes=num_classes, base_filters=64, normalization=norm, seed=1
            )
        assert _digest(model) == expected, key


def _without(config, drop):
    if isinstance(config, dict):
        return {k: _without(v, drop) for k, v in config.items() if k not in drop}
    if isinstance(config, list):
        return [_without(v, drop) for v in config]
    return config


# One unconditional and one conditional preset: the other DCGAN presets use
# the same builder arguments (28x28x1, base_filters 64, seed 0).
@pytest.mark.parametrize("name", ["dcgan_mnist_nonsaturating", "dcgan_fashion_mnist_conditional"])
def test_zoo_recipes_rebuild_their_saved_generators(name):
    folder = ZOO / name
    recipe = json.loads((folder / "recipe.json").read_text())
    preset = json.loads((folder / "preset.json").read_text())
    # Classes, or the label-free clusters a clustered preset's generator takes instead.
    conditions = preset["num_classes"] or len(preset.get("cluster_frequencies") or []) or None
    built = dcgan_generator(
        recipe["gan"]["config"]["latent_dim"], tuple(preset["image_shape"]), num_classes=conditions,
        seed=recipe["seed"], **recipe["generator"]["kwargs"],
    )
    saved_config = json.loads(zipfile.ZipFile(folder / "generator.keras").read("config.json"))["config"]
    built_config = json.loads(json.dumps(keras.saving.serialize_keras_object(built)))["config"]
    # Saved frozen (trainable false), dtype-policy sharing ids, and the label
    # embedding of presets trained before it was seeded (seed null).
    drop = {"trainable", "shared_object_id"}
    for config in (saved_config, built_config):
        for layer in config["layers"]:
            if layer["class_name"] == "Embedding":
                layer["config"]["embeddings_initializer"]["config"].pop("seed")
    assert _without(saved_config, drop) == _without(built_config, drop)

    loaded = keras.saving.load_model(folder / "generator.keras", compile=False)
    assert [w.path for w in built.weights] == [w.path for w in loaded.weights]
    built.set_weights(loaded.get_weights())
    latents = np.random.default_rng(0).normal(size=(2, built.inputs[0].shape[-1])).astype("float32")
    inputs = latents if conditions is None else [latents, np.array([1, 7], "int32")]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(built(inputs, training=False)),
        keras.ops.convert_to_numpy(loaded(inputs, training=False)),
    )
