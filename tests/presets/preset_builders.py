"""Tiny real presets for the tests: functional models saved as .keras files.

Also imported by the cross-backend subprocess, so it depends on Keras and
keras_gans only.
"""

import json
from pathlib import Path

import keras

LATENT_DIM = 4
NUM_CLASSES = 3
IMAGE_SHAPE = (8, 8, 1)
UNCONDITIONAL = "tiny_unconditional"
CONDITIONAL = "tiny_conditional"
CLASSIFIER = "tiny_classifier"


def build_generator(num_classes=None, latent_dim=LATENT_DIM, seed=0):
    """Dense + Reshape + tanh; conditional ones take [z, labels] via Embedding."""
    keras.utils.set_random_seed(seed)
    z = keras.Input((latent_dim,), name="latents")
    inputs, h = z, z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        embedded = keras.layers.Embedding(num_classes, latent_dim)(labels)
        inputs, h = [z, labels], keras.layers.Concatenate()([z, embedded])
    h = keras.layers.Dense(32, activation="relu")(h)
    h = keras.layers.Dense(8 * 8, activation="tanh")(h)
    images = keras.layers.Reshape(IMAGE_SHAPE)(h)
    return keras.Model(inputs, images, name="tiny_generator")


def build_classifier(seed=0):
    """A small 8x8x1 -> 10 classifier with a "features" layer."""
    keras.utils.set_random_seed(seed)
    x = keras.Input(IMAGE_SHAPE)
    h = keras.layers.Flatten()(x)
    h = keras.layers.Dense(16, activation="relu", name="features")(h)
    logits = keras.layers.Dense(10)(h)
    return keras.Model(x, logits, name="tiny_classifier")


def generator_config(name, num_classes=None):
    conditional = num_classes is not None
    return {
        "name": name,
        "kind": "generator",
        "description": f"Tiny {'conditional ' if conditional else ''}test generator, 8x8x1.",
        "weights": "generator.keras",
        "latent_dim": LATENT_DIM,
        "num_classes": num_classes,
        "image_shape": list(IMAGE_SHAPE),
        "dataset": "none",
        "loss": "nonsaturating",
    }


def classifier_config(name):
    return {
        "name": name,
        "kind": "classifier",
        "description": "Tiny test classifier, 8x8x1 -> 10 classes.",
        "weights": "classifier.keras",
        "dataset": "none",
        "feature_layer": "features",
        "test_accuracy": 0.1,
    }


def write_preset(zoo_dir, config, weights_source=None, model=None):
    """Writes `zoo_dir/<name>/preset.json` plus the weights file.

    Pass either `model` (saved with `model.save`) or `weights_source` (bytes,
    or a path to copy).
    """
    folder = Path(zoo_dir) / config["name"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "preset.json").write_text(json.dumps(config, indent=2))
    weights = folder / config["weights"]
    if model is not None:
        model.save(weights)
    elif isinstance(weights_source, bytes):
        weights.write_bytes(weights_source)
    else:
        weights.write_bytes(Path(weights_source).read_bytes())
    return folder
