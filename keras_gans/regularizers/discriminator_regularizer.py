"""Base class of the penalties a GAN adds to its discriminator's loss."""

import keras

from keras_gans import hyperparameters
from keras_gans.serialization import Configurable


class DiscriminatorRegularizer(Configurable):
    """A penalty on the discriminator: a name, a weight, its own noise draw.

    The GAN calls `sample_noise` outside the gradient computation (random
    draws inside it would leak on JAX), then `__call__(critic_fn, real, fake,
    noise)` inside it, and adds `weight * interval * penalty` to the
    discriminator loss on every `interval`-th discriminator step (lazy
    regularization, Karras et al. 2020, StyleGAN2 §B). The unweighted penalty
    is logged under `name`.

    Args:
        weight: float >= 0. Weight of the penalty in the discriminator loss.
        interval: int >= 1. Apply the penalty on every `interval`-th
            discriminator step only, scaled by `interval`. Defaults to 1.

    Example (a custom penalty on the mean real score, logged as "drift"):

    ```python
    class Drift(keras_gans.regularizers.DiscriminatorRegularizer):
        name = "drift"

        def __call__(self, critic_fn, real_images, fake_images, noise):
            return keras.ops.mean(keras.ops.square(critic_fn(real_images)))

    gan = keras_gans.WGANGP(G, D, latent_dim=64, regularizers=[Drift(weight=1e-3)])
    ```
    """

    name = None
    # The loss term is `weight_factor * weight * penalty` (R1: gamma / 2).
    weight_factor = 1.0

    def __init__(self, weight, interval=1):
        self.weight = hyperparameters.non_negative(f"{self.name}_weight", weight)
        self.interval = hyperparameters.positive_int(f"{self.name}_interval", interval)

    def sample_noise(self, batch_size, image_shape, draw):
        """Random values the penalty needs; `draw(sampler, batch_size, shape)`."""
        return None

    def __call__(self, critic_fn, real_images, fake_images, noise):
        raise NotImplementedError

    def get_config(self):
        return {"weight": self.weight, "interval": self.interval}


def serialize(regularizer):
    return keras.saving.serialize_keras_object(regularizer)


def deserialize(config):
    regularizer = keras.saving.deserialize_keras_object(config)
    if not isinstance(regularizer, DiscriminatorRegularizer):
        raise ValueError(
            f"{config!r} is not a keras_gans.regularizers.DiscriminatorRegularizer."
        )
    return regularizer
