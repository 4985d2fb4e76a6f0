"""Real HTTP servers on 127.0.0.1 for the preset tests; never the internet.

The `zoo` fixture serves a temporary folder in zoo layout
(`<name>/preset.json`, `<name>/<weights>`) with `http.server`, points
KERAS_GANS_PRESET_BASE_URL at it, uses a registry built from that folder by
`build_registry` (handles `package://<name>`), an empty KERAS_GANS_ZOO_DIR (so
this "install" carries none of them and the mirror serves them) and a fresh
KERAS_HOME for the download cache.

The `hub` fixture is a fake Hugging Face Hub (`zoo_server.HubServer`): it sets
HF_ENDPOINT to it and points the HF cache at a temporary folder.
"""

import shutil

import pytest
from preset_builders import CLASSIFIER
from preset_builders import CONDITIONAL
from preset_builders import NUM_CLASSES
from preset_builders import UNCONDITIONAL
from preset_builders import build_classifier
from preset_builders import build_generator
from preset_builders import classifier_config
from preset_builders import generator_config
from preset_builders import write_preset
from zoo_server import HubServer
from zoo_server import Zoo
from zoo_server import ZooServer


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """The tiny models, built and saved once per session."""
    folder = tmp_path_factory.mktemp("tiny_models")
    models = {
        UNCONDITIONAL: build_generator(),
        CONDITIONAL: build_generator(num_classes=NUM_CLASSES),
        CLASSIFIER: build_classifier(),
    }
    paths = {}
    for name, model in models.items():
        paths[name] = folder / f"{name}.keras"
        model.save(paths[name])
    return models, paths


@pytest.fixture
def zoo(tmp_path, monkeypatch, tiny_models):
    _, paths = tiny_models
    root = tmp_path / "served"
    write_preset(root, generator_config(UNCONDITIONAL), paths[UNCONDITIONAL])
    write_preset(root, generator_config(CONDITIONAL, NUM_CLASSES), paths[CONDITIONAL])
    write_preset(root, classifier_config(CLASSIFIER), paths[CLASSIFIER])
    server = ZooServer(root)
    empty_zoo = tmp_path / "empty_zoo"
    empty_zoo.mkdir()
    zoo = Zoo(root, tmp_path / "registry.json", tmp_path / "keras_home", server)
    zoo.rebuild_registry()
    monkeypatch.setenv("KERAS_GANS_PRESET_BASE_URL", server.url)
    monkeypatch.setenv("KERAS_GANS_ZOO_DIR", str(empty_zoo))
    monkeypatch.setenv("KERAS_GANS_REGISTRY", str(zoo.registry_path))
    monkeypatch.setenv("KERAS_HOME", str(zoo.cache_dir))
    yield zoo
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def hub(tmp_path, monkeypatch):
    pytest.importorskip("huggingface_hub")
    from huggingface_hub import constants
    server = HubServer()
    cache = tmp_path / "hf_home" / "hub"
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_HOME", str(cache.parent))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    # huggingface_hub reads HF_HOME once, at import: point its cache here too.
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    server.cache = cache
    yield server
    server.stop()
