"""Training script run in a subprocess by test_stock_callbacks.py.

Usage: python backup_and_restore_run.py BACKUP_DIR RECORD_FILE SLEEP_S

Fits a tiny GAN for 3 epochs of 4 batches with BackupAndRestore(save_freq=3)
and appends to RECORD_FILE one JSON line per event: the start (initial epoch
and optimizer iterations after any restore), each batch, and the end.
"""

import json
import sys
import time

import keras

import keras_gans
from keras_gans.architectures import mlp_discriminator, mlp_generator


class Recorder(keras.callbacks.Callback):
    def __init__(self, path, sleep_s):
        super().__init__()
        self.path, self.sleep_s = path, sleep_s

    def _write(self, **record):
        gan = self.model
        record["g_iterations"] = int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations))
        record["d_iterations"] = int(keras.ops.convert_to_numpy(gan.discriminator_optimizer.iterations))
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")

    def on_train_begin(self, logs=None):
        self._write(event="begin", weights_sum=float(sum(w.sum() for w in self.model.get_weights())))

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._write(event="batch", epoch=self.epoch, batch=batch)
        time.sleep(self.sleep_s)

    def on_train_end(self, logs=None):
        self._write(event="end")


def main(backup_dir, record_path, sleep_s):
    images, _ = keras_gans.data.load_dataset("digits")
    generator = mlp_generator(8, hidden_units=(16,), seed=0)
    discriminator = mlp_discriminator(hidden_units=(16,), seed=1)
    gan = keras_gans.NonSaturatingGAN(generator, discriminator, 8, seed=0)
    gan.compile()
    backup = keras.callbacks.BackupAndRestore(backup_dir, save_freq=3)
    gan.fit(images[:128], epochs=3, batch_size=32, verbose=0,
            callbacks=[backup, Recorder(record_path, sleep_s)])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
