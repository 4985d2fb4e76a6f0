"""GAN losses as pure functions of discriminator logits.

Every function takes raw scores (logits) of shape `(batch, 1)` and returns a
scalar: the mean over the batch. They are plain `keras.ops`, so anyone writing
their own train step can use them on any backend. `softplus` keeps the
logistic losses stable for large logits:
`-log(sigmoid(x)) = softplus(-x)` and `-log(1 - sigmoid(x)) = softplus(x)`.
"""

from keras import ops


def _real_logistic_term(real_logits, label_smoothing):
    # Cross-entropy of sigmoid(real_logits) against the target 1 - s:
    # (1 - s) softplus(-l) + s softplus(l) = softplus(-l) + s l.
    term = ops.mean(ops.softplus(-real_logits))
    if label_smoothing:
        term = term + label_smoothing * ops.mean(real_logits)
    return term


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the original GAN (Goodfellow et al., 2014).

    With `label_smoothing=s` the target for real images is `1 - s` and fakes
    keep theirs (one-sided smoothing, Salimans et al. 2016, "Improved
    Techniques for Training GANs", §3.4).

    Formula:

    ```
    loss = -mean(log(sigmoid(real_logits))) - mean(log(1 - sigmoid(fake_logits)))
         = mean(softplus(-real_logits)) + mean(softplus(fake_logits))
    smoothed: mean((1 - s) softplus(-real) + s softplus(real)) + mean(softplus(fake))
            = unsmoothed + s * mean(real_logits)
    ```

    Example:

    >>> float(minimax_discriminator_loss(ops.zeros((2, 1)), ops.zeros((2, 1))))  # 2 log 2
    1.386...
    """
    return _real_logistic_term(real_logits, label_smoothing) + ops.mean(ops.softplus(fake_logits))


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


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the non-saturating GAN: the minimax one.

    `label_smoothing` as in `minimax_discriminator_loss`.

    Formula:

    ```
    loss = mean(softplus(-real_logits)) + mean(softplus(fake_logits))
    ```

    Example:

    >>> float(non_saturating_discriminator_loss(ops.zeros((1, 1)), ops.zeros((1, 1))))
    1.386...
    """
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


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


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge discriminator loss (Lim & Ye 2017; Miyato et al. 2018, SN-GAN).

    Formula:

    ```
    loss = mean(relu(1 - real_logits)) + mean(relu(1 + fake_logits))
    ```

    Example:

    >>> float(hinge_discriminator_loss(ops.zeros((2, 1)), ops.zeros((2, 1))))
    2.0
    """
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Hinge generator loss: the generator raises the critic's score.

    Formula:

    ```
    loss = -mean(fake_logits)
    ```

    Example:

    >>> float(hinge_generator_loss(ops.ones((2, 1))))
    -1.0
    """
    return -ops.mean(fake_logits)


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Least-squares discriminator loss (Mao et al. 2017, LSGAN, a=0, b=c=1).

    With `label_smoothing=s` the target for real images is `1 - s`.

    Formula:

    ```
    loss = 0.5 * mean((real_logits - (1 - s))^2) + 0.5 * mean(fake_logits^2)
    ```

    Example:

    >>> float(least_squares_discriminator_loss(ops.zeros((2, 1)), ops.ones((2, 1))))
    1.0
    """
    real_target = 1.0 - label_smoothing
    return 0.5 * ops.mean(ops.square(real_logits - real_target)) + 0.5 * ops.mean(
        ops.square(fake_logits)
    )


def least_squares_generator_loss(fake_logits):
    """Least-squares generator loss (Mao et al. 2017, c=1).

    Formula:

    ```
    loss = 0.5 * mean((fake_logits - 1)^2)
    ```

    Example:

    >>> float(least_squares_generator_loss(ops.zeros((2, 1))))
    0.5
    """
    return 0.5 * ops.mean(ops.square(fake_logits - 1.0))


def r1_penalty_from_gradients(gradients):
    """R1 penalty from the discriminator's input gradients at real images.

    Mescheder et al. 2018, "Which Training Methods for GANs do actually
    Converge?", eq. 9 (without the gamma/2 factor, which the caller applies).

    Formula:

    ```
    penalty = mean_i sum over pixels of gradients_i^2 = mean_i ||grad_x D(x_i)||^2
    ```

    Example:

    >>> float(r1_penalty_from_gradients(ops.ones((2, 3))))
    3.0
    """
    squared = ops.square(gradients)
    axes = tuple(range(1, len(squared.shape)))
    return ops.mean(ops.sum(squared, axis=axes))


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
