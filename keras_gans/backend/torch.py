"""The PyTorch backend: `torch.autograd.grad`, `torch.distributed` processes.

Eager speed: the models run through `keras_gans.backend.direct_call`, which
skips `Layer.__call__`'s bookkeeping for plain float32 layers (same outputs,
states, losses and gradients as `stateless_call`).

Compiled setting: none; `jit_compile=True` (torch.compile of `train_step`)
crashed in our step on an H200 (2026-11-30). torch's AOTAutograd cannot differentiate twice through compiled code
("torch.compile with aot_autograd does not currently support double
backward"), so WGAN-GP and R1 stay eager; on CPU compiling took minutes and
gained nothing measurable (benchmarks/README.md).
"""

import keras
import torch
import torch.distributed as torch_dist

from keras_gans.backend import direct_call
from keras_gans.backend.base import GradientBackend


class TorchBackend(GradientBackend):
    name = "torch"

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
