"""A tiny recipe run with a crash-safe backup; test_crash_safe_backup.py kills it.

Usage: python crash_safe_backup_run.py BACKUP_DIR [PAUSE_EPOCH PAUSE_BATCH MARKER]

Trains `RECIPE` (4 epochs of 3 batches of the digits) through
`keras_gans.recipes.fit` with `backup=BACKUP_DIR`. With PAUSE_*, it writes
MARKER and sleeps after batch PAUSE_BATCH of epoch PAUSE_EPOCH (0-based),
so that the test can SIGKILL it mid-epoch; the environment variable
`keras_gans.callbacks.crash_safe_backup.PAUSE_ENV` pauses it inside a
backup write instead.
"""

import sys
import time

import keras

from keras_gans import recipes

RECIPE = {
    "seed": 7,
    "data": {"dataset": "digits", "conditional": False},
    "generator": {"builder": "mlp_generator", "kwargs": {"hidden_units": [16]}},
    "discriminator": {"builder": "mlp_discriminator", "kwargs": {"hidden_units": [16]}},
    "gan": {"class": "NonSaturatingGAN", "config": {"latent_dim": 4}},
    "optimizers": {
        "generator": {"class_name": "Adam", "config": {"learning_rate": 0.01, "beta_1": 0.5}},
        "discriminator": {"class_name": "Adam", "config": {"learning_rate": 0.01, "beta_1": 0.5}},
    },
    # One step per execution: the mid-epoch kill pauses after a given batch.
    "compile": {"steps_per_execution": 1},
    "fit": {"epochs": 4, "batch_size": 32},
}
NUM_IMAGES = 96  # 3 batches per epoch


class PauseMidEpoch(keras.callbacks.Callback):
    def __init__(self, epoch, batch, marker):
        super().__init__()
        self.target, self.marker = (epoch, batch), marker

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.target:
            with open(self.marker, "w") as f:
                f.write(f"batch {self.epoch} {batch}\n")
            while True:  # until the test kills the process
                time.sleep(1)


def data():
    full = recipes.resolve_data(RECIPE)
    return full._replace(images=full.images[:NUM_IMAGES])


def train(backup_dir=None, callbacks=()):
    """Builds and trains the recipe; returns the GAN and the History."""
    batches = data()
    gan = recipes.build_gan(RECIPE, batches)
    history = recipes.fit(gan, RECIPE, batches, backup=backup_dir, callbacks=callbacks, verbose=0)
    return gan, history


if __name__ == "__main__":
    pause = [PauseMidEpoch(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])] if len(sys.argv) > 2 else []
    train(sys.argv[1], pause)
