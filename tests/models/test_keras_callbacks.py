"""Keras's own callbacks work unchanged with a GAN."""

import csv

import keras
import numpy as np
import pytest

from tests.helpers import digits, fit_kwargs, make_gan, max_abs_diff, snapshot


def test_model_checkpoint_full_model_and_weights_only(tmp_path):
    x, _ = digits(64)
    gan = make_gan("wgan_gp")
    gan.compile()
    full = keras.callbacks.ModelCheckpoint(str(tmp_path / "epoch{epoch}.keras"))
    weights = keras.callbacks.ModelCheckpoint(str(tmp_path / "epoch{epoch}.weights.h5"), save_weights_only=True)
    gan.fit(x, callbacks=[full, weights], **fit_kwargs(epochs=2))
    loaded = keras.models.load_model(tmp_path / "epoch2.keras")
    assert max_abs_diff(snapshot(loaded.weights), snapshot(gan.weights)) == 0.0
    assert int(loaded.discriminator_optimizer.iterations) == int(gan.discriminator_optimizer.iterations)
    fresh = make_gan("wgan_gp", seed=9)
    fresh.compile()
    fresh.load_weights(tmp_path / "epoch2.weights.h5")
    assert max_abs_diff(snapshot(fresh.weights), snapshot(gan.weights)) == 0.0


def test_csv_logger_and_early_stopping_on_g_loss(tmp_path):
    x, _ = digits(64)
    gan = make_gan("nonsaturating")
    gan.compile()
    stop = keras.callbacks.EarlyStopping(monitor="g_loss", mode="min", patience=0, min_delta=1e9)
    history = gan.fit(
        x, callbacks=[keras.callbacks.CSVLogger(str(tmp_path / "log.csv")), stop], **fit_kwargs(epochs=5)
    )
    # min_delta is huge, so no epoch counts as an improvement: stops after epoch 2.
    assert len(history.history["g_loss"]) == 2
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert len(rows) == 2 and {"d_loss", "g_loss", "loss"} <= set(rows[0])
    np.testing.assert_allclose([float(r["g_loss"]) for r in rows], history.history["g_loss"], rtol=1e-6)


def test_terminate_on_nan_stops_a_diverging_run():
    x, _ = digits(128)
    gan = make_gan("nonsaturating")
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(1e30),
        discriminator_optimizer=keras.optimizers.SGD(1e30),
    )
    history = gan.fit(x, callbacks=[keras.callbacks.TerminateOnNaN()], **fit_kwargs(epochs=5, batch_size=16))
    total_steps = 5 * 8
    assert int(gan.generator_optimizer.iterations) < total_steps
    assert len(history.history["loss"]) == 1
    assert not np.isfinite(history.history["loss"][0])


def test_backup_and_restore_resumes_an_interrupted_run(tmp_path):
    x, _ = digits(64)

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("simulated crash")

    backup = str(tmp_path / "backup")
    gan = make_gan("nonsaturating")
    gan.compile()
    with pytest.raises(RuntimeError, match="simulated crash"):
        gan.fit(x, callbacks=[keras.callbacks.BackupAndRestore(backup), Interrupt()], **fit_kwargs(epochs=4))

    resumed = make_gan("nonsaturating")  # a fresh process would rebuild the model
    resumed.compile()
    history = resumed.fit(x, callbacks=[keras.callbacks.BackupAndRestore(backup)], **fit_kwargs(epochs=4))
    assert len(history.history["g_loss"]) == 2  # epochs 3 and 4 only
    assert int(resumed.generator_optimizer.iterations) == 4 * 2

    uninterrupted = make_gan("nonsaturating")
    uninterrupted.compile()
    uninterrupted.fit(x, **fit_kwargs(epochs=4))
    assert max_abs_diff(snapshot(resumed.weights), snapshot(uninterrupted.weights)) < 1e-5

