"""Test set-up shared by the whole suite.

The suite runs once per backend: `KERAS_BACKEND=jax pytest`, and so on.
Keras is pointed at a private KERAS_HOME whose dataset cache holds the local
copies of MNIST, Fashion-MNIST and the Twemoji npm tarball from
../shared/datasets (or $KERAS_GANS_SHARED_DATASETS), so `keras.datasets` and
`keras_gans.data.load_twemoji` load them without a network.
"""

import os
import pathlib
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATASETS = pathlib.Path(
    os.environ.get("KERAS_GANS_SHARED_DATASETS") or REPO_ROOT.parent / "shared" / "datasets"
)

if "KERAS_GANS_TEST_KERAS_HOME" not in os.environ:
    _home = pathlib.Path(tempfile.mkdtemp(prefix="keras_gans_test_home_"))
    (_home / "datasets" / "fashion-mnist").mkdir(parents=True)
    if (SHARED_DATASETS / "mnist.npz").exists():
        os.symlink(SHARED_DATASETS / "mnist.npz", _home / "datasets" / "mnist.npz")
    for f in (SHARED_DATASETS / "fashion-mnist").glob("*.gz") if SHARED_DATASETS.exists() else []:
        os.symlink(f, _home / "datasets" / "fashion-mnist" / f.name)
    for f in (SHARED_DATASETS / "twemoji").glob("*.tgz") if SHARED_DATASETS.exists() else []:
        os.symlink(f, _home / "datasets" / f.name)
    os.environ["KERAS_GANS_TEST_KERAS_HOME"] = str(_home)
os.environ["KERAS_HOME"] = os.environ["KERAS_GANS_TEST_KERAS_HOME"]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402  (after KERAS_HOME is set)
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    keras.backend.clear_session()
    yield


def has_real_datasets():
    return (SHARED_DATASETS / "mnist.npz").exists()
