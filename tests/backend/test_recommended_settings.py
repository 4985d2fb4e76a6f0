"""`keras_gans.backend.recommended_compile_settings`: faster `fit`, same training.

With the recommended settings (JAX/TensorFlow: steps_per_execution=8;
torch on CPU: the defaults), `fit` must give the same weights, optimizer
counters and epoch logs as with the defaults, and callbacks must still see
every epoch and the index of the last step of each execution.
"""

import math

import keras
import numpy as np
import pytest

from keras_gans.backend import base, recommended_compile_settings
from tests.helpers import digits, make_gan, max_abs_diff, snapshot

STEPS_PER_EPOCH = 10  # not a multiple of 8: the last execution of an epoch is partial
BATCH = 16
EPOCHS = 1


class BatchRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches, self.epochs = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.append([])

    def on_train_batch_end(self, batch, logs=None):
        self.batches[-1].append(batch)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


def _train(kind, settings):
    gan = make_gan(kind, seed=3)
    gan.compile(**settings)
    images, _ = digits(BATCH * STEPS_PER_EPOCH)
    recorder = BatchRecorder()
    history = gan.fit(images, epochs=EPOCHS, batch_size=BATCH, verbose=0, shuffle=False,
                      callbacks=[recorder])
    return gan, history.history, recorder


def test_settings_per_backend():
    ns, wgan = make_gan("nonsaturating"), make_gan("wgan_gp")
    assert not base.uses_second_order_gradients(ns)
    assert base.uses_second_order_gradients(wgan)
    for gan in (ns, wgan):
        settings = recommended_compile_settings(gan)
        assert isinstance(settings, dict)
        if keras.backend.backend() in ("jax", "tensorflow"):
            assert settings == {"steps_per_execution": base.RECOMMENDED_STEPS_PER_EXECUTION}
        else:
            import torch

            if not torch.cuda.is_available():
                assert settings == {}
            # WGAN-GP's double backward cannot be compiled by torch.
            assert gan is ns or "jit_compile" not in settings


@pytest.mark.parametrize("kind", ["nonsaturating", "wgan_gp"])
def test_recommended_settings_train_like_the_defaults(kind):
    settings = recommended_compile_settings(make_gan(kind, seed=3))
    if not settings:
        pytest.skip("the recommended settings are the defaults on this backend and device")
    default, default_logs, default_calls = _train(kind, {})
    fast, fast_logs, fast_calls = _train(kind, settings)
    assert fast.steps_per_execution == settings.get("steps_per_execution", 1)

    steps = EPOCHS * STEPS_PER_EPOCH
    critic_steps = getattr(fast, "critic_steps", 1)
    for gan in (default, fast):
        assert int(gan.generator_optimizer.iterations) == steps
        assert int(gan.discriminator_optimizer.iterations) == steps * critic_steps
    assert max_abs_diff(snapshot(default.variables), snapshot(fast.variables)) < 1e-5
    assert sorted(fast_logs) == sorted(default_logs)
    for name, values in default_logs.items():
        np.testing.assert_allclose(fast_logs[name], values, rtol=1e-5, atol=1e-6)

    # Callbacks: every epoch; per-batch hooks once per execution, with the
    # index of the execution's last step. For a partial last execution Keras
    # 3.15.1 reports its nominal end (begin + steps_per_execution - 1), so a
    # callback that counts steps must count calls x steps_per_execution or
    # read `model.optimizer` counters, not `batch`.
    spe = fast.steps_per_execution
    assert fast_calls.epochs == default_calls.epochs == list(range(EPOCHS))
    assert default_calls.batches == [list(range(STEPS_PER_EPOCH))] * EPOCHS
    executions = math.ceil(STEPS_PER_EPOCH / spe)
    for batches in fast_calls.batches:
        assert len(batches) == executions
        assert batches[:-1] == [spe * (i + 1) - 1 for i in range(executions - 1)]
        assert batches[-1] >= STEPS_PER_EPOCH - 1
