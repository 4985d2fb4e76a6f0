"""`save_preset`: the one writer of preset folders (`preset.json`, weights, card)."""

import json
import os
import re
from pathlib import Path

import keras

from keras_gans.architectures.resnet import ConditionalBatchNormalization
from keras_gans.presets.registry import CARD_FILE
from keras_gans.presets.registry import PRESET_FILE
from keras_gans.presets.registry import is_safe_name
from keras_gans.presets.registry import sha256_of_file
from keras_gans.presets.registry import validate_preset_config

WEIGHTS_FILES = {"generator": "generator.keras", "classifier": "classifier.keras"}


def write_preset_config(directory, config):
    """Writes `<directory>/preset.json` with the sha256 of its weights file.

    The only function that writes preset.json (`save_preset` calls it). The
    weights file named by `config["weights"]` must already be in
    `directory`; its hash replaces any `"sha256"` in `config`.

    Args:
        directory: str or Path. The preset folder.
        config: dict. The preset.json fields (see
            `keras_gans.presets.registry.validate_preset_config`).

    Returns:
        dict: the config as written.

    Example:

    >>> write_preset_config("zoo/mnist_classifier",
    ...                     preset_metadata)  # doctest: +SKIP
    """
    directory = Path(directory)
    weights = directory / config["weights"]
    if not weights.is_file():
        raise FileNotFoundError(
            f"{weights} does not exist: save the model there before writing preset.json."
        )
    config = {k: v for k, v in config.items() if k not in ("sha256", "size", "handle")}
    config["sha256"] = {config["weights"]: sha256_of_file(weights)}
    validate_preset_config(config, str(directory / PRESET_FILE))
    text = json.dumps(config, indent=2, ensure_ascii=False) + "\n"
    partial = directory / f".{PRESET_FILE}.partial"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, directory / PRESET_FILE)
    return config


def _loss_name(gan):
    """The CLI's name of the game: "nonsaturating" for NonSaturatingGAN, "wgan_gp" for WGANGP, ..."""
    name = type(gan).__name__
    game = getattr(gan, "game", None)
    if name == "GAN" and getattr(game, "name", None):
        return game.name  # the base class playing a game object
    name = name[: -len("GAN")] if name.endswith("GAN") and name != "GAN" else name
    known = {"NonSaturating": "nonsaturating", "Minimax": "minimax", "WGANGP": "wgan_gp", "W": "wgan_gp"}
    if name in known:
        return known[name]
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", name).lower()


def _embedding_classes(model):
    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
        if isinstance(layer, ConditionalBatchNormalization):  # ResNet generators: no Embedding
            return int(layer.num_classes)
    return None


def _generator_fields(model, metadata):
    """The generator and its preset.json fields, from a GAN or a generator."""
    if isinstance(getattr(model, "generator", None), keras.Model) and hasattr(model, "latent_dim"):
        ema = getattr(model, "ema_generator", None)  # None before the EMA exists, or when off
        generator = ema if ema is not None else model.generator
        fields = {
            "latent_dim": int(model.latent_dim),
            "num_classes": model.num_classes,
            "loss": _loss_name(model),
        }
        if ema is not None:
            fields["ema"] = True
        conditioning = getattr(model, "cluster_conditioning", None)
        if conditioning is not None:
            if conditioning.frequencies is None:
                raise ValueError(
                    "This GAN's cluster conditioning has no clusters yet: train it with "
                    "`fit(images)` before saving a preset (the preset keeps the cluster frequencies)."
                )
            # Unconditional to its users: `generate(n)` draws the clusters by these.
            fields["cluster_frequencies"] = [float(p) for p in conditioning.frequencies]
        return generator, {**fields, **metadata}
    if not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a GAN (with `.generator`) or a keras.Model generator; "
            f"received {type(model).__name__}."
        )
    num_inputs = len(model.inputs)
    if num_inputs not in (1, 2):
        raise ValueError(
            f"A generator takes latents, or [latents, labels]; {model.name!r} takes "
            f"{num_inputs} inputs."
        )
    num_classes = metadata.get("num_classes", _embedding_classes(model) if num_inputs == 2 else None)
    if num_inputs == 2 and num_classes is None:
        raise ValueError(
            f"{model.name!r} takes [latents, labels] but has no Embedding layer that "
            "tells how many classes: pass `metadata={'num_classes': N}`."
        )
    fields = {"latent_dim": int(model.inputs[0].shape[-1]), "num_classes": num_classes, "loss": None}
    return model, {**fields, **metadata}


def default_card(config):
    """A model card (README.md) for a preset folder, from its preset.json fields.

    It opens with the Hugging Face metadata block, so the Hub lists the
    folder as a Keras model.

    Example:

    >>> card = default_card({"name": "tiny", "kind": "generator", "description": "A test.",
    ...                      "weights": "generator.keras", "sha256": {"generator.keras": "0" * 64}})
    >>> card.splitlines()[:3]
    ['---', 'library_name: keras', 'tags:']
    """
    name = config["name"]
    rows = "\n".join(
        f"| {key} | {json.dumps(value) if not isinstance(value, str) else value} |"
        for key, value in config.items()
        if key not in ("name", "description", "sha256")
    )
    hashes = "\n".join(f"- `{f}`: `{h}`" for f, h in sorted(config.get("sha256", {}).items()))
    if config["kind"] == "generator":
        labels = ", labels=list(range(10))" if config.get("num_classes") else ""
        use = (
            "import keras_gans\n\n"
            f'gen = keras_gans.from_preset("path/to/{name}")     # this folder\n'
            f'gen = keras_gans.from_preset("hf://<owner>/{name}")  # once uploaded\n'
            f"images = gen.generate(10, seed=0{labels})  # float32 in [0, 1]"
        )
    else:
        use = (
            "from keras_gans.presets import load_preset_model\n\n"
            f'model = load_preset_model("path/to/{name}")'
        )
    return f"""---
library_name: keras
tags:
- keras-gans
- gan
---

# {name}

{config["description"]}

Written by `keras_gans.save_preset`; edit this card to say how the model was
trained and how well it does.

## Use

```python
{use}
```

## Preset

| field | value |
|---|---|
{rows}

sha256 (checked on every load):
{hashes}
"""


def save_preset(model, directory, name=None, description=None, dataset=None, kind="generator",
                metadata=None, card=None, overwrite=False):
    """Writes a preset folder that `from_preset` loads, locally and from the Hub.

    The folder holds the model (`generator.keras`, or `classifier.keras`
    for `kind="classifier"`), `preset.json` (what it is, plus the sha256 of
    the weights, checked on every load) and a card (`README.md`). Given a
    GAN, the generator saved is its EMA generator when it has one
    (`gan.ema_generator`), else `gan.generator`; `latent_dim`, `num_classes`
    and `loss` are taken from the GAN, and with cluster conditioning the
    cluster frequencies (`cluster_frequencies`), so that the preset's
    `generate(n)` draws clusters as the GAN does. This is the only writer of
    `preset.json` in keras-gans: the zoo's recipes use it too.

    Publish the folder with `huggingface_hub` (`pip install "keras-gans[hf]"`,
    then `hf auth login`) and load it as `hf://<owner>/<repo>`:
    `huggingface_hub.upload_folder(repo_id="<owner>/<repo>", folder_path=directory)`
    after `huggingface_hub.create_repo("<owner>/<repo>", exist_ok=True)`.

    Args:
        model: a GAN (anything with `.generator`, `.latent_dim` and
            `.num_classes`), a generator `keras.Model` (latents, or
            `[latents, labels]`), or a classifier `keras.Model` with
            `kind="classifier"`.
        directory: str or Path. The preset folder; created if missing.
        name: str or None. Preset name: letters, digits, "_", "-", ".".
            Defaults to the folder's name.
        description: str or None. One line saying what it is. Defaults to a
            generic line.
        dataset: str or None. The training data, e.g. "mnist" (the
            evaluation command uses it). Defaults to None.
        kind: str. "generator" or "classifier". Defaults to "generator".
        metadata: dict or None. More preset.json fields; for a classifier
            `feature_layer` and `test_accuracy` are required; for a bare
            conditional generator without an Embedding layer,
            `num_classes`. Defaults to None.
        card: str or None. The README.md text. Defaults to
            `default_card(config)`.
        overwrite: bool. Replace the preset files already in `directory`.
            Other files there are left alone. Defaults to False.

    Returns:
        dict: the preset.json fields written (including `"sha256"`).

    Example:

    ```python
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64)
    gan.compile()
    gan.fit(images, epochs=5)
    keras_gans.save_preset(gan, "my_gan", dataset="mnist",
                           description="DCGAN on MNIST, 5 epochs")
    gen = keras_gans.from_preset("my_gan")  # same images as gan.generate

    import huggingface_hub
    huggingface_hub.create_repo("someone/my_gan", exist_ok=True)
    huggingface_hub.upload_folder(repo_id="someone/my_gan", folder_path="my_gan")
    gen = keras_gans.from_preset("hf://someone/my_gan")
    ```
    """
    if kind not in WEIGHTS_FILES:
        raise ValueError(f"`kind` must be one of {sorted(WEIGHTS_FILES)}; received {kind!r}.")
    directory = Path(directory)
    name = name if name is not None else directory.resolve().name
    if not is_safe_name(name):
        raise ValueError(
            f"`name` must be letters, digits, '_', '-' or '.'; received {name!r}. "
            "Pass `name=` or rename the folder."
        )
    metadata = dict(metadata or {})
    reserved = sorted(set(metadata) & {"name", "kind", "weights", "sha256", "handle", "size"})
    if reserved:
        raise ValueError(f"`metadata` must not set {reserved}: save_preset sets them.")
    weights_name = WEIGHTS_FILES[kind]
    if kind == "generator":
        network, fields = _generator_fields(model, metadata)
        fields["image_shape"] = [int(d) for d in network.outputs[0].shape[1:]]
    else:
        if not isinstance(model, keras.Model):
            raise TypeError(f"A classifier preset needs a keras.Model; received {type(model).__name__}.")
        network, fields = model, metadata
    config = {
        "name": name,
        "kind": kind,
        "description": description or f"A {kind} saved with keras_gans.save_preset.",
        "weights": weights_name,
        "dataset": dataset,
        **fields,
    }
    config["sha256"] = {weights_name: "0" * 64}  # placeholder: checks the fields before writing
    validate_preset_config(config, "save_preset")
    existing = [f for f in (PRESET_FILE, weights_name, CARD_FILE) if (directory / f).exists()]
    if existing and not overwrite:
        raise ValueError(
            f"{directory} already holds {existing}: pass overwrite=True to replace "
            "them, or choose another directory."
        )
    directory.mkdir(parents=True, exist_ok=True)
    network.save(directory / weights_name)
    config = write_preset_config(directory, config)
    (directory / CARD_FILE).write_text(card if card is not None else default_card(config), encoding="utf-8")
    return config
