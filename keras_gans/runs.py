"""`Run`: one training run and its folder, the one format of `keras-gans train` and the zoo.

A run folder holds:

- `run.json`: the recipe as trained (run options included), `status`
  ("running", "finished" or "stopped ..."), `epochs_done`,
  `generator_steps`/`discriminator_steps`, `wall_time_s` (training time of
  every session, resumes included), `sessions` (one entry per session that
  finished), `backend`, `versions`, `machine`, `num_images`,
  `dataset_description`, `command`, `history` (every epoch's logs) and
  `final` (the last epoch's);
- `history.csv`: every epoch's logs (`keras.callbacks.CSVLogger`);
- `samples/epoch_NNNN.png` (about 20 grids a run, and the last epoch's) and `samples.png` (the end);
- `model.keras`: the whole GAN, both optimizers included (a finished run
  continues from it); `generator.keras`: the generator (the EMA generator
  when the recipe sets `ema_decay`), a plain functional `keras.Model`;
- `backup/`: the crash-safe backup while the run trains
  (`keras_gans.callbacks.CrashSafeBackup`), deleted at the end;
- `logs/`: TensorBoard images, when tensorboard is installed.

A zoo preset (`zoo/<name>/`) is a run folder plus its source `recipe.json`,
`preset.json` (`keras_gans.save_preset`), `evaluation.json` and a card.
"""

import csv
import datetime
import json
import os
import platform
import shutil
import sys
import time

RUN_FILE = "run.json"
# Written by an older zoo/train_preset.py; `Run.from_folder` still reads them.
LEGACY_TRAINING_FILE = "training.json"
LEGACY_HISTORY_FILE = "training_log.csv"
# Everything a run writes; `prepare(overwrite=True)` deletes only these.
RUN_FILES = (
    RUN_FILE, "model.keras", "generator.keras", "samples.png", "history.csv", "samples", "backup", "logs",
    RUN_FILE + ".partial", "partial_model.keras", "partial_generator.keras", "history.csv.partial",
)
# Writing a backup takes ~70 ms (digits GAN): every epoch, 14 s of the 200-epoch main job.
DEFAULT_BACKUP_INTERVAL_SECONDS = 30.0
_FRAMEWORK_MODULES = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}


class RunError(ValueError):
    """A run folder that cannot be used as asked; the message says what to do."""


def _atomic_write_text(path, text):
    partial = path + ".partial"
    with open(partial, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


def _atomic_save(model, path):
    """`model.save(path)` through a temporary file, so a kill never leaves half a file."""
    partial = os.path.join(os.path.dirname(path), "partial_" + os.path.basename(path))
    model.save(partial)
    os.replace(partial, path)


def versions():
    """Versions of keras-gans, Keras, the backend's framework, NumPy and Python."""
    import keras
    import numpy

    import keras_gans

    backend = keras.backend.backend()
    module = sys.modules.get(_FRAMEWORK_MODULES[backend]) or __import__(_FRAMEWORK_MODULES[backend])
    return {
        "keras_gans": keras_gans.__version__, "keras": keras.__version__,
        backend: getattr(module, "__version__", "unknown"), "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def read_history_csv(path):
    """`{log name: [value per epoch]}` from a CSVLogger file, or None; columns with "NA" are left out."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    return {
        k: [float(r[k]) for r in rows]
        for k in rows[0]
        if k != "epoch" and all(r[k] not in ("NA", "", None) for r in rows)
    }


def legacy_run_json(directory):
    """run.json's fields from a zoo folder written by the older train_preset.py (`training.json`)."""
    from keras_gans import recipes

    with open(os.path.join(directory, LEGACY_TRAINING_FILE)) as f:
        training = json.load(f)
    recipe = recipes.read_recipe_file(os.path.join(directory, "recipe.json"))
    recipe["fit"]["epochs"] = training["epochs_requested"]
    recipe["fit"]["batch_size"] = training["batch_size"]
    history = read_history_csv(os.path.join(directory, "history.csv")) or read_history_csv(
        os.path.join(directory, LEGACY_HISTORY_FILE))
    finished = training["epochs_done"] >= training["epochs_requested"]
    run = {
        "recipe": recipe,
        "status": "finished" if finished else "stopped (time budget: --resume continues it)",
        "epochs_done": training["epochs_done"],
        "generator_steps": training["generator_steps"],
        "discriminator_steps": training["discriminator_steps"],
        "num_images": training["train_images"],
        "wall_time_s": training["wall_seconds"],
        "backend": training["backend"],
        "machine": training["device"],
        "versions": training["versions"],
        "date": training["date"],
        "command": f"python zoo/train_preset.py {training['preset']}",
        "final": training["final_losses"],
        "history": history or {},
        "max_images": None,
    }
    for key in ("presets_sharing_device", "resumed_from_epoch"):
        if key in training:
            run[key] = training[key]
    return run


# Epochs shorter than this share one progress bar (`RunProgressBar`, verbose=1).
SHORT_EPOCH_SECONDS = 2.0


def default_callbacks(directory, num_classes, epochs):
    """The callbacks of every run: about 20 sample grids and the last epoch's in `samples/` (and
    TensorBoard's `logs/` when installed), and one progress bar once epochs are short."""
    import importlib.util

    from keras_gans.callbacks import RunProgressBar, SampleGrid
    from keras_gans.callbacks.sample_grid import epochs_between_grids

    num_samples = 10 * num_classes if num_classes else 64
    logs = os.path.join(directory, "logs") if importlib.util.find_spec("tensorboard") is not None else None
    grids = SampleGrid(os.path.join(directory, "samples"), every_n_epochs=epochs_between_grids(epochs),
                       num_samples=num_samples, tensorboard_log_dir=logs, write_last_epoch=True)
    return [grids, RunProgressBar(short_epoch_seconds=SHORT_EPOCH_SECONDS)]


class Run:
    """One training run of a recipe and its folder (see the module docstring for the files).

    The recipe is validated once, here; the data, the GAN, the crash-safe
    backup, the history, the samples and the saved models all come from
    this object, so `keras-gans train` and `zoo/train_preset.py` write the
    same folder. A run killed at any moment, or stopped by its time budget,
    continues with `Run.from_folder(directory).train()` and ends with the
    weights of an uninterrupted run; `wall_time_s` sums the training time
    of every session.

    Args:
        directory: str. The run folder.
        recipe: dict. A recipe (`keras_gans.recipes`), with the run
            options (`fit.epochs`, `fit.batch_size`, `fit.max_minutes`,
            `seed`) already set: it is validated here.
        data: `keras_gans.recipes.Data` or None. Already loaded data of the
            recipe (None loads it when needed).
        max_images: int or None. Train on the first `max_images` images
            only (a smoke run). Defaults to None: all.
        command: str or None. The command that started the run, recorded
            in run.json.
        backup_interval_seconds: float >= 0. Back up at the first epoch end
            this long after the previous backup, and at the end
            (`CrashSafeBackup.min_interval_seconds`). Defaults to 30.
        metadata: dict or None. The run.json of the run this one continues
            (`from_folder` passes it): `build` then restores the backup or
            model.keras. Defaults to None: a new run.
        source: str or None. Where the recipe came from (a file), named in
            recipe errors.

    Example:

    ```python
    from keras_gans import recipes
    from keras_gans.runs import Run

    recipe = recipes.read_recipe_file("zoo/mlp_digits_nonsaturating/recipe.json")
    recipe["fit"]["epochs"] = 2
    run = Run("runs/digits", recipe)
    run.prepare()                      # refuses to replace a run already there
    run.train(verbose=0)               # runs/digits/run.json, model.keras, ...
    run = Run.from_folder("runs/digits", epochs=4)
    run.train(verbose=0)               # two more epochs; wall time summed
    ```
    """

    def __init__(self, directory, recipe, data=None, max_images=None, command=None,
                 backup_interval_seconds=DEFAULT_BACKUP_INTERVAL_SECONDS, metadata=None, source=None):
        from keras_gans import recipes
        from keras_gans.callbacks import CrashSafeBackup

        self.directory = str(directory)
        self.recipe = recipes.validate_recipe(recipe, source=source)
        self.max_images = max_images
        self.command = command
        self.resumed = metadata is not None
        self.metadata = dict(metadata or {})
        self.metadata.pop("recipe", None)
        self.backup = CrashSafeBackup(
            self.path("backup"), delete_on_finish=False, min_interval_seconds=backup_interval_seconds
        )
        self._data = data
        self.gan = None
        self.initial_epoch = 0

    # --- The folder -------------------------------------------------------------

    def path(self, name):
        return os.path.join(self.directory, name)

    def existing_files(self):
        """The run files already in the folder (of this or an earlier run)."""
        if not os.path.isdir(self.directory):
            return []
        return [name for name in RUN_FILES if os.path.exists(self.path(name))]

    def prepare(self, overwrite=False, keep=()):
        """Readies the folder of a new run; never deletes a thing unless `overwrite`.

        Raises `RunError` when the folder already holds a run and
        `overwrite` is False, or cannot be written. With `overwrite`, the
        files of `RUN_FILES` are deleted, but those named in `keep` (which
        the run replaces atomically at its end, e.g. a preset's
        `generator.keras`); other files (a preset's recipe, card,
        preset.json) stay.
        """
        if os.path.exists(self.directory) and not os.path.isdir(self.directory):
            raise RunError(f"Cannot write to the output folder {self.directory!r}: it is a file. Choose another folder.")
        found = self.existing_files()
        if found and not overwrite:
            raise RunError(
                f"{self.directory!r} already holds a run ({', '.join(found)}): resume it (--resume), "
                "replace it (--overwrite), or choose another folder."
            )
        for name in found:
            if name in keep:
                continue
            path = self.path(name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        try:
            os.makedirs(self.directory, exist_ok=True)
            probe = self.path(".keras_gans_write_test")
            with open(probe, "w") as f:
                f.write("")
            os.remove(probe)
        except OSError as error:
            raise RunError(
                f"Cannot write to the output folder {self.directory!r} ({error.strerror or error}): choose another folder."
            ) from None

    @classmethod
    def from_folder(cls, directory, epochs=None, max_minutes=None, **kwargs):
        """The run in `directory` (to read it, or to continue it); `epochs`/`max_minutes` change its budget.

        Reads `run.json` (or, for a zoo folder of the older format,
        `training.json` and `recipe.json`, or just `recipe.json` and the
        backup of a run that never finished). Keyword arguments go to `Run`.
        """
        directory = str(directory)
        run_json = os.path.join(directory, RUN_FILE)
        if os.path.exists(run_json):
            try:
                with open(run_json) as f:
                    metadata = json.load(f)
            except (OSError, ValueError) as error:
                raise RunError(
                    f"{run_json} cannot be read ({type(error).__name__}): the run cannot be resumed; "
                    "start a new one (overwrite) or in another folder."
                ) from None
            if "recipe" not in metadata:
                raise RunError(
                    f"The run in {directory!r} was written by an older keras-gans (no recipe in run.json): "
                    "start a new run in another folder, or overwrite it."
                )
        elif os.path.exists(os.path.join(directory, LEGACY_TRAINING_FILE)):
            metadata = legacy_run_json(directory)
        elif os.path.exists(os.path.join(directory, "backup", "state.json")) and os.path.exists(
                os.path.join(directory, "recipe.json")):
            from keras_gans import recipes

            # A zoo run of the older format killed or stopped before training.json.
            metadata = {"recipe": recipes.read_recipe_file(os.path.join(directory, "recipe.json")), "status": "running"}
        else:
            raise RunError(f"Nothing to resume in {directory!r} (no run.json): start a new run there (drop --resume).")
        legacy_csv, csv_path = os.path.join(directory, LEGACY_HISTORY_FILE), os.path.join(directory, "history.csv")
        if os.path.exists(legacy_csv) and not os.path.exists(csv_path):
            os.replace(legacy_csv, csv_path)
        recipe = metadata["recipe"]
        if epochs is not None:
            recipe["fit"]["epochs"] = epochs
        if max_minutes is not None:
            recipe["fit"]["max_minutes"] = max_minutes
        kwargs.setdefault("max_images", metadata.get("max_images"))
        return cls(directory, recipe, metadata=metadata, **kwargs)

    def to_json(self):
        """The contents of run.json: the recipe and the run's metadata."""
        return dict(self.metadata, recipe=self.recipe, max_images=self.max_images)

    def write_json(self):
        _atomic_write_text(self.path(RUN_FILE), json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")

    # --- Data and model ---------------------------------------------------------

    @property
    def data(self):
        """The training data (`keras_gans.recipes.Data`), loaded once."""
        from keras_gans import recipes

        if self._data is None:
            self._data = recipes.resolve_data(self.recipe)
        if self.max_images is not None and len(self._data.images) > self.max_images:
            keep = self.max_images
            labels = None if self._data.labels is None else self._data.labels[:keep]
            self._data = self._data._replace(images=self._data.images[:keep], labels=labels)
        return self._data

    def build(self):
        """Loads the data and builds the GAN; a resumed run restores it (its
        backup, or the model.keras of a finished or stopped run).

        Bad data or settings raise here, before `prepare` deletes anything.
        Returns the GAN (also `self.gan`); `self.initial_epoch` is where
        training continues.
        """
        import keras

        from keras_gans import recipes

        done = self.metadata.get("epochs_done", 0)
        if self.resumed and self.metadata.get("status") == "finished" and self.recipe["fit"]["epochs"] <= done:
            raise RunError(
                f"The run in {self.directory!r} already trained {done} epochs: to continue it, ask for more than "
                f"{done} epochs (--resume --epochs N)."
            )
        data = self.data
        if not self.resumed:
            self.gan, self.initial_epoch = recipes.build_gan(self.recipe, data), 0
            return self.gan
        state = self.backup.read_state()
        if state is None and self.metadata.get("epochs_done") and os.path.exists(self.path("model.keras")):
            # A finished (or time-budget-stopped) run: weights, both optimizers and the seed state.
            self.gan = keras.saving.load_model(self.path("model.keras"))
            self.initial_epoch = self.metadata["epochs_done"]
            return self.gan
        if state is None and self.metadata.get("epochs_done"):
            raise RunError(
                f"The run in {self.directory!r} trained {self.metadata['epochs_done']} epochs, but neither "
                "model.keras nor a backup is there to continue from: start a new run."
            )
        self.gan = recipes.build_gan(self.recipe, data)
        self.initial_epoch = self.backup.restore(self.gan)
        return self.gan

    # --- Training ---------------------------------------------------------------

    def train(self, verbose=1, callbacks=()):
        """Trains to the recipe's budget and saves the run; returns the Keras History.

        run.json says "running" while training; at the end `model.keras`,
        `generator.keras`, `samples.png` and run.json are written (each
        atomically) and the backup is deleted.
        """
        import keras

        from keras_gans import recipes

        if self.gan is None:
            self.build()
        os.makedirs(self.directory, exist_ok=True)
        data = self.data
        self.metadata.update(
            status="running", backend=keras.backend.backend(), versions=versions(),
            machine=recipes.machine_description(), num_images=int(len(data.images)),
            dataset_description=data.description, epochs_done=self.metadata.get("epochs_done", 0),
            wall_time_s=self.metadata.get("wall_time_s", 0.0),
        )
        if self.command is not None:
            self.metadata["command"] = self.command
        self.write_json()
        started = datetime.datetime.now(datetime.timezone.utc)
        start = time.perf_counter()
        history = recipes.fit(
            self.gan, self.recipe, data, backup=self.backup,
            callbacks=[*default_callbacks(self.directory, data.num_classes, self.recipe["fit"]["epochs"]), *callbacks],
            initial_epoch=self.initial_epoch, verbose=verbose, wall_seconds=self.metadata["wall_time_s"],
            history_csv=self.path("history.csv"),
        )
        self._finish(history, started, time.perf_counter() - start)
        return history

    def _finish(self, history, started, session_seconds):
        import keras

        from keras_gans.visualization import save_image_grid

        gan, num_classes = self.gan, self.data.num_classes
        _atomic_save(gan, self.path("model.keras"))
        generator = getattr(gan, "ema_generator", None) or gan.generator
        _atomic_save(generator, self.path("generator.keras"))
        labels = None if num_classes is None else [c for c in range(num_classes) for _ in range(10)]
        samples = gan.generate(len(labels) if labels else 64, seed=0, labels=labels)
        save_image_grid(samples, self.path("samples.png"), num_columns=10 if labels else 8,
                        scale=max(1, 128 // samples.shape[1]))
        logs = read_history_csv(self.path("history.csv")) or {
            k: [float(v) for v in values] for k, values in history.history.items()}
        finished = history.epochs_done >= self.recipe["fit"]["epochs"]

        def steps(optimizer):
            return int(keras.ops.convert_to_numpy(optimizer.iterations))

        sessions = list(self.metadata.get("sessions", []))
        sessions.append({
            "started": started.strftime("%Y-%m-%d %H:%M:%S UTC"), "backend": keras.backend.backend(),
            "initial_epoch": history.initial_epoch, "epochs_done": history.epochs_done,
            "training_seconds": round(session_seconds, 2),
        })
        self.metadata.update(
            status="finished" if finished else "stopped (time budget: --resume continues it)",
            epochs_done=history.epochs_done, history=logs, final={k: v[-1] for k, v in logs.items() if v},
            wall_time_s=history.wall_seconds, generator_steps=steps(gan.generator_optimizer),
            discriminator_steps=steps(gan.discriminator_optimizer), sessions=sessions,
            date=datetime.date.today().isoformat(),
        )
        self.write_json()
        self.backup.delete()
