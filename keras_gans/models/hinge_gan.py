"""The hinge-loss GAN."""

import keras

from keras_gans.models.gan import GAN


@keras.saving.register_keras_serializable(package="keras_gans")
class HingeGAN(GAN):
    """GAN on the hinge game (Lim & Ye 2017; Miyato et al. 2018, SN-GAN).

    The discriminator minimises `mean(relu(1 - D(x))) + mean(relu(1 + D(G(z))))`
    and the generator `-mean(D(G(z)))`. It is usually paired with a
    spectrally normalised discriminator
    (`dcgan_discriminator(..., normalization="spectral")`). The hinge losses
    have no targets, so `label_smoothing` is not available.

    Args: see `keras_gans.models.GAN`.

    Example:

    ```python
    G = keras_gans.architectures.dcgan_generator(latent_dim=64, image_shape=(28, 28, 1))
    D = keras_gans.architectures.dcgan_discriminator((28, 28, 1), normalization="spectral")
    gan = keras_gans.HingeGAN(G, D, latent_dim=64, seed=0, ema_decay=0.999,
                              augmentation=keras_gans.augment.DiffAugment("color,translation,cutout"))
    gan.compile()
    gan.fit(images, epochs=3, batch_size=64)
    ```
    """

    default_game = "hinge"
