"""Bad input raises an error that says what is wrong and how to fix it, before any update."""

import keras
import numpy as np
import pytest

import keras_gans
from tests.helpers import LATENT_DIM, digits, make_gan, snapshot


@pytest.fixture
def compiled_gan():
    gan = make_gan("nonsaturating")
    gan.compile()
    return gan


def assert_rejected_without_update(gan, match, *args, **kwargs):
    before = snapshot(gan.weights)
    with pytest.raises(ValueError, match=match):
        gan.fit(*args, epochs=1, batch_size=16, verbose=0, **kwargs)
    after = snapshot(gan.weights)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert int(gan.generator_optimizer.iterations) == 0
    # The model stays usable (on JAX a failed first step would purge it).
    assert gan.generate(2, seed=0).shape == (2, 8, 8, 1)


def test_wrong_image_shape(compiled_gan):
    x = np.zeros((16, 28, 28, 1), "float32")
    assert_rejected_without_update(compiled_gan, r"\(28, 28, 1\).*expects \(8, 8, 1\)", x)


def test_missing_channel_axis(compiled_gan):
    x, _ = digits(16)
    assert_rejected_without_update(compiled_gan, r"add the channel axis", x[..., 0])


def test_uint8_images(compiled_gan):
    x = np.zeros((16, 8, 8, 1), "uint8")
    assert_rejected_without_update(compiled_gan, "scale_images", x)


def test_images_outside_range(compiled_gan):
    x, _ = digits(16)
    assert_rejected_without_update(compiled_gan, r"must be in \[-1, 1\].*scale_images", (x + 1) * 127.5)
    assert_rejected_without_update(compiled_gan, r"x \* 2 - 1", (x + 1) / 2 + 0.5)


def test_nan_in_data(compiled_gan):
    x, _ = digits(16)
    x = x.copy()
    x[3, 2, 2, 0] = np.nan
    assert_rejected_without_update(compiled_gan, "1 NaN or infinite", x)


def test_nan_in_validation_data(compiled_gan):
    x, _ = digits(16)
    bad = x.copy()
    bad[0, 0, 0, 0] = np.inf
    assert_rejected_without_update(compiled_gan, "validation_data.*NaN", x, validation_data=(bad,))


def test_labels_missing_for_conditional():
    gan = make_gan("nonsaturating", conditional=True)
    gan.compile()
    x, _ = digits(16)
    with pytest.raises(ValueError, match=r"needs class labels: call `fit\(images, labels\)`"):
        gan.fit(x, epochs=1, verbose=0)


def test_labels_out_of_range_for_conditional():
    gan = make_gan("nonsaturating", conditional=True)
    gan.compile()
    x, y = digits(16)
    with pytest.raises(ValueError, match=r"\[0, 9\].*from 1 to 12"):
        gan.fit(x, np.where(y == 0, 12, y), epochs=1, verbose=0)


def test_labels_for_unconditional(compiled_gan):
    x, y = digits(16)
    with pytest.raises(ValueError, match="num_classes=K"):
        compiled_gan.fit(x, y, epochs=1, verbose=0)


def test_fit_before_compile():
    x, _ = digits(16)
    with pytest.raises(RuntimeError, match="compile"):
        make_gan().fit(x, epochs=1, verbose=0)


def test_generator_output_must_match_discriminator_input():
    G = keras_gans.architectures.mlp_generator(LATENT_DIM, image_shape=(8, 8, 1))
    D = keras_gans.architectures.dcgan_discriminator((28, 28, 1), base_filters=4)
    with pytest.raises(ValueError, match=r"outputs images of shape \(8, 8, 1\).*expects \(28, 28, 1\)"):
        keras_gans.NonSaturatingGAN(G, D, latent_dim=LATENT_DIM)


def test_discriminator_must_output_one_logit():
    G = keras_gans.architectures.mlp_generator(LATENT_DIM)
    D = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(1, 3)])
    with pytest.raises(ValueError, match=r"one raw score \(logit\) per image"):
        keras_gans.NonSaturatingGAN(G, D, latent_dim=LATENT_DIM)


def test_wrong_latent_dim():
    G = keras_gans.architectures.mlp_generator(LATENT_DIM)
    D = keras_gans.architectures.mlp_discriminator()
    with pytest.raises(ValueError, match="latent_dim=3"):
        keras_gans.NonSaturatingGAN(G, D, latent_dim=3)


def test_compile_rejects_shared_optimizer_and_keras_arguments():
    gan = make_gan()
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two separate optimizer"):
        gan.compile(generator_optimizer=shared, discriminator_optimizer=shared)
    with pytest.raises(ValueError, match="generator_optimizer="):
        gan.compile(optimizer="adam")
