"""The backend package: one module per framework, chosen once, and no
framework code anywhere else in keras_gans."""

import importlib
import pathlib
import re

import keras
import numpy as np
from keras import ops

import keras_gans
from keras_gans import backend
from keras_gans.backend import base, gradients

PACKAGE = pathlib.Path(keras_gans.__file__).resolve().parent
FRAMEWORK_IMPORT = re.compile(r"^\s*(import|from)\s+(tensorflow|torch|jax|jaxlib|optax|flax)\b", re.M)
BACKEND_BRANCH = re.compile(r"backend\(\)\s*[!=]=|BACKEND\s*[!=]=")


def test_active_module_is_the_keras_backend():
    active = backend.active_backend()
    assert active.name == keras.backend.backend() == gradients.BACKEND
    assert isinstance(active, base.GradientBackend)
    module = importlib.import_module(f"keras_gans.backend.{keras.backend.backend()}")
    assert type(active).__module__ == module.__name__


def test_gradients_keeps_every_function_of_the_interface():
    names = ("value_and_grad", "input_gradient", "apply_gradients", "no_gradient_recording",
             "replica_context", "process_context", "mean_over_processes",
             "broadcast_from_primary", "run_stateful_step", "torch_distributed_active",
             "stateless_call")
    for name in names:
        function = getattr(gradients, name)
        assert callable(function)
        assert getattr(function, "__self__", None) is backend.active_backend(), name
        # Documented once, on the interface.
        assert getattr(base.GradientBackend, name).__doc__, name


def test_no_framework_code_outside_the_backend_package():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "backend" and path.parent.parent == PACKAGE:
            continue
        text = path.read_text()
        if FRAMEWORK_IMPORT.search(text) or BACKEND_BRANCH.search(text):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_base_module_imports_no_framework():
    text = (PACKAGE / "backend" / "base.py").read_text()
    assert not FRAMEWORK_IMPORT.search(text)


def test_single_process_defaults():
    assert gradients.replica_context() == (0, 1)
    assert gradients.process_context() == (0, 1)
    assert gradients.torch_distributed_active() is False
    values = [ops.convert_to_tensor(1.5)]
    assert gradients.mean_over_processes(values) is values


def test_value_and_grad_closed_form():
    # loss = sum(w * x)^2 / 2 over w: grad = (w . x) x; an unused value gets zeros.
    w = keras.Variable(np.array([1.0, 2.0], "float32"))
    unused = keras.Variable(np.array([3.0], "float32"))
    x = ops.convert_to_tensor(np.array([0.5, -1.0], "float32"))

    def loss_fn(values):
        dot = ops.sum(values[0] * x)
        return 0.5 * dot * dot, dot

    (loss, aux), grads = gradients.value_and_grad(loss_fn, [w.value, unused.value])
    assert np.isclose(float(loss), 0.5 * 1.5 ** 2)
    assert np.isclose(float(aux), -1.5)
    np.testing.assert_allclose(ops.convert_to_numpy(grads[0]), [-0.75, 1.5], rtol=1e-6)
    np.testing.assert_array_equal(ops.convert_to_numpy(grads[1]), [0.0])


def test_input_gradient_is_differentiable_in_the_weights():
    # f(x) = w * x^2 summed: d f / dx = 2 w x; d/dw of sum(2 w x) = 2 sum(x).
    x = ops.convert_to_tensor(np.array([1.0, 3.0], "float32"))
    w = keras.Variable(np.array(0.5, "float32"))

    def loss_fn(values):
        g = gradients.input_gradient(lambda inputs: values[0] * inputs * inputs, x)
        return ops.sum(g), g

    (loss, g), (dw,) = gradients.value_and_grad(loss_fn, [w.value])
    np.testing.assert_allclose(ops.convert_to_numpy(g), [1.0, 3.0], rtol=1e-6)
    assert np.isclose(float(loss), 4.0)
    assert np.isclose(float(dw), 8.0)
