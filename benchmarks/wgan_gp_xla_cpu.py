"""Does XLA speed up the zoo's WGAN-GP step on a CPU? `python benchmarks/wgan_gp_xla_cpu.py JIT SPE BASE STEPS [UNROLL]`.

The WGAN-GP presets' pair (DCGAN base `BASE`, layer-norm projection critic,
20 label-free clusters, 5 critic steps, batch 64, 28x28) trained by `fit`
with TensorFlow, `jit_compile=JIT` (0 or 1) and `steps_per_execution=SPE`,
for two epochs of `STEPS` steps on random images. Prints ms per step of each
epoch (the first includes tracing and, with XLA, compilation) and appends a
JSON line to `benchmarks/results/wgan_gp_xla_cpu.jsonl`. Run with
`KERAS_BACKEND=tensorflow`, nothing else on the machine, and a `timeout`:
an epoch that does not finish is itself the result. `UNROLL=1` traces the
5 critic steps one after another (`keras_gans.backend.base.unrolled_loops`)
instead of in a `tf.while_loop`: XLA:CPU ran convolutions inside a while
loop slowly on JAX (`critic_loop.py`), so this asks whether the loop is
what makes XLA slow here. It was (0.5 s per step unrolled, 11.7 s
rolled), and since then the TensorFlow backend unrolls the critic steps
itself whenever `jit_compile=True`, so `UNROLL=0` with `JIT=1` measures
the unrolled loop too; the rolled figures in the results predate that.

    KERAS_BACKEND=tensorflow timeout 400 python benchmarks/wgan_gp_xla_cpu.py 0 8 64 32
    KERAS_BACKEND=tensorflow timeout 500 python benchmarks/wgan_gp_xla_cpu.py 1 8 64 16
    KERAS_BACKEND=tensorflow timeout 500 python benchmarks/wgan_gp_xla_cpu.py 1 8 64 16 1
"""

import contextlib
import datetime
import json
import os
import pathlib
import sys
import time

import keras
import numpy as np

import keras_gans
from keras_gans.backend.base import unrolled_loops
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


def main(jit, steps_per_execution, base_filters, steps, unroll=False):
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
                "steps": steps, "unrolled_critic_loop": unroll}
    with unrolled_loops() if unroll else contextlib.nullcontext():
        gan.fit(x, epochs=2, batch_size=64, verbose=0, callbacks=[EpochTimer(settings, steps)])


if __name__ == "__main__":
    jit, spe, base, steps = sys.argv[1:5]
    main(jit == "1", int(spe), int(base), int(steps), unroll=sys.argv[5:6] == ["1"])
