"""Trains one zoo preset from its recipe: `python zoo/train_preset.py dcgan_mnist_nonsaturating`.

Reads `zoo/<preset>/recipe.json`, trains with `model.fit` on the dataset's
train split, and writes into `zoo/<preset>/`:
- `generator.keras`: the trained generator (a plain functional keras.Model),
- `preset.json`: what `keras_gans.from_preset` needs to know,
- `samples.png`: a grid from seed 0 (one row per class for conditional ones),
- `training.json`: backend, device, wall time, steps, final losses, versions,
- `training_log.csv`: per-epoch losses (Keras CSVLogger).

Runs on any backend and on CPU or GPU; `--max-minutes` stops after the
epoch in which the time budget runs out (the steps actually done are
recorded). MNIST/Fashion-MNIST come through keras.datasets: offline, place
the files in $KERAS_HOME/datasets as keras.datasets would.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
import time

import keras
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import keras_gans  # noqa: E402
from keras_gans.data import load_dataset  # noqa: E402
from keras_gans.visualization import save_image_grid  # noqa: E402

GAN_CLASSES = {
    "minimax": keras_gans.MinimaxGAN,
    "nonsaturating": keras_gans.NonSaturatingGAN,
    "wgan_gp": keras_gans.WGANGP,
}


class TimeBudget(keras.callbacks.Callback):
    """Stops training at the end of the epoch in which `minutes` have passed."""

    def __init__(self, minutes):
        super().__init__()
        self.seconds = None if minutes is None else minutes * 60.0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self.seconds is not None and time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True


def build_models(recipe, image_shape, num_classes):
    arch = keras_gans.architectures
    seed = recipe.get("seed", 0)
    if recipe["architecture"] == "mlp":
        G = arch.mlp_generator(recipe["latent_dim"], image_shape, num_classes, seed=seed)
        D = arch.mlp_discriminator(image_shape, num_classes, seed=seed + 1)
    else:
        G = arch.dcgan_generator(
            recipe["latent_dim"], image_shape, num_classes,
            base_filters=recipe.get("base_filters", 64), seed=seed,
        )
        D = arch.dcgan_discriminator(
            image_shape, num_classes, base_filters=recipe.get("base_filters", 64),
            normalization=recipe.get("normalization", "batch"), seed=seed + 1,
        )
    return G, D


def device_description():
    try:
        devices = keras.distribution.list_devices()
    except Exception:  # torch has no keras.distribution
        devices = []
    cpu = platform.processor() or platform.machine()
    return {"devices": [str(d) for d in devices], "cpu": cpu, "cpu_count": os.cpu_count()}


def train(preset, epochs=None, max_minutes=None, out_dir=None):
    preset_dir = REPO / "zoo" / preset
    recipe = json.loads((preset_dir / "recipe.json").read_text())
    out_dir = pathlib.Path(out_dir or preset_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(recipe.get("seed", 0))
    images, labels = load_dataset(recipe["dataset"], split="train")
    num_classes = 10 if recipe["conditional"] else None
    G, D = build_models(recipe, images.shape[1:], num_classes)
    gan_kwargs = dict(recipe.get("gan_kwargs", {}))
    gan = GAN_CLASSES[recipe["loss"]](
        generator=G, discriminator=D, latent_dim=recipe["latent_dim"],
        num_classes=num_classes, seed=recipe.get("seed", 0), **gan_kwargs,
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(**recipe["generator_optimizer"]),
        discriminator_optimizer=keras.optimizers.Adam(**recipe["discriminator_optimizer"]),
    )
    epochs = epochs or recipe["epochs"]
    start = time.perf_counter()
    history = gan.fit(
        images,
        labels if num_classes else None,
        epochs=epochs,
        batch_size=recipe["batch_size"],
        verbose=2,
        callbacks=[
            TimeBudget(max_minutes),
            keras.callbacks.CSVLogger(str(out_dir / "training_log.csv")),
        ],
    )
    wall_seconds = time.perf_counter() - start
    G.save(out_dir / "generator.keras")
    sample_labels = np.repeat(np.arange(10), 10) if num_classes else None
    samples = gan.generate(100, seed=0, labels=sample_labels)
    save_image_grid(samples, out_dir / "samples.png", num_columns=10, scale=2)
    epochs_done = len(history.history["g_loss"])
    training = {
        "preset": preset,
        "date": datetime.date.today().isoformat(),
        "backend": keras.backend.backend(),
        "device": device_description(),
        "versions": {"keras": keras.__version__, "python": platform.python_version()},
        "epochs_requested": epochs,
        "epochs_done": epochs_done,
        "generator_steps": int(gan.generator_optimizer.iterations),
        "discriminator_steps": int(gan.discriminator_optimizer.iterations),
        "batch_size": recipe["batch_size"],
        "train_images": int(len(images)),
        "wall_seconds": round(wall_seconds, 1),
        "final_losses": {k: float(v[-1]) for k, v in history.history.items()},
    }
    (out_dir / "training.json").write_text(json.dumps(training, indent=2) + "\n")
    # generator.keras, preset.json (with its sha256) and a first card;
    # zoo/evaluate_presets.py then measures the preset and rewrites the card.
    keras_gans.save_preset(
        gan, out_dir, name=preset, description=recipe["description"],
        dataset=recipe["dataset"], metadata={"loss": recipe["loss"]}, overwrite=True,
    )
    print(json.dumps(training))
    return training


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--max-minutes", type=float, default=None)
    parser.add_argument("--out", default=None, help="output folder (default: zoo/<preset>)")
    args = parser.parse_args(argv)
    train(args.preset, args.epochs, args.max_minutes, args.out)


if __name__ == "__main__":
    main()
