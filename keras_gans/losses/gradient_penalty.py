"""The WGAN-GP gradient penalty on interpolates of real and fake images."""

from keras import ops

from keras_gans.backend import gradients
from keras_gans.losses.functional import gradient_penalty_from_gradients


def interpolate(real_images, fake_images, alpha):
    """`alpha * real + (1 - alpha) * fake` with one alpha per example.

    Args:
        alpha: tensor `(batch, 1, ..., 1)` drawn from U[0, 1], one value per
            example (not per pixel), broadcast over the image axes.

    Example:

    >>> mixed = interpolate(ops.ones((2, 1, 1, 1)), ops.zeros((2, 1, 1, 1)),
    ...                     ops.convert_to_tensor([[[[0.25]]], [[[1.0]]]]))
    >>> ops.convert_to_numpy(mixed).ravel().tolist()
    [0.25, 1.0]
    """
    return alpha * real_images + (1.0 - alpha) * fake_images


def gradient_penalty(critic_fn, real_images, fake_images, alpha, epsilon=1e-12):
    """WGAN-GP penalty: `mean((||d critic(x_hat) / d x_hat|| - 1)^2)`.

    Differentiable w.r.t. the critic's weights on every backend (it takes a
    second-order gradient through `keras_gans.backend.gradients`).

    Args:
        critic_fn: callable images -> logits `(batch, 1)`.
        real_images, fake_images: tensors of the same shape `(batch, H, W, C)`.
        alpha: tensor `(batch, 1, 1, 1)` of U[0, 1] interpolation weights.
        epsilon: float under the square root of the norm.

    Example:

    ```python
    critic = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    alpha = keras.random.uniform((8, 1, 1, 1))
    penalty = gradient_penalty(critic, real, fake, alpha)
    ```
    """
    real_images, fake_images, alpha = (
        ops.convert_to_tensor(t) for t in (real_images, fake_images, alpha)
    )
    interpolates = interpolate(real_images, ops.stop_gradient(fake_images), alpha)
    grads = gradients.input_gradient(critic_fn, interpolates)
    return gradient_penalty_from_gradients(grads, epsilon=epsilon)
