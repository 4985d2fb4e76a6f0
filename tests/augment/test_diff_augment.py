"""DiffAugment's transforms against hand-computed results; gradients flow through them."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_gans.augment import DiffAugment


def numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_translation_shifts_with_zero_padding():
    images = np.arange(2 * 8 * 8, dtype="float32").reshape(2, 8, 8, 1)
    augment = DiffAugment("translation")  # shifts in [-1, 1] at 8x8
    # u=0 -> shift -1, u=0.5 -> 0, u=0.99 -> +1 (floor(u * 3) - 1).
    out = numpy(augment(images, np.array([[0.0, 0.5], [0.5, 0.99]], "float32")))
    np.testing.assert_array_equal(out[0, :-1], images[0, 1:])
    np.testing.assert_array_equal(out[0, -1], 0)
    np.testing.assert_array_equal(out[1, :, 1:], images[1, :, :-1])
    np.testing.assert_array_equal(out[1, :, 0], 0)


def test_cutout_zeroes_one_square_of_half_the_size():
    augment = DiffAugment("cutout")
    out = numpy(augment(np.ones((3, 8, 8, 2), "float32"), np.array([[0.5, 0.5], [0.0, 0.0], [0.99, 0.3]], "float32")))
    zeros = (out == 0).all(axis=-1)
    assert zeros[0].sum() == 16 and zeros[0, 2:6, 2:6].all()  # centred square, inside
    assert zeros[1].sum() == 4 and zeros[1, :2, :2].all()  # centred on a corner: clipped
    assert set(np.unique(out)) <= {0.0, 1.0}


def test_color_follows_the_reference_formulas():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 4, 4, 3)).astype("float32")
    u = rng.uniform(size=(2, 3)).astype("float32")
    expected = x + (u[:, 0] - 0.5).reshape(-1, 1, 1, 1)
    mean = expected.mean(axis=-1, keepdims=True)
    expected = (expected - mean) * (2 * u[:, 1]).reshape(-1, 1, 1, 1) + mean
    mean = expected.mean(axis=(1, 2, 3), keepdims=True)
    expected = (expected - mean) * (u[:, 2] + 0.5).reshape(-1, 1, 1, 1) + mean
    np.testing.assert_allclose(numpy(DiffAugment("color")(x, u)), expected, rtol=1e-5, atol=1e-5)


def test_policy_order_and_random_value_count():
    augment = DiffAugment("color,translation,cutout")
    assert augment.random_values_per_image == 7
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(augment))
    assert restored.get_config() == augment.get_config()


def test_generator_gradient_flows_through_the_augmentation():
    # d sum(T(x) * w) / dx is finite and non-zero for every transform.
    from keras_gans.backend import gradients

    augment = DiffAugment("color,translation,cutout")
    x = np.random.default_rng(1).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
    u = np.full((2, 7), 0.3, "float32")
    weights = ops.convert_to_tensor(np.random.default_rng(2).normal(size=(1, 8, 8, 1)).astype("float32"))
    grad = numpy(gradients.input_gradient(lambda images: ops.sum(augment(images, u) * weights), x))
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0
    # Finite difference at one pixel that the cutout leaves in place.
    eps = 1e-2
    bumped = x.copy()
    bumped[0, 0, 7, 0] += eps
    f = lambda images: float(numpy(ops.sum(augment(images, u) * weights)))  # noqa: E731
    assert grad[0, 0, 7, 0] == pytest.approx((f(bumped) - f(x)) / eps, rel=2e-2, abs=1e-3)


@pytest.mark.parametrize("kwargs, match", [({"policy": "colour"}, "Unknown DiffAugment policy"),
                                           ({"policy": ""}, "Unknown DiffAugment policy"),
                                           ({"cutout_ratio": 0.0}, "cutout_ratio")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DiffAugment(**kwargs)


# --- Called with images alone --------------------------------------------------------


IMAGES = np.random.default_rng(4).uniform(-1, 1, (6, 8, 8, 3)).astype("float32")


def test_images_alone_draw_seeded_values_equal_to_the_two_argument_call():
    augment = DiffAugment("color,translation,cutout")
    out = numpy(augment(IMAGES, seed=0))
    np.testing.assert_array_equal(out, numpy(augment(IMAGES, seed=0)))  # an int seed repeats
    values = numpy(augment.sample_random_values(len(IMAGES), seed=0))
    assert values.shape == (6, 7) and values.min() >= 0.0 and values.max() < 1.0
    np.testing.assert_array_equal(out, numpy(augment(IMAGES, values)))
    assert np.abs(out - numpy(augment(IMAGES, seed=1))).max() > 0.1
    assert numpy(augment(IMAGES)).shape == IMAGES.shape  # no seed at all: Keras's global generator


def test_a_seed_generator_advances_and_replays_from_its_seed():
    augment = DiffAugment("translation")
    first_seed, second_seed = keras.random.SeedGenerator(3), keras.random.SeedGenerator(3)
    first = [numpy(augment(IMAGES, seed=first_seed)) for _ in range(2)]
    assert np.abs(first[0] - first[1]).max() > 0  # the generator advanced
    replay = numpy(augment.sample_random_values(len(IMAGES), seed=second_seed))
    np.testing.assert_array_equal(first[0], numpy(augment(IMAGES, replay)))


@pytest.mark.parametrize("call, match", [
    (lambda a: a(IMAGES, np.zeros((6, 2), "float32"), seed=0), "either `random_values` or `seed`"),
    (lambda a: a(IMAGES, np.zeros((6, 3), "float32")), r"takes 2 random values per image"),
])
def test_bad_calls(call, match):
    with pytest.raises(ValueError, match=match):
        call(DiffAugment("translation"))


class _RecordingDiffAugment(DiffAugment):
    calls = []

    def __call__(self, images, random_values=None, seed=None):
        type(self).calls.append((random_values is None, seed))
        return super().__call__(images, random_values, seed)


def _tiny_gan(augmentation):
    import keras_gans

    G = keras.Sequential([keras.Input((3,)), keras.layers.Dense(48, kernel_initializer=keras.initializers.RandomNormal(seed=1)),
                          keras.layers.Reshape((4, 4, 3))])
    D = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(),
                          keras.layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(seed=2))])
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=3, seed=0, augmentation=augmentation)
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.1), discriminator_optimizer=keras.optimizers.SGD(0.1))
    return gan


def test_inside_the_gan_the_values_come_from_the_training_seed():
    # The GAN passes values it drew from its own seed: training does not
    # depend on Keras's global seed (which a call with images alone would use).
    x = np.random.default_rng(5).uniform(-1, 1, (8, 4, 4, 3)).astype("float32")
    _RecordingDiffAugment.calls.clear()
    weights = []
    for global_seed in (1, 2):
        keras.utils.set_random_seed(global_seed)
        gan = _tiny_gan(_RecordingDiffAugment("color,translation,cutout"))
        gan.fit(x, epochs=1, batch_size=8, shuffle=False, verbose=0)
        weights.append([numpy(w) for w in gan.weights])
    assert _RecordingDiffAugment.calls and all(
        not drew and seed is None for drew, seed in _RecordingDiffAugment.calls
    )
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
