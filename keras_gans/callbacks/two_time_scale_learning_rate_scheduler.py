"""`TwoTimeScaleLearningRateScheduler`: per-epoch learning rates for G and D."""

import keras
import numpy as np


def _call_schedule(schedule, epoch, current):
    # Same contract as keras.callbacks.LearningRateScheduler: `(epoch, lr)`
    # or `(epoch)`.
    try:
        return schedule(epoch, current)
    except TypeError:
        return schedule(epoch)


def _current_rate(optimizer):
    return float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))


class TwoTimeScaleLearningRateScheduler(keras.callbacks.Callback):
    """Sets the generator's and discriminator's learning rates every epoch.

    `keras.callbacks.LearningRateScheduler` cannot drive a GAN: the model's
    `optimizer` is a `MultiOptimizer` holding the two players' optimizers.
    This callback sets `generator_optimizer.learning_rate` and
    `discriminator_optimizer.learning_rate` at the start of each epoch
    (two time-scale update rule, Heusel et al., 2017) and logs them as
    `g_lr` and `d_lr`. It works on every backend (on JAX the new rates reach
    the state that `fit` carries). The optimizers must have been created
    with a float learning rate, not a `LearningRateSchedule` (a schedule
    already sets the rate per step: use one or the other).

    Args:
        generator_schedule: callable `(epoch, lr) -> lr` or `epoch -> lr`
            (epoch 0-based), or None to leave the generator's rate alone.
        discriminator_schedule: same, for the discriminator.
        verbose: int. 1 prints the rates when they change. Defaults to 0.

    Example:

    ```python
    schedule = keras_gans.callbacks.TwoTimeScaleLearningRateScheduler(
        generator_schedule=lambda epoch: 1e-4 * 0.9 ** epoch,
        discriminator_schedule=lambda epoch: 4e-4 * 0.9 ** epoch,
    )
    gan.fit(images, epochs=10, callbacks=[schedule])
    ```
    """

    def __init__(self, generator_schedule=None, discriminator_schedule=None, verbose=0):
        super().__init__()
        for name, schedule in (
            ("generator_schedule", generator_schedule),
            ("discriminator_schedule", discriminator_schedule),
        ):
            if schedule is not None and not callable(schedule):
                raise TypeError(
                    f"`{name}` must be a callable epoch -> learning rate (or None); "
                    f"received {schedule!r}."
                )
        if generator_schedule is None and discriminator_schedule is None:
            raise ValueError(
                "Pass `generator_schedule=` and/or `discriminator_schedule=`."
            )
        self.generator_schedule = generator_schedule
        self.discriminator_schedule = discriminator_schedule
        self.verbose = verbose

    def _optimizers(self):
        # `self.model` re-syncs JAX state first, so the assignment below is
        # what the next training step reads.
        model = self.model
        pairs = []
        for role in ("generator", "discriminator"):
            optimizer = getattr(model, f"{role}_optimizer", None)
            if optimizer is None:
                raise TypeError(
                    "TwoTimeScaleLearningRateScheduler needs a compiled keras_gans "
                    f"GAN (with `{role}_optimizer`); it was attached to "
                    f"{type(model).__name__}. Call `gan.compile()` first."
                )
            pairs.append((role, optimizer))
        return pairs

    def _set(self, role, optimizer, schedule, epoch):
        rate = _call_schedule(schedule, epoch, _current_rate(optimizer))
        rate = float(np.asarray(keras.ops.convert_to_numpy(rate)))
        if not np.isfinite(rate) or rate < 0:
            raise ValueError(
                f"The {role} schedule returned learning rate {rate} at epoch "
                f"{epoch}; it must be a finite float >= 0."
            )
        try:
            optimizer.learning_rate = rate
        except TypeError as error:  # created with a LearningRateSchedule
            raise TypeError(
                f"The {role} optimizer uses a LearningRateSchedule, which sets "
                "its learning rate every step; TwoTimeScaleLearningRateScheduler "
                "cannot also set it. Give that optimizer a float learning rate, "
                f"or pass {role}_schedule=None."
            ) from error
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: {role} learning rate = {rate:.4g}.")

    def on_epoch_begin(self, epoch, logs=None):
        schedules = {
            "generator": self.generator_schedule,
            "discriminator": self.discriminator_schedule,
        }
        for role, optimizer in self._optimizers():
            if schedules[role] is not None:
                self._set(role, optimizer, schedules[role], epoch)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for role, optimizer in self._optimizers():
            logs[f"{role[0]}_lr"] = _current_rate(optimizer)
