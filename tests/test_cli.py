"""The keras-gans command line: fast in-process paths, one end-to-end subprocess."""

import json
import os
import pathlib
import subprocess
import sys
import time

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
    assert run["recipe"]["seed"] == 3 and run["recipe"]["gan"]["class"] == "NonSaturatingGAN"
    assert run["machine"]["cpu_count"] == os.cpu_count()
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
    assert run["recipe"]["generator"]["builder"] == "mlp_generator" and "6 resized" in run["dataset_description"]
    assert "['cats', 'dogs']" in run["dataset_description"]
    assert keras.saving.load_model(os.path.join(out, "generator.keras")).output.shape[1:] == (8, 8, 3)
    np.savez(tmp_path / "d.npz", x=rng.integers(0, 255, (16, 8, 8), dtype="uint8"))
    assert main(["train", "--dataset", f"npz:{tmp_path / 'd.npz'}", "--batch-size", "8", "--out", str(tmp_path / "npz_run"), "--verbose", "0"]) == 0


@pytest.mark.parametrize("model, size", [("WGANGP", 28), ("MinimaxGAN", 32), ("NonSaturatingGAN", 16), ("HingeGAN", 64)])
def test_architecture_choice(model, size):
    from keras_gans import architectures, recipes

    recipe = recipes.default_recipe("folder:x", model, True, (size, size, 3))
    assert recipe["generator"]["builder"] == "dcgan_generator"  # every supported size, not the MLP
    assert recipe["gan"]["config"]["latent_dim"] == 64
    assert recipe["generator"]["kwargs"] == ({"base_filters": 32} if size == 64 else {})
    kwargs = dict(recipe["discriminator"]["kwargs"], base_filters=4)
    discriminator = getattr(architectures, recipe["discriminator"]["builder"])((size, size, 3), 10, **kwargs)
    norms = {type(l).__name__ for l in discriminator.layers}
    assert ("LayerNormalization" in norms) == (model == "WGANGP")
    assert ("BatchNormalization" in norms) == (model != "WGANGP")


def test_architecture_flag(tmp_path):
    from keras_gans import recipes
    from keras_gans.cli import UsageError, _recipe_from_flags, build_parser

    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(2):
        Image.fromarray(np.full((40, 40, 3), 60 * i, "uint8")).save(folder / f"{i}.png")

    def recipe_for(*flags):
        args = build_parser().parse_args(["train", "--dataset", f"folder:{folder}", *flags])
        return _recipe_from_flags(args)[0]

    resnet = recipe_for("--image-size", "64", "--architecture", "resnet", "--model", "wgan_gp")
    assert (resnet["generator"]["builder"], resnet["discriminator"]["builder"]) == ("resnet_generator", "resnet_discriminator")
    assert resnet["discriminator"]["kwargs"]["normalization"] is None and resnet["gan"]["config"]["latent_dim"] == 128
    assert recipe_for("--image-size", "32", "--architecture", "resnet")["discriminator"]["kwargs"]["normalization"] == "spectral"
    assert recipe_for("--image-size", "64")["generator"]["builder"] == "dcgan_generator"
    assert recipe_for("--image-size", "48", "--architecture", "mlp")["generator"]["builder"] == "mlp_generator"
    assert recipes.default_recipe("digits")["generator"]["builder"] == "mlp_generator"  # the main job
    with pytest.raises(UsageError, match="DCGAN builders support square images of size 16, 28, 32, 64, 128, 256; received 48x48.*--architecture mlp"):
        recipe_for("--image-size", "48")
    with pytest.raises(UsageError, match="ResNet builders support square images of size 32, 64, 128; received 16x16"):
        recipe_for("--image-size", "16", "--architecture", "resnet")
    with pytest.raises(ValueError, match="Unknown `architecture`='vit'"):
        recipes.default_recipe("digits", architecture="vit")


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
        (["--dataset", "npz:{tmp}/nan.npz"], "NaN"),
        (["--latent-dim", "0"], "--latent-dim must be >= 1"),
        (["--learning-rate", "-1"], "--learning-rate must be > 0"),
        (["--learning-rate", "nan"], "--learning-rate must be > 0"),
        (["--batch-size", "0"], "--batch-size must be >= 1"),
        (["--seed", "-1"], "--seed must be >= 0"),
        (["--max-minutes", "0"], "--max-minutes must be > 0"),
        (["--backup-interval", "-1"], "--backup-interval must be a number of seconds >= 0"),
        (["--backup-interval", "nan"], "--backup-interval must be a number of seconds >= 0"),
        (["--recipe", "{tmp}/missing.json"], "Cannot read the recipe"),
        (["--recipe", "{tmp}/broken.json"], "not valid JSON (line 1"),
        (["--recipe", "{tmp}/badkey.json"], "Recipe key `fit.epoch`"),
        (["--recipe", "{tmp}/badclass.json"], "Recipe key `gan.class`"),
        (["--recipe", "{tmp}/badkwarg.json"], "Recipe key `generator.kwargs`"),
        (["--recipe", "{tmp}/ok.json", "--latent-dim", "8"], "--latent-dim cannot be combined with --recipe"),
        (["--recipe", "{tmp}/ok.json", "--architecture", "dcgan"], "--architecture cannot be combined with --recipe"),
        (["--architecture", "resnet"], "ResNet builders support square images of size 32, 64, 128; received 8x8"),
        (["--architecture", "dcgan"], "received 8x8. Resize the images"),
        (["--resume", "--out", "{tmp}/new", "--seed", "1"], "--seed cannot change it"),
    ],
)
def test_train_errors(tmp_path, capsys, argv, expected):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not an image")
    (tmp_path / "a_file").write_text("")
    np.savez(tmp_path / "nolabels.npz", x=np.zeros((4, 8, 8), "uint8"))
    np.savez(tmp_path / "noy.npz", images=np.zeros((4, 8, 8), "uint8"))
    np.savez(tmp_path / "nan.npz", x=np.full((4, 8, 8), np.nan, "float32"))
    recipe = json.loads((REPO_ROOT / "zoo" / "mlp_digits_nonsaturating" / "recipe.json").read_text())
    (tmp_path / "ok.json").write_text(json.dumps(recipe))
    (tmp_path / "broken.json").write_text('{"seed": 0,,}')
    (tmp_path / "badkey.json").write_text(json.dumps(dict(recipe, fit={"epoch": 3, "batch_size": 8})))
    (tmp_path / "badclass.json").write_text(json.dumps(dict(recipe, gan={"class": "GANN", "config": {"latent_dim": 4}})))
    (tmp_path / "badkwarg.json").write_text(json.dumps(dict(recipe, generator={"builder": "mlp_generator", "kwargs": {"widths": [4]}})))
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
    # TensorFlow's import-time log lines are kept off stderr (tests/test_cli_output.py).
    assert "absl::InitializeLog" not in result.stderr and "oneDNN" not in result.stderr, result.stderr[-2000:]
    assert json.loads((out / "run.json").read_text())["backend"] == other


def test_recipe_trains_the_preset_recipe_with_run_options_overridden(tmp_path, tiny):
    recipe_path = REPO_ROOT / "zoo" / "mlp_digits_nonsaturating" / "recipe.json"
    out = tmp_path / "preset"
    assert main(["train", "--recipe", str(recipe_path), "--seed", "5", "--batch-size", "16", "--out", str(out), "--verbose", "0"]) == 0
    run = json.loads((out / "run.json").read_text())
    from keras_gans import recipes

    expected = recipes.load_recipe(recipe_path)
    expected["seed"], expected["fit"]["batch_size"], expected["fit"]["epochs"] = 5, 16, 1  # tiny: 1 epoch
    assert run["recipe"] == expected
    assert run["generator_steps"] == 2 and run["status"] == "finished"


def _small_npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "small.npz"
    np.savez(path, x=rng.integers(0, 255, (40, 8, 8), dtype="uint8"))
    return path


def _generator_weights(out):
    return keras.saving.load_model(os.path.join(out, "model.keras")).generator.get_weights()


def test_killed_run_resumes_to_the_uninterrupted_weights(tmp_path, capsys):
    """SIGKILL inside a backup write, then --resume: the weights of an uninterrupted run."""
    from keras_gans.callbacks.crash_safe_backup import PAUSE_ENV

    argv = ["train", "--dataset", f"npz:{_small_npz(tmp_path)}", "--batch-size", "16", "--epochs", "3", "--verbose", "0",
            "--backup-interval", "0"]
    killed, marker = tmp_path / "killed", tmp_path / "marker"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **{PAUSE_ENV: f"weights:2:{marker}"})
    env.pop("KERAS_GANS_TINY", None)
    process = subprocess.Popen([sys.executable, "-m", "keras_gans", *argv, "--out", str(killed)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 600
    while not marker.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists(), process.communicate()[1].decode()[-3000:]
    process.kill()
    process.wait()
    assert json.loads((killed / "run.json").read_text())["status"] == "running"
    assert main(["train", "--resume", "--out", str(killed), "--verbose", "0"]) == 0
    assert main(argv + ["--out", str(tmp_path / "whole")]) == 0
    for a, b in zip(_generator_weights(killed), _generator_weights(tmp_path / "whole"), strict=True):
        np.testing.assert_array_equal(a, b)
    history = json.loads((killed / "run.json").read_text())["history"]
    assert len(history["d_loss"]) == 3 and not (killed / "backup").exists()

    # A damaged backup: one line that names the file and what to do.
    run = json.loads((killed / "run.json").read_text())
    run["status"] = "running"
    (killed / "run.json").write_text(json.dumps(run))
    (killed / "backup").mkdir()
    (killed / "backup" / "state.json").write_text('{"epoch": 2, "weights": "epoch_000002.weights.h5", "sha256": "0"}')
    (killed / "backup" / "epoch_000002.weights.h5").write_bytes(b"\x89HDF\r\n" + b"\0" * 100)
    capsys.readouterr()
    err = _error(capsys, ["train", "--resume", "--out", str(killed), "--verbose", "0"])
    assert "epoch_000002.weights.h5" in err and "is damaged" in err and "Delete the folder" in err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--ema", "1.0"], "--ema must lie in [0, 1)"),
        (["--ema", "-0.5"], "--ema must lie in [0, 1)"),
        (["--label-smoothing", "1"], "--label-smoothing must lie in [0, 1)"),
        (["--r1", "-1"], "--r1 must be >= 0"),
        (["--r1", "inf"], "--r1 must be a finite number"),
        (["--diffaugment", "colour"], "Unknown DiffAugment policy 'colour'"),
        (["--model", "hinge", "--label-smoothing", "0.1"], "label_smoothing"),
        (["--recipe", "zoo/mlp_digits_nonsaturating/recipe.json", "--ema", "0.9"], "--ema cannot be combined with --recipe"),
    ],
)
def test_toolkit_flag_errors(tmp_path, capsys, argv, expected):
    argv = [str(REPO_ROOT / a) if a.startswith("zoo/") else a for a in argv]
    assert expected in _error(capsys, ["train", "--verbose", "0", "--out", str(tmp_path / "out")] + argv)
    assert not (tmp_path / "out").exists()  # rejected before anything was written


def test_toolkit_flags_reach_the_gan(tmp_path, tiny):
    out = tmp_path / "hinge"
    assert main(TRAIN_TINY + ["--model", "hinge", "--ema", "0.9", "--r1", "2", "--diffaugment", "translation,cutout",
                              "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    config = run["recipe"]["gan"]["config"]
    assert run["recipe"]["gan"]["class"] == "HingeGAN"
    assert config["ema_decay"] == 0.9 and config["r1_penalty_weight"] == 2.0
    assert config["augmentation"]["config"]["policy"] == "translation,cutout"
    assert "r1_penalty" in run["final"]
    gan = keras.saving.load_model(out / "model.keras")
    assert type(gan).__name__ == "HingeGAN" and gan.ema_generator is not None
    assert gan.augmentation.policy == "translation,cutout"
    # generator.keras is the EMA generator, which differs from the raw one after 2 steps.
    saved = keras.saving.load_model(out / "generator.keras").get_weights()
    for a, b in zip(saved, gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(saved[0], gan.generator.get_weights()[0])

    out = tmp_path / "ls"
    assert main(TRAIN_TINY + ["--model", "least_squares", "--label-smoothing", "0.1", "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text())["recipe"]["gan"]["config"]["label_smoothing"] == 0.1
