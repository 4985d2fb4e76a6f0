"""An HTTP server for a zoo folder, and the handles a preset test needs."""

import http.server
import json
import threading
from pathlib import Path

from keras_gans.presets.build_registry import build_registry
from keras_gans.presets.build_registry import registry_to_json


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
