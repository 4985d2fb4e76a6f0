"""The least-squares GAN."""

import keras

from keras_gans.models.gan import GAN


@keras.saving.register_keras_serializable(package="keras_gans")
class LeastSquaresGAN(GAN):
    """LSGAN (Mao et al. 2017) with targets a=0 (fake), b=1 (real), c=1 (generator).

    The discriminator minimises `0.5 mean((D(x) - 1)^2) + 0.5 mean(D(G(z))^2)`
    and the generator `0.5 mean((D(G(z)) - 1)^2)`. With `label_smoothing=s`
    the real target is `1 - s`.

    Args: see `keras_gans.models.GAN`.

    Example:

    ```python
    G = keras_gans.architectures.mlp_generator(latent_dim=16, image_shape=(8, 8, 1))
    D = keras_gans.architectures.mlp_discriminator(image_shape=(8, 8, 1))
    gan = keras_gans.LeastSquaresGAN(G, D, latent_dim=16, seed=0)
    gan.compile()
    gan.fit(images, epochs=1, batch_size=64)
    ```
    """

    default_game = "least_squares"
