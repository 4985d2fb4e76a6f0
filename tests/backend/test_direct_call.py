"""`direct_call.stateless_call` returns exactly what `model.stateless_call` does.

PyTorch's GAN step runs its models through it; it is plain Keras code, so
these tests run on every backend (eagerly).
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_gans import architectures
from keras_gans.backend import direct_call, gradients


def _conditional(builder):
    return lambda **kwargs: builder(num_classes=3, **kwargs)


MODELS = {
    "mlp_generator": lambda: architectures.mlp_generator(latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8, 8), seed=1),
    "mlp_discriminator": lambda: architectures.mlp_discriminator(image_shape=(8, 8, 1), hidden_units=(8, 8), seed=2),
    "conditional_mlp_generator": lambda: architectures.mlp_generator(
        latent_dim=4, image_shape=(8, 8, 1), num_classes=3, hidden_units=(8,), seed=3),
    "conditional_mlp_discriminator": lambda: architectures.mlp_discriminator(
        image_shape=(8, 8, 1), num_classes=3, hidden_units=(8,), seed=4),
    "dcgan_generator": lambda: architectures.dcgan_generator(latent_dim=4, base_filters=4, seed=5),
    "conditional_dcgan_generator": lambda: architectures.dcgan_generator(
        latent_dim=4, num_classes=3, base_filters=4, seed=6),
    **{
        f"dcgan_discriminator_{norm}": (
            lambda norm=norm: architectures.dcgan_discriminator(base_filters=4, normalization=norm, seed=7)
        )
        for norm in ("batch", "layer", "spectral", None)
    },
    "conditional_dcgan_discriminator": lambda: architectures.dcgan_discriminator(
        num_classes=3, base_filters=4, seed=8),
}


def _inputs(model, batch=5):
    rng = np.random.default_rng(0)
    inputs = []
    for tensor in model.inputs:
        shape = (batch,) + tuple(tensor.shape[1:])
        if "int" in str(tensor.dtype):
            inputs.append(rng.integers(0, 3, size=shape).astype("int32"))
        else:
            inputs.append(rng.uniform(-1, 1, size=shape).astype("float32"))
    return [ops.convert_to_tensor(x) for x in inputs] if len(inputs) > 1 else ops.convert_to_tensor(inputs[0])


def _values(model):
    return [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables]


def _run(call, model, inputs, training, return_losses):
    """Outputs, new state, losses and d sum(outputs^2) / d trainable values."""
    trainable, non_trainable = _values(model)

    def loss_fn(values):
        result = call(model, values, non_trainable, inputs, training=training, return_losses=return_losses)
        outputs = result[0]
        loss = ops.sum(ops.square(outputs))
        if return_losses:
            loss = loss + sum(ops.sum(x) for x in result[2])
        return loss, result

    (_, result), grads = gradients.value_and_grad(loss_fn, trainable)
    return result, grads


def _keras_stateless_call(model, *args, **kwargs):
    return model.stateless_call(*args, **kwargs)


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(ops.convert_to_numpy(x), ops.convert_to_numpy(y))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_same_outputs_state_losses_and_gradients_as_keras(name, training):
    model = MODELS[name]()
    inputs = _inputs(model)
    expected, expected_grads = _run(_keras_stateless_call, model, inputs, training, True)
    got, got_grads = _run(direct_call.stateless_call, model, inputs, training, True)
    _assert_same([expected[0]], [got[0]])
    _assert_same(expected[1], got[1])           # BatchNorm statistics, spectral-norm vectors
    _assert_same(expected[2], got[2])
    _assert_same(expected_grads, got_grads)
    if training and any("batch_norm" in v.path or "moving" in v.path for v in model.non_trainable_variables):
        # The comparison is not vacuous: training moved the statistics.
        assert any(
            not np.array_equal(ops.convert_to_numpy(new), ops.convert_to_numpy(old.value))
            for new, old in zip(got[1], model.non_trainable_variables)
        )


def test_most_layers_of_the_builders_skip_layer_call():
    model = MODELS["dcgan_discriminator_batch"]()
    direct = [layer for layer in model.layers if direct_call._calls_directly(layer)]
    assert {type(layer).__name__ for layer in direct} >= {"Conv2D", "BatchNormalization", "LeakyReLU", "Dense"}


def _with_regularizers():
    inputs = keras.Input((6,))
    x = keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L2(0.3), name="weights")(inputs)
    x = keras.layers.Dense(3, activity_regularizer=keras.regularizers.L1(0.2), name="activity")(x)
    x = keras.layers.Dropout(0.0)(x)
    return keras.Model(inputs, keras.layers.Dense(1, bias_regularizer=keras.regularizers.L2(0.1))(x))


def test_layer_losses_match_and_activity_regularizers_still_apply():
    model = _with_regularizers()
    assert not direct_call._calls_directly(model.get_layer("activity"))
    assert direct_call._calls_directly(model.get_layer("weights"))
    inputs = ops.convert_to_tensor(np.random.default_rng(1).normal(size=(4, 6)).astype("float32"))
    expected, expected_grads = _run(_keras_stateless_call, model, inputs, True, True)
    got, got_grads = _run(direct_call.stateless_call, model, inputs, True, True)
    assert len(got[2]) == 3   # activity, kernel and bias regularizers
    _assert_same(expected[2], got[2])
    _assert_same(expected_grads, got_grads)


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2)

    def call(self, inputs, training=None):
        return self.dense(inputs) * 2.0


def test_sequential_and_subclassed_models_give_keras_results():
    sequential = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                                   keras.layers.Dense(1)])
    subclassed = _Subclassed()
    subclassed(np.ones((1, 3), "float32"))
    assert direct_call._functional_graph(sequential) is not None
    assert direct_call._functional_graph(subclassed) is None   # goes through model.stateless_call
    inputs = ops.convert_to_tensor(np.ones((2, 3), "float32"))
    for model in (sequential, subclassed):
        expected, expected_grads = _run(_keras_stateless_call, model, inputs, True, False)
        got, got_grads = _run(direct_call.stateless_call, model, inputs, True, False)
        _assert_same([expected[0]] + list(expected[1]), [got[0]] + list(got[1]))
        _assert_same(expected_grads, got_grads)


def test_mixed_precision_layers_go_through_layer_call():
    layer = keras.layers.Dense(2, dtype="mixed_float16")
    layer.build((None, 3))
    assert not direct_call._calls_directly(layer)


def test_disabled_goes_through_keras_stateless_call(monkeypatch):
    model = MODELS["mlp_discriminator"]()
    calls = []
    original = type(model).stateless_call
    monkeypatch.setattr(type(model), "stateless_call", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    trainable, non_trainable = _values(model)
    inputs = _inputs(model)
    direct_call.stateless_call(model, trainable, non_trainable, inputs, training=True)
    assert calls == []
    with direct_call.disabled():
        direct_call.stateless_call(model, trainable, non_trainable, inputs, training=True)
    assert calls == [1]
    direct_call.stateless_call(model, trainable, non_trainable, inputs, training=True)
    assert calls == [1]


def _train_dcgan(monkeypatch, call):
    from tests.helpers import make_dcgan, snapshot

    monkeypatch.setattr(gradients, "stateless_call", call)
    gan = make_dcgan()
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3),
        discriminator_optimizer=keras.optimizers.Adam(1e-3),
    )
    images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    gan.fit(images, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return snapshot(gan.generator.variables) + snapshot(gan.discriminator.variables)


def test_a_gan_trains_the_same_weights_through_direct_calls(monkeypatch):
    """4 steps of a BatchNorm DCGAN, every model call direct vs through Keras: same weights."""
    direct = _train_dcgan(monkeypatch, direct_call.stateless_call)
    keras_path = _train_dcgan(monkeypatch, _keras_stateless_call)
    _assert_same(direct, keras_path)
