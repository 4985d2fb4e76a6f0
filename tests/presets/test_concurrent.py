"""Two processes load the same remote preset at once: both succeed, one valid cached file stays.

Each child process waits at a file barrier, then calls `from_preset`; the
server holds every response for a moment, so the two downloads overlap.
"""

import json
import os
import pathlib
import subprocess
import sys

from preset_builders import UNCONDITIONAL
from preset_builders import build_generator

from keras_gans.presets import save_preset
from keras_gans.presets.registry import sha256_of_file

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]

CHILD = r"""
import hashlib, json, os, sys, time
barrier, me, preset = sys.argv[1], sys.argv[2], sys.argv[3]
import keras_gans
open(os.path.join(barrier, me), "w").close()
deadline = time.time() + 120
while len(os.listdir(barrier)) < 2 and time.time() < deadline:
    time.sleep(0.01)
images = keras_gans.from_preset(preset).generate(4, seed=0)
print(json.dumps(hashlib.sha256(images.tobytes()).hexdigest()))
"""


def _load_twice_at_once(preset, tmp_path, env):
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {**env, "PYTHONPATH": str(REPO_ROOT), "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(barrier), str(i), preset], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-3000:]
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    assert outputs[0] == outputs[1]  # the same images in both processes


def test_two_processes_download_from_the_mirror_at_once(zoo, tmp_path):
    zoo.server.delay_seconds = 1.0
    _load_twice_at_once(UNCONDITIONAL, tmp_path, dict(os.environ))
    url_path = f"/{UNCONDITIONAL}/generator.keras"
    assert zoo.server.requests.count(url_path) == 2  # both downloaded, overlapping
    folder = zoo.cached(UNCONDITIONAL, "generator.keras").parent
    assert sorted(p.name for p in folder.iterdir()) == ["generator.keras"]  # no partial files left
    assert sha256_of_file(folder / "generator.keras") == sha256_of_file(zoo.weights(UNCONDITIONAL))


def test_two_processes_download_from_the_hub_at_once(hub, tmp_path):
    folder = tmp_path / "published"
    save_preset(build_generator(), folder)
    hub.repos["someone/tiny"] = folder
    hub.delay_seconds = 1.0
    _load_twice_at_once("hf://someone/tiny", tmp_path, dict(os.environ))
    heads = [p for m, p in hub.requests if m == "HEAD" and p.endswith("/generator.keras")]
    assert len(heads) == 2
    files = [p for p in hub.cache.rglob("*") if p.is_file() and not p.is_symlink()]
    blobs = [p for p in files if p.parent.name == "blobs"]
    expected = sha256_of_file(folder / "generator.keras")
    assert sorted(sha256_of_file(p) for p in blobs) == sorted(
        {expected, sha256_of_file(folder / "preset.json")}
    )
    assert not [p for p in files if p.name.endswith(".incomplete")]
