"""Gradients for the GAN train step: the only backend-specific code in keras-gans.

Keras 3 has no public backend-agnostic gradient function, so this module
implements the few gradient operations a GAN step needs on each backend:

- `value_and_grad(loss_fn, values)`: gradients of a scalar loss w.r.t. a list
  of variable values, averaged over replicas (tf.distribute, torch.distributed).
- `input_gradient(fn, inputs)`: a differentiable d sum(fn(x)) / dx, for the
  WGAN-GP penalty (a second-order gradient).
- `apply_gradients(optimizer, grads, variables)`: optimizer update outside
  any gradient recording.
- `no_gradient_recording()`: a context that skips building a graph for work
  whose gradient is never needed (the generator pass of a discriminator step).
- `replica_context()`: `(replica_id, num_replicas)`, so random draws can be
  made for the global batch and sliced per replica.
- `process_context()`: `(process_index, num_processes)` of this Python
  process, for sharding data and choosing which process writes files.
- `mean_over_processes(values)`: averages logged values over torch.distributed
  processes (each process only sees its shard of the global batch).
- `broadcast_from_primary(variables)`: copies process 0's variable values to
  every torch.distributed process.
- `run_stateful_step(model, step_fn, args, training)`: adapts a step written
  against stateful Keras variables to the JAX trainer's `(state, data)` API.

Everything else in the library is `keras.ops` and public Keras API.
"""

import contextlib

import keras

BACKEND = keras.backend.backend()

if BACKEND == "tensorflow":
    import tensorflow as tf
elif BACKEND == "torch":
    import torch
    import torch.distributed as torch_dist
elif BACKEND == "jax":
    import jax
    import jax.numpy as jnp
else:  # pragma: no cover - numpy/openvino backends cannot train
    raise ImportError(
        f"keras-gans trains on the tensorflow, torch and jax backends; "
        f"KERAS_BACKEND={BACKEND!r} cannot compute gradients."
    )


def torch_distributed_active():
    """True when torch.distributed is initialised with more than one process."""
    return (
        BACKEND == "torch"
        and torch_dist.is_available()
        and torch_dist.is_initialized()
        and torch_dist.get_world_size() > 1
    )


def replica_context():
    """Returns `(replica_id, num_replicas)` for the code running now.

    `replica_id` is a Python int or (under `tf.distribute`) a scalar tensor.
    On JAX, `keras.distribution` shards one global computation, so there is
    one replica from the step's point of view.
    """
    if BACKEND == "tensorflow":
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return 0, 1
        return context.replica_id_in_sync_group, context.num_replicas_in_sync
    if torch_distributed_active():
        return torch_dist.get_rank(), torch_dist.get_world_size()
    return 0, 1


def process_context():
    """Returns `(process_index, num_processes)` of this Python process.

    Only torch.distributed runs one training process per device. Under
    `tf.distribute.MirroredStrategy` and `keras.distribution` one process
    drives every device and Keras splits each global batch itself, so this is
    `(0, 1)` there (on multi-host JAX it is `jax.process_index()`/`_count()`).
    """
    if BACKEND == "torch":
        if torch_dist.is_available() and torch_dist.is_initialized():
            return torch_dist.get_rank(), torch_dist.get_world_size()
        return 0, 1
    if BACKEND == "jax":
        return jax.process_index(), jax.process_count()
    return 0, 1


def mean_over_processes(values):
    """Averages a list of scalar tensors over torch.distributed processes.

    Each torch process computes its losses on its own shard; the mean over
    processes is the loss of the global batch (shards have equal sizes).
    Elsewhere this is the identity: JAX computes on the global batch, and
    under tf.distribute Keras's metrics (SUM-aggregated, on-read synced)
    already average the replicas.
    """
    if not torch_distributed_active():
        return values
    with torch.no_grad():
        packed = torch.stack([torch.as_tensor(v, dtype=torch.float32).detach().reshape(()) for v in values])
        torch_dist.all_reduce(packed, op=torch_dist.ReduceOp.SUM)
        packed = packed / torch_dist.get_world_size()
    return list(packed.unbind(0))


def broadcast_from_primary(variables):
    """Sets every torch.distributed process's variables to process 0's values.

    Processes that build their models from unseeded initialisers start from
    different weights; averaged gradients would then keep them apart. A no-op
    elsewhere (one process holds the variables).
    """
    if not torch_distributed_active():
        return
    with torch.no_grad():
        for variable in variables:
            value = variable.value.detach().clone().contiguous()
            torch_dist.broadcast(value, src=0)
            variable.assign(value)


def value_and_grad(loss_fn, values):
    """Computes `loss_fn(values)` and its gradient w.r.t. `values`.

    Args:
        loss_fn: callable `values -> (loss, aux)`, `loss` a scalar tensor.
        values: list of variable values (`[v.value for v in variables]`).

    Returns:
        `((loss, aux), grads)`; `grads` has one tensor per value (zeros for
        values that do not affect the loss) and is the mean over replicas.

    Example (inside a custom train step, on any backend):

    ```python
    variables = model.trainable_variables
    non_trainable = [v.value for v in model.non_trainable_variables]

    def loss_fn(values):
        outputs, new_non_trainable = model.stateless_call(values, non_trainable, x, training=True)
        return ops.mean(ops.square(outputs - y)), new_non_trainable

    (loss, new_non_trainable), grads = value_and_grad(loss_fn, [v.value for v in variables])
    apply_gradients(optimizer, grads, variables)
    ```
    """
    if BACKEND == "jax":
        return jax.value_and_grad(loss_fn, has_aux=True)(values)
    if BACKEND == "tensorflow":
        with tf.GradientTape() as tape:
            for value in values:
                tape.watch(value)
            loss, aux = loss_fn(values)
            # Keras's TF optimizer all-reduces gradients by SUM across
            # replicas; scaling here turns that sum into a mean.
            _, num_replicas = replica_context()
            scaled_loss = loss / num_replicas if num_replicas > 1 else loss
        grads = tape.gradient(
            scaled_loss, values, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        return (loss, aux), grads
    loss, aux = loss_fn(values)
    grads = torch.autograd.grad(loss, values, allow_unused=True)
    grads = [
        torch.zeros_like(value) if grad is None else grad
        for grad, value in zip(grads, values)
    ]
    if torch_distributed_active():
        world_size = torch_dist.get_world_size()
        for grad in grads:
            torch_dist.all_reduce(grad, op=torch_dist.ReduceOp.SUM)
            grad.div_(world_size)
    return (loss.detach(), aux), grads


def input_gradient(fn, inputs):
    """Differentiable gradient of `sum(fn(inputs))` w.r.t. `inputs`.

    The result can itself be differentiated w.r.t. the variables `fn` uses,
    which is what a gradient penalty needs.

    Example:

    ```python
    grads = input_gradient(critic, interpolated_images)   # same shape as the images
    ```
    """
    inputs = keras.ops.convert_to_tensor(inputs)
    if BACKEND == "jax":
        return jax.grad(lambda x: jnp.sum(fn(x)))(inputs)
    if BACKEND == "tensorflow":
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = fn(inputs)
        return tape.gradient(outputs, inputs)
    # enable_grad: Keras runs `test_step` under no_grad, and the penalty
    # needs this gradient in validation too.
    with torch.enable_grad():
        inputs = inputs.detach().requires_grad_(True)
        outputs = fn(inputs)
        return torch.autograd.grad(outputs.sum(), inputs, create_graph=True)[0]


def no_gradient_recording():
    """Context for forward passes whose gradients are never taken."""
    if BACKEND == "torch":
        return torch.no_grad()
    return contextlib.nullcontext()


def apply_gradients(optimizer, grads, variables):
    """`optimizer.apply(grads, variables)` outside gradient recording."""
    with no_gradient_recording():
        optimizer.apply(grads, variables)


def _state_variable_groups(model, training):
    # The layout of the JAX trainer's `state` tuple (keras/src/backend/jax/trainer.py).
    groups = [model.trainable_variables, model.non_trainable_variables]
    if training:
        groups.append(model.optimizer.variables)
    groups.append(model.metrics_variables)
    return groups


def run_stateful_step(model, step_fn, args, training=True):
    """Runs `step_fn(data)`, written with stateful variables, on any backend.

    On TensorFlow and PyTorch, `train_step(data)` is called with live
    variables: this just calls `step_fn(data)`. On JAX, `train_step(state,
    data)` must be pure: one outer `StatelessScope` maps every state variable
    to its value in `state`, the step's assignments are recorded in that
    scope, and the new state is read back from it.
    """
    if BACKEND != "jax":
        (data,) = args
        return step_fn(data)
    state, data = args
    groups = _state_variable_groups(model, training)
    mapping = [
        (variable, value)
        for variables, values in zip(groups, state)
        for variable, value in zip(variables, values)
    ]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        logs = step_fn(data)
    new_state = tuple(
        [scope.get_current_value(variable) for variable in variables]
        for variables in groups
    )
    return logs, new_state
