"""The built wheel carries every preset: they load with no checkout, no network and an empty KERAS_HOME.

The wheel is built once per pytest session from a copy of the sources
(`pip wheel --no-deps --no-build-isolation`, offline), installed with
`pip install --no-deps --target`, and exercised in a subprocess whose only
path to keras_gans is that target: PYTHONPATH is the target alone, the
working directory is an empty folder, KERAS_HOME is empty, and KERAS_BACKEND
is the suite's. Marked `wheel` (about a minute per backend).
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

from keras_gans.presets import list_presets
from keras_gans.presets.registry import load_registry

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
MAX_WHEEL_BYTES = 50 * 1024 * 1024
SOURCES = ("pyproject.toml", "setup.py", "README.md", "keras_gans", "zoo")

pytestmark = pytest.mark.wheel


def _run(command, cwd, env=None, timeout=600):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory):
    """(wheel path, site folder): built and installed once per session."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy: the build writes build/ and *.egg-info
    source.mkdir()
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    dist, site = root / "dist", root / "site"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), "."], source, env)
    (wheel,) = dist.glob("keras_gans-*.whl")
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel)], root, env)
    return wheel, site


def test_wheel_carries_every_registered_preset_and_stays_small(installed_wheel):
    wheel, _ = installed_wheel
    assert wheel.stat().st_size < MAX_WHEEL_BYTES
    names = set(zipfile.ZipFile(wheel).namelist())
    registry = load_registry()
    assert len(registry) >= 10
    for name, entry in registry.items():
        assert entry["handle"] == f"package://{name}"
        for filename in (entry["weights"], "preset.json", "README.md"):
            assert f"keras_gans/zoo/{name}/{filename}" in names
    # Only presets: no recipes, logs, sample grids or zoo scripts.
    zoo_files = {n for n in names if n.startswith("keras_gans/zoo/")}
    assert {pathlib.PurePath(n).suffix for n in zoo_files} == {".keras", ".json", ".md"}
    assert not any(n.endswith(("recipe.json", "run.json", "training.json", "model.keras", ".py")) for n in zoo_files)


CHECK_SCRIPT = r"""
import json, os, sys
assert not os.listdir(os.environ["KERAS_HOME"]), "KERAS_HOME must start empty"
import numpy as np
import keras_gans
from keras_gans.presets import list_presets, load_preset_model

site = os.path.realpath(sys.argv[1])
assert os.path.realpath(keras_gans.__file__).startswith(site), keras_gans.__file__
report = {}
for name in list_presets("generator"):
    gen = keras_gans.from_preset(name)
    labels = [i % gen.num_classes for i in range(8)] if gen.num_classes else None
    images = gen.generate(8, seed=0, labels=labels)
    assert images.shape[0] == 8 and 0.0 <= images.min() and images.max() <= 1.0, name
    assert float(np.std(images)) > 0.05, name  # not blank
    report[name] = [list(images.shape), float(images.mean())]
for name in list_presets("classifier"):
    load_preset_model(name)
    report[name] = "loaded"
downloads = os.path.join(os.environ["KERAS_HOME"], "keras_gans")
assert not os.path.exists(downloads), "packaged presets must not be downloaded"
print(json.dumps(report))
"""


@pytest.fixture
def clean_env(installed_wheel, tmp_path):
    _, site = installed_wheel
    workdir, keras_home = tmp_path / "empty_cwd", tmp_path / "keras_home"
    workdir.mkdir()
    keras_home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KERAS_GANS_", "PYTHON")) and key != "KERAS_HOME"
    }
    env.update(
        PYTHONPATH=str(site),
        KERAS_HOME=str(keras_home),
        KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "jax"),
        PYTHONNOUSERSITE="1",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    return site, workdir, env


def test_every_preset_loads_from_the_installed_wheel(clean_env):
    site, workdir, env = clean_env
    result = _run([sys.executable, "-c", CHECK_SCRIPT, str(site)], workdir, env)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report) == set(list_presets())
    assert sorted(os.listdir(workdir)) == []  # nothing written next to the user


def test_evaluate_command_runs_from_the_installed_wheel(clean_env):
    site, workdir, env = clean_env
    result = _run(
        [sys.executable, "-m", "keras_gans", "evaluate", "--preset", "mlp_digits_nonsaturating", "--num-samples", "297",
         "--json", "--no-floor"],
        workdir, env,
    )
    printed = json.loads(result.stdout)
    assert float(printed["fid"]) > 0.0
    assert "kid_mean" in printed
