"""Gradients for the GAN train step, on the backend Keras was imported with.

Keras 3 has no public backend-agnostic gradient function, so keras-gans
implements the few operations a GAN step needs once per backend, in
`keras_gans/backend/{jax,torch,tensorflow}.py` (one `GradientBackend`
subclass each, `keras_gans/backend/base.py` being the interface). The
module for `keras.backend.backend()` is chosen once, when
`keras_gans.backend` is imported; this module re-exports its operations:

- `value_and_grad(loss_fn, values)`: gradients of a scalar loss w.r.t. a list
  of variable values, averaged over replicas (tf.distribute, torch.distributed).
- `input_gradient(fn, inputs)`: a differentiable d sum(fn(x)) / dx, for the
  WGAN-GP penalty (a second-order gradient).
- `stateless_call(model, trainable_values, non_trainable_values, inputs,
  training, return_losses)`: `model.stateless_call`, with fewer Python calls
  on PyTorch (`keras_gans.backend.direct_call`).
- `apply_gradients(optimizer, grads, variables)`: optimizer update outside
  any gradient recording.
- `no_gradient_recording()`: a context that skips building a graph for work
  whose gradient is never needed (the generator pass of a discriminator step).
- `draw_random(sampler, shape, seed_generator)`: one random draw of the
  step (`keras.random`; on PyTorch without reading the seed from the device).
- `every_nth_step(counter, interval)`: whether an integer variable (an
  optimizer's `iterations`) is a multiple of `interval`, for lazy penalties.
- `replica_context()`: `(replica_id, num_replicas)`, so random draws can be
  made for the global batch and sliced per replica.
- `process_context()`: `(process_index, num_processes)` of this Python
  process, for sharding data and choosing which process writes files.
- `mean_over_processes(values)`: averages logged values over torch.distributed
  processes (each process only sees its shard of the global batch).
- `broadcast_from_primary(variables)`: copies process 0's variable values to
  every torch.distributed process.
- `repeat(model, step_fn, num_steps)`: runs a stateful step several times,
  as one traced loop on JAX and TensorFlow (WGAN-GP's critic steps).
- `run_stateful_step(model, step_fn, args, training)`: adapts a step written
  against stateful Keras variables to the JAX trainer's `(state, data)` API.
- `torch_distributed_active()`: True inside a multi-process torch.distributed run.

Each is documented on `keras_gans.backend.base.GradientBackend`. Everything
else in the library is `keras.ops` and public Keras API.
"""

from keras_gans.backend import BACKEND, active_backend

_backend = active_backend()

value_and_grad = _backend.value_and_grad
input_gradient = _backend.input_gradient
apply_gradients = _backend.apply_gradients
no_gradient_recording = _backend.no_gradient_recording
draw_random = _backend.draw_random
every_nth_step = _backend.every_nth_step
replica_context = _backend.replica_context
process_context = _backend.process_context
mean_over_processes = _backend.mean_over_processes
broadcast_from_primary = _backend.broadcast_from_primary
run_stateful_step = _backend.run_stateful_step
repeat = _backend.repeat
stateless_call = _backend.stateless_call
torch_distributed_active = _backend.torch_distributed_active

__all__ = [
    "BACKEND",
    "apply_gradients",
    "broadcast_from_primary",
    "draw_random",
    "every_nth_step",
    "input_gradient",
    "mean_over_processes",
    "no_gradient_recording",
    "process_context",
    "repeat",
    "replica_context",
    "run_stateful_step",
    "stateless_call",
    "torch_distributed_active",
    "value_and_grad",
]
