"""The preset registry: what each preset is, where it lives, and its sha256.

A preset is a folder holding `preset.json`, one weights file (a `.keras`
file written by `model.save()`) and a card (`README.md`), as written by
`keras_gans.save_preset`. The repository keeps one such folder per preset in
`zoo/<name>/`, and the wheel carries them as package data
(`keras_gans/zoo/<name>/`; see `packaged_zoo_dir`).

The registry, `keras_gans/presets/registry.json`, ships inside the package:
it maps every preset name to the content of its `preset.json` (including
`"sha256"`, `{file name: hex digest}`) plus `"size"` (bytes of the weights
file) and `"handle"`, where the files come from (`package://<name>` for the
packaged ones; see `keras_gans.presets.loading.get_file`). Rebuild it with
`python -m keras_gans.presets.build_registry`.
"""

import hashlib
import json
import os
import re
from pathlib import Path

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.json"
REGISTRY_ENV = "KERAS_GANS_REGISTRY"
ZOO_DIR_ENV = "KERAS_GANS_ZOO_DIR"
PRESET_FILE = "preset.json"
CARD_FILE = "README.md"

PRESET_KINDS = ("generator", "classifier")
COMMON_KEYS = ("name", "kind", "description", "weights")
KIND_KEYS = {
    "generator": ("latent_dim", "num_classes", "image_shape", "dataset", "loss"),
    "classifier": ("dataset", "feature_layer", "test_accuracy"),
}
# Preset and file names end up in URLs and cache paths: keep them plain.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def packaged_zoo_dir():
    """The folder holding the packaged presets, one sub-folder per preset.

    The only place that knows where the packaged zoo lives:

    - `$KERAS_GANS_ZOO_DIR` when set (a zoo being developed elsewhere);
    - `keras_gans/zoo/` in an installed wheel (setup.py maps the repository's
      `zoo/` onto the data package `keras_gans.zoo`);
    - else `zoo/` next to the `keras_gans/` folder, which is where the files
      are in a source checkout and in an editable install (`pip install -e .`).

    The folder need not exist (e.g. a stripped install): a `package://`
    handle then falls back to the mirror, see `keras_gans.presets.loading`.

    Example:

    >>> (packaged_zoo_dir() / "mnist_classifier" / "preset.json").is_file()
    True
    """
    env = os.environ.get(ZOO_DIR_ENV)
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]
    installed = package / "zoo"
    return installed if installed.is_dir() else package.parent / "zoo"


def is_safe_name(name):
    """Whether `name` is usable as a preset or file name (no path parts).

    Example:

    >>> is_safe_name("dcgan_mnist_conditional"), is_safe_name("../etc")
    (True, False)
    """
    return isinstance(name, str) and bool(_SAFE_NAME.match(name)) and ".." not in name


def sha256_of_file(path, chunk_size=1 << 20):
    """Hex sha256 digest of a file, read in chunks.

    Args:
        path: str or Path. The file to hash.
        chunk_size: int. Bytes read at a time. Defaults to 1 MiB.

    Example:

    >>> digest = sha256_of_file(__file__)
    >>> len(digest)
    64
    """
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_preset_config(config, source):
    """Checks the fields of a `preset.json` and returns it unchanged.

    Args:
        config: dict. The parsed `preset.json`.
        source: str. Where it came from, used in error messages.

    Raises:
        ValueError: naming the missing or invalid field and how to fix it.

    Example:

    >>> config = {"name": "tiny", "kind": "classifier", "description": "A test.",
    ...           "weights": "classifier.keras", "dataset": "digits",
    ...           "feature_layer": "features", "test_accuracy": 0.9}
    >>> validate_preset_config(config, "example")["kind"]
    'classifier'
    """
    if not isinstance(config, dict):
        raise ValueError(
            f"{source} must hold a JSON object; received {type(config).__name__}."
        )
    kind = config.get("kind")
    if kind not in PRESET_KINDS:
        raise ValueError(
            f'{source}: "kind" must be one of {list(PRESET_KINDS)}; '
            f"received {kind!r}."
        )
    missing = [k for k in COMMON_KEYS + KIND_KEYS[kind] if k not in config]
    if missing:
        raise ValueError(
            f"{source} lacks the field(s) {missing} required for a {kind} "
            f"preset. Required: {list(COMMON_KEYS + KIND_KEYS[kind])} "
            '(use null for "num_classes" of an unconditional generator).'
        )
    if not is_safe_name(config["name"]):
        raise ValueError(
            f'{source}: "name" must be letters, digits, "_", "-" or "."; '
            f"received {config['name']!r}."
        )
    description = config["description"]
    if not isinstance(description, str) or not description.strip() or "\n" in description:
        raise ValueError(
            f'{source}: "description" must be one non-empty line of text; '
            f"received {description!r}."
        )
    weights = config["weights"]
    if not is_safe_name(weights) or not weights.endswith(".keras"):
        raise ValueError(
            f'{source}: "weights" must be a plain file name ending in ".keras" '
            f"(a file next to preset.json); received {weights!r}."
        )
    hashes = config.get("sha256", {})
    if not isinstance(hashes, dict) or not all(
        is_safe_name(k) and isinstance(v, str) and _SHA256.match(v) for k, v in hashes.items()
    ):
        raise ValueError(
            f'{source}: "sha256" must map plain file names to 64 hex digits; '
            f"received {hashes!r}. Re-save the preset with `keras_gans.save_preset`."
        )
    return config


def read_preset_config(preset_dir):
    """Reads and validates `<preset_dir>/preset.json`.

    Args:
        preset_dir: str or Path. A preset folder.

    Returns:
        The parsed dict.

    Example:

    >>> config = read_preset_config("zoo/dcgan_mnist_nonsaturating")  # doctest: +SKIP
    """
    path = Path(preset_dir) / "preset.json"
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"No preset.json in {preset_dir}: a preset folder needs a "
            "preset.json next to its weights file."
        ) from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}.") from error
    return validate_preset_config(config, str(path))


def load_registry(registry=None):
    """Returns the registry as a dict of preset name -> entry.

    Args:
        registry: dict, str, Path or None. A registry dict, or the path of a
            registry JSON file. Defaults to the file named by the
            `KERAS_GANS_REGISTRY` environment variable, else the registry
            shipped in the package.

    Example:

    >>> names = sorted(load_registry())
    """
    if isinstance(registry, dict):
        return registry
    if registry is None:
        registry = os.environ.get(REGISTRY_ENV) or REGISTRY_PATH
    try:
        with open(registry, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Preset registry {registry} does not exist. Rebuild it with "
            "`python -m keras_gans.presets.build_registry`, or unset "
            f"{REGISTRY_ENV}."
        ) from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"Preset registry {registry} is not valid JSON ({error}). Rebuild "
            "it with `python -m keras_gans.presets.build_registry`."
        ) from error
    if not isinstance(data, dict):
        raise ValueError(
            f"Preset registry {registry} must hold a JSON object mapping "
            "preset names to entries."
        )
    return data
