"""The original GAN game, with the saturating generator loss."""

import keras

from keras_gans.models.gan import GAN


@keras.saving.register_keras_serializable(package="keras_gans")
class MinimaxGAN(GAN):
    """GAN trained on the original minimax game (Goodfellow et al., 2014).

    The discriminator minimises `mean(softplus(-D(x))) + mean(softplus(D(G(z))))`
    and the generator minimises `log(1 - sigmoid(D(G(z))))`, which saturates
    early in training; `NonSaturatingGAN` is usually the better choice.

    Args: see `keras_gans.models.GAN` (`label_smoothing`, `r1_penalty_weight`,
    `ema_decay`, `augmentation`, ...).

    Example:

    ```python
    G = keras_gans.architectures.mlp_generator(latent_dim=16, image_shape=(8, 8, 1))
    D = keras_gans.architectures.mlp_discriminator(image_shape=(8, 8, 1))
    gan = keras_gans.MinimaxGAN(generator=G, discriminator=D, latent_dim=16)
    gan.compile()
    gan.fit(images, epochs=1, batch_size=64)
    ```
    """

    default_game = "minimax"
