"""keras_gans.runs.Run: one run-folder format for `keras-gans train` and `zoo/train_preset.py`."""

import copy
import csv
import importlib.util
import json
import os
import pathlib

import keras
import numpy as np
import pytest

from keras_gans import recipes, runs
from keras_gans.cli import main
from keras_gans.runs import Run

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
PRESET = "mlp_digits_nonsaturating"
PRESET_RECIPE = REPO_ROOT / "zoo" / PRESET / "recipe.json"
_spec = importlib.util.spec_from_file_location("train_preset", REPO_ROOT / "zoo" / "train_preset.py")
train_preset = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train_preset)

TINY = {
    "seed": 1,
    "data": {"dataset": "digits", "conditional": False},
    "generator": {"builder": "mlp_generator", "kwargs": {"hidden_units": [8]}},
    "discriminator": {"builder": "mlp_discriminator", "kwargs": {"hidden_units": [8]}},
    "gan": {"class": "NonSaturatingGAN", "config": {"latent_dim": 4}},
    "compile": {"steps_per_execution": 1},
    "fit": {"epochs": 1, "batch_size": 16},
}


def _generator_weights(folder):
    return keras.saving.load_model(os.path.join(folder, "generator.keras")).get_weights()


def test_run_folder_round_trip_and_wall_time_summed_over_a_resume(tmp_path):
    run = Run(tmp_path / "run", copy.deepcopy(TINY), max_images=32, command="test")
    run.prepare()
    run.train(verbose=0)
    first = json.loads((tmp_path / "run" / "run.json").read_text())
    assert first == json.loads(json.dumps(run.to_json()))  # to_json is what run.json holds
    assert first["status"] == "finished" and first["epochs_done"] == 1 and first["generator_steps"] == 2
    assert first["recipe"] == recipes.validate_recipe(TINY) and first["max_images"] == 32
    assert len(first["sessions"]) == 1 and first["wall_time_s"] > 0
    for name in ("model.keras", "generator.keras", "samples.png", "history.csv", "samples/epoch_0001.png"):
        assert (tmp_path / "run" / name).exists(), name
    assert not (tmp_path / "run" / "backup").exists()
    with pytest.raises(runs.RunError, match="already holds a run"):
        Run(tmp_path / "run", TINY).prepare()

    again = Run.from_folder(tmp_path / "run")  # round trip: the same run, nothing lost
    assert again.to_json() == first and again.recipe == first["recipe"]
    with pytest.raises(runs.RunError, match="already trained 1 epochs"):
        again.build()

    resumed = Run.from_folder(tmp_path / "run", epochs=2)
    resumed.train(verbose=0)
    second = json.loads((tmp_path / "run" / "run.json").read_text())
    assert second["epochs_done"] == 2 and second["generator_steps"] == 4 and len(second["history"]["d_loss"]) == 2
    assert [s["initial_epoch"] for s in second["sessions"]] == [0, 1]
    this_session = second["sessions"][1]["training_seconds"]
    # Both sessions' training time: the first's total plus this session's (timed around fit, so a bit longer).
    assert first["wall_time_s"] < second["wall_time_s"] <= first["wall_time_s"] + this_session + 0.05
    assert second["wall_time_s"] == pytest.approx(first["wall_time_s"] + this_session, abs=max(0.5, 0.2 * this_session))


@pytest.fixture
def validations(monkeypatch):
    """The `source` of every `recipes.validate_recipe` call."""
    calls = []
    validate = recipes.validate_recipe

    def counting(recipe, source=None):
        calls.append(source)
        return validate(recipe, source=source)

    monkeypatch.setattr(recipes, "validate_recipe", counting)
    return calls


def test_the_recipe_is_validated_once_from_flags_and_on_resume(tmp_path, monkeypatch, validations):
    monkeypatch.setenv("KERAS_GANS_TINY", "1")
    out = str(tmp_path / "flags")
    assert main(["train", "--dataset", "digits", "--batch-size", "32", "--out", out, "--verbose", "0"]) == 0
    assert len(validations) == 1
    assert main(["train", "--resume", "--out", out, "--epochs", "2", "--verbose", "0"]) == 0
    assert len(validations) == 2


def test_cli_and_train_preset_write_the_same_run_folder(tmp_path, validations):
    cli_out, zoo_out = tmp_path / "cli", tmp_path / "zoo"
    assert main(["train", "--recipe", str(PRESET_RECIPE), "--epochs", "1", "--out", str(cli_out), "--verbose", "0"]) == 0
    assert validations == [str(PRESET_RECIPE)]  # once, naming the file
    train_preset.train(PRESET, epochs=1, out_dir=zoo_out, verbose=0)
    assert validations == [str(PRESET_RECIPE)] * 2
    # A preset is the run folder plus preset.json and its card.
    assert sorted(os.listdir(zoo_out)) == sorted(os.listdir(cli_out) + ["preset.json", "README.md"])
    assert sorted(os.listdir(zoo_out / "samples")) == sorted(os.listdir(cli_out / "samples"))
    cli_run, zoo_run = (json.loads((o / "run.json").read_text()) for o in (cli_out, zoo_out))
    assert set(zoo_run) == set(cli_run) | {"presets_sharing_device"}
    assert zoo_run["recipe"] == cli_run["recipe"] and zoo_run["generator_steps"] == cli_run["generator_steps"]
    # Same recipe, same seed: the same generator, bit for bit.
    for a, b in zip(_generator_weights(cli_out), _generator_weights(zoo_out), strict=True):
        np.testing.assert_array_equal(a, b)
    import keras_gans

    assert keras_gans.from_preset(str(zoo_out)).latent_dim == cli_run["recipe"]["gan"]["config"]["latent_dim"]


def test_a_zoo_folder_of_the_older_format_is_read_and_resumed(tmp_path):
    """An older train_preset.py left recipe.json, backup/ and training_log.csv (killed or
    stopped), or training.json when done: the run continues; the card's figures are kept."""
    recipe = dict(copy.deepcopy(TINY), fit={"epochs": 2, "batch_size": 16})
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "recipe.json").write_text(json.dumps(recipe))
    run = Run(folder, recipe, max_images=32)
    stopped = dict(recipe, fit=dict(recipe["fit"], max_minutes=1e-6))  # stops after the first epoch
    gan = recipes.build_gan(stopped, run.data)
    recipes.fit(gan, stopped, run.data, backup=str(folder / "backup"), verbose=0,
                history_csv=str(folder / "training_log.csv"))
    resumed = Run.from_folder(folder, max_images=32)
    resumed.train(verbose=0)
    assert not (folder / "training_log.csv").exists()
    with open(folder / "history.csv") as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["0", "1"]
    whole = Run(tmp_path / "whole", recipe, max_images=32)
    whole.train(verbose=0)
    for a, b in zip(_generator_weights(folder), _generator_weights(tmp_path / "whole"), strict=True):
        np.testing.assert_array_equal(a, b)

    # A finished preset of the older format: migrate_run_folders.py writes run.json from training.json.
    training = {
        "preset": "old", "date": "2026-11-30", "backend": "jax",
        "device": {"cpu": "x86_64", "cpu_count": 2, "devices": ["cpu:0"], "platform": "Linux"},
        "versions": {"keras": "3.15.1", "python": "3.11.7"}, "epochs_requested": 2, "epochs_done": 2,
        "generator_steps": 4, "discriminator_steps": 4, "batch_size": 16, "train_images": 32,
        "wall_seconds": 1.5, "presets_sharing_device": 1, "resumed_from_epoch": None,
        "final_losses": {"d_loss": 1.0, "g_loss": 2.0},
    }
    (folder / "run.json").unlink()
    (folder / "training.json").write_text(json.dumps(training))
    os.replace(folder / "history.csv", folder / "training_log.csv")
    _spec = importlib.util.spec_from_file_location("migrate_run_folders", REPO_ROOT / "zoo" / "migrate_run_folders.py")
    migrate = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(migrate)
    assert migrate.migrate(folder) and not migrate.migrate(folder)
    migrated = json.loads((folder / "run.json").read_text())
    assert (migrated["num_images"], migrated["wall_time_s"], migrated["final"]) == (32, 1.5, {"d_loss": 1.0, "g_loss": 2.0})
    assert migrated["status"] == "finished" and len(migrated["history"]["d_loss"]) == 2
    assert (folder / "history.csv").exists() and not (folder / "training.json").exists()
