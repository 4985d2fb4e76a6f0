"""`RunProgressBar`: one progress bar for a whole run of short epochs."""

import math
import time

import keras


class RunProgressBar(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, but one bar for the whole run when epochs are short.

    With `verbose=1`, Keras prints a header and a bar for every epoch: 200
    blocks for 200 epochs of 0.1 s. This callback prints Keras's bar as
    usual until an epoch is seen to last less than `short_epoch_seconds`;
    the remaining epochs then share one bar: steps done out of all steps
    left, the latest logs (losses) and the ETA of the whole run. Because it
    is a `ProgbarLogger`, `fit` uses it in place of its own bar; with
    `verbose=0` it prints nothing and with `verbose=2` it prints Keras's
    one line per epoch.

    The first epoch's length is measured from its first batch end to its
    end (scaled to all its steps), so tracing and compilation do not count;
    when that is not possible (one batch end per epoch, as with
    `steps_per_execution` >= the steps of an epoch) the whole next epoch
    is measured.

    Args:
        short_epoch_seconds: float. Epochs shorter than this switch to the
            one bar. 0 never switches (Keras's bar throughout). Defaults to 2.
        interval_seconds: float. Least time between two redraws of the one
            bar. Defaults to 0.5.

    Example:

    ```python
    gan.fit(images, epochs=200, verbose=1, callbacks=[keras_gans.callbacks.RunProgressBar()])
    ```
    """

    def __init__(self, short_epoch_seconds=2.0, interval_seconds=0.5):
        super().__init__()
        for name, value in (("short_epoch_seconds", short_epoch_seconds), ("interval_seconds", interval_seconds)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"`{name}` must be a number of seconds >= 0; received {value!r}.")
        self.short_epoch_seconds = float(short_epoch_seconds)
        self.interval_seconds = float(interval_seconds)
        self.run_bar = None  # the Progbar of the whole run, once switched
        self._first_run_epoch = None
        self._run_start_step = 0
        self._run_done = 0
        self._epoch_start_time = None
        self._first_batch = None  # (time, steps) at the epoch's first batch end
        self._epochs_measured = 0

    # --- Per-epoch mode: Keras's bar, timed -------------------------------------

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.run_bar = None
        self._epochs_measured = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start_time = time.perf_counter()
        self._first_batch = None
        if self.run_bar is None:
            super().on_epoch_begin(epoch, logs)
        else:
            self._run_start_step = (epoch - self._first_run_epoch) * self.target

    def on_train_batch_end(self, batch, logs=None):
        done = self._steps_done(batch)
        if self.run_bar is not None:
            self._run_done = self._run_start_step + done
            self._update_run_bar(logs, finalize=False)
            return
        if self._first_batch is None:
            self._first_batch = (time.perf_counter(), done)
        super().on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.run_bar is not None:
            self._run_done = self._run_start_step + (self.target or 0)
            self._update_run_bar(logs, finalize=epoch + 1 >= self.epochs)
            return
        super().on_epoch_end(epoch, logs)
        seconds = self._epoch_seconds()
        self._epochs_measured += 1
        epochs_left = self.epochs - (epoch + 1)
        if self.verbose == 1 and seconds is not None and seconds < self.short_epoch_seconds and epochs_left >= 2:
            self._switch(epoch + 1, epochs_left, seconds)

    def on_train_end(self, logs=None):
        # A run stopped early (`stop_training`, a time budget): end the line.
        if self.run_bar is not None and self._run_done < self.run_bar.target:
            self._update_run_bar(None, finalize=True)

    # --- Helpers ------------------------------------------------------------------

    def _steps_done(self, batch):
        # With `steps_per_execution=k` Keras reports the execution's last
        # nominal step, which can pass the epoch's end: capped.
        return batch + 1 if not self.target else min(batch + 1, self.target)

    def _epoch_seconds(self):
        """This epoch's length without what came before its first batch end, or None."""
        now = time.perf_counter()
        if self._epochs_measured > 0:
            return now - self._epoch_start_time
        if self._first_batch is None or not self.target:
            return None
        first_time, first_steps = self._first_batch
        if first_steps >= self.target:
            return None  # one batch end in the epoch: nothing to time it by
        return (now - first_time) * self.target / (self.target - first_steps)

    def _switch(self, next_epoch, epochs_left, seconds):
        if not self.target:
            return  # unknown steps per epoch: no total to count to
        if keras.config.is_interactive_logging_enabled():  # where Keras's bars go too
            print(
                f"Epochs {next_epoch + 1}-{self.epochs}/{self.epochs}: {seconds:.2f} s each, "
                "one bar for the rest of the run", flush=True,
            )
        # stateless_metrics=set(): logs are shown as `fit` reports them
        # (running means of the epoch), not averaged again.
        self.run_bar = keras.utils.Progbar(
            target=epochs_left * self.target, verbose=1, interval=self.interval_seconds,
            unit_name="step", stateless_metrics=set(),
        )
        self._first_run_epoch = next_epoch
        self._run_done = 0

    def _update_run_bar(self, logs, finalize):
        self.run_bar.update(self._run_done, list((logs or {}).items()), finalize=finalize)
