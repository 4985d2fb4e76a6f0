"""A real HTTP zoo on 127.0.0.1 for the preset tests.

The `zoo` fixture serves a temporary folder in zoo layout
(`<name>/preset.json`, `<name>/<weights>`) with `http.server`, points
KERAS_GANS_PRESET_BASE_URL at it, uses a registry built from that folder by
`build_registry`, an empty KERAS_GANS_ZOO_DIR (so no local zoo is used) and a
fresh KERAS_HOME for the download cache.
"""

import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest
from preset_builders import build_classifier
from preset_builders import build_generator
from preset_builders import classifier_config
from preset_builders import generator_config
from preset_builders import write_preset
from preset_builders import NUM_CLASSES

from keras_gans.presets.build_registry import build_registry
from keras_gans.presets.build_registry import registry_to_json

UNCONDITIONAL = "tiny_unconditional"
CONDITIONAL = "tiny_conditional"
CLASSIFIER = "tiny_classifier"


class ZooServer:
    """Serves `root` over HTTP; can cut chosen responses short.

    `truncate[url_path] = (num_bytes, send_length)` sends only the first
    `num_bytes` of the file, then closes the connection. With `send_length`
    the header still announces the full Content-Length (a dropped
    connection); without it the body is close-delimited, so only the hash
    can tell that bytes are missing.
    """

    def __init__(self, root):
        self.root = Path(root)
        self.truncate = {}
        self.requests = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def do_GET(self):
                server.requests.append(self.path)
                if self.path in server.truncate:
                    return self._send_truncated(*server.truncate[self.path])
                return super().do_GET()

            def _send_truncated(self, num_bytes, send_length):
                data = (server.root / self.path.lstrip("/")).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                if send_length:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:num_bytes])
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self):
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.running = False


class Zoo:
    """The served folder, its registry file and the cache, for one test."""

    def __init__(self, root, registry_path, cache_dir, server):
        self.root = root
        self.registry_path = registry_path
        self.cache_dir = cache_dir
        self.server = server

    def rebuild_registry(self):
        self.registry_path.write_text(registry_to_json(build_registry(self.root)))

    def registry(self):
        return json.loads(self.registry_path.read_text())

    def write_registry(self, registry):
        self.registry_path.write_text(json.dumps(registry))

    def cached(self, name, filename):
        return self.cache_dir / "keras_gans" / "presets" / name / filename

    def weights(self, name, filename="generator.keras"):
        return self.root / name / filename


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
