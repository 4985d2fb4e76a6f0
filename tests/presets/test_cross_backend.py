"""A preset saved under one backend loads under another with the same images.

Subprocesses running the two other backends save the tiny generators as
presets plus the images they draw for seed 0; this process downloads them
from the local HTTP zoo and must reproduce those images.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from zoo_server import ZooServer

import keras_gans.presets as presets
from keras_gans.presets.build_registry import build_registry
from keras_gans.presets.build_registry import registry_to_json

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
BACKENDS = ("tensorflow", "torch", "jax")
OTHER_BACKENDS = [b for b in BACKENDS if b != keras.backend.backend()]
LABELS = [0, 1, 2, 0, 1]

SAVE_SCRIPT = f"""
import sys
import numpy as np
sys.path[:0] = [{str(REPO_ROOT)!r}, {str(HERE)!r}]
from preset_builders import build_generator, generator_config, write_preset, NUM_CLASSES
from keras_gans.sampling import generate_images
out = sys.argv[1]
gen = build_generator(seed=1)
write_preset(out, generator_config("uncond"), model=gen)
np.save(out + "/uncond.npy", generate_images(gen, 5, 4, seed=0))
gen = build_generator(num_classes=NUM_CLASSES, seed=2)
write_preset(out, generator_config("cond", NUM_CLASSES), model=gen)
np.save(out + "/cond.npy", generate_images(gen, 5, 4, seed=0, labels={LABELS!r}, num_classes=NUM_CLASSES))
"""


@pytest.fixture(scope="module")
def saved_by_other_backends(tmp_path_factory):
    root = tmp_path_factory.mktemp("other_backends")
    procs = {}
    for backend in OTHER_BACKENDS:
        env = {**os.environ, "KERAS_BACKEND": backend}
        (root / backend).mkdir()
        procs[backend] = subprocess.Popen(
            [sys.executable, "-c", SAVE_SCRIPT, str(root / backend)],
            env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    for backend, proc in procs.items():
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"saving under {backend} failed:\n{output[-3000:]}"
    return root


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_preset_from_other_backend_gives_same_images(
    backend, saved_by_other_backends, tmp_path, monkeypatch
):
    served = saved_by_other_backends / backend
    server = ZooServer(served)
    registry = tmp_path / "registry.json"
    registry.write_text(registry_to_json(build_registry(served)))
    (tmp_path / "empty_zoo").mkdir()
    monkeypatch.setenv("KERAS_GANS_PRESET_BASE_URL", server.url)
    monkeypatch.setenv("KERAS_GANS_ZOO_DIR", str(tmp_path / "empty_zoo"))
    try:
        kwargs = dict(registry=str(registry), cache_dir=str(tmp_path / "cache"))
        uncond = presets.from_preset("uncond", **kwargs).generate(5, seed=0)
        cond = presets.from_preset("cond", **kwargs).generate(5, seed=0, labels=LABELS)
    finally:
        server.stop()
    assert len(server.requests) == 2
    np.testing.assert_allclose(uncond, np.load(served / "uncond.npy"), atol=1e-4, rtol=0)
    np.testing.assert_allclose(cond, np.load(served / "cond.npy"), atol=1e-4, rtol=0)
    assert uncond.std() > 0.01  # not a degenerate constant image
