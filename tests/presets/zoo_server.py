"""HTTP servers on 127.0.0.1 for the preset tests: a zoo mirror and a fake Hub."""

import hashlib
import http.server
import json
import threading
import time
import urllib.parse
from pathlib import Path

from keras_gans.presets.build_registry import build_registry
from keras_gans.presets.build_registry import registry_to_json


class _Quiet:
    """Request handler mixin: no access log on stderr."""

    def log_message(self, *args):
        pass


class _LocalServer:
    """A threaded HTTP server on 127.0.0.1 at a free port (`url`); `stop()` ends it."""

    running = False

    def _serve(self, handler_class):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
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


class ZooServer(_LocalServer):
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
        self.delay_seconds = 0.0  # before each body: lets concurrent downloads overlap
        server = self

        class Handler(_Quiet, http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def do_GET(self):
                server.requests.append(self.path)
                time.sleep(server.delay_seconds)
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

        self._serve(Handler)


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


class HubServer(_LocalServer):
    """A local stand-in for the Hugging Face Hub's file endpoint, on 127.0.0.1.

    `huggingface_hub.hf_hub_download` (with `HF_ENDPOINT` set to `url`) asks
    `HEAD` then `GET /{repo_id}/resolve/{revision}/{filename}` and needs,
    like the Hub answers: `X-Repo-Commit` (the 40-hex commit the revision
    points to), an `ETag` (the Hub gives LFS files their sha256) and
    `Content-Length`. Errors carry the Hub's `X-Error-Code`
    (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`), which
    huggingface_hub turns into its typed errors.

    `repos[repo_id] = folder` publishes a folder (as `upload_folder` would);
    `delay_seconds` slows every GET so that concurrent downloads overlap;
    `requests` records `(method, path)`.
    """

    def __init__(self):
        self.repos = {}
        self.requests = []
        self.delay_seconds = 0.0
        server = self

        class Handler(_Quiet, http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self):
                self._answer(send_body=False)

            def do_GET(self):
                self._answer(send_body=True)

            def _answer(self, send_body):
                server.requests.append((self.command, self.path))
                parts = urllib.parse.unquote(self.path.split("?")[0]).strip("/").split("/")
                if len(parts) < 5 or parts[2] != "resolve":
                    return self._error(404, "RepoNotFound")
                repo_id, revision, filename = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
                folder = server.repos.get(repo_id)
                if folder is None:
                    return self._error(404, "RepoNotFound")
                commit = server.commit(repo_id)
                if revision not in ("main", commit):
                    return self._error(404, "RevisionNotFound")
                path = Path(folder) / filename
                if not path.is_file():
                    return self._error(404, "EntryNotFound", commit)
                data = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
                self.send_header("X-Repo-Commit", commit)
                self.end_headers()
                if send_body:
                    time.sleep(server.delay_seconds)
                    self.wfile.write(data)

            def _error(self, status, code, commit=None):
                body = json.dumps({"error": code}).encode()
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                self.send_header("X-Error-Message", code)
                if commit:
                    self.send_header("X-Repo-Commit", commit)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

        self._serve(Handler)

    def commit(self, repo_id):
        """The commit `main` points to: a hash of the repository's files."""
        digest = hashlib.sha1(repo_id.encode())
        for path in sorted(Path(self.repos[repo_id]).iterdir()):
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()

    def downloads(self, filename):
        """How many GETs asked for `filename`."""
        return sum(1 for method, path in self.requests if method == "GET" and path.endswith("/" + filename))
