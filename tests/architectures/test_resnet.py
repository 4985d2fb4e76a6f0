"""ResNet (SNGAN) builders: shapes at every size, the projection term and conditional BatchNorm in closed form."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_gans.architectures import (
    ConditionalBatchNormalization,
    SpectralNormalization,
    resnet_discriminator,
    resnet_generator,
)


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.parametrize("size", [32, 64, 128])
def test_every_size_builds_and_runs(size):
    G = resnet_generator(8, (size, size, 3), base_filters=2, seed=0)
    D = resnet_discriminator((size, size, 1), base_filters=2, normalization=None, seed=1)
    assert (tuple(G.output.shape), tuple(D.output.shape)) == ((None, size, size, 3), (None, 1))
    G = resnet_generator(8, (size, size, 3), num_classes=3, base_filters=2, seed=0)
    D = resnet_discriminator((size, size, 3), num_classes=3, base_filters=2, seed=1)
    labels = ops.convert_to_tensor(np.array([0, 2], "int32"))
    images = G([ops.zeros((2, 8)), labels], training=False)
    assert tuple(images.shape) == (2, size, size, 3)
    assert tuple(D([images, labels], training=False).shape) == (2, 1)
    spectral = [layer for layer in D.layers if isinstance(layer, SpectralNormalization)]
    assert {layer.name for layer in spectral} >= {"block_0_conv_0", "logit", "projection"}
    assert not any(isinstance(layer, SpectralNormalization) for layer in G.layers)


def test_bad_arguments_are_refused():
    for shape in [(28, 28, 1), (256, 256, 3), (16, 16, 3)]:
        with pytest.raises(ValueError, match="32, 64, 128; received"):
            resnet_generator(8, shape)
        with pytest.raises(ValueError, match="use `dcgan_discriminator`"):
            resnet_discriminator(shape)
    with pytest.raises(ValueError, match="'spectral' \\(SNGAN\\) or None"):
        resnet_discriminator((32, 32, 3), normalization="batch")
    with pytest.raises(ValueError, match="base_filters"):
        resnet_generator(8, (32, 32, 3), base_filters=0)


@pytest.mark.parametrize("normalization", ["spectral", None])
def test_projection_discriminator_closed_form(normalization):
    """logit = psi(phi(x)) + embed(y) . phi(x), with phi the summed features."""
    D = resnet_discriminator((32, 32, 3), num_classes=4, base_filters=2, normalization=normalization, seed=3)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(5, 32, 32, 3)).astype("float32")
    y = np.array([0, 1, 2, 3, 1], "int32")
    # Non-trivial projection and bias (the embedding starts random, the bias 0).
    psi, embed = D.get_layer("logit"), D.get_layer("projection")
    dense = psi.layer if normalization else psi
    dense.bias.assign(np.array([0.3], "float32"))
    phi = numpy(keras.Model(D.inputs[0], D.get_layer("sum_pool").output)(x, training=False))
    if normalization:  # the spectrally normalized weights, from the stored u
        kernel, table = numpy(psi.effective_kernel()), numpy(embed.effective_kernel())
    else:
        kernel, table = numpy(psi.kernel), numpy(embed.embeddings)
    expected = phi @ kernel + 0.3 + np.sum(table[y] * phi, axis=1, keepdims=True)
    logits = numpy(D([ops.convert_to_tensor(x), ops.convert_to_tensor(y)], training=False))
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    # The projection term alone: psi set to zero leaves embed(y) . phi(x).
    dense.kernel.assign(np.zeros_like(numpy(dense.kernel)))
    dense.bias.assign(np.zeros(1, "float32"))
    logits = numpy(D([ops.convert_to_tensor(x), ops.convert_to_tensor(y)], training=False))
    projection = np.sum(table[y] * phi, axis=1, keepdims=True)
    np.testing.assert_allclose(logits, projection, rtol=1e-4, atol=1e-4 * np.abs(projection).max())
    # The label matters: the same images with other labels give other logits.
    other = (y + 1) % 4
    shifted = numpy(D([ops.convert_to_tensor(x), ops.convert_to_tensor(other)], training=False))
    np.testing.assert_allclose(shifted, np.sum(table[other] * phi, axis=1, keepdims=True), rtol=1e-4, atol=1e-4 * np.abs(projection).max())
    assert np.all(np.abs(shifted - logits) > 1e-6)


def test_conditional_batch_norm_closed_form():
    eps = 1e-5
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 3.0, size=(6, 3, 3, 4)).astype("float32")
    labels = np.array([0, 1, 2, 0, 1, 2], "int32")
    cbn = ConditionalBatchNormalization(num_classes=3, epsilon=eps)
    cbn.build([x.shape, labels.shape])
    gain, bias = rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(3, 4)).astype("float32")
    cbn.gain.assign(gain)
    cbn.bias.assign(bias)
    inputs = [ops.convert_to_tensor(x), ops.convert_to_tensor(labels)]
    # Inference before any training call: moving mean 0, variance 1.
    expected = gain[labels][:, None, None] * x / np.sqrt(1 + eps) + bias[labels][:, None, None]
    np.testing.assert_allclose(numpy(cbn(inputs, training=False)), expected, rtol=1e-5, atol=1e-5)
    # Training: batch statistics per channel over (batch, height, width).
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    expected = gain[labels][:, None, None] * (x - mean) / np.sqrt(var + eps) + bias[labels][:, None, None]
    np.testing.assert_allclose(numpy(cbn(inputs, training=True)), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(numpy(cbn.batch_norm.moving_mean), 0.1 * mean, rtol=1e-5)
    clone = ConditionalBatchNormalization.from_config(cbn.get_config())
    assert (clone.num_classes, clone.momentum, clone.epsilon) == (3, 0.9, eps)


def test_conditional_generator_at_initialization_is_the_unconditional_one():
    """Gains start at 1 and biases at 0: each CBN is then plain BatchNorm, whatever the label."""
    G = resnet_generator(8, (32, 32, 3), base_filters=2, seed=4)
    cG = resnet_generator(8, (32, 32, 3), num_classes=5, base_filters=2, seed=4)
    latents = ops.convert_to_tensor(np.random.default_rng(2).normal(size=(4, 8)).astype("float32"))
    plain = numpy(G(latents, training=True))
    for label in (0, 4):
        labels = ops.convert_to_tensor(np.full(4, label, "int32"))
        np.testing.assert_allclose(numpy(cG([latents, labels], training=True)), plain, atol=1e-5)
