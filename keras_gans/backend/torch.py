"""The PyTorch backend: `torch.autograd.grad`, `torch.distributed` processes.

Eager speed: the models run through `keras_gans.backend.direct_call`, which
skips `Layer.__call__`'s bookkeeping for plain float32 layers (same outputs,
states, losses and gradients as `stateless_call`).

Compiled setting: none; `jit_compile=True` (torch.compile of `train_step`)
crashed in our step on an H200 (2026-11-30). torch's AOTAutograd cannot differentiate twice through compiled code
("torch.compile with aot_autograd does not currently support double
backward"), so WGAN-GP and R1 stay eager; on CPU compiling took minutes and
gained nothing measurable (benchmarks/README.md).

A step that never waits for the device: nothing in `train_step` reads a
tensor back to Python. Keras 3.15's torch `keras.random` builds a new
`torch.Generator` per draw and seeds it with `int(first_seed + second_seed)`,
a read of the seed tensor (on CUDA, a wait for every queued kernel). Here
the step's draws use one `torch.Generator` per device, reseeded from a
host-side copy of the `SeedGenerator` state (`_HostMirror`): the same seed
and the same numbers as `keras.random`, and the device state still advances,
so saving and resuming are unchanged. The copy is read from the device once,
and again only after something else wrote the state (loading a checkpoint,
`state.assign`): torch's version counter of the tensor tells.
`tests/backend/test_host_reads.py` counts host reads around `train_step`.
"""

import weakref

import keras
import torch
import torch.distributed as torch_dist

from keras_gans.backend import direct_call
from keras_gans.backend.base import GradientBackend

try:  # Not public API: without it, draws inside a StatelessScope are not detected.
    from keras.src.backend.common.stateless_scope import in_stateless_scope
except ImportError:  # pragma: no cover - other Keras versions
    def in_stateless_scope():
        return False

try:  # The class `keras.optimizers.Adam()` returns on torch (not public API).
    from keras.src.backend.torch.optimizers.torch_adam import Adam as _TorchAdam
except ImportError:  # pragma: no cover - other Keras versions: Optimizer.apply
    _TorchAdam = None

_INT32_SPAN = 2**32


def _wrap_int32(value):
    return (value + 2**31) % _INT32_SPAN - 2**31


class _HostMirror:
    """Python copies of small integer tensors, kept without reading the device.

    An entry is valid while the tensor is the same object with the same
    storage and torch's in-place version counter (`Tensor._version`, host
    metadata) is the one recorded: a write by anyone else invalidates it,
    and the next `read` costs one host read.
    """

    def __init__(self):
        self._entries = {}

    def _valid_entry(self, tensor):
        entry = self._entries.get(id(tensor))
        if entry is None or entry[0]() is not tensor:
            return None
        if entry[1] != tensor.data_ptr() or entry[2] != tensor._version:
            return None
        return entry

    def read(self, tensor):
        """The tensor's values as Python ints (read from the device if stale)."""
        entry = self._valid_entry(tensor)
        if entry is None:
            values = tensor.tolist()
            self.record(tensor, values)
            return values
        return entry[3]

    def record(self, tensor, values):
        """Stores `values` as the tensor's content as of now."""
        key = id(tensor)

        def forget(ref, key=key):
            entry = self._entries.get(key)
            if entry is not None and entry[0] is ref:
                del self._entries[key]

        self._entries[key] = (weakref.ref(tensor, forget), tensor.data_ptr(), tensor._version, values)

    def knows(self, tensor):
        return self._valid_entry(tensor) is not None


# The `keras.random` samplers drawn without a host read, as Keras draws them
# (keras/src/backend/torch/random.py): `uniform`'s `1 * rand + 0` is `rand`.
_SAMPLERS = {keras.random.normal: "normal", keras.random.uniform: "uniform"}


class TorchBackend(GradientBackend):
    name = "torch"

    def __init__(self):
        self._mirror = _HostMirror()
        self._generators = {}
        self._seed_increments = {}
        self._scalars = {}

    # --- Random draws and step counters ------------------------------------------

    def _generator(self, device):
        generator = self._generators.get(device)
        if generator is None:
            generator = self._generators[device] = torch.Generator(device=device)
        return generator

    def _seed_increment(self, tensor):
        key = (tensor.device, tensor.dtype)
        increment = self._seed_increments.get(key)
        if increment is None:
            increment = self._seed_increments[key] = torch.tensor([0, 1], dtype=tensor.dtype, device=tensor.device)
        return increment

    def draw_random(self, sampler, shape, seed_generator):
        kind = _SAMPLERS.get(sampler)
        # Under torch.compile (`jit_compile=True`) and inside a StatelessScope: Keras's own draw.
        if (kind is None or not isinstance(seed_generator, keras.random.SeedGenerator) or in_stateless_scope()
                or torch.compiler.is_compiling()):
            return super().draw_random(sampler, shape, seed_generator)
        state = seed_generator.state.value
        if state.device.type == "meta":
            return super().draw_random(sampler, shape, seed_generator)
        # As `SeedGenerator.next` and Keras's `torch_seed_generator`: seed
        # with `(first + second) mod 2**32`, then advance `second` by one.
        first, second = self._mirror.read(state)
        generator = self._generator(state.device)
        generator.manual_seed((first + second) % _INT32_SPAN)
        with torch.no_grad():
            state.add_(self._seed_increment(state))
        self._mirror.record(state, [first, _wrap_int32(second + 1)])
        shape = tuple(shape)
        dtype = getattr(torch, keras.config.floatx())
        if kind == "normal":
            return torch.normal(0.0, 1.0, size=shape, generator=generator, dtype=dtype, device=state.device)
        return torch.rand(size=shape, generator=generator, dtype=dtype, device=state.device)

    def every_nth_step(self, counter, interval):
        if in_stateless_scope() or torch.compiler.is_compiling():
            return super().every_nth_step(counter, interval)
        return self._mirror.read(counter.value) % interval == 0

    def torch_distributed_active(self):
        return (
            torch_dist.is_available()
            and torch_dist.is_initialized()
            and torch_dist.get_world_size() > 1
        )

    def replica_context(self):
        if self.torch_distributed_active():
            return torch_dist.get_rank(), torch_dist.get_world_size()
        return 0, 1

    def process_context(self):
        if torch_dist.is_available() and torch_dist.is_initialized():
            return torch_dist.get_rank(), torch_dist.get_world_size()
        return 0, 1

    def mean_over_processes(self, values):
        if not values or not self.torch_distributed_active():
            return values
        with torch.no_grad():
            packed = torch.stack(
                [torch.as_tensor(v, dtype=torch.float32).detach().reshape(()) for v in values]
            )
            torch_dist.all_reduce(packed, op=torch_dist.ReduceOp.SUM)
            packed = packed / torch_dist.get_world_size()
        return list(packed.unbind(0))

    def broadcast_from_primary(self, variables):
        if not self.torch_distributed_active():
            return
        with torch.no_grad():
            for variable in variables:
                value = variable.value.detach().clone().contiguous()
                torch_dist.broadcast(value, src=0)
                variable.assign(value)

    def value_and_grad(self, loss_fn, values):
        loss, aux = loss_fn(values)
        grads = torch.autograd.grad(loss, values, allow_unused=True)
        grads = [
            torch.zeros_like(value) if grad is None else grad
            for grad, value in zip(grads, values)
        ]
        if self.torch_distributed_active():
            world_size = torch_dist.get_world_size()
            for grad in grads:
                torch_dist.all_reduce(grad, op=torch_dist.ReduceOp.SUM)
                grad.div_(world_size)
        return (loss.detach(), aux), grads

    def input_gradient(self, fn, inputs):
        # enable_grad: Keras runs `test_step` under no_grad, and the penalty
        # needs this gradient in validation too.
        with torch.enable_grad():
            inputs = keras.ops.convert_to_tensor(inputs).detach().requires_grad_(True)
            outputs = fn(inputs)
            return torch.autograd.grad(outputs.sum(), inputs, create_graph=True)[0]

    def no_gradient_recording(self):
        return torch.no_grad()

    def apply_gradients(self, optimizer, grads, variables):
        # `Optimizer.apply` ends with `iterations.assign_add(1)`: a mirrored
        # counter that saw exactly one write is one step further (anything
        # else, e.g. a LossScaleOptimizer, is read again when next needed).
        iterations = optimizer.iterations.value
        known = (
            not torch.compiler.is_compiling() and self._mirror.knows(iterations)
            and type(optimizer).apply is keras.optimizers.Optimizer.apply
        )
        if known:
            count, version = self._mirror.read(iterations), iterations._version
        with torch.no_grad():
            if _plain_adam(optimizer, grads, variables):
                self._adam_update(optimizer, grads, variables)
            else:
                optimizer.apply(grads, variables)
        if known and optimizer.iterations.value is iterations and iterations._version == version + 1:
            self._mirror.record(iterations, count + 1)

    def _scalar(self, value, dtype, device):
        key = (value, dtype, device)
        tensor = self._scalars.get(key)
        if tensor is None:
            tensor = self._scalars[key] = torch.tensor(value, dtype=dtype, device=device)
        return tensor

    def _adam_update(self, optimizer, grads, variables):
        """Keras's torch Adam step (`torch_adam.Adam._parallel_update_step`
        then `iterations.assign_add(1)`): the same ops in the same order, so
        the same bits, without `Optimizer.apply`'s per-call bookkeeping and
        without turning `beta_1`, `beta_2` and the 1s into new tensors (each a
        blocking host-to-device copy on CUDA) on every step."""
        values = [v.value for v in variables]
        dtype, device = values[0].dtype, values[0].device
        lr = keras.ops.cast(optimizer.learning_rate, dtype)
        iterations = optimizer.iterations.value
        local_step = (iterations + 1).to(dtype)
        beta_1_power = torch.pow(self._scalar(optimizer.beta_1, dtype, device), local_step)
        beta_2_power = torch.pow(self._scalar(optimizer.beta_2, dtype, device), local_step)
        alpha = lr * torch.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        indices = [optimizer._get_variable_index(v) for v in variables]
        m_list = [optimizer._momentums[i].value for i in indices]
        v_list = [optimizer._velocities[i].value for i in indices]
        torch._foreach_mul_(m_list, optimizer.beta_1)
        torch._foreach_add_(m_list, grads, alpha=1 - optimizer.beta_1)
        torch._foreach_mul_(v_list, optimizer.beta_2)
        torch._foreach_add_(v_list, torch._foreach_mul(grads, grads), alpha=1 - optimizer.beta_2)
        torch._foreach_add_(
            values,
            torch._foreach_div(
                torch._foreach_mul(m_list, alpha),
                torch._foreach_add(torch._foreach_sqrt(v_list), optimizer.epsilon),
            ),
            alpha=-1,
        )
        iterations.add_(1)

    def stateless_call(self, model, trainable_values, non_trainable_values, inputs, training=None,
                       return_losses=False):
        return direct_call.stateless_call(
            model, trainable_values, non_trainable_values, inputs, training=training, return_losses=return_losses
        )

    def recommended_compile_settings(self, gan):
        # jit_compile=True trains on CPU, but on the H200 (2026-11-30) it
        # failed inside the toolkit's train_step ("RuntimeError when making
        # fake tensor call"), and WGAN-GP/R1 need a double backward that
        # torch.compile cannot do: the defaults are the safe setting.
        return {}

    def recipe_compile_settings(self, gan, settings):
        # The zoo's CPU recipes ask for XLA and 8 steps per dispatch
        # (`jit_compile: true, steps_per_execution: 8`), TensorFlow's fastest
        # CPU setting. Keras's PyTorch trainer takes one step per dispatch,
        # and torch.compile is no XLA (see above): the recipe trains here
        # with the eager step, which gives the same weights.
        settings = dict(self.recommended_compile_settings(gan), **settings)
        dropped = {k: settings[k] for k in ("jit_compile", "steps_per_execution")
                   if settings.get(k) not in (None, False, 1, "auto")}
        if dropped:
            import warnings

            warnings.warn(f"The recipe's compile settings {dropped} speed up TensorFlow and JAX; PyTorch trains "
                          "without torch.compile, one step per dispatch (same weights).", stacklevel=3)
            settings.update(jit_compile=False, steps_per_execution=1)
        return settings


def _plain_adam(optimizer, grads, variables):
    """True for a `keras.optimizers.Adam` whose `apply` would only run the Adam
    update and count the step (no clipping, weight decay, EMA, accumulation,
    loss scaling, AMSGrad, constraints, missing gradients or mixed dtypes)."""
    if _TorchAdam is None or type(optimizer) is not _TorchAdam or not optimizer.built or not variables:
        return False
    if optimizer.amsgrad or optimizer.use_ema or optimizer.gradient_accumulation_steps:
        return False
    if optimizer.weight_decay is not None or optimizer.loss_scale_factor is not None:
        return False
    if optimizer.clipnorm is not None or optimizer.clipvalue is not None or optimizer.global_clipnorm is not None:
        return False
    dtype = variables[0].dtype
    return all(
        grad is not None and variable.constraint is None and variable.dtype == dtype
        and not getattr(variable, "overwrite_with_gradient", False)
        for grad, variable in zip(grads, variables)
    )
