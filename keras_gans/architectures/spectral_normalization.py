"""Spectral normalization whose inference mode is the function it trained as.

Miyato, Kataoka, Koyama and Yoshida (2018), "Spectral Normalization for
Generative Adversarial Networks" (ICLR, arXiv:1802.05957).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_gans")
class SpectralNormalization(keras.layers.SpectralNormalization):
    """`keras.layers.SpectralNormalization` that never overwrites the kernel.

    The wrapped layer computes with `W_SN = W / sigma(W)`, where `sigma(W)`
    estimates the largest singular value of the kernel reshaped to
    `(-1, units)` by power iteration (Miyato et al. 2018):

        v = normalize(u W^T),  u' = normalize(v W),  sigma = v W u'^T

    `u` (the non-trainable `vector_u`) is carried from call to call;
    gradients flow through `W / sigma` with `u` and `v` held constant, as in
    the paper. For a convolution this is the norm of the reshaped kernel,
    the paper's approximation, not the exact norm of the convolution.

    How it differs from the Keras layer it subclasses (keras 3.15):

    - `training=True`: same output, and `vector_u` is updated to `u'`, but
      the stored kernel stays the raw `W` (Keras also assigns `W / sigma`
      to the kernel variable). The optimizer therefore updates `W`, which
      is what happens anyway when the layer runs through `stateless_call`
      (as in every keras-gans GAN): the kernel assignment is a trainable
      update and is dropped there.
    - `training=False`: the output uses `W / sigma` too, with the same one
      power iteration from the stored `u`, which is not updated. The Keras
      layer uses the stored kernel as it is in inference mode, which under
      `stateless_call` is the raw `W`: its output then differs from the
      trained function by the factor `sigma`.

    So `D(x, training=False)` equals the training-mode output for the same
    stored `u`, and only training-mode calls move `u`. In a keras-gans GAN
    the discriminator step keeps the new `u` (a non-trainable update), the
    generator step discards it, and `test_step`/validation leave it alone.

    Wrapping an `Embedding` normalizes its `(input_dim, output_dim)` table,
    as the projection discriminator does (Miyato and Koyama 2018).

    The wrapped layer's `kernel_regularizer` applies to the raw `W`. Its
    own `activity_regularizer` is not applied; give it to the wrapper.

    Args:
        layer: a layer with a `kernel` (`Dense`, `Conv2D`, ...) or
            `embeddings` (`Embedding`).
        power_iterations: int >= 1. Power iterations per call. Defaults to 1.
        **kwargs: base layer arguments (`name`, ...).

    Example:

    >>> sn = SpectralNormalization(keras.layers.Dense(4, kernel_initializer="ones"))
    >>> y = sn(np.ones((1, 3)), training=True)   # one power iteration
    >>> for _ in range(20):
    ...     y = sn(np.ones((1, 3)), training=True)
    >>> sigma = float(np.linalg.svd(np.ones((3, 4)), compute_uv=False)[0])
    >>> bool(np.allclose(ops.convert_to_numpy(y), 3.0 / sigma, atol=1e-4))
    True
    >>> bool(np.allclose(ops.convert_to_numpy(sn.kernel.value), 1.0))  # W is kept
    True
    """

    def effective_kernel(self, update=False):
        """`W / sigma(W)` after `power_iterations` rounds from the stored `u`.

        The same math as `keras.layers.SpectralNormalization.normalized_weights`,
        with its zero-kernel guard written with `where` instead of `cond`
        (an eager `cond` costs a compilation per call on JAX). A kernel of
        zeros is returned unchanged and leaves `u` as it is.

        Args:
            update: bool. Also store the new `u` (what a training-mode call
                does). Defaults to False.

        Returns:
            A tensor with the kernel's shape.
        """
        kernel = self.kernel.value
        weights = ops.reshape(kernel, (-1, self.kernel_shape[-1]))
        old_u = self.vector_u.value
        vector_u = ops.cast(old_u, weights.dtype)
        for _ in range(self.power_iterations):
            vector_v = _l2_normalize(ops.matmul(vector_u, ops.transpose(weights)))
            vector_u = _l2_normalize(ops.matmul(vector_v, weights))
        vector_u = ops.stop_gradient(vector_u)
        vector_v = ops.stop_gradient(vector_v)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        nonzero = ops.greater(sigma, 0.0)
        if update:
            self.vector_u.assign(ops.where(nonzero, ops.cast(vector_u, old_u.dtype), old_u))
        return ops.divide(kernel, ops.where(nonzero, sigma, ops.ones_like(sigma)))

    def call(self, inputs, training=False):
        kernel = self.effective_kernel(update=bool(training))
        layer = self.layer

        def value(variable):
            return kernel if variable is self.kernel else variable.value

        # The wrapped layer runs with `W / sigma` in place of its kernel
        # without assigning it: `stateless_call` maps every variable it
        # reads (this works inside an outer StatelessScope too).
        outputs, _ = layer.stateless_call(
            [value(v) for v in layer.trainable_variables],
            [value(v) for v in layer.non_trainable_variables],
            inputs,
        )
        # Integer inputs (an Embedding's labels) keep the layer's float dtype.
        dtype = inputs.dtype if keras.backend.is_float_dtype(inputs.dtype) else self.compute_dtype
        return ops.cast(outputs, dtype)


def _l2_normalize(x):
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x)), 1e-12))
