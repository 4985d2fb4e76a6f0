"""JAX: data parallelism with keras.distribution; one process drives all devices.

    KERAS_BACKEND=jax python jax_data_parallel.py
"""

import os

os.environ["KERAS_BACKEND"] = "jax"
# CPU only: pretend there are 2 devices. Remove on a multi-GPU/TPU host.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

import keras  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans.architectures import mlp_discriminator, mlp_generator  # noqa: E402

# Variables are replicated on every device; each global batch is split over them.
keras.distribution.set_distribution(keras.distribution.DataParallel())

GLOBAL_BATCH = 64  # a multiple of the number of devices
images, _ = keras_gans.data.load_dataset("digits")
images = images[: len(images) // GLOBAL_BATCH * GLOBAL_BATCH]  # whole global batches only

gan = keras_gans.WGANGP(mlp_generator(latent_dim=16), mlp_discriminator(), latent_dim=16, seed=0)
gan.compile()
gan.fit(images, batch_size=GLOBAL_BATCH, epochs=2)
