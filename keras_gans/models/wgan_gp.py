"""Wasserstein GAN with gradient penalty."""

import keras

from keras_gans import losses
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

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        gradient_penalty_weight=10.0,
        critic_steps=5,
        **kwargs,
    ):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if int(critic_steps) < 1:
            raise ValueError(f"`critic_steps` must be >= 1; received {critic_steps}.")
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.critic_steps = int(critic_steps)
        self.gradient_penalty_tracker = keras.metrics.Mean(name="gradient_penalty")

    @property
    def discriminator_steps(self):
        return self.critic_steps

    @property
    def _term_trackers(self):
        return {"gradient_penalty": self.gradient_penalty_tracker}

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        )

    def discriminator_loss(self, real_logits, fake_logits):
        return losses.wasserstein_discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return losses.wasserstein_generator_loss(fake_logits)

    def sample_regularization_noise(self, batch_size, seed_generator):
        # One interpolation weight per example, U[0, 1].
        trailing = (1,) * len(self.image_shape)
        return self._draw(keras.random.uniform, batch_size, trailing, seed_generator)

    def discriminator_regularization(self, critic_fn, real_images, fake_images, noise):
        penalty = losses.gradient_penalty(critic_fn, real_images, fake_images, noise)
        return self.gradient_penalty_weight * penalty, {"gradient_penalty": penalty}

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "gradient_penalty_weight": self.gradient_penalty_weight,
                "critic_steps": self.critic_steps,
            }
        )
        return config
