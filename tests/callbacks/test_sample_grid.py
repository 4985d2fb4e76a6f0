import os

import keras
import numpy as np
import pytest

from keras_gans.callbacks import SampleGrid
from keras_gans.visualization import image_grid


def _read(path):
    from PIL import Image

    return np.asarray(Image.open(path))


def test_one_grid_per_epoch_from_live_weights(tmp_path, digits, tiny_gan):
    gan = tiny_gan()
    callback = SampleGrid(tmp_path / "grids", num_samples=16, scale=1)
    gan.fit(digits[0], epochs=2, batch_size=32, verbose=0, callbacks=[callback])
    assert sorted(os.listdir(tmp_path / "grids")) == ["epoch_0001.png", "epoch_0002.png"]
    first, second = (_read(tmp_path / "grids" / f"epoch_000{e}.png") for e in (1, 2))
    # On JAX, a callback that read stale (purged or initial) weights would
    # draw the same grid twice.
    assert not np.array_equal(first, second)
    expected = image_grid(gan.generate(16, seed=0))[..., 0]
    np.testing.assert_array_equal(second, expected)


def test_conditional_grid_uses_fixed_balanced_labels(tmp_path, digits, tiny_gan):
    gan = tiny_gan(conditional=True)
    callback = SampleGrid(tmp_path, num_samples=20, scale=1, seed=3)
    gan.fit(digits[0], digits[1], epochs=1, batch_size=32, verbose=0, callbacks=[callback])
    labels = np.arange(20) % 10
    expected = image_grid(gan.generate(20, seed=3, labels=labels), num_columns=10)[..., 0]
    np.testing.assert_array_equal(_read(tmp_path / "epoch_0001.png"), expected)


def test_every_n_batches_and_every_n_epochs(tmp_path, digits, tiny_gan):
    gan = tiny_gan()
    by_batch = SampleGrid(tmp_path / "b", every_n_batches=3, num_samples=4)
    by_epoch = SampleGrid(tmp_path / "e", every_n_epochs=2, num_samples=4)
    gan.fit(digits[0], epochs=3, batch_size=32, verbose=0, callbacks=[by_batch, by_epoch])
    # 4 batches per epoch, 12 in all -> after batches 3, 6, 9, 12.
    assert [os.path.basename(p) for p in by_batch.paths] == [
        "epoch_0001_batch_000003.png", "epoch_0002_batch_000006.png",
        "epoch_0003_batch_000009.png", "epoch_0003_batch_000012.png",
    ]
    assert sorted(os.listdir(tmp_path / "e")) == ["epoch_0002.png"]


def test_every_n_batches_counts_steps_under_steps_per_execution(tmp_path, digits, tiny_gan):
    from keras_gans.backend import recommended_compile_settings

    gan = tiny_gan()
    steps_per_execution = recommended_compile_settings(gan).get("steps_per_execution", 1)
    gan.compile(steps_per_execution=steps_per_execution)
    by_batch = SampleGrid(tmp_path, every_n_batches=3, num_samples=4)
    gan.fit(digits[0], epochs=3, batch_size=32, verbose=0, callbacks=[by_batch])
    # Callbacks run at the end of each execution: after steps k*spe of each
    # 4-step epoch. A grid is written when a multiple of 3 was passed.
    ends = [4 * e + min(k, 4) for e in range(3) for k in range(steps_per_execution, 4 + steps_per_execution, steps_per_execution)]
    expected = [b for a, b in zip([0] + ends, ends) if b // 3 > a // 3]
    assert [int(p[-10:-4]) for p in by_batch.paths] == expected
    assert int(gan.generator_optimizer.iterations) == 12


def test_tensorboard_images_readable(tmp_path, digits, tiny_gan):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    gan = tiny_gan()
    callback = SampleGrid(tmp_path / "png", num_samples=9, scale=1, tensorboard_log_dir=tmp_path / "tb")
    gan.fit(digits[0], epochs=2, batch_size=64, verbose=0, callbacks=[callback])
    accumulator = EventAccumulator(str(tmp_path / "tb"), size_guidance={"images": 0})
    accumulator.Reload()
    events = accumulator.Images("samples")
    assert [e.step for e in events] == [0, 1]
    import io

    from PIL import Image

    decoded = np.asarray(Image.open(io.BytesIO(events[1].encoded_image_string)))
    np.testing.assert_array_equal(decoded, _read(tmp_path / "png" / "epoch_0002.png"))
    assert (events[1].height, events[1].width) == decoded.shape


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"every_n_epochs": 0}, "every_n_epochs"),
        ({"every_n_batches": -2}, "every_n_batches"),
        ({"num_samples": 0}, "num_samples"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SampleGrid(tmp_path, **kwargs)


def test_needs_a_gan(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="keras_gans GAN"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0, callbacks=[SampleGrid(tmp_path)])


def test_write_last_epoch_keeps_the_final_grid(tmp_path, digits, tiny_gan):
    from keras_gans.callbacks.sample_grid import epochs_between_grids

    gan = tiny_gan()
    grids = SampleGrid(tmp_path / "a", every_n_epochs=2, num_samples=4, write_last_epoch=True)
    gan.fit(digits[0], epochs=5, batch_size=64, verbose=0, callbacks=[grids])
    assert sorted(os.listdir(tmp_path / "a")) == ["epoch_0002.png", "epoch_0004.png", "epoch_0005.png"]

    # A run that stops early keeps the grid of the epoch it stopped after;
    # a last epoch already written is not written twice.
    class StopAfterThirdEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = epoch == 2

    grids = SampleGrid(tmp_path / "b", every_n_epochs=2, num_samples=4, write_last_epoch=True)
    gan.fit(digits[0], epochs=5, batch_size=64, verbose=0, callbacks=[grids, StopAfterThirdEpoch()])
    assert [os.path.basename(p) for p in grids.paths] == ["epoch_0002.png", "epoch_0003.png"]
    grids = SampleGrid(tmp_path / "c", every_n_epochs=2, num_samples=4, write_last_epoch=True)
    gan.fit(digits[0], epochs=4, batch_size=64, verbose=0, callbacks=[grids])
    assert [os.path.basename(p) for p in grids.paths] == ["epoch_0002.png", "epoch_0004.png"]

    # About 20 grids a run: 200 epochs -> every 10th (20 grids), 41 -> every 3rd (13 and the last).
    assert [epochs_between_grids(e) for e in (1, 20, 21, 41, 200, 201)] == [1, 1, 2, 3, 10, 11]
    with pytest.raises(ValueError, match="epochs"):
        epochs_between_grids(0)
