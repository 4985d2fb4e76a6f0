"""Callbacks for training GANs with `model.fit`.

- `SampleGrid`: PNG grids (and TensorBoard images) of fixed samples.
- `RunProgressBar`: one progress bar for a whole run of short epochs.
- `FrechetDistance`: FID against held-out images, written to `logs["fid"]`.
- `TwoTimeScaleLearningRateScheduler`: per-epoch rates for both players.
- `CrashSafeBackup`: per-epoch backup that a killed run resumes from exactly.

Keras's own callbacks work too; monitor GAN logs with `mode="min"`:
`ModelCheckpoint(monitor="fid", mode="min")`, `EarlyStopping(monitor="g_loss",
mode="min")`.
"""

from keras_gans.callbacks.crash_safe_backup import CrashSafeBackup
from keras_gans.callbacks.frechet_distance import FrechetDistance
from keras_gans.callbacks.run_progress_bar import RunProgressBar
from keras_gans.callbacks.sample_grid import SampleGrid
from keras_gans.callbacks.two_time_scale_learning_rate_scheduler import (
    TwoTimeScaleLearningRateScheduler,
)

__all__ = ["CrashSafeBackup", "FrechetDistance", "RunProgressBar", "SampleGrid", "TwoTimeScaleLearningRateScheduler"]
