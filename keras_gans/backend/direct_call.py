"""`Layer.stateless_call` with fewer Python calls, for eager backends.

On PyTorch every op runs eagerly, so every Python call of a step costs
time on every step. In a functional model, each layer call goes through
`Layer.__call__`, which before reaching `Layer.call` converts and
autocasts the inputs, opens a call context, resolves `training`, applies
the activity regularizer and handles masks; for the small layers of a GAN
that bookkeeping costs more than the arithmetic (a cProfile of the 8x8
digits step on CPU spent about 60% of its time in `Layer.__call__`).

`stateless_call(model, ...)` returns exactly what
`model.stateless_call(...)` returns. It walks the same functional graph
inside the same `keras.StatelessScope` (so BatchNorm updates, `add_loss`
and weight-regularizer losses are collected as usual), but calls
`layer.call` directly for the layers listed in `DIRECT_LAYER_TYPES` when
that bookkeeping has nothing to do: float32 policy, no activity
regularizer, no masks, no rematerialization, no torch hooks. Every other
layer (a subclass, a nested model, the spectral-norm wrapper, ...) goes
through `Layer.__call__` as before, and a model that is not functional
goes through `model.stateless_call`. `tests/backend/test_direct_call.py`
checks outputs, new states, losses and gradients against
`model.stateless_call` for every architecture builder.

On JAX and TensorFlow the step is traced once, so this bookkeeping runs
only while tracing; those backends keep `model.stateless_call`.
"""

import contextlib

import keras

try:  # Keras's functional class is not public API: without it, plain stateless_call.
    from keras.src.models.functional import Functional
except ImportError:  # pragma: no cover - other Keras versions
    Functional = None

# Layers whose `__call__` adds nothing to `call` under the conditions of
# `_calls_directly`. Exact types: a subclass may override `__call__`.
DIRECT_LAYER_TYPES = (
    keras.layers.Activation,
    keras.layers.BatchNormalization,
    keras.layers.Concatenate,
    keras.layers.Conv2D,
    keras.layers.Conv2DTranspose,
    keras.layers.Dense,
    keras.layers.Embedding,
    keras.layers.Flatten,
    keras.layers.Identity,
    keras.layers.LayerNormalization,
    keras.layers.LeakyReLU,
    keras.layers.ReLU,
    keras.layers.Reshape,
)


_enabled = True


@contextlib.contextmanager
def disabled():
    """Within it, `stateless_call` is plain `model.stateless_call` (to compare speed).

    Example:

    ```python
    with keras_gans.backend.direct_call.disabled():
        gan.fit(images, epochs=1)   # every layer through Layer.__call__
    ```
    """
    global _enabled
    previous, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = previous


def _calls_directly(layer):
    if type(layer) not in DIRECT_LAYER_TYPES or not layer.built or not hasattr(layer, "_call_has_training_arg"):
        return False
    if layer.dtype_policy.name != "float32" or getattr(layer, "activity_regularizer", None) is not None:
        return False
    if getattr(layer, "_remat_mode", None) is not None or getattr(layer, "mask_zero", False):
        return False
    # torch.nn.Module hooks run only through `__call__`.
    return not (getattr(layer, "_forward_hooks", None) or getattr(layer, "_forward_pre_hooks", None))


def _functional_graph(model):
    """The functional graph that `model.call` runs, or None."""
    if model.dtype_policy.quantization_mode is not None or getattr(model, "_remat_mode", None) is not None:
        return None
    model_type, graph = type(model), None
    if Functional is not None and isinstance(model, Functional) and model_type.call is Functional.call:
        graph = model
    elif isinstance(model, keras.Sequential) and model_type.call is keras.Sequential.call:
        # A built `keras.Sequential` runs a functional model of its layers.
        graph = getattr(model, "_functional", None)
    if graph is None or not (hasattr(graph, "_run_through_graph") and hasattr(graph, "_standardize_inputs")):
        return None
    return graph


def _direct_operation(training):
    def operation_fn(operation):
        if _calls_directly(operation):
            if training is not None and operation._call_has_training_arg:
                return lambda *args, **kwargs: operation.call(*args, training=training, **kwargs)
            return operation.call
        # As `Functional.call` does: `training` goes to ops that take it.
        def call(*args, **kwargs):
            if training is not None and "training" in getattr(operation, "_call_context_args", {}):
                kwargs["training"] = training
            return operation(*args, **kwargs)

        return call

    return operation_fn


def stateless_call(model, trainable_values, non_trainable_values, inputs, training=None, return_losses=False):
    """Same as `model.stateless_call(trainable_values, non_trainable_values,
    inputs, training=training, return_losses=return_losses)`.

    The PyTorch backend's `GradientBackend.stateless_call` (an example is
    there); callable on any backend.
    """
    graph = _functional_graph(model) if _enabled and model.built else None
    # Keras rebuilds these lists on every access: read them once.
    trainable, non_trainable = model.trainable_variables, model.non_trainable_variables
    if graph is None or len(trainable_values) != len(trainable) or len(non_trainable_values) != len(non_trainable):
        return model.stateless_call(
            trainable_values, non_trainable_values, inputs, training=training, return_losses=return_losses
        )
    mapping = list(zip(trainable, trainable_values)) + list(zip(non_trainable, non_trainable_values))
    with keras.StatelessScope(state_mapping=mapping, collect_losses=return_losses) as scope:
        outputs = graph._run_through_graph(graph._standardize_inputs(inputs), operation_fn=_direct_operation(training))
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        losses = model.losses if return_losses else None
    new_non_trainable = [scope.get_current_value(v) for v in non_trainable]
    if return_losses:
        return outputs, new_non_trainable, losses
    return outputs, new_non_trainable
