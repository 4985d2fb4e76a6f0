"""`gradients.repeat`: several discriminator steps as one traced loop.

On JAX and TensorFlow the critic steps of a train step run in
`jax.lax.fori_loop` / `tf.while_loop`, traced once (TensorFlow under XLA
unrolls); PyTorch loops in Python. Each backend must train the same weights as the unrolled loop.
"""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans import architectures
from keras_gans.backend import base

BATCH = 8


def _images(steps=2):
    return np.random.default_rng(0).uniform(-1, 1, (BATCH * steps, 8, 8, 1)).astype("float32")


def _wgan():
    G = architectures.mlp_generator(latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8,), seed=1)
    D = architectures.mlp_discriminator(image_shape=(8, 8, 1), hidden_units=(8,), seed=2)
    gan = keras_gans.WGANGP(G, D, latent_dim=4, critic_steps=3, seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.01), discriminator_optimizer=keras.optimizers.SGD(0.01)
    )
    return gan


def _lazy_r1_batchnorm_gan():
    # BatchNorm state and a lazy penalty (ops.cond on the step count) inside the loop.
    G = architectures.dcgan_generator(latent_dim=4, base_filters=4, seed=3)
    D = architectures.dcgan_discriminator(base_filters=4, normalization="batch", seed=4)
    gan = keras_gans.NonSaturatingGAN(
        G, D, latent_dim=4, discriminator_steps=3, r1_penalty_weight=1.0, r1_interval=2, seed=0
    )
    # SGD: a conv bias before BatchNorm has a zero gradient up to rounding, which
    # Adam would scale into full-size steps of random sign.
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.01), discriminator_optimizer=keras.optimizers.SGD(0.01)
    )
    return gan


def _state(gan):
    optimizers = (gan.generator_optimizer, gan.discriminator_optimizer)
    return gan.get_weights() + [keras.ops.convert_to_numpy(v.value) for o in optimizers for v in o.variables]


def _fit(make_gan, images, unrolled):
    gan = make_gan()
    if unrolled:
        with base.unrolled_loops():
            history = gan.fit(images, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    else:
        history = gan.fit(images, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    return gan, history.history


@pytest.mark.parametrize("make_gan, images", [(_wgan, _images()), (_lazy_r1_batchnorm_gan, None)])
def test_the_traced_loop_trains_what_the_unrolled_loop_trains(make_gan, images):
    if images is None:
        images = np.random.default_rng(1).uniform(-1, 1, (BATCH * 2, 28, 28, 1)).astype("float32")
    looped, looped_logs = _fit(make_gan, images, unrolled=False)
    unrolled, unrolled_logs = _fit(make_gan, images, unrolled=True)
    assert int(keras.ops.convert_to_numpy(looped.discriminator_optimizer.iterations)) == 3 * 2
    assert int(keras.ops.convert_to_numpy(looped.generator_optimizer.iterations)) == 2
    for a, b in zip(_state(looped), _state(unrolled), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert looped_logs.keys() == unrolled_logs.keys()
    for name in looped_logs:
        np.testing.assert_allclose(looped_logs[name], unrolled_logs[name], rtol=1e-5, atol=1e-6)


def test_the_penalty_log_averages_every_critic_step():
    """JAX and TensorFlow trace the step's Python code once; PyTorch runs it per critic step, and the
    logged penalty is the mean of the penalties it returned."""
    gan = _wgan()
    seen = []
    step = gan._discriminator_step

    def recording_step(real, labels):
        loss, terms = step(real, labels)
        seen.append(terms["gradient_penalty"][0])
        return loss, terms

    gan._discriminator_step = recording_step
    logs = gan.fit(_images(1), batch_size=BATCH, epochs=1, verbose=0).history
    traced_once = keras.backend.backend() in ("jax", "tensorflow")
    # Traced backends call the Python step once (the loop body); PyTorch runs it per critic step.
    assert len(seen) == (1 if traced_once else 3)
    if not traced_once:
        np.testing.assert_allclose(logs["gradient_penalty"][0], np.mean([float(v) for v in seen]), rtol=1e-6)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's loop under XLA")
def test_tensorflow_unrolls_the_critic_steps_under_xla():
    """XLA:CPU ran the WGAN-GP critic loop as a `tf.while_loop` over 20x slower than unrolled
    (benchmarks/wgan_gp_xla_cpu.py): with `jit_compile=True` the step is traced once per critic step."""
    import warnings

    seen = {}
    for jit_compile in (False, True):
        gan = _wgan()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the XLA-on-CPU warning
            gan.compile(generator_optimizer=keras.optimizers.SGD(0.01),
                        discriminator_optimizer=keras.optimizers.SGD(0.01), jit_compile=jit_compile)
        calls, step = [], gan._discriminator_step
        gan._discriminator_step = lambda real, labels, step=step, calls=calls: calls.append(1) or step(real, labels)
        gan.fit(_images(1), batch_size=BATCH, epochs=1, verbose=0)
        seen[jit_compile] = len(calls)
        assert int(keras.ops.convert_to_numpy(gan.discriminator_optimizer.iterations)) == 3
    assert seen == {False: 1, True: 3}
