"""Builds `keras_gans/presets/registry.json` from the `zoo/*/preset.json` files.

Run it from a checkout after adding or changing a preset:

    python -m keras_gans.presets.build_registry            # rewrite registry.json
    python -m keras_gans.presets.build_registry --check    # exit 1 if out of date

The output is deterministic (sorted keys, fixed indentation, trailing
newline), so rebuilding an unchanged zoo gives a byte-identical file.
"""

import argparse
import json
import sys
from pathlib import Path

from keras_gans.presets.registry import REGISTRY_PATH
from keras_gans.presets.registry import packaged_zoo_dir
from keras_gans.presets.registry import read_preset_config
from keras_gans.presets.registry import sha256_of_file

PACKAGE_PREFIX = "package://"


def registry_entry(preset_dir):
    """The registry entry of one preset folder: preset.json plus handle, hash and size.

    The handle is `package://<name>`: the preset ships in the wheel. The
    hash is the weights file's; a `"sha256"` in preset.json must agree.

    Args:
        preset_dir: str or Path. A folder holding `preset.json` and the
            weights file it names.

    Returns:
        dict: the preset.json content plus `"sha256"` and `"size"`.

    Example:

    >>> entry = registry_entry("zoo/dcgan_mnist_nonsaturating")  # doctest: +SKIP
    >>> sorted(entry["sha256"]), entry["handle"]  # doctest: +SKIP
    (['generator.keras'], 'package://dcgan_mnist_nonsaturating')
    """
    preset_dir = Path(preset_dir)
    config = read_preset_config(preset_dir)
    if config["name"] != preset_dir.name:
        raise ValueError(
            f'{preset_dir / "preset.json"} has "name": {config["name"]!r} but '
            f"lives in the folder {preset_dir.name!r}. Make them equal: the "
            "folder name is the preset name."
        )
    weights = preset_dir / config["weights"]
    if not weights.is_file():
        raise FileNotFoundError(
            f'{preset_dir / "preset.json"} names the weights file '
            f"{config['weights']!r}, but {weights} does not exist. Save the "
            "model there with `model.save(...)` or fix \"weights\"."
        )
    digest = sha256_of_file(weights)
    written = (config.get("sha256") or {}).get(config["weights"])
    if written is not None and written != digest:
        raise ValueError(
            f'{preset_dir / "preset.json"} gives sha256 {written} for {config["weights"]!r}, '
            f"but the file has {digest}: the weights changed after the preset was saved. "
            "Save the preset again with `keras_gans.save_preset`."
        )
    entry = dict(config)
    entry["sha256"] = {config["weights"]: digest}
    entry["size"] = weights.stat().st_size
    entry["handle"] = PACKAGE_PREFIX + preset_dir.name
    return entry


def build_registry(zoo_dir=None):
    """Builds the registry dict from every `<zoo_dir>/<name>/preset.json`.

    Folders whose names start with "." or "_" are skipped; any other folder
    must be a valid preset.

    Args:
        zoo_dir: str or Path or None. The zoo folder. Defaults to
            `packaged_zoo_dir()` (`zoo/` of a checkout).

    Returns:
        dict: preset name -> registry entry.

    Example:

    >>> registry = build_registry("zoo")  # doctest: +SKIP
    """
    zoo_dir = Path(zoo_dir) if zoo_dir is not None else packaged_zoo_dir()
    if not zoo_dir.is_dir():
        raise FileNotFoundError(
            f"Zoo folder {zoo_dir} does not exist. Run this from a checkout "
            "of keras-gans, or pass `--zoo-dir`."
        )
    registry = {}
    for preset_dir in sorted(zoo_dir.iterdir()):
        if not preset_dir.is_dir() or preset_dir.name[0] in "._":
            continue
        registry[preset_dir.name] = registry_entry(preset_dir)
    return registry


def registry_to_json(registry):
    """Serializes a registry deterministically (sorted keys, trailing newline).

    Example:

    >>> registry_to_json({"b": {"size": 1}, "a": {}})
    '{\\n  "a": {},\\n  "b": {\\n    "size": 1\\n  }\\n}\\n'
    """
    return json.dumps(registry, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m keras_gans.presets.build_registry",
        description="Rebuild keras_gans/presets/registry.json from zoo/*/preset.json.",
    )
    parser.add_argument("--zoo-dir", default=str(packaged_zoo_dir()), help="zoo folder (default: %(default)s)")
    parser.add_argument("--output", default=str(REGISTRY_PATH), help="registry file (default: %(default)s)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the registry file is not up to date",
    )
    args = parser.parse_args(argv)
    try:
        text = registry_to_json(build_registry(args.zoo_dir))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            print(
                f"{output} is out of date with {args.zoo_dir}: run "
                "`python -m keras_gans.presets.build_registry`.",
                file=sys.stderr,
            )
            return 1
        print(f"{output} is up to date.")
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"Wrote {len(json.loads(text))} preset(s) to {output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
