"""Finding, downloading, verifying and loading preset files.

`preset_file(name)` returns a local path to a preset's weights file:

1. From a local zoo checkout when one holds `<name>/preset.json`: the folder
   named by `KERAS_GANS_ZOO_DIR`, else `zoo/` at the root of the checkout
   that `keras_gans` was imported from. The file is used in place, and its
   sha256 is still checked against the registry when the registry knows it.
2. Otherwise it is downloaded once from
   `$KERAS_GANS_PRESET_BASE_URL/<name>/<file>` with `keras.utils.get_file`,
   checked against the registry's sha256 and kept in the Keras cache
   (`$KERAS_HOME/keras_gans/presets/<name>/`, default `~/.keras/...`).
   Later calls are served from the cache without the network.

A download that fails, is cut short or has the wrong hash leaves nothing in
the cache, so calling again retries from scratch.

Environment variables: `KERAS_GANS_ZOO_DIR` (local zoo folder),
`KERAS_GANS_PRESET_BASE_URL` (download location), `KERAS_GANS_REGISTRY`
(a registry JSON file to use instead of the shipped one) and `KERAS_HOME`
(cache root, as for Keras).
"""

import difflib
import os
import tempfile
import urllib.parse
import zipfile
from pathlib import Path

import keras

from keras_gans.presets.registry import is_safe_name
from keras_gans.presets.registry import load_registry
from keras_gans.presets.registry import read_preset_config
from keras_gans.presets.registry import sha256_of_file

# Placeholder for where the project publishes its zoo; point
# KERAS_GANS_PRESET_BASE_URL at a mirror (or a local HTTP server) to override.
DEFAULT_BASE_URL = "https://raw.githubusercontent.com/keras-gans/keras-gans/main/zoo"
BASE_URL_ENV = "KERAS_GANS_PRESET_BASE_URL"
ZOO_DIR_ENV = "KERAS_GANS_ZOO_DIR"
REBUILD_HINT = "python -m keras_gans.presets.build_registry"


def base_url():
    """The URL that preset folders are downloaded from (no trailing slash).

    Example:

    >>> base_url().startswith("http")
    True
    """
    return os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")


def zoo_dir():
    """The local zoo folder: `$KERAS_GANS_ZOO_DIR`, else `zoo/` of this checkout.

    The folder need not exist (an installed package has none).

    Example:

    >>> zoo_dir().name  # doctest: +SKIP
    'zoo'
    """
    env = os.environ.get(ZOO_DIR_ENV)
    if env:
        return Path(env)
    import keras_gans

    return Path(keras_gans.__file__).resolve().parents[1] / "zoo"


def local_preset_dir(name):
    """The local zoo folder of preset `name`, or None if there is none.

    Example:

    >>> local_preset_dir("not_a_preset") is None
    True
    """
    if not is_safe_name(name):
        return None
    folder = zoo_dir() / name
    return folder if (folder / "preset.json").is_file() else None


def local_presets():
    """Presets of the local zoo: dict name -> parsed preset.json.

    Example:

    >>> presets = local_presets()  # {} without a zoo checkout
    """
    root = zoo_dir()
    if not root.is_dir():
        return {}
    return {
        folder.name: read_preset_config(folder)
        for folder in sorted(root.iterdir())
        if folder.name[0] not in "._" and (folder / "preset.json").is_file()
    }


def available_presets(registry=None):
    """Every known preset: dict name -> metadata (registry, then local zoo).

    A preset of the local zoo overrides the registry entry of the same name,
    so a preset being developed is usable before the registry is rebuilt.

    Args:
        registry: dict, path or None. See `load_registry`.

    Example:

    >>> sorted(available_presets())  # doctest: +SKIP
    ['dcgan_mnist_conditional', 'dcgan_mnist_nonsaturating']
    """
    presets = {name: dict(entry) for name, entry in load_registry(registry).items()}
    for name, config in local_presets().items():
        presets[name] = {**presets.get(name, {}), **config}
    return dict(sorted(presets.items()))


def unknown_preset_error(name, known, extra=""):
    """A ValueError listing the valid names and suggesting the closest one."""
    message = f"Unknown preset {name!r}."
    close = difflib.get_close_matches(str(name), list(known), n=1)
    if close:
        message += f" Did you mean {close[0]!r}?"
    message += f" Valid presets: {sorted(known)}." if known else " No presets are registered."
    return ValueError(message + extra + " See `keras_gans.list_presets()`.")


def preset_metadata(name, registry=None):
    """The metadata of a preset (its preset.json fields), as a new dict.

    Args:
        name: str. A preset name, e.g. "dcgan_mnist_nonsaturating".
        registry: dict, path or None. See `load_registry`.

    Raises:
        ValueError: for an unknown name, listing the valid ones.

    Example:

    >>> preset_metadata("dcgan_mnist_nonsaturating")["latent_dim"]  # doctest: +SKIP
    100
    """
    presets = available_presets(registry)
    if name not in presets:
        raise unknown_preset_error(name, presets)
    return dict(presets[name])


def list_presets(kind=None, registry=None):
    """Preset names with their one-line descriptions.

    Args:
        kind: str or None. "generator" or "classifier" to list only that
            kind. Defaults to all presets.
        registry: dict, path or None. See `load_registry`.

    Returns:
        dict: preset name -> description, sorted by name.

    Example:

    >>> for name, description in list_presets("generator").items():  # doctest: +SKIP
    ...     print(f"{name}: {description}")
    """
    if kind not in (None, "generator", "classifier"):
        raise ValueError(
            f"`kind` must be None, 'generator' or 'classifier'; received {kind!r}."
        )
    return {
        name: entry.get("description", "")
        for name, entry in available_presets(registry).items()
        if kind is None or entry.get("kind") == kind
    }


def default_cache_dir():
    """The Keras cache folder: `$KERAS_HOME`, else `~/.keras`, like Keras."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return home
    base = os.path.expanduser("~")
    return os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")


def cache_subdir(name):
    """The folder of preset `name` inside the cache, as given to `get_file`."""
    return os.path.join("keras_gans", "presets", name)


def prepare_cache_dir(cache_dir=None):
    """Creates the cache root and returns it (default: `default_cache_dir()`).

    It must exist before `keras.utils.get_file` is called: get_file silently
    falls back to `/tmp/.keras` when the folder is missing or not writable.
    """
    base = os.path.expanduser(cache_dir or default_cache_dir())
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass  # not writable: get_file falls back to /tmp/.keras, as mirrored below
    return base


def cached_path(name, filename, cache_dir=None):
    """Where `get_file` keeps `filename` of preset `name` (it may not exist).

    Mirrors `keras.utils.get_file`, including its fallback to
    `/tmp/.keras` when the cache folder is not writable.
    """
    base = prepare_cache_dir(cache_dir)
    if not os.access(base, os.W_OK):
        tmp = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
        base = os.path.join(tmp, ".keras")
    return os.path.join(base, cache_subdir(name), filename)


def _remove(path):
    if os.path.exists(path):
        os.remove(path)


def _expected_sha256(entry, filename):
    digest = (entry.get("sha256") or {}).get(filename)
    return digest.lower() if digest else None


def _check_local_hash(path, expected):
    actual = sha256_of_file(path)
    if actual != expected:
        raise ValueError(
            f"Local preset file {path} has sha256 {actual}, but the registry "
            f"expects {expected}. If you changed the preset on purpose, re-run "
            f"`{REBUILD_HINT}`; otherwise restore the file (e.g. "
            f"`git checkout -- {path}`)."
        )


def _download_error(name, filename, origin, target, expected, cause):
    """The error for a failed download; removes anything it left behind."""
    actual = sha256_of_file(target) if os.path.exists(target) else None
    size = os.path.getsize(target) if actual else 0
    _remove(target)
    if actual is not None and actual != expected:
        return ValueError(
            f"The file downloaded from {origin} has sha256 {actual} "
            f"({size} bytes), but the registry expects {expected}: the download "
            "was cut short or corrupted, or the server's copy changed. The bad "
            "file was deleted from the cache; call again to retry. If this "
            "persists, the server and the registry disagree: upgrade keras-gans "
            f"or rebuild the registry with `{REBUILD_HINT}`."
        )
    return ConnectionError(
        f"Could not download {filename!r} of preset {name!r} from {origin} "
        f"({type(cause).__name__}: {cause}). Nothing was kept in the cache "
        f"({target}); check the connection and call again to retry, or set "
        f"{BASE_URL_ENV} to a mirror of the zoo."
    )


def download_preset_file(name, filename, sha256, cache_dir=None):
    """Downloads one preset file into the Keras cache, verified by sha256.

    A file already in the cache with the right hash is returned without
    using the network.

    Args:
        name: str. The preset name.
        filename: str. The file inside the preset folder.
        sha256: str. Expected hex sha256 of the file.
        cache_dir: str or None. Cache root. Defaults to `$KERAS_HOME` or
            `~/.keras`.

    Returns:
        str: the path of the verified file in the cache.

    Example:

    >>> path = download_preset_file("dcgan_mnist_nonsaturating",
    ...                             "generator.keras", "ab12...")  # doctest: +SKIP
    """
    quote = urllib.parse.quote
    origin = f"{base_url()}/{quote(name)}/{quote(filename)}"
    target = cached_path(name, filename, cache_dir)
    try:
        # get_file reuses a cached file only if its hash matches. It deletes
        # a partial download when urlretrieve fails (including fewer bytes
        # than Content-Length), but it raises on a hash mismatch *leaving the
        # bad file in place*, so _download_error removes whatever is left.
        path = keras.utils.get_file(
            fname=filename,
            origin=origin,
            file_hash=sha256,
            hash_algorithm="sha256",
            cache_subdir=cache_subdir(name),
            cache_dir=prepare_cache_dir(cache_dir),
        )
    except Exception as error:
        raise _download_error(name, filename, origin, target, sha256, error) from error
    if sha256_of_file(path) != sha256:  # do not rely on get_file alone
        raise _download_error(name, filename, origin, path, sha256, None)
    return path


def preset_file(name, filename=None, registry=None, cache_dir=None):
    """A local path to a file of a preset, downloading it if needed.

    Args:
        name: str. A preset name, e.g. "dcgan_mnist_nonsaturating".
        filename: str or None. The file in the preset folder. Defaults to the
            preset's weights file.
        registry: dict, path or None. See `load_registry`.
        cache_dir: str or None. Cache root for downloads. Defaults to
            `$KERAS_HOME` or `~/.keras`.

    Returns:
        str: path of the file, in the local zoo or in the cache.

    Raises:
        ValueError: unknown preset or file, or a sha256 mismatch.
        ConnectionError: the download failed (nothing is left in the cache).

    Example:

    >>> path = preset_file("dcgan_mnist_nonsaturating")  # doctest: +SKIP
    """
    entry = load_registry(registry).get(name)
    local = local_preset_dir(name)
    if entry is None and local is None:
        raise unknown_preset_error(name, available_presets(registry))
    metadata = read_preset_config(local) if local else entry
    filename = filename or metadata["weights"]
    if not is_safe_name(filename):
        raise ValueError(f"`filename` must be a plain file name; received {filename!r}.")
    expected = _expected_sha256(entry or {}, filename)
    if local is not None:
        path = local / filename
        if not path.is_file():
            raise FileNotFoundError(f"Preset {name!r} has no file {filename!r} in {local}.")
        if expected:
            _check_local_hash(path, expected)
        return str(path)
    if not expected:
        raise ValueError(
            f"The registry has no sha256 for {filename!r} of preset {name!r}, so "
            "it cannot be downloaded safely. Downloadable files: "
            f"{sorted(entry.get('sha256') or {})}. Rebuild the registry with "
            f"`{REBUILD_HINT}`."
        )
    return download_preset_file(name, filename, expected, cache_dir)


def load_keras_file(path, how_to_fix):
    """Loads a `.keras` model file, with a clear error if it is corrupt.

    Args:
        path: str or Path. A file written by `model.save("....keras")`.
        how_to_fix: str. Appended to the error message.

    Returns:
        The `keras.Model` (not compiled).

    Example:

    >>> model = load_keras_file("generator.keras", "Re-save it.")  # doctest: +SKIP
    """
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a valid .keras file (it is not a zip archive; "
            f"it may be truncated or corrupted). {how_to_fix}"
        )
    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:
        raise ValueError(
            f"Could not load {path} as a Keras model "
            f"({type(error).__name__}: {error}). {how_to_fix}"
        ) from error


def load_preset_model(name, registry=None, cache_dir=None):
    """Loads the `keras.Model` of a preset of any kind (generator or classifier).

    Args:
        name: str. A preset name; see `list_presets()`.
        registry: dict, path or None. See `load_registry`.
        cache_dir: str or None. Cache root for downloads.

    Returns:
        keras.Model: the uncompiled functional model.

    Example:

    >>> classifier = load_preset_model("cnn_mnist_classifier")  # doctest: +SKIP
    """
    path = preset_file(name, registry=registry, cache_dir=cache_dir)
    if local_preset_dir(name) is not None:
        how_to_fix = (
            f"Re-save the model with `model.save({str(path)!r})` and re-run "
            f"`{REBUILD_HINT}`, or restore the file from git."
        )
    else:
        how_to_fix = (
            f"Delete {path} and call again to re-download it; if the error "
            "persists, the published file is broken: please report it."
        )
    return load_keras_file(path, how_to_fix)
