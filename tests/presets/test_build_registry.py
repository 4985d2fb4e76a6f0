"""`python -m keras_gans.presets.build_registry`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from preset_builders import CONDITIONAL
from preset_builders import build_generator
from preset_builders import generator_config
from preset_builders import write_preset

from keras_gans.presets import save_preset
from keras_gans.presets.build_registry import build_registry
from keras_gans.presets.build_registry import main
from keras_gans.presets.registry import load_registry
from keras_gans.presets.registry import sha256_of_file

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_entries_hold_preset_json_hash_and_size(zoo):
    registry = build_registry(zoo.root)
    entry = registry[CONDITIONAL]
    weights = zoo.weights(CONDITIONAL)
    config = json.loads((zoo.root / CONDITIONAL / "preset.json").read_text())
    assert entry == {
        **config,
        "sha256": {"generator.keras": sha256_of_file(weights)},
        "size": weights.stat().st_size,
        "handle": f"package://{CONDITIONAL}",
    }


def test_preset_json_hash_must_match_the_weights(tmp_path):
    model = build_generator()
    save_preset(model, tmp_path / "saved")
    assert build_registry(tmp_path)["saved"]["sha256"] == json.loads(
        (tmp_path / "saved" / "preset.json").read_text())["sha256"]
    build_generator(seed=1).save(tmp_path / "saved" / "generator.keras")  # retrained, not re-saved
    with pytest.raises(ValueError, match="weights changed after the preset was saved"):
        build_registry(tmp_path)


def test_output_is_deterministic_and_checkable(zoo, tmp_path, capsys):
    out = tmp_path / "registry.json"
    assert main(["--zoo-dir", str(zoo.root), "--output", str(out)]) == 0
    first = out.read_bytes()
    assert main(["--zoo-dir", str(zoo.root), "--output", str(out)]) == 0
    assert out.read_bytes() == first
    assert first.endswith(b"}\n")
    assert list(json.loads(first)) == sorted(json.loads(first))
    assert main(["--zoo-dir", str(zoo.root), "--output", str(out), "--check"]) == 0
    zoo.weights(CONDITIONAL).write_bytes(b"changed")
    assert main(["--zoo-dir", str(zoo.root), "--output", str(out), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


def test_invalid_presets_are_reported(tmp_path, capsys):
    config = generator_config("broken")
    del config["latent_dim"]
    write_preset(tmp_path, config, b"x")
    with pytest.raises(ValueError, match="lacks the field\\(s\\) \\['latent_dim'\\]"):
        build_registry(tmp_path)
    config = generator_config("broken")
    config["name"] = "other"
    (tmp_path / "broken" / "preset.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="folder name is the preset name"):
        build_registry(tmp_path)
    assert main(["--zoo-dir", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_shipped_registry_is_valid():
    registry = load_registry(Path(__file__).resolve().parents[2] / "keras_gans/presets/registry.json")
    for name, entry in registry.items():
        assert entry["name"] == name
        assert entry["weights"] in entry["sha256"]
    if (REPO_ROOT / "zoo").is_dir():
        assert build_registry(REPO_ROOT / "zoo") == registry, (
            "registry.json is stale: run python -m keras_gans.presets.build_registry"
        )


def test_runs_as_a_module(zoo, tmp_path):
    out = tmp_path / "registry.json"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "keras_gans.presets.build_registry",
         "--zoo-dir", str(zoo.root), "--output", str(out)],
        env=env, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote 3 preset(s)" in result.stdout
    assert json.loads(out.read_text()) == build_registry(zoo.root)
