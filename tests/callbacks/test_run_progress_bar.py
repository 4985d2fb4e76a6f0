"""RunProgressBar: Keras's per-epoch bar until epochs are short, then one bar for the run."""

import re

import keras
import pytest

from keras_gans.callbacks import RunProgressBar

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _fit_output(capsys, gan, images, callback, epochs=4, verbose=1, **kwargs):
    capsys.readouterr()
    gan.fit(images, epochs=epochs, batch_size=64, verbose=verbose, callbacks=[callback], **kwargs)
    out = capsys.readouterr().out
    # One entry per finished bar or line: a redraw (\r) replaces the text before it on the line.
    return [ANSI.sub("", line.split("\r")[-1]).strip() for line in out.split("\n") if line.strip()]


def test_one_bar_when_epochs_are_short_else_keras_bars(capsys, digits, tiny_gan):
    gan = tiny_gan()
    # 128 images, batch 64: 2 steps an epoch. Any epoch is "short" under 1000 s.
    lines = _fit_output(capsys, gan, digits[0], RunProgressBar(short_epoch_seconds=1000.0))
    assert sum(line.startswith("Epoch ") for line in lines) == 1, lines
    assert lines[0] == "Epoch 1/4" and lines[1].startswith("2/2 ")
    assert lines[2].startswith("Epochs 2-4/4: ")
    # Epochs 2-4: 3 x 2 steps on one bar, ending with the last epoch's logs.
    assert lines[3].startswith("6/6 ") and "d_loss:" in lines[3] and "g_loss:" in lines[3]
    assert len(lines) == 4

    # Long epochs (none is under 0 s): Keras's header and bar per epoch.
    lines = _fit_output(capsys, gan, digits[0], RunProgressBar(short_epoch_seconds=0.0), epochs=3)
    assert [line for line in lines if line.startswith("Epoch")] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert len(lines) == 6 and all(line.startswith("2/2 ") for line in lines[1::2])

    # verbose=0: nothing; verbose=2: Keras's one line per epoch, never the run bar.
    assert _fit_output(capsys, gan, digits[0], RunProgressBar(short_epoch_seconds=1000.0), epochs=2, verbose=0) == []
    lines = _fit_output(capsys, gan, digits[0], RunProgressBar(short_epoch_seconds=1000.0), epochs=3, verbose=2)
    assert len(lines) == 6 and not any(line.startswith("Epochs") for line in lines)

    # A run stopped early: the bar's line is ended where it stopped.
    class StopAfterSecondEpoch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = epoch == 1

    capsys.readouterr()
    gan.fit(digits[0], epochs=4, batch_size=64, verbose=1,
            callbacks=[RunProgressBar(short_epoch_seconds=1000.0), StopAfterSecondEpoch()])
    out = capsys.readouterr().out
    assert out.endswith("\n") and ANSI.sub("", out.split("\n")[-2].split("\r")[-1]).strip().startswith("2/6 ")


def test_one_batch_end_per_epoch_times_the_second_epoch(capsys, digits, tiny_gan):
    # One step an epoch: epoch 1 cannot be timed without its tracing and
    # compilation (as with steps_per_execution >= steps), so epoch 2 is timed whole.
    gan = tiny_gan()
    capsys.readouterr()
    gan.fit(digits[0], epochs=5, batch_size=128, verbose=1, callbacks=[RunProgressBar(short_epoch_seconds=1000.0)])
    lines = [ANSI.sub("", line.split("\r")[-1]).strip() for line in capsys.readouterr().out.split("\n") if line.strip()]
    assert [line[:14] for line in lines if line.startswith("Epoch")] == ["Epoch 1/5", "Epoch 2/5", "Epochs 3-5/5: "]
    assert len(lines) == 6 and lines[-1].startswith("3/3 ")


@pytest.mark.parametrize("kwargs", [{"short_epoch_seconds": -1}, {"interval_seconds": float("nan")}, {"short_epoch_seconds": "2"}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RunProgressBar(**kwargs)
