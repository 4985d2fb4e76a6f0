"""The non-saturating GAN."""

import keras

from keras_gans.models.gan import GAN


@keras.saving.register_keras_serializable(package="keras_gans")
class NonSaturatingGAN(GAN):
    """GAN whose generator maximises `log D(G(z))` (Goodfellow et al., 2014, §3).

    The discriminator loss is the minimax one; the generator minimises
    `mean(softplus(-D(G(z))))`, which keeps strong gradients when the
    discriminator rejects its samples.

    Args: see `keras_gans.models.GAN` (`label_smoothing`, `r1_penalty_weight`,
    `ema_decay`, `augmentation`, ...).

    Example:

    ```python
    G = keras_gans.architectures.dcgan_generator(latent_dim=64, image_shape=(28, 28, 1))
    D = keras_gans.architectures.dcgan_discriminator(image_shape=(28, 28, 1))
    gan = keras_gans.NonSaturatingGAN(generator=G, discriminator=D, latent_dim=64, seed=0)
    gan.compile(generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(images, epochs=3, batch_size=64)
    images = gan.generate(16, seed=0)
    ```
    """

    default_game = "non_saturating"
