import keras
import numpy as np
import pytest

from keras_gans.callbacks import TwoTimeScaleLearningRateScheduler


def _rate(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def _iterations(optimizer):
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def test_learning_rate_schedules_decay_for_both_optimizers(digits, tiny_gan):
    g_schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1, decay_rate=0.5)
    d_schedule = keras.optimizers.schedules.InverseTimeDecay(4e-3, decay_steps=1, decay_rate=1.0)
    gan = tiny_gan(optimizers={"g": keras.optimizers.Adam(g_schedule), "d": keras.optimizers.Adam(d_schedule)})
    gan.fit(digits[0][:96], epochs=1, batch_size=32, verbose=0)  # 3 steps
    assert _iterations(gan.generator_optimizer) == _iterations(gan.discriminator_optimizer) == 3
    np.testing.assert_allclose(_rate(gan.generator_optimizer), 1e-3 * 0.5**3, rtol=1e-5)
    np.testing.assert_allclose(_rate(gan.discriminator_optimizer), 4e-3 / (1 + 3), rtol=1e-5)


class _WeightRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        model = self.model  # re-syncs on JAX
        self.weights.append(
            (
                [np.array(w) for w in model.generator.get_weights()],
                [np.array(w) for w in model.discriminator.get_weights()],
            )
        )


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_two_time_scale_scheduler_reaches_the_training_state(digits, tiny_gan):
    gan = tiny_gan()
    initial_d = [np.array(w) for w in gan.discriminator.get_weights()]
    # Epoch 0: D frozen (rate 0). Epoch 1: G frozen. Epoch 2: both train.
    scheduler = TwoTimeScaleLearningRateScheduler(
        generator_schedule=lambda epoch: 0.0 if epoch == 1 else 1e-3,
        discriminator_schedule=lambda epoch, lr: 0.0 if epoch == 0 else 2e-3,
    )
    recorder = _WeightRecorder()
    history = gan.fit(
        digits[0][:64], epochs=3, batch_size=32, verbose=0, callbacks=[scheduler, recorder]
    )
    assert history.history["g_lr"] == pytest.approx([1e-3, 0.0, 1e-3])
    assert history.history["d_lr"] == pytest.approx([0.0, 2e-3, 2e-3])
    (g0, d0), (g1, d1), (g2, d2) = recorder.weights
    assert _same(d0, initial_d)  # D did not move at rate 0
    assert _same(g1, g0) and not _same(d1, d0)  # G frozen in epoch 1, D moved
    assert not _same(g2, g1) and not _same(d2, d1)
    assert _iterations(gan.generator_optimizer) == 6


def test_scheduler_errors(digits, tiny_gan):
    with pytest.raises(ValueError, match="generator_schedule"):
        TwoTimeScaleLearningRateScheduler()
    with pytest.raises(TypeError, match="callable"):
        TwoTimeScaleLearningRateScheduler(generator_schedule=0.1)
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1, decay_rate=0.5)
    gan = tiny_gan(optimizers={"g": keras.optimizers.Adam(schedule)})
    scheduler = TwoTimeScaleLearningRateScheduler(generator_schedule=lambda epoch: 1e-4)
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        gan.fit(digits[0][:32], epochs=1, batch_size=32, verbose=0, callbacks=[scheduler])
