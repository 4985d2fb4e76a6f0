"""Does XLA speed up the zoo's WGAN-GP step on a CPU? `python benchmarks/wgan_gp_xla_cpu.py JIT SPE BASE STEPS`.

The WGAN-GP presets' pair (DCGAN base `BASE`, layer-norm projection critic,
20 label-free clusters, 5 critic steps, batch 64, 28x28) trained by `fit`
with TensorFlow, `jit_compile=JIT` (0 or 1) and `steps_per_execution=SPE`,
for two epochs of `STEPS` steps on random images. Prints ms per step of each
epoch (the first includes tracing and, with XLA, compilation) and appends a
JSON line to `benchmarks/results/wgan_gp_xla_cpu.jsonl`. Run with
`KERAS_BACKEND=tensorflow`, nothing else on the machine, and a `timeout`:
an epoch that does not finish is itself the result.

    KERAS_BACKEND=tensorflow timeout 400 python benchmarks/wgan_gp_xla_cpu.py 0 8 64 32
    KERAS_BACKEND=tensorflow timeout 500 python benchmarks/wgan_gp_xla_cpu.py 1 8 64 32
"""

import datetime
import json
import os
import pathlib
import sys
import time

import keras
import numpy as np

import keras_gans
from keras_gans.architectures import dcgan_discriminator
from keras_gans.architectures import dcgan_generator

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "wgan_gp_xla_cpu.jsonl"


class EpochTimer(keras.callbacks.Callback):
    def __init__(self, settings, steps):
        super().__init__()
        self.settings, self.steps = settings, steps

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        ms = (time.time() - self.start) / self.steps * 1000
        print("RESULT", self.settings, "epoch", epoch, f"{ms:.0f} ms/step", flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with open(RESULTS, "a") as file:
            file.write(json.dumps({"date": datetime.date.today().isoformat(), "backend": keras.backend.backend(),
                                   "cpu_count": os.cpu_count(), **self.settings, "epoch": epoch,
                                   "ms_per_step": round(ms, 1)}) + "\n")


def main(jit, steps_per_execution, base_filters, steps):
    x = np.random.default_rng(0).uniform(-1, 1, (64 * steps, 28, 28, 1)).astype("float32")
    generator = dcgan_generator(64, (28, 28, 1), num_classes=20, base_filters=base_filters)
    critic = dcgan_discriminator((28, 28, 1), num_classes=20, base_filters=base_filters, normalization="layer",
                                 label_conditioning="projection")
    gan = keras_gans.WGANGP(generator, critic, latent_dim=64, gradient_penalty_weight=10.0, critic_steps=5,
                            cluster_conditioning={"num_clusters": 20, "pca_components": 50})
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-4, 0.0, 0.9),
                discriminator_optimizer=keras.optimizers.Adam(1e-4, 0.0, 0.9),
                jit_compile=jit, steps_per_execution=steps_per_execution)
    settings = {"jit_compile": jit, "steps_per_execution": steps_per_execution, "base_filters": base_filters,
                "steps": steps}
    gan.fit(x, epochs=2, batch_size=64, verbose=0, callbacks=[EpochTimer(settings, steps)])


if __name__ == "__main__":
    jit, spe, base, steps = sys.argv[1:5]
    main(jit == "1", int(spe), int(base), int(steps))
