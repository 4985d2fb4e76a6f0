"""Trains one zoo preset from its recipe: `python zoo/train_preset.py dcgan_mnist_nonsaturating`.

Reads `zoo/<preset>/recipe.json` (the format of `keras_gans.recipes`; the
same file reproduces the preset with `keras-gans train --recipe`), trains it
with `keras_gans.recipes.fit` on the dataset's train split, and writes into
`zoo/<preset>/` (or `--out`):
- `generator.keras`: the trained generator (the EMA generator when the
  recipe sets `ema_decay`), a plain functional keras.Model,
- `preset.json`: what `keras_gans.from_preset` needs to know,
- `samples.png`: a grid from seed 0 (one row per class for conditional ones),
- `training.json`: backend, machine, wall time (all sessions), steps, final
  losses, versions,
- `training_log.csv`: per-epoch losses.

Runs on any backend and on CPU or GPU. The run is backed up after every
epoch in `<out>/backup/` (`keras_gans.callbacks.CrashSafeBackup`): a run that
was killed, or stopped by `--max-minutes` (or the recipe's
`fit.max_minutes`), continues with `--resume` and ends with the weights an
uninterrupted run would have, so a long CPU run can span sessions.
MNIST/Fashion-MNIST come through keras.datasets: offline, place the files
in $KERAS_HOME/datasets as keras.datasets would.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys

import keras
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import keras_gans  # noqa: E402
from keras_gans import recipes  # noqa: E402
from keras_gans.callbacks import CrashSafeBackup  # noqa: E402
from keras_gans.visualization import save_image_grid  # noqa: E402


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


def train(preset, epochs=None, max_minutes=None, out_dir=None, resume=False):
    recipe = recipes.load_recipe(REPO / "zoo" / preset / "recipe.json")
    if epochs is not None:
        recipe["fit"]["epochs"] = epochs
    if max_minutes is not None:
        recipe["fit"]["max_minutes"] = max_minutes
    out_dir = pathlib.Path(out_dir or REPO / "zoo" / preset)
    out_dir.mkdir(parents=True, exist_ok=True)
    backup = CrashSafeBackup(str(out_dir / "backup"), delete_on_finish=False)
    if not resume and backup.read_state() is not None:
        sys.exit(f"{out_dir / 'backup'} holds an unfinished run: pass --resume to continue it, or delete that folder.")
    data = recipes.resolve_data(recipe)
    gan = recipes.build_gan(recipe, data)
    history = recipes.fit(gan, recipe, data, backup=backup, verbose=2, history_csv=str(out_dir / "training_log.csv"))
    write_preset_files(out_dir, preset, recipe, gan)
    sample_labels = np.repeat(np.arange(10), 10) if data.num_classes else None
    samples = gan.generate(100, seed=0, labels=sample_labels)
    save_image_grid(samples, out_dir / "samples.png", num_columns=10, scale=2)
    logs = {k: v for k, v in history.history.items()}
    training = {
        "preset": preset,
        "date": datetime.date.today().isoformat(),
        "backend": keras.backend.backend(),
        "device": recipes.machine_description(),
        "versions": {"keras": keras.__version__, "python": platform.python_version()},
        "epochs_requested": recipe["fit"]["epochs"],
        "epochs_done": history.epochs_done,
        "generator_steps": int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations)),
        "discriminator_steps": int(keras.ops.convert_to_numpy(gan.discriminator_optimizer.iterations)),
        "batch_size": recipe["fit"]["batch_size"],
        "train_images": int(len(data.images)),
        "wall_seconds": round(history.wall_seconds, 1),
        # zoo/gpu_retrain.sh trains several presets at once on one device.
        "presets_sharing_device": int(os.environ.get("KERAS_GANS_PRESETS_SHARING_DEVICE", "1")),
        "resumed_from_epoch": history.initial_epoch or None,
        "final_losses": {k: float(v[-1]) for k, v in logs.items() if v},
    }
    (out_dir / "training.json").write_text(json.dumps(training, indent=2) + "\n")
    if history.epochs_done >= recipe["fit"]["epochs"]:
        backup.delete()
    else:
        print(f"Stopped by the time budget after epoch {history.epochs_done}: --resume continues it.")
    print(json.dumps(training))
    return training


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after the epoch in which this much time has passed")
    parser.add_argument("--out", default=None, help="output folder (default: zoo/<preset>)")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/backup")
    args = parser.parse_args(argv)
    train(args.preset, args.epochs, args.max_minutes, args.out, args.resume)


if __name__ == "__main__":
    main()
