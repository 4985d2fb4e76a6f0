"""Resolving presets: one function picks the source from a handle, then checks the sha256.

A preset is named by a **handle** (keras-hub's `preset_utils.get_file`
convention), or by a registry name whose entry carries one:

| handle | files come from | cached in |
|---|---|---|
| `package://<name>` | the presets packaged in the wheel (`packaged_zoo_dir()/<name>/`); if this install lacks them, the mirror `$KERAS_GANS_PRESET_BASE_URL/<name>/` | used in place / Keras cache |
| `hf://<owner>/<repo>` (optionally `@<revision>`) | the Hugging Face Hub via `huggingface_hub.hf_hub_download` (`pip install "keras-gans[hf]"`; `HF_ENDPOINT` is honoured) | HF cache (`$HF_HOME`) |
| `https://...` or `http://...` | a web folder in preset layout (`<url>/preset.json`, `<url>/<weights>`) | Keras cache (`$KERAS_HOME/keras_gans/presets/`) |
| a local folder | the folder, in place | none |

`get_file(handle, filename, sha256)` returns a local path and, when a hash is
known, checks it: for a registry name the hash comes from the registry, for
any other handle from the preset's own `preset.json` (written by
`keras_gans.save_preset`). A downloaded file is written to a temporary file
next to its cache path, verified, then renamed into place, so a failed, cut
or corrupt download leaves nothing in the cache, and two processes fetching
the same preset at once both end with the same single valid file. A cached
file with the right hash is used without the network.

Environment variables: `KERAS_GANS_PRESET_BASE_URL` (a mirror of the zoo for
`package://` presets this install does not carry), `KERAS_GANS_REGISTRY` (a
registry JSON file to use instead of the shipped one), `KERAS_GANS_ZOO_DIR`
(the folder `package://` handles read, see `packaged_zoo_dir`), `KERAS_HOME`
(Keras cache root), `HF_ENDPOINT`/`HF_HOME` (Hub address and cache).
"""

import difflib
import http.client
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import keras

from keras_gans.presets.registry import PRESET_FILE
from keras_gans.presets.registry import is_safe_name
from keras_gans.presets.registry import load_registry
from keras_gans.presets.registry import packaged_zoo_dir
from keras_gans.presets.registry import read_preset_config
from keras_gans.presets.registry import sha256_of_file
from keras_gans.presets.registry import validate_preset_config

BASE_URL_ENV = "KERAS_GANS_PRESET_BASE_URL"
PACKAGE_PREFIX = "package://"
HF_PREFIX = "hf://"
URL_PREFIXES = ("https://", "http://")
REBUILD_HINT = "python -m keras_gans.presets.build_registry"
DOWNLOAD_TIMEOUT_SECONDS = 60
_HF_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$")
HANDLE_FORMS = (
    "a preset name (see `keras_gans.list_presets()`), 'hf://<owner>/<repo>', "
    "an 'https://' URL of a preset folder, or a local preset folder"
)


# --- which presets exist --------------------------------------------------------------


def local_presets():
    """Presets of the packaged zoo folder: dict name -> parsed preset.json.

    Example:

    >>> "mnist_classifier" in local_presets()
    True
    """
    root = packaged_zoo_dir()
    if not root.is_dir():
        return {}
    return {
        folder.name: read_preset_config(folder)
        for folder in sorted(root.iterdir())
        if folder.name[0] not in "._" and (folder / PRESET_FILE).is_file()
    }


def available_presets(registry=None):
    """Every known preset: dict name -> metadata (registry, then packaged zoo).

    A folder of the packaged zoo that the registry does not list yet (a
    preset being developed in a checkout) is included with the handle
    `package://<name>`; its preset.json fields override the registry's.

    Args:
        registry: dict, path or None. See `load_registry`.

    Example:

    >>> "dcgan_mnist_nonsaturating" in available_presets()
    True
    """
    presets = {name: dict(entry) for name, entry in load_registry(registry).items()}
    for name, config in local_presets().items():
        entry = presets.get(name, {})
        presets[name] = {**entry, **config, "handle": entry.get("handle", PACKAGE_PREFIX + name)}
        if "sha256" in entry:  # the registry vouches for the file, not the folder
            presets[name]["sha256"] = entry["sha256"]
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
    """The metadata of a registered preset (its preset.json fields), as a new dict.

    Args:
        name: str. A preset name, e.g. "dcgan_mnist_nonsaturating".
        registry: dict, path or None. See `load_registry`.

    Raises:
        ValueError: for an unknown name, listing the valid ones.

    Example:

    >>> preset_metadata("dcgan_mnist_nonsaturating")["latent_dim"]
    64
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


# --- handles --------------------------------------------------------------------------


def handle_kind(handle):
    """"package", "hf", "url" or "local" for a preset handle, else None.

    Example:

    >>> [handle_kind(h) for h in ("package://x", "hf://a/b", "https://h/x", "no/such/dir")]
    ['package', 'hf', 'url', None]
    """
    if not isinstance(handle, (str, os.PathLike)):
        return None
    text = os.fspath(handle)
    if text.startswith(PACKAGE_PREFIX):
        return "package"
    if text.startswith(HF_PREFIX):
        return "hf"
    if text.startswith(URL_PREFIXES):
        return "url"
    return "local" if os.path.isdir(text) else None


def mirror_url():
    """`$KERAS_GANS_PRESET_BASE_URL` without a trailing slash, or None when unset.

    Example:

    >>> mirror_url()  # doctest: +SKIP
    'https://example.org/keras-gans-zoo'
    """
    url = os.environ.get(BASE_URL_ENV, "").strip()
    if url and not url.startswith(URL_PREFIXES):
        raise ValueError(
            f"{BASE_URL_ENV} must be an http:// or https:// URL of a folder holding "
            f"<preset name>/<file>; received {url!r}. Unset it to use only the "
            "packaged presets."
        )
    return url.rstrip("/") or None


def parse_hf_handle(handle):
    """`hf://owner/repo[@revision]` -> (repo_id, revision or None).

    Example:

    >>> parse_hf_handle("hf://someone/dcgan_mnist@v1")
    ('someone/dcgan_mnist', 'v1')
    """
    rest = handle[len(HF_PREFIX):]
    repo_id, _, revision = rest.partition("@")
    if not _HF_REPO_ID.match(repo_id) or ".." in repo_id:
        raise ValueError(
            "A Hugging Face preset handle has the form 'hf://<owner>/<repo>' "
            f"(optionally '@<revision>'), e.g. 'hf://someone/dcgan_mnist'; received {handle!r}."
        )
    return repo_id, revision or None


def default_cache_dir():
    """The Keras cache folder: `$KERAS_HOME`, else `~/.keras`, like Keras.

    Example:

    >>> os.path.basename(default_cache_dir()) in (".keras", os.path.basename(os.environ.get("KERAS_HOME", "")))
    True
    """
    home = os.environ.get("KERAS_HOME")
    if home:
        return home
    base = os.path.expanduser("~")
    return os.path.join(base if os.access(base, os.W_OK) else tempfile.gettempdir(), ".keras")


def cached_path(cache_key, filename, cache_dir=None):
    """Where a downloaded preset file is kept: `<cache>/keras_gans/presets/<key>/<file>`.

    Example:

    >>> cached_path("p", "generator.keras", "/c")
    '/c/keras_gans/presets/p/generator.keras'
    """
    base = os.path.expanduser(cache_dir or default_cache_dir())
    return os.path.join(base, "keras_gans", "presets", cache_key, filename)


def url_cache_key(url):
    """A folder name for a preset URL: the URL with unsafe characters replaced.

    Example:

    >>> url_cache_key("https://example.org/zoo/dcgan_mnist")
    'example.org_zoo_dcgan_mnist'
    """
    bare = url.split("://", 1)[-1].rstrip("/")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", bare)


# --- fetching one file ----------------------------------------------------------------


def get_file(handle, filename, sha256=None, cache_dir=None, cache_key=None):
    """A local path to `filename` of the preset at `handle`, verified by sha256.

    The source is picked from the handle (see the module docstring); the
    hash, when given, is checked afterwards whatever the source. For
    downloads a cached file with the right hash is used without the network;
    a file without a known hash (a remote `preset.json`) is refreshed when
    the server answers and taken from the cache when it does not.

    Args:
        handle: str or Path. `package://<name>`, `hf://<owner>/<repo>`, an
            http(s) URL of a preset folder, or a local folder.
        filename: str. A plain file name inside the preset folder.
        sha256: str or None. Expected hex digest. Defaults to None (no check).
        cache_dir: str or None. Keras cache root for http(s) downloads
            (default `$KERAS_HOME` or `~/.keras`); for `hf://`,
            `<cache_dir>/huggingface` instead of the HF cache.
        cache_key: str or None. Folder of an http(s) download inside the
            cache. Defaults to the preset name for `package://` handles
            and to `url_cache_key(url)` otherwise.

    Returns:
        str: a path of an existing file.

    Raises:
        ValueError: bad handle or file name, or a sha256 mismatch.
        FileNotFoundError: the preset has no such file.
        ConnectionError: a download failed (nothing is left in the cache).

    Example:

    >>> path = get_file("package://mnist_classifier", "preset.json")
    >>> os.path.basename(path)
    'preset.json'
    """
    if not is_safe_name(filename):
        raise ValueError(f"`filename` must be a plain file name; received {filename!r}.")
    sha256 = sha256.lower() if sha256 else None
    kind = handle_kind(handle)
    handle = os.fspath(handle) if kind else handle
    if kind == "package":
        return _packaged_file(handle, filename, sha256, cache_dir, cache_key)
    if kind == "hf":
        return _hf_file(handle, filename, sha256, cache_dir)
    if kind == "url":
        key = cache_key or url_cache_key(handle)
        return _download(f"{handle.rstrip('/')}/{urllib.parse.quote(filename)}", sha256, cached_path(key, filename, cache_dir))
    if kind == "local":
        path = Path(handle) / filename
        if not path.is_file():
            raise FileNotFoundError(f"Preset folder {handle} has no file {filename!r}.")
        _check_local_hash(path, sha256, f"Re-save the preset with `keras_gans.save_preset(model, {str(handle)!r})`.")
        return str(path)
    raise ValueError(f"Unknown preset handle {handle!r}: expected {HANDLE_FORMS}.")


def _packaged_file(handle, filename, sha256, cache_dir, cache_key):
    name = handle[len(PACKAGE_PREFIX):].strip("/")
    if not is_safe_name(name):
        raise ValueError(f"A packaged preset handle is 'package://<name>'; received {handle!r}.")
    path = packaged_zoo_dir() / name / filename
    if path.is_file():
        _check_local_hash(
            path, sha256,
            f"If you changed the preset on purpose, re-run `{REBUILD_HINT}`; otherwise "
            "restore the file (e.g. `git checkout -- <file>` in a checkout, or reinstall keras-gans).",
        )
        return str(path)
    base = mirror_url()
    if base is None:
        raise FileNotFoundError(
            f"This installation of keras-gans does not carry {filename!r} of preset "
            f"{name!r} ({path} does not exist) and {BASE_URL_ENV} is not set. Reinstall "
            f"keras-gans (`pip install --force-reinstall keras-gans`), or set {BASE_URL_ENV} "
            "to a mirror of the zoo (a folder holding <name>/<file>)."
        )
    if sha256 is None:
        raise ValueError(
            f"The registry has no sha256 for {filename!r} of preset {name!r}, so it "
            f"cannot be downloaded from the mirror safely. Rebuild the registry with `{REBUILD_HINT}`."
        )
    quote = urllib.parse.quote
    return _download(f"{base}/{quote(name)}/{quote(filename)}", sha256, cached_path(cache_key or name, filename, cache_dir))


def _check_local_hash(path, expected, how_to_fix):
    if expected is None:
        return
    actual = sha256_of_file(path)
    if actual != expected:
        raise ValueError(
            f"Preset file {path} has sha256 {actual}, but {expected} is expected. {how_to_fix}"
        )


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _fetch(url, target):
    """Streams `url` into the open file `target`; checks the announced length."""
    received = 0
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
        expected = response.headers.get("Content-Length")
        try:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                target.write(chunk)
                received += len(chunk)
        except http.client.IncompleteRead as error:
            received += len(error.partial)
        if expected is not None and received < int(expected):
            raise urllib.error.ContentTooShortError(
                f"retrieval incomplete: got only {received} out of {expected} bytes", None
            )


def _download(url, sha256, target):
    """Downloads `url` to `target` (temporary file, verify, rename); returns `target`."""
    if sha256 is not None and os.path.isfile(target) and sha256_of_file(target) == sha256:
        return target
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as f:
            _fetch(url, f)
        if sha256 is not None:
            actual = sha256_of_file(partial)
            if actual != sha256:
                raise ValueError(
                    f"The file downloaded from {url} has sha256 {actual} "
                    f"({os.path.getsize(partial)} bytes), but {sha256} is expected: the "
                    "download was cut short or corrupted, or the server's copy changed. "
                    "The bad file was deleted from the cache; call again to retry. If this "
                    "persists, the server and the expected hash disagree: upgrade "
                    f"keras-gans, or rebuild the registry with `{REBUILD_HINT}`."
                )
        os.replace(partial, target)  # atomic: readers see the old file or the whole new one
    except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
        if sha256 is None and os.path.isfile(target):
            return target  # offline: a file without a known hash is served from the cache
        raise ConnectionError(
            f"Could not download {url} ({type(error).__name__}: {error}). Nothing was "
            f"kept in the cache ({target}); check the connection and call again to retry, "
            f"or set {BASE_URL_ENV} to another mirror of the zoo."
        ) from error
    finally:
        _remove(partial)
    return target


def _hf_file(handle, filename, sha256, cache_dir):
    repo_id, revision = parse_hf_handle(handle)
    try:
        import huggingface_hub
        from huggingface_hub import errors
    except ImportError:
        raise ImportError(
            f"Loading {handle!r} needs the `huggingface_hub` package: "
            '`pip install "keras-gans[hf]"` (or `pip install huggingface_hub`).'
        ) from None
    endpoint = os.environ.get("HF_ENDPOINT") or None  # read now, not at import time
    try:
        path = huggingface_hub.hf_hub_download(
            repo_id=repo_id,
            filename=filename,
            revision=revision,
            endpoint=endpoint,
            cache_dir=os.path.join(cache_dir, "huggingface") if cache_dir else None,
        )
    except errors.RepositoryNotFoundError as error:
        raise ValueError(
            f"Unknown preset {handle!r}: the Hub ({endpoint or 'huggingface.co'}) has no "
            f"repository {repo_id!r} (or it is private: log in with `hf auth login`)."
        ) from error
    except errors.RevisionNotFoundError as error:
        raise ValueError(f"Preset {handle!r}: the repository has no revision {revision!r}.") from error
    except errors.LocalEntryNotFoundError as error:  # a subclass of EntryNotFoundError
        raise ConnectionError(
            f"Could not reach the Hub for {handle!r} and {filename!r} is not in the "
            f"Hugging Face cache yet ({error}). Check the connection and call again."
        ) from error
    except errors.EntryNotFoundError as error:
        raise FileNotFoundError(
            f"Preset {handle!r} has no file {filename!r}: is it a folder written by "
            "`keras_gans.save_preset` and uploaded whole with `huggingface_hub.upload_folder`?"
        ) from error
    if sha256 is not None:
        actual = sha256_of_file(path)
        if actual != sha256:
            blob = os.path.realpath(path)
            _remove(path)
            _remove(blob)
            raise ValueError(
                f"{filename!r} of {handle!r} has sha256 {actual}, but its preset.json "
                f"expects {sha256}: the upload is inconsistent or was corrupted. The file "
                "was deleted from the Hugging Face cache; re-save the preset with "
                "`keras_gans.save_preset` and upload the whole folder again."
            )
    return path


# --- resolving a whole preset ---------------------------------------------------------


def _how_to_fix(kind, path):
    if kind in ("hf", "url") or (kind == "package" and not str(path).startswith(str(packaged_zoo_dir()))):
        return (
            f"Delete {path} and call again to re-download it; if the error "
            "persists, the published file is broken: please report it."
        )
    return (
        f"Re-save the model with `model.save({str(path)!r})` and re-run "
        f"`{REBUILD_HINT}` (or `keras_gans.save_preset`), or restore the file from git."
    )


def resolve_preset(preset, registry=None, cache_dir=None):
    """Finds a preset and fetches its weights: (metadata, weights path, how to fix).

    A registered name goes through its registry entry (handle and sha256);
    any other handle through its own `preset.json`, whose `"sha256"` then
    checks the weights.

    Args:
        preset: str or Path. A registered name or a handle (see `get_file`).
        registry: dict, path or None. See `load_registry`.
        cache_dir: str or None. See `get_file`.

    Returns:
        (dict, str, str): the preset.json fields, the local weights path, and
        what to do if that file does not load.

    Example:

    >>> metadata, path, _ = resolve_preset("mnist_classifier")
    >>> metadata["kind"], os.path.basename(path)
    ('classifier', 'classifier.keras')
    """
    if isinstance(preset, str) and not preset.startswith((PACKAGE_PREFIX, HF_PREFIX) + URL_PREFIXES):
        known = available_presets(registry)
        if preset in known:
            entry = known[preset]
            handle = entry.get("handle") or PACKAGE_PREFIX + preset
            weights = entry["weights"]
            expected = (entry.get("sha256") or {}).get(weights)
            if handle_kind(handle) == "url" and not expected:
                raise ValueError(
                    f"The registry has no sha256 for {weights!r} of preset {preset!r}, so it "
                    f"cannot be downloaded safely. Rebuild the registry with `{REBUILD_HINT}`."
                )
            path = get_file(handle, weights, expected, cache_dir=cache_dir, cache_key=preset)
            return dict(entry), path, _how_to_fix(handle_kind(handle), path)
    kind = handle_kind(preset)
    if kind is None:
        if isinstance(preset, (str, os.PathLike)):
            raise unknown_preset_error(
                str(preset), available_presets(registry), f" A preset is {HANDLE_FORMS}."
            )
        raise TypeError(f"`preset` must be a preset name, a handle or a path; received {type(preset).__name__}.")
    config_path = get_file(preset, PRESET_FILE, cache_dir=cache_dir)
    try:
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
    except json.JSONDecodeError as error:
        raise ValueError(f"{preset}/{PRESET_FILE} is not valid JSON: {error}.") from error
    config = validate_preset_config(config, f"{os.fspath(preset)}/{PRESET_FILE}")
    weights = config["weights"]
    expected = (config.get("sha256") or {}).get(weights)
    path = get_file(preset, weights, expected, cache_dir=cache_dir)
    return config, path, _how_to_fix(kind, path)


def preset_file(name, filename=None, registry=None, cache_dir=None):
    """A local path to a file of a registered preset, fetched if needed.

    Args:
        name: str. A preset name, e.g. "dcgan_mnist_nonsaturating".
        filename: str or None. The file in the preset folder. Defaults to the
            preset's weights file.
        registry: dict, path or None. See `load_registry`.
        cache_dir: str or None. Cache root for downloads.

    Returns:
        str: path of the file, packaged or in the cache.

    Example:

    >>> os.path.basename(preset_file("mnist_classifier"))
    'classifier.keras'
    """
    known = available_presets(registry)
    if name not in known:
        raise unknown_preset_error(name, known)
    entry = known[name]
    filename = filename or entry["weights"]
    handle = entry.get("handle") or PACKAGE_PREFIX + name
    expected = (entry.get("sha256") or {}).get(filename)
    if handle_kind(handle) == "url" and not expected:
        raise ValueError(
            f"The registry has no sha256 for {filename!r} of preset {name!r}, so it cannot "
            f"be downloaded safely. Files with a hash: {sorted(entry.get('sha256') or {})}. "
            f"Rebuild the registry with `{REBUILD_HINT}`."
        )
    return get_file(handle, filename, expected, cache_dir=cache_dir, cache_key=name)


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


def load_preset_model(preset, registry=None, cache_dir=None):
    """Loads the `keras.Model` of a preset of any kind (generator or classifier).

    Args:
        preset: str or Path. A registered name or a handle; see `get_file`.
        registry: dict, path or None. See `load_registry`.
        cache_dir: str or None. Cache root for downloads.

    Returns:
        keras.Model: the uncompiled functional model.

    Example:

    >>> classifier = load_preset_model("mnist_classifier")
    >>> classifier.get_layer("features").units
    128
    """
    _, path, how_to_fix = resolve_preset(preset, registry=registry, cache_dir=cache_dir)
    return load_keras_file(path, how_to_fix)
