"""TensorFlow: tf.distribute.MirroredStrategy; one process drives all devices.

    KERAS_BACKEND=tensorflow python tf_mirrored.py
"""

import os

os.environ["KERAS_BACKEND"] = "tensorflow"

import tensorflow as tf  # noqa: E402

if not tf.config.list_physical_devices("GPU"):  # CPU only: split the CPU in 2
    (cpu,) = tf.config.list_physical_devices("CPU")
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
else:
    strategy = tf.distribute.MirroredStrategy()  # every visible GPU

import keras_gans  # noqa: E402
from keras_gans.architectures import mlp_discriminator, mlp_generator  # noqa: E402

GLOBAL_BATCH = 64  # Keras splits each batch over strategy.num_replicas_in_sync replicas
images, _ = keras_gans.data.load_dataset("digits")
images = images[: len(images) // GLOBAL_BATCH * GLOBAL_BATCH]  # equal splits every step

with strategy.scope():  # variables (weights, both optimizers) are mirrored
    gan = keras_gans.WGANGP(mlp_generator(latent_dim=16), mlp_discriminator(), latent_dim=16, seed=0)
    gan.compile()
gan.fit(images, batch_size=GLOBAL_BATCH, epochs=2)
