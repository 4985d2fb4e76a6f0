"""Trains one zoo preset from its recipe: `python zoo/train_preset.py dcgan_mnist_nonsaturating`.

Reads `zoo/<preset>/recipe.json` (the format of `keras_gans.recipes`; the
same file reproduces the preset with `keras-gans train --recipe`) and
trains it as one `keras_gans.runs.Run` in `zoo/<preset>/` (or `--out`):
the folder `keras-gans train` writes (`run.json`, `history.csv`,
`samples.png`, `samples/`, `generator.keras`, `model.keras`, `backup/`
while training; see `keras_gans.runs`), plus the preset's own files:
- `preset.json`: what `keras_gans.from_preset` needs to know
  (`keras_gans.save_preset`, which also writes `generator.keras` and a first
  card; zoo/evaluate_presets.py then measures the preset and rewrites the
  card).

`recipe.json`, `preset.json`, `evaluation.json` and `README.md` are never
deleted; `model.keras`, `backup/`, `samples/` and `logs/` are not committed
(.gitignore). Runs on any backend and on CPU or GPU. A run that was killed,
or stopped by `--max-minutes` (or the recipe's `fit.max_minutes`),
continues with `--resume` and ends with the weights an uninterrupted run
would have, so a long CPU run can span sessions (a folder of the older
format, `training.json`/`training_log.csv`, resumes too).
MNIST/Fashion-MNIST come through keras.datasets: offline, place the files
in $KERAS_HOME/datasets as keras.datasets would.
"""

import argparse
import json
import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import keras_gans  # noqa: E402
from keras_gans import recipes  # noqa: E402
from keras_gans.runs import Run  # noqa: E402

# zoo/gpu_retrain.sh trains several presets at once on one device; recorded in run.json.
SHARING_ENV = "KERAS_GANS_PRESETS_SHARING_DEVICE"


def write_preset_files(out_dir, preset, recipe, gan):
    """Writes the preset itself: `generator.keras` and `preset.json`.

    The one place that writes preset files: `keras_gans.save_preset` writes
    `generator.keras` (the EMA generator when the GAN has one), `preset.json`
    with its sha256, and a first card; zoo/evaluate_presets.py then measures
    the preset and rewrites the card.
    """
    keras_gans.save_preset(
        gan, out_dir, name=preset, description=recipe["description"],
        dataset=recipe["data"]["dataset"], overwrite=True,
    )


def make_run(preset, epochs=None, max_minutes=None, out_dir=None, resume=False, backup_interval_seconds=0.0):
    """The `Run` of a preset: a new one from `zoo/<preset>/recipe.json`, or the one in `out_dir` (`resume`)."""
    out_dir = pathlib.Path(out_dir or REPO / "zoo" / preset)
    command = " ".join(["python zoo/train_preset.py", *sys.argv[1:]]) if sys.argv[0].endswith("train_preset.py") \
        else f"python zoo/train_preset.py {preset}"
    if resume:
        return Run.from_folder(out_dir, epochs=epochs, max_minutes=max_minutes, command=command,
                               backup_interval_seconds=backup_interval_seconds)
    recipe_path = REPO / "zoo" / preset / "recipe.json"
    recipe = recipes.read_recipe_file(recipe_path)
    if epochs is not None:
        recipe["fit"]["epochs"] = epochs
    if max_minutes is not None:
        recipe["fit"]["max_minutes"] = max_minutes
    run = Run(out_dir, recipe, command=command, backup_interval_seconds=backup_interval_seconds,
              source=str(recipe_path))
    if run.backup.read_state() is not None:
        sys.exit(f"{out_dir / 'backup'} holds an unfinished run: pass --resume to continue it, or delete that folder.")
    return run


def train(preset, epochs=None, max_minutes=None, out_dir=None, resume=False, verbose=2):
    run = make_run(preset, epochs, max_minutes, out_dir, resume)
    run.build()
    if not resume:
        # The run files only (the recipe, card and preset.json stay); the
        # preset's generator.keras and samples.png are replaced at the end.
        run.prepare(overwrite=True, keep=("generator.keras", "samples.png"))
    run.metadata["presets_sharing_device"] = int(os.environ.get(SHARING_ENV, "1"))
    history = run.train(verbose=verbose)
    write_preset_files(run.directory, preset, run.recipe, run.gan)
    if history.epochs_done < run.recipe["fit"]["epochs"]:
        print(f"Stopped by the time budget after epoch {history.epochs_done}: --resume continues it.")
    summary = {k: v for k, v in run.to_json().items() if k not in ("history", "recipe")}
    print(json.dumps(summary))
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after the epoch in which this much time has passed")
    parser.add_argument("--out", default=None, help="output folder (default: zoo/<preset>)")
    parser.add_argument("--resume", action="store_true", help="continue the run in the output folder")
    args = parser.parse_args(argv)
    train(args.preset, args.epochs, args.max_minutes, args.out, args.resume)


if __name__ == "__main__":
    main()
