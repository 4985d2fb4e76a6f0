"""SeededBatches through `fit`: epoch `e` sees exactly `order(e)`, on every backend's input path."""

import keras
import numpy as np

from keras_gans.data import SeededBatches, scale_images


class _FirstLabel(keras.metrics.Metric):
    """Reports the label of the first row and the size of the last batch."""

    def __init__(self, name="first"):
        super().__init__(name=name)
        self.first = self.add_variable(shape=(), initializer="zeros", name="first")
        self.size = self.add_variable(shape=(), initializer="zeros", name="size")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.first.assign(keras.ops.cast(y_true[0, 0], "float32"))
        self.size.assign(keras.ops.cast(keras.ops.shape(y_true)[0], "float32"))

    def result(self):
        return self.first * 1000.0 + self.size


def test_fit_sees_the_seeded_order_of_each_epoch_and_scales_uint8_per_batch():
    num_images, batch_size = 10, 4
    # Pixel value == row index, so each batch's first pixel names its first row.
    images = np.arange(num_images, dtype="uint8").reshape(num_images, 1, 1, 1)
    labels = np.arange(num_images, dtype="int32").reshape(num_images, 1)
    batches = SeededBatches(images, labels, batch_size, seed=3)
    assert batches[0].__class__ is tuple and batches[0][0].dtype == np.float32
    expected_first = scale_images(images[batches.current_order()[:4]])
    np.testing.assert_array_equal(batches[0][0], expected_first)
    # The backend's native pipeline scales to the same bits.
    first_x, first_y = next(iter(batches.fit_input()))
    np.testing.assert_array_equal(np.asarray(first_x), expected_first)
    np.testing.assert_array_equal(np.asarray(first_y).ravel(), batches.current_order()[:4])

    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(int(round(logs["first"])))

    model = keras.Sequential([keras.Input((1, 1, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", metrics=[_FirstLabel()], steps_per_execution=1)
    # Starts at epoch 1, as a resumed run does.
    model.fit(batches.fit_input(), epochs=4, initial_epoch=1, shuffle=False, verbose=0,
              callbacks=[batches.callback, Record()])
    expected = [
        int(batches.order(epoch)[i * batch_size]) * 1000 + min(batch_size, num_images - i * batch_size)
        for epoch in (1, 2, 3) for i in range(3)
    ]
    assert seen == expected
