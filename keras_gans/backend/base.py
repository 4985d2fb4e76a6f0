"""The interface every keras-gans backend module implements.

`GradientBackend` lists the few operations a GAN train step needs beyond
`keras.ops`; each `keras_gans/backend/<name>.py` subclasses it once, as
Keras's own `keras/src/backend/<name>/trainer.py` subclass `Trainer`.
The defaults here are the single-process, eager behaviour; a backend
overrides only what differs. This module imports no framework.
"""

import contextlib

from keras import ops

# Steps per `fit` dispatch in the recommended settings of JAX and TensorFlow.
RECOMMENDED_STEPS_PER_EXECUTION = 8

_traced_loops = True


@contextlib.contextmanager
def unrolled_loops():
    """Within it (while a step is traced), `repeat` unrolls its calls in Python.

    For comparing the traced loop with the unrolled one (same results; see
    `GradientBackend.repeat`). A step already traced keeps what it traced.

    Example:

    ```python
    with keras_gans.backend.base.unrolled_loops():
        wgan.fit(images, epochs=1)   # the 5 critic steps traced 5 times
    ```
    """
    global _traced_loops
    previous, _traced_loops = _traced_loops, False
    try:
        yield
    finally:
        _traced_loops = previous


def traced_loops_enabled():
    """False inside `unrolled_loops()`."""
    return _traced_loops


class GradientBackend:
    """Gradients, replicas and compile settings for one Keras backend."""

    name = None

    # --- Gradients -------------------------------------------------------------

    def value_and_grad(self, loss_fn, values):
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
        raise NotImplementedError

    def input_gradient(self, fn, inputs):
        """Differentiable gradient of `sum(fn(inputs))` w.r.t. `inputs`.

        The result can itself be differentiated w.r.t. the variables `fn` uses,
        which is what a gradient penalty needs.

        Example:

        ```python
        grads = input_gradient(critic, interpolated_images)   # same shape as the images
        ```
        """
        raise NotImplementedError

    def stateless_call(self, model, trainable_values, non_trainable_values, inputs, training=None,
                       return_losses=False):
        """`model.stateless_call(trainable_values, non_trainable_values, inputs,
        training=training, return_losses=return_losses)`.

        A backend may run it with fewer Python calls, with the same result
        (PyTorch: `keras_gans.backend.direct_call`).

        Example:

        ```python
        logits, new_state = stateless_call(
            discriminator,
            [v.value for v in discriminator.trainable_variables],
            [v.value for v in discriminator.non_trainable_variables],
            images, training=True,
        )
        ```
        """
        return model.stateless_call(
            trainable_values, non_trainable_values, inputs, training=training, return_losses=return_losses
        )

    def no_gradient_recording(self):
        """Context for forward passes whose gradients are never taken."""
        return contextlib.nullcontext()

    def apply_gradients(self, optimizer, grads, variables):
        """`optimizer.apply(grads, variables)` outside gradient recording."""
        with self.no_gradient_recording():
            optimizer.apply(grads, variables)

    # --- Random draws and step counters ------------------------------------------

    def draw_random(self, sampler, shape, seed_generator):
        """`sampler(shape, seed=seed_generator)`: one random draw of a train step.

        `sampler` is a `keras.random` function (`normal`, `uniform`, ...) and
        `seed_generator` a `keras.random.SeedGenerator`, whose state advances
        by one draw. PyTorch draws `keras.random.normal` and `uniform` without
        reading the seed back from the device (the same numbers as
        `keras.random`); every other backend and sampler is `keras.random` itself.

        Example:

        ```python
        latents = draw_random(keras.random.normal, (64, 128), gan._training_seed)
        ```
        """
        return sampler(shape, seed=seed_generator)

    def every_nth_step(self, counter, interval):
        """True when the integer variable `counter` is a multiple of `interval`.

        For work done on every `interval`-th step (lazy regularization), with
        `counter` an optimizer's `iterations`. A boolean scalar tensor here
        (traced backends branch on it with `ops.cond`); PyTorch returns a
        Python bool read from a host-side copy of the counter, so that
        branching on it never waits for the device.

        Example:

        ```python
        active = every_nth_step(discriminator_optimizer.iterations, 16)
        ```
        """
        return ops.equal(ops.mod(counter.value, interval), 0)

    # --- Replicas and processes ----------------------------------------------------

    def torch_distributed_active(self):
        """True when torch.distributed is initialised with more than one process."""
        return False

    def replica_context(self):
        """Returns `(replica_id, num_replicas)` for the code running now.

        `replica_id` is a Python int or (under `tf.distribute`) a scalar tensor.
        On JAX, `keras.distribution` shards one global computation, so there is
        one replica from the step's point of view.
        """
        return 0, 1

    def process_context(self):
        """Returns `(process_index, num_processes)` of this Python process.

        Only torch.distributed runs one training process per device. Under
        `tf.distribute.MirroredStrategy` and `keras.distribution` one process
        drives every device and Keras splits each global batch itself, so this
        is `(0, 1)` there (on multi-host JAX it is `jax.process_index()`/`_count()`).
        """
        return 0, 1

    def mean_over_processes(self, values):
        """Averages a list of scalar tensors over torch.distributed processes.

        Each torch process computes its losses on its own shard; the mean over
        processes is the loss of the global batch (shards have equal sizes).
        Elsewhere this is the identity: JAX computes on the global batch, and
        under tf.distribute Keras's metrics (SUM-aggregated, on-read synced)
        already average the replicas.
        """
        return values

    def broadcast_from_primary(self, variables):
        """Sets every torch.distributed process's variables to process 0's values.

        Processes that build their models from unseeded initialisers start from
        different weights; averaged gradients would then keep them apart. A
        no-op elsewhere (one process holds the variables).
        """

    # --- The trainer's step API ----------------------------------------------------

    def run_stateful_step(self, model, step_fn, args, training=True):
        """Runs `step_fn(data)`, written with stateful variables, on any backend.

        On TensorFlow and PyTorch, `train_step(data)` is called with live
        variables: this just calls `step_fn(data)`. On JAX, `train_step(state,
        data)` must be pure: one outer `StatelessScope` maps every state
        variable to its value in `state`, the step's assignments are recorded in
        that scope, and the new state is read back from it.
        """
        (data,) = args
        return step_fn(data)

    def repeat(self, model, step_fn, num_steps):
        """Runs `step_fn()` `num_steps` times in a row; returns the last result.

        `step_fn` takes no arguments, may update any of `model`'s variables
        (an optimizer step, a metric) and returns a float32 scalar. JAX and
        TensorFlow without XLA trace `step_fn` once instead of k times for a
        step repeated k times (WGAN-GP's critic steps), with the same results:
        TensorFlow runs a `tf.while_loop` (under XLA it unrolls: XLA:CPU ran
        that loop over 20x slower); JAX a `jax.lax.fori_loop` that
        XLA compiles unrolled (a rolled loop ran 2-4x slower on CPU). Eager
        backends (and `unrolled_loops()`) loop in Python.

        Example (inside a train step):

        ```python
        d_loss = repeat(gan, lambda: discriminator_step(real), num_steps=5)
        ```
        """
        result = None
        for _ in range(num_steps):
            result = step_fn()
        return result

    # --- Speed -------------------------------------------------------------------

    def seeded_batches_input(self, batches):
        """What `fit` should iterate for a `keras_gans.data.SeededBatches`.

        The default is the `PyDataset` itself. A backend whose `fit` feeds a
        `PyDataset` through a slow path returns a native pipeline that
        yields the same batches in the same order (`batches.current_order()`,
        read at the first batch of each epoch) and scales them with
        `batches.scale`'s formula.
        """
        return batches

    def recommended_compile_settings(self, gan):
        """`GAN.compile` keyword arguments that make `fit` fastest here.

        Every setting returned trains the same weights as the defaults (to
        float tolerance); see `keras_gans.backend.recommended_compile_settings`.
        """
        return {}

    def check_compile_settings(self, gan, jit_compile):
        """Warns about a `GAN.compile` setting known to be slow on this backend and device.

        Called by `GAN.compile` before anything is compiled; it never
        changes the settings (the user chose them). The default is silent.
        """

    def recipe_compile_settings(self, gan, settings):
        """A recipe's `compile` section as this backend can run it.

        Recipes are written once for every backend; a setting that only
        speeds up another backend is dropped here (the weights trained are
        the same). The default keeps the settings.
        """
        return dict(self.recommended_compile_settings(gan), **settings)


def uses_second_order_gradients(gan):
    """True when `gan`'s discriminator loss differentiates through an input
    gradient (WGAN-GP's penalty, R1): a double backward.

    Read from the GAN's configuration, not by running it: any
    discriminator regularizer (GP, R1 or a custom one) takes an input
    gradient inside the discriminator loss.
    """
    return bool(getattr(gan, "discriminator_regularizers", None))
