"""The JAX backend: `jax.value_and_grad`, and the trainer's pure `(state, data)` step.

Fast setting: `steps_per_execution > 1` (one `fit` dispatch, callback round
and log update per `steps_per_execution` steps instead of per step).
"""

import jax
import jax.numpy as jnp
import keras

from keras_gans.backend.base import RECOMMENDED_STEPS_PER_EXECUTION, GradientBackend


class JaxBackend(GradientBackend):
    name = "jax"

    def value_and_grad(self, loss_fn, values):
        return jax.value_and_grad(loss_fn, has_aux=True)(values)

    def input_gradient(self, fn, inputs):
        inputs = keras.ops.convert_to_tensor(inputs)
        return jax.grad(lambda x: jnp.sum(fn(x)))(inputs)

    def process_context(self):
        return jax.process_index(), jax.process_count()

    def run_stateful_step(self, model, step_fn, args, training=True):
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

    def recommended_compile_settings(self, gan):
        # The step is already one jitted function; what is left per step is
        # the dispatch, the callbacks and the log update of `fit`.
        return {"steps_per_execution": RECOMMENDED_STEPS_PER_EXECUTION}


def _state_variable_groups(model, training):
    # The layout of the JAX trainer's `state` tuple (keras/src/backend/jax/trainer.py).
    groups = [model.trainable_variables, model.non_trainable_variables]
    if training:
        groups.append(model.optimizer.variables)
    groups.append(model.metrics_variables)
    return groups
