"""The R1 penalty: the discriminator's gradient norm on real images."""

import keras

from keras_gans.backend import gradients
from keras_gans.losses.functional import r1_penalty_from_gradients
from keras_gans.regularizers.discriminator_regularizer import DiscriminatorRegularizer


@keras.saving.register_keras_serializable(package="keras_gans")
class R1Penalty(DiscriminatorRegularizer):
    """R1 regularization (Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?").

    Formula (added to the discriminator loss):

    ```
    (gamma / 2) * mean_i ||grad_x D(x_i)||^2    over real images x_i
    ```

    `weight` is gamma; the logged `r1_penalty` is `mean_i ||grad_x D(x_i)||^2`
    (without gamma/2). With `interval=k` it is applied on every k-th
    discriminator step, scaled by k (lazy R1, StyleGAN2).

    Example:

    ```python
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64, r1_penalty_weight=10.0)
    # the same as
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64,
                                      regularizers=[keras_gans.regularizers.R1Penalty(10.0)])
    ```
    """

    name = "r1_penalty"
    # gamma / 2 in front of the squared norm.
    weight_factor = 0.5

    def __call__(self, critic_fn, real_images, fake_images, noise):
        grads = gradients.input_gradient(critic_fn, keras.ops.stop_gradient(real_images))
        return r1_penalty_from_gradients(grads)
