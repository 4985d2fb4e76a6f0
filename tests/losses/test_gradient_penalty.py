"""The WGAN-GP penalty against an analytic NumPy reference.

The critic is D(x) = v . tanh(W x + b) + c with fixed weights, so
dD/dx = W^T (v * (1 - tanh(W x + b)^2)) in closed form. Every backend must
give the same penalty and the same penalty gradient w.r.t. W (checked by
central finite differences in float64): that makes the three backends agree
with each other through one reference.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_gans import losses
from keras_gans.backend import gradients

RNG = np.random.default_rng(42)
IN, HIDDEN, BATCH = 6, 5, 4
W = RNG.normal(size=(IN, HIDDEN)).astype("float32") * 0.7
B = RNG.normal(size=(HIDDEN,)).astype("float32") * 0.1
V = RNG.normal(size=(HIDDEN, 1)).astype("float32")
REAL = RNG.uniform(-1, 1, size=(BATCH, 2, 3, 1)).astype("float32")
FAKE = RNG.uniform(-1, 1, size=(BATCH, 2, 3, 1)).astype("float32")
ALPHA = RNG.uniform(0, 1, size=(BATCH, 1, 1, 1)).astype("float32")


def reference_penalty(w):
    w = w.astype("float64")
    x = (ALPHA * REAL + (1 - ALPHA) * FAKE).reshape(BATCH, IN).astype("float64")
    h = np.tanh(x @ w + B)
    grad_x = (V[:, 0] * (1 - h**2)) @ w.T
    norms = np.sqrt(np.sum(grad_x**2, axis=1) + 1e-12)
    return np.mean((norms - 1.0) ** 2)


def reference_penalty_gradient(w, step=1e-5):
    grad = np.zeros_like(w, dtype="float64")
    for index in np.ndindex(*w.shape):
        plus, minus = w.astype("float64").copy(), w.astype("float64").copy()
        plus[index] += step
        minus[index] -= step
        grad[index] = (reference_penalty(plus) - reference_penalty(minus)) / (2 * step)
    return grad


def make_critic():
    critic = keras.Sequential(
        [
            keras.Input((2, 3, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(HIDDEN, activation="tanh"),
            keras.layers.Dense(1, use_bias=True),
        ]
    )
    critic.layers[1].set_weights([W, B])
    critic.layers[2].set_weights([V, np.zeros((1,), "float32")])
    return critic


def test_penalty_value_matches_reference():
    critic = make_critic()
    penalty = losses.gradient_penalty(critic, REAL, FAKE, ALPHA)
    assert float(ops.convert_to_numpy(penalty)) == pytest.approx(reference_penalty(W), rel=1e-5)


def test_penalty_gradient_matches_finite_differences():
    critic = make_critic()
    variables = critic.trainable_variables

    def loss_fn(values):
        def critic_fn(images):
            logits, _ = critic.stateless_call(values, [], images)
            return logits

        return losses.gradient_penalty(critic_fn, REAL, FAKE, ALPHA), None

    (penalty, _), grads = gradients.value_and_grad(loss_fn, [v.value for v in variables])
    kernel_grad = ops.convert_to_numpy(grads[0])
    np.testing.assert_allclose(kernel_grad, reference_penalty_gradient(W), rtol=1e-3, atol=1e-5)
    assert float(ops.convert_to_numpy(penalty)) == pytest.approx(reference_penalty(W), rel=1e-5)


def test_penalty_gradient_is_finite_where_input_gradient_is_zero():
    zero_critic = keras.Sequential([keras.Input((2, 3, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    zero_critic.layers[-1].set_weights([np.zeros((IN, 1), "float32"), np.zeros((1,), "float32")])

    def loss_fn(values):
        fn = lambda images: zero_critic.stateless_call(values, [], images)[0]  # noqa: E731
        return losses.gradient_penalty(fn, REAL, FAKE, ALPHA), None

    _, grads = gradients.value_and_grad(loss_fn, [v.value for v in zero_critic.trainable_variables])
    assert all(np.all(np.isfinite(ops.convert_to_numpy(g))) for g in grads)


def test_interpolation_is_per_example():
    mixed = ops.convert_to_numpy(losses.interpolate(REAL, FAKE, ALPHA))
    for i in range(BATCH):
        np.testing.assert_allclose(mixed[i], ALPHA[i, 0, 0, 0] * REAL[i] + (1 - ALPHA[i, 0, 0, 0]) * FAKE[i], rtol=1e-6)
