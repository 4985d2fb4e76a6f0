"""Wasserstein GAN with gradient penalty."""

import keras

from keras_gans.models.gan import GAN


@keras.saving.register_keras_serializable(package="keras_gans")
class WGANGP(GAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al., 2017).

    Each train step makes `critic_steps` critic updates on the batch (fresh
    latents and interpolation weights each time), then one generator update.
    The critic minimises `mean(D(G(z))) - mean(D(x)) + weight * GP`, where GP
    is `mean((||grad D(x_hat)|| - 1)^2)` at `x_hat = a x + (1 - a) G(z)`,
    `a ~ U[0, 1]` per example. Logged: `d_loss` (including the weighted
    penalty), `g_loss`, `gradient_penalty` (unweighted) and `loss`.

    Use a critic without BatchNormalization (the penalty is per example);
    `keras_gans.architectures.dcgan_discriminator(normalization="layer")`.

    Args:
        gradient_penalty_weight: float. Weight of the penalty. Defaults to 10.
        critic_steps: int. Critic updates per generator update. Defaults to 5.
        Other arguments: see `keras_gans.models.GAN`.

    Example:

    ```python
    G = keras_gans.architectures.dcgan_generator(latent_dim=64, image_shape=(28, 28, 1))
    D = keras_gans.architectures.dcgan_discriminator((28, 28, 1), normalization="layer")
    gan = keras_gans.WGANGP(generator=G, discriminator=D, latent_dim=64,
                            gradient_penalty_weight=10.0, critic_steps=5)
    gan.compile()   # Adam(1e-4, beta_1=0.0, beta_2=0.9) for both, as in the paper
    gan.fit(images, epochs=3, batch_size=64)
    ```
    """

    default_game = "wasserstein"
    _discriminator_steps_argument = "critic_steps"

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        gradient_penalty_weight=10.0,
        critic_steps=5,
        **kwargs,
    ):
        super().__init__(
            generator,
            discriminator,
            latent_dim,
            gradient_penalty_weight=gradient_penalty_weight,
            discriminator_steps=critic_steps,
            **kwargs,
        )

    @property
    def critic_steps(self):
        return self.discriminator_steps

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        )
