"""The keras-gans command line: fast in-process paths, one end-to-end subprocess."""

import json
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gans.cli import main

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
TRAIN_TINY = ["train", "--dataset", "digits", "--epochs", "1", "--batch-size", "32", "--verbose", "0"]


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setenv("KERAS_GANS_TINY", "1")


def _error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("keras-gans: error: ") and "\n" not in err and "Traceback" not in err
    return err


def _read(path):
    return np.asarray(Image.open(path))


def test_train_writes_run_and_resume_continues(tmp_path, tiny):
    out = str(tmp_path / "run")
    assert main(TRAIN_TINY + ["--out", out, "--seed", "3"]) == 0
    for name in ("model.keras", "generator.keras", "samples.png", "run.json", "history.csv", "samples/epoch_0001.png"):
        assert os.path.exists(os.path.join(out, name)), name
    run = json.loads(open(os.path.join(out, "run.json")).read())
    assert run["status"] == "finished" and run["backend"] == keras.backend.backend()
    assert run["settings"]["seed"] == 3 and run["settings"]["model"] == "nonsaturating"
    assert run["generator_steps"] == run["discriminator_steps"] == 2  # tiny: 2 batches
    assert set(run["final"]) >= {"d_loss", "g_loss"} and run["wall_time_s"] > 0
    assert keras.__version__ == run["versions"]["keras"]
    # 64 samples, 8 per row, 8x8 pixels + 1 padding, enlarged 16 times.
    assert _read(os.path.join(out, "samples.png")).shape == (73 * 16, 73 * 16)

    before = keras.saving.load_model(os.path.join(out, "model.keras"))
    assert main(["train", "--resume", "--out", out, "--epochs", "2", "--verbose", "0"]) == 0
    run = json.loads(open(os.path.join(out, "run.json")).read())
    assert run["epochs_done"] == 2 and run["generator_steps"] == 4  # optimizer state continued
    assert len(run["history"]["d_loss"]) == 2  # both sessions' epochs
    assert os.path.exists(os.path.join(out, "samples", "epoch_0002.png"))
    after = keras.saving.load_model(os.path.join(out, "model.keras"))
    assert not np.array_equal(before.generator.get_weights()[0], after.generator.get_weights()[0])


def test_conditional_train_then_sample_from_gan_and_bare_generator(tmp_path, tiny):
    out = str(tmp_path / "cond")
    assert main(TRAIN_TINY + ["--conditional", "--model", "wgan_gp", "--out", out]) == 0
    run = json.loads(open(os.path.join(out, "run.json")).read())
    assert "gradient_penalty" in run["final"]
    gan = keras.saving.load_model(os.path.join(out, "model.keras"))
    grid_a, grid_b = str(tmp_path / "a.png"), str(tmp_path / "b.png")
    assert main(["sample", "--model", os.path.join(out, "model.keras"), "--num", "6", "--labels", "7", "--out", grid_a]) == 0
    assert main(["sample", "--model", os.path.join(out, "generator.keras"), "--num", "6", "--labels", "7", "--out", grid_b]) == 0
    np.testing.assert_array_equal(_read(grid_a), _read(grid_b))
    from keras_gans.visualization import image_grid

    expected = image_grid(gan.generate(6, seed=0, labels=[7] * 6))[..., 0]
    np.testing.assert_array_equal(_read(grid_a)[::16, ::16], expected)  # enlarged 16x


def test_train_from_folder_and_npz(tmp_path, tiny):
    folder = tmp_path / "images"
    rng = np.random.default_rng(0)
    for cls in ("cats", "dogs"):
        (folder / cls).mkdir(parents=True)
        for i, size in enumerate([(40, 30), (28, 28), (64, 64)]):
            Image.fromarray(rng.integers(0, 255, size + (3,), dtype="uint8")).save(folder / cls / f"{i}.png")
    out = str(tmp_path / "folder_run")
    assert main(["train", "--dataset", f"folder:{folder}", "--image-size", "8", "--conditional", "--batch-size", "4", "--out", out, "--verbose", "0"]) == 0
    run = json.loads(open(os.path.join(out, "run.json")).read())
    assert run["architecture"] == "mlp" and "6 resized" in run["dataset_description"]
    assert "['cats', 'dogs']" in run["dataset_description"]
    assert keras.saving.load_model(os.path.join(out, "generator.keras")).output.shape[1:] == (8, 8, 3)
    np.savez(tmp_path / "d.npz", x=rng.integers(0, 255, (16, 8, 8), dtype="uint8"))
    assert main(["train", "--dataset", f"npz:{tmp_path / 'd.npz'}", "--batch-size", "8", "--out", str(tmp_path / "npz_run"), "--verbose", "0"]) == 0


@pytest.mark.parametrize("model, size", [("wgan_gp", 28), ("minimax", 32)])
def test_architecture_choice(model, size):
    from keras_gans.cli import build_gan

    gan, architecture = build_gan(model, (size, size, 3), 10, None, 0)
    assert architecture == "dcgan" and gan.image_shape == (size, size, 3) and gan.latent_dim == 64
    norms = {type(l).__name__ for l in gan.discriminator.layers}
    assert ("LayerNormalization" in norms) == (model == "wgan_gp")
    assert ("BatchNormalization" in norms) == (model != "wgan_gp")


def test_refuses_to_overwrite_a_run(tmp_path, capsys, tiny):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.keras").write_bytes(b"user's model")
    err = _error(capsys, TRAIN_TINY + ["--out", str(out)])
    assert "--overwrite" in err and "--resume" in err
    assert (out / "model.keras").read_bytes() == b"user's model"
    sample_out = tmp_path / "grid.png"
    sample_out.write_bytes(b"user's grid")
    assert "--overwrite" in _error(capsys, ["sample", "--model", str(out / "model.keras"), "--out", str(sample_out)])
    assert sample_out.read_bytes() == b"user's grid"
    assert main(TRAIN_TINY + ["--out", str(out), "--overwrite"]) == 0
    assert (out / "model.keras").read_bytes() != b"user's model"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--dataset", "cifar"], "Unknown dataset 'cifar'"),
        (["--dataset", "folder:{tmp}/empty"], "No images found"),
        (["--dataset", "folder:{tmp}/missing"], "does not exist"),
        (["--dataset", "npz:{tmp}/missing.npz"], "does not exist"),
        (["--dataset", "digits", "--image-size", "28"], "--image-size"),
        (["--out", "{tmp}/a_file/run"], "Cannot write"),
        (["--out", "{tmp}/a_file"], "is a file"),
        (["--resume", "--out", "{tmp}/new"], "Nothing to resume"),
        (["--epochs", "0"], "--epochs"),
        (["--dataset", "npz:{tmp}/nolabels.npz", "--conditional"], "needs class labels"),
        (["--dataset", "npz:{tmp}/noy.npz"], "no `x`"),
    ],
)
def test_train_errors(tmp_path, capsys, argv, expected):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not an image")
    (tmp_path / "a_file").write_text("")
    np.savez(tmp_path / "nolabels.npz", x=np.zeros((4, 8, 8), "uint8"))
    np.savez(tmp_path / "noy.npz", images=np.zeros((4, 8, 8), "uint8"))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert expected in _error(capsys, ["train", "--verbose", "0", "--out", str(tmp_path / "out")] + argv)


def test_backend_errors(capsys, monkeypatch):
    other = next(b for b in ("jax", "torch", "tensorflow") if b != keras.backend.backend())
    assert "KERAS_BACKEND=" in _error(capsys, ["--backend", other, "presets"])
    monkeypatch.setitem(sys.modules, "torch", None)  # how Python marks a module absent
    assert "pip install 'keras-gans[torch]'" in _error(capsys, ["train", "--backend", "torch"])


def test_sample_evaluate_presets_argument_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):  # argparse: exactly one of --preset/--model
        main(["sample", "--out", str(tmp_path / "x.png")])
    with pytest.raises(SystemExit):
        main(["sample", "--preset", "a", "--model", "b"])
    capsys.readouterr()
    assert "does not exist" in _error(capsys, ["sample", "--model", str(tmp_path / "none.keras"), "--out", str(tmp_path / "x.png")])
    assert "--num" in _error(capsys, ["sample", "--model", "m.keras", "--num", "0"])
    assert "--dataset is required" in _error(capsys, ["evaluate", "--model", "m.keras"])
    assert "--num-samples" in _error(capsys, ["evaluate", "--model", "m.keras", "--num-samples", "1"])


def test_end_to_end_subprocess(tmp_path):
    """`python -m keras_gans --backend B train ...`: Keras is imported (with
    KERAS_BACKEND) before the CLI parses --backend, so it must re-execute."""
    out = tmp_path / "e2e"
    other = next(b for b in ("torch", "jax", "tensorflow") if b != keras.backend.backend())
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), KERAS_GANS_TINY="1")
    result = subprocess.run(
        [sys.executable, "-m", "keras_gans", "--backend", other, "train", "--dataset", "digits",
         "--epochs", "1", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "d_loss" in result.stdout and (out / "samples.png").exists()
    assert json.loads((out / "run.json").read_text())["backend"] == other
