"""The TensorFlow backend: `tf.GradientTape`, `tf.distribute` replicas.

Fast setting: `steps_per_execution > 1` (the steps run in one `tf.function`
call, a `tf.while_loop`, with one callback round per execution).
"""

import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans.backend.base import RECOMMENDED_STEPS_PER_EXECUTION
from keras_gans.backend.base import GradientBackend
from keras_gans.backend.base import traced_loops_enabled
from keras_gans.backend.base import uses_second_order_gradients


class TensorFlowBackend(GradientBackend):
    name = "tensorflow"

    def replica_context(self):
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return 0, 1
        return context.replica_id_in_sync_group, context.num_replicas_in_sync

    def value_and_grad(self, loss_fn, values):
        with tf.GradientTape() as tape:
            for value in values:
                tape.watch(value)
            loss, aux = loss_fn(values)
            # Keras's TF optimizer all-reduces gradients by SUM across
            # replicas; scaling here turns that sum into a mean.
            _, num_replicas = self.replica_context()
            scaled_loss = loss / num_replicas if num_replicas > 1 else loss
        grads = tape.gradient(
            scaled_loss, values, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        return (loss, aux), grads

    def input_gradient(self, fn, inputs):
        inputs = keras.ops.convert_to_tensor(inputs)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = fn(inputs)
        return tape.gradient(outputs, inputs)

    def repeat(self, model, step_fn, num_steps):
        # Under a multi-replica strategy the optimizer all-reduces through
        # `merge_call`, which a while loop cannot contain: unrolled there.
        # Under XLA it is unrolled too: XLA:CPU ran the WGAN-GP presets' critic loop as a
        # `tf.while_loop` at 11.7 s per step, unrolled at 0.5 s (benchmarks/wgan_gp_xla_cpu.py).
        _, num_replicas = self.replica_context()
        if num_steps == 1 or not traced_loops_enabled() or num_replicas > 1 or not tf.inside_function() \
                or getattr(model, "jit_compile", False) is True:
            return super().repeat(model, step_fn, num_steps)

        def body(step, _):
            return step + 1, step_fn()

        _, result = tf.while_loop(
            lambda step, _: step < num_steps, body, (tf.constant(0), tf.zeros((), tf.float32)),
            parallel_iterations=1,
        )
        return result

    def recommended_compile_settings(self, gan):
        return {"steps_per_execution": RECOMMENDED_STEPS_PER_EXECUTION}

    def check_compile_settings(self, gan, jit_compile):
        if jit_compile is True and uses_second_order_gradients(gan) and not tf.config.list_logical_devices("GPU"):
            import warnings

            # Measured on 2 cores (benchmarks/wgan_gp_xla_cpu.py): the WGAN-GP presets' step took
            # 0.50 s under XLA (critic steps unrolled) against 0.34 s without; lazy R1 failed to
            # compile in the R1 preset.
            warnings.warn(
                "jit_compile=True with an input-gradient penalty (WGAN-GP, R1) on a CPU: XLA made this step "
                "about 1.5x slower in benchmarks/wgan_gp_xla_cpu.py. Pass `gan.compile(jit_compile=False)` "
                "(in a recipe: `\"jit_compile\": false` in its `compile` section).", stacklevel=4)

    def seeded_batches_input(self, batches):
        # Keras feeds a PyDataset to TensorFlow through a Python generator
        # (`tf.data.Dataset.from_generator`): about as slow as a small
        # DCGAN's step. This pipeline gathers the same rows natively; the
        # only Python call is the epoch's order, once per epoch.

        num_images, batch_size = len(batches.images), batches.batch_size
        num_batches = math.ceil(num_images / batch_size)
        images = tf.constant(batches.images)
        has_labels = batches.labels is not None
        label_dtype = tf.as_dtype(np.asarray(batches.labels).dtype) if has_labels else tf.int64
        label_shape = np.shape(batches.labels) if has_labels else (0,)

        def epoch_order(_):
            # Runs when an epoch's first batch is drawn: iterators are created
            # lazily, and nothing here prefetches (see the options below). The
            # labels are read here too: `SelfConditioning` rewrites them between epochs.
            def read():
                order = batches.current_order().astype("int64")
                return order, (np.array(batches.labels) if has_labels else np.zeros(0, "int64"))

            order, labels = tf.numpy_function(read, [], (tf.int64, label_dtype), stateful=True)
            return tf.ensure_shape(order, [num_images]), tf.ensure_shape(labels, label_shape)

        def rows_of_batch(order, labels):
            def rows_and_labels(i):
                rows = order[i * batch_size : tf.minimum((i + 1) * batch_size, num_images)]
                return rows, (tf.gather(labels, rows) if has_labels else rows)

            return tf.data.Dataset.range(num_batches).map(rows_and_labels)

        def gather(rows, labels):
            x = tf.gather(images, rows)
            if batches.white_value is not None:
                x = tf.cast(x, "float32") / (batches.white_value / 2.0) - 1.0
            return (x, labels) if has_labels else x

        dataset = tf.data.Dataset.from_tensors(0).map(epoch_order).flat_map(rows_of_batch).map(gather)
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_batches))
        options = tf.data.Options()
        # A prefetch started when Keras creates the next epoch's iterator (at
        # the end of the previous epoch) would read the previous epoch's order.
        options.experimental_optimization.inject_prefetch = False
        options.autotune.enabled = False
        return dataset.with_options(options)
