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
