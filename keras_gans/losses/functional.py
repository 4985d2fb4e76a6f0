"""GAN losses as pure functions of discriminator logits.

Every function takes raw scores (logits) of shape `(batch, 1)` and returns a
scalar: the mean over the batch. They are plain `keras.ops`, so anyone writing
their own train step can use them on any backend. `softplus` keeps the
logistic losses stable for large logits:
`-log(sigmoid(x)) = softplus(-x)` and `-log(1 - sigmoid(x)) = softplus(x)`.
"""

from keras import ops


def minimax_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the original GAN (Goodfellow et al., 2014).

    Formula:

    ```
    loss = -mean(log(sigmoid(real_logits))) - mean(log(1 - sigmoid(fake_logits)))
         = mean(softplus(-real_logits)) + mean(softplus(fake_logits))
    ```

    Example:

    >>> float(minimax_discriminator_loss(ops.zeros((2, 1)), ops.zeros((2, 1))))  # 2 log 2
    1.386...
    """
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """Generator loss of the original, saturating minimax game.

    The generator minimises `log(1 - D(G(z)))`; its gradient vanishes when
    the discriminator confidently rejects the samples (hence "saturating").

    Formula:

    ```
    loss = mean(log(1 - sigmoid(fake_logits))) = -mean(softplus(fake_logits))
    ```

    Example:

    >>> float(minimax_generator_loss(ops.zeros((2, 1))))  # log(1/2)
    -0.693...
    """
    return -ops.mean(ops.softplus(fake_logits))


def non_saturating_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the non-saturating GAN: the minimax one.

    Formula:

    ```
    loss = mean(softplus(-real_logits)) + mean(softplus(fake_logits))
    ```

    Example:

    >>> float(non_saturating_discriminator_loss(ops.zeros((1, 1)), ops.zeros((1, 1))))
    1.386...
    """
    return minimax_discriminator_loss(real_logits, fake_logits)


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss: maximise `log D(G(z))`.

    Formula:

    ```
    loss = -mean(log(sigmoid(fake_logits))) = mean(softplus(-fake_logits))
    ```

    Example:

    >>> float(non_saturating_generator_loss(ops.zeros((2, 1))))  # log 2
    0.693...
    """
    return ops.mean(ops.softplus(-fake_logits))


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss of the Wasserstein GAN (Arjovsky et al., 2017).

    Formula:

    ```
    loss = mean(fake_logits) - mean(real_logits)
    ```

    Example:

    >>> float(wasserstein_discriminator_loss(ops.ones((2, 1)), ops.zeros((2, 1))))
    -1.0
    """
    return ops.mean(fake_logits) - ops.mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Generator loss of the Wasserstein GAN.

    Formula:

    ```
    loss = -mean(fake_logits)
    ```

    Example:

    >>> float(wasserstein_generator_loss(ops.ones((2, 1))))
    -1.0
    """
    return -ops.mean(fake_logits)


def gradient_penalty_from_gradients(gradients, epsilon=1e-12):
    """Penalty on the deviation of per-example gradient norms from 1.

    Gulrajani et al. (2017), eq. 3. The epsilon inside the square root keeps
    the penalty's own gradient finite where a gradient is exactly zero.

    Formula:

    ```
    norm_i = sqrt(sum over pixels of gradients_i^2 + epsilon)
    penalty = mean((norm_i - 1)^2)
    ```

    Args:
        gradients: tensor `(batch, ...)`: d critic / d input per example.
        epsilon: float added under the square root.

    Example:

    >>> round(float(gradient_penalty_from_gradients(ops.zeros((2, 3)))), 4)  # (sqrt(eps) - 1)^2
    1.0
    """
    squared = ops.square(gradients)
    axes = tuple(range(1, len(squared.shape)))
    norms = ops.sqrt(ops.sum(squared, axis=axes) + epsilon)
    return ops.mean(ops.square(norms - 1.0))
