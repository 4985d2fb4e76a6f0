"""The WGAN-GP gradient penalty as a discriminator regularizer."""

import keras

from keras_gans import losses
from keras_gans.regularizers.discriminator_regularizer import DiscriminatorRegularizer


@keras.saving.register_keras_serializable(package="keras_gans")
class GradientPenalty(DiscriminatorRegularizer):
    """Gradient penalty of WGAN-GP (Gulrajani et al. 2017, eq. 3).

    Formula:

    ```
    x_hat = a x + (1 - a) G(z),  a ~ U[0, 1] per example
    penalty = mean_i (||grad D(x_hat_i)|| - 1)^2
    ```

    Logged unweighted as `gradient_penalty`.

    Args:
        weight: float >= 0 (lambda in the paper, 10 there).
        interval: int >= 1, see `DiscriminatorRegularizer`.

    Example:

    ```python
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64,
                                      regularizers=[keras_gans.regularizers.GradientPenalty(1.0)])
    ```
    """

    name = "gradient_penalty"

    def sample_noise(self, batch_size, image_shape, draw):
        # One interpolation weight per example, U[0, 1].
        return draw(keras.random.uniform, batch_size, (1,) * len(image_shape))

    def __call__(self, critic_fn, real_images, fake_images, noise):
        return losses.gradient_penalty(critic_fn, real_images, fake_images, noise)
