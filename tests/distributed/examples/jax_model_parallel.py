"""JAX: model parallelism with keras.distribution.ModelParallel and a LayoutMap.

    KERAS_BACKEND=jax python jax_model_parallel.py
"""

import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")  # CPU only

import keras  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans.architectures import mlp_discriminator, mlp_generator  # noqa: E402

devices = keras.distribution.list_devices()
# 1 x N mesh: no data split, the hidden Dense layers' units split over N devices.
mesh = keras.distribution.DeviceMesh((1, len(devices)), ("batch", "model"), devices)
layout_map = keras.distribution.LayoutMap(mesh)
layout_map[r"hidden_dense_\d+/kernel"] = (None, "model")  # matched against variable paths
layout_map[r"hidden_dense_\d+/bias"] = ("model",)
keras.distribution.set_distribution(
    keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
)

images, _ = keras_gans.data.load_dataset("digits")
gan = keras_gans.NonSaturatingGAN(mlp_generator(latent_dim=16), mlp_discriminator(), latent_dim=16, seed=0)
gan.compile()
gan.fit(images, batch_size=64, epochs=2)
