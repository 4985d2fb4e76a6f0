"""Recipes: a whole GAN training run as data (JSON).

A recipe names everything a run needs, with nothing left to code: the
architecture builders and their arguments, the GAN class and its config
(toolkit options included), both optimizers (Keras configs), compile
settings, the data, the fit budget and the seed. `keras-gans train` (its
flags only override run options), `keras-gans train --recipe FILE` and
`zoo/train_preset.py` all train one `keras_gans.runs.Run`, which validates
the recipe once and calls the same four functions:

- `validate_recipe(recipe)`: checks every key; errors name the key. It
  returns a `ValidRecipe`, which the three others do not check again.
- `resolve_data(recipe)`: loads the images (and labels).
- `build_gan(recipe, data)`: builds and compiles the GAN.
- `fit(gan, recipe, data, backup=...)`: trains with a data order derived
  from (seed, epoch) and a crash-safe backup, so that a run killed at any
  moment and resumed ends with the weights of an uninterrupted run. The
  batches go through the backend's native input pipeline
  (`SeededBatches.fit_input()`: `tf.data` on TensorFlow);
  `benchmarks/recipe_data_path.py` times it against `fit` on arrays.

A recipe (every section but `name`/`description`/`optimizers`/`compile` is
required):

```json
{
  "name": "mlp_digits_nonsaturating",
  "description": "Small MLP GAN on the 8x8 digits",
  "seed": 0,
  "data": {"dataset": "digits", "conditional": false},
  "generator": {"builder": "mlp_generator", "kwargs": {"hidden_units": [128, 128]}},
  "discriminator": {"builder": "mlp_discriminator", "kwargs": {"hidden_units": [128, 128]}},
  "gan": {"class": "NonSaturatingGAN", "config": {"latent_dim": 16}},
  "optimizers": {
    "generator": {"class_name": "Adam", "config": {"learning_rate": 0.001, "beta_1": 0.5}},
    "discriminator": {"class_name": "Adam", "config": {"learning_rate": 0.001, "beta_1": 0.5}}
  },
  "compile": {"steps_per_execution": 1},
  "fit": {"epochs": 40, "batch_size": 64, "max_minutes": null}
}
```

- `data.dataset`: "digits", "mnist", "fashion_mnist", "folder:PATH" or
  "npz:PATH"; `data.image_size` / `data.channels` resize folder:/npz: data.
- `generator.builder` / `discriminator.builder`: a function of
  `keras_gans.architectures`. Their `image_shape`, `num_classes` and `seed`
  come from the data and the recipe's seed (generator: seed,
  discriminator: seed + 1); the generator's `latent_dim` from `gan.config`.
- `gan.class`: the name of a GAN class registered with Keras under the
  `keras_gans` package (`NonSaturatingGAN`, `WGANGP`, ...).
  `gan.config`: its constructor arguments (`latent_dim`, and the class's
  options such as `critic_steps`, `ema_decay`); a value that is a Keras
  object config (a dict with `class_name`) is deserialized with
  `keras.saving.deserialize_keras_object`.
- `optimizers`: Keras optimizer configs (`keras.optimizers.deserialize`);
  leave out the section for the GAN class's defaults.
- `compile`: `steps_per_execution`, `jit_compile`; they override the
  backend's `keras_gans.backend.recommended_compile_settings` (JAX and
  TensorFlow: `steps_per_execution=8`; PyTorch: the defaults), which apply
  when the section is empty. Leave it empty for a recipe that runs everywhere.
- `fit`: `epochs`, `batch_size`, `max_minutes` (stop after the epoch in
  which that much time has passed; null for no limit).
"""

import collections
import copy
import json
import math
import time

import keras

from keras_gans import backend

BUILTIN_DATASETS = ("digits", "mnist", "fashion_mnist")
BUILTIN_IMAGE_SHAPES = {"digits": (8, 8, 1), "mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1)}
DEFAULT_FOLDER_IMAGE_SIZE = 32

_SECTIONS = {
    "name": False, "description": False, "seed": True, "data": True, "generator": True,
    "discriminator": True, "gan": True, "optimizers": False, "compile": False, "fit": True,
}
_DATA_KEYS = {"dataset", "conditional", "image_size", "channels"}
_BUILDER_KEYS = {"builder", "kwargs"}
_DERIVED_BUILDER_ARGS = ("image_shape", "num_classes", "seed", "latent_dim")
_GAN_KEYS = {"class", "config"}
_DERIVED_GAN_ARGS = ("generator", "discriminator", "num_classes", "seed")
_COMPILE_KEYS = {"steps_per_execution", "jit_compile"}
_FIT_KEYS = {"epochs", "batch_size", "max_minutes"}

Data = collections.namedtuple("Data", ["images", "labels", "num_classes", "image_shape", "description"])


class ValidRecipe(dict):
    """A recipe `validate_recipe` returned: `resolve_data`, `build_gan` and
    `fit` use it as it is instead of validating it again. Change a recipe
    before validating it; a change made after is not checked."""


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the key and the fix."""


# --- Reading and validating ------------------------------------------------------


def read_recipe_file(path):
    """Reads a recipe JSON file as it is (not validated); errors name the file.

    Use it to change a recipe before its one validation (`validate_recipe`,
    or `keras_gans.runs.Run`, which validates it).
    """
    path = str(path)
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as error:
        raise RecipeError(f"Cannot read the recipe {path!r} ({error.strerror or error}).") from None
    except json.JSONDecodeError as error:
        raise RecipeError(
            f"The recipe {path!r} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None


def load_recipe(path):
    """Reads a recipe JSON file and validates it; returns the recipe dict.

    Example:

    ```python
    recipe = keras_gans.recipes.load_recipe("zoo/mlp_digits_nonsaturating/recipe.json")
    ```
    """
    return validate_recipe(read_recipe_file(path), source=str(path))


def _fail(key, problem, source=None):
    where = f" in {source!r}" if source else ""
    raise RecipeError(f"Recipe key `{key}`{where} {problem}")


def _check_keys(section, allowed, prefix, source):
    if not isinstance(section, dict):
        _fail(prefix, f"must be a JSON object; received {section!r}.", source)
    for key in section:
        if key not in allowed:
            _fail(f"{prefix}.{key}", f"is not a recipe key; expected one of {sorted(allowed)}.", source)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(value, key, minimum, source):
    if not _is_int(value) or value < minimum:
        _fail(key, f"must be an integer >= {minimum}; received {value!r}.", source)


def _check_builder(section, key, source):
    from keras_gans import architectures

    _check_keys(section, _BUILDER_KEYS, key, source)
    builder = section.get("builder")
    if builder not in architectures.__all__:
        _fail(f"{key}.builder", f"must name a function of keras_gans.architectures, one of "
              f"{sorted(architectures.__all__)}; received {builder!r}.", source)
    kwargs = section.get("kwargs", {})
    if not isinstance(kwargs, dict):
        _fail(f"{key}.kwargs", f"must be a JSON object of keyword arguments; received {kwargs!r}.", source)
    for derived in _DERIVED_BUILDER_ARGS:
        if derived in kwargs:
            _fail(f"{key}.kwargs.{derived}", "is set by the recipe itself (image_shape and num_classes from "
                  "`data`, seed from `seed`, latent_dim from `gan.config.latent_dim`): remove it.", source)


def gan_classes():
    """`{class name: class}` of every GAN class registered under the `keras_gans` package."""
    import keras_gans

    classes = {}
    for key, obj in keras.saving.get_custom_objects().items():
        if key.startswith("keras_gans>") and isinstance(obj, type) and issubclass(obj, keras_gans.GAN):
            if obj is not keras_gans.GAN:
                classes[key.split(">", 1)[1]] = obj
    return classes


def validate_recipe(recipe, source=None):
    """Checks a recipe; returns a copy with the optional keys filled in.

    Raises `RecipeError` (a ValueError) naming the first bad key, what it
    must be and what was received. Constructor arguments of the GAN class
    and the optimizers are checked by `build_gan`, which builds them.
    Returns a `ValidRecipe` (a dict), which the other functions of this
    module do not validate again.

    Example:

    ```python
    recipe = keras_gans.recipes.validate_recipe(json.load(open("recipe.json")))
    ```
    """
    if not isinstance(recipe, dict):
        raise RecipeError(f"A recipe must be a JSON object; received {type(recipe).__name__}.")
    recipe = copy.deepcopy(recipe)
    _check_keys(recipe, set(_SECTIONS), "<top level>", source)
    for key, required in _SECTIONS.items():
        if required and key not in recipe:
            _fail(key, "is missing; see keras_gans.recipes for the format.", source)
    _check_int(recipe["seed"], "seed", 0, source)

    data = recipe["data"]
    _check_keys(data, _DATA_KEYS, "data", source)
    data.setdefault("conditional", False)
    data.setdefault("image_size", None)
    data.setdefault("channels", None)
    dataset = data.get("dataset")
    kind, _, path = str(dataset).partition(":")
    if not isinstance(dataset, str) or not (dataset in BUILTIN_DATASETS or (kind in ("folder", "npz") and path)):
        _fail("data.dataset", f"must be one of {', '.join(BUILTIN_DATASETS)}, folder:PATH or npz:PATH; "
              f"received {dataset!r}.", source)
    if not isinstance(data["conditional"], bool):
        _fail("data.conditional", f"must be true or false; received {data['conditional']!r}.", source)
    if data["image_size"] is not None:
        _check_int(data["image_size"], "data.image_size", 4, source)
    if data["channels"] not in (None, 1, 3):
        _fail("data.channels", f"must be 1, 3 or null; received {data['channels']!r}.", source)
    if dataset in BUILTIN_DATASETS and (data["image_size"] is not None or data["channels"] is not None):
        _fail("data.image_size", f"and `data.channels` apply to folder: and npz: datasets, not {dataset!r}: "
              "remove them.", source)
    if kind == "npz" and data["channels"] is not None:
        _fail("data.channels", "applies to folder: datasets; an .npz keeps its channels: remove it.", source)

    _check_builder(recipe["generator"], "generator", source)
    _check_builder(recipe["discriminator"], "discriminator", source)

    gan = recipe["gan"]
    _check_keys(gan, _GAN_KEYS, "gan", source)
    classes = gan_classes()
    if gan.get("class") not in classes:
        _fail("gan.class", f"must name a keras_gans GAN class, one of {sorted(classes)}; "
              f"received {gan.get('class')!r}.", source)
    config = gan.setdefault("config", {})
    if not isinstance(config, dict):
        _fail("gan.config", f"must be a JSON object of constructor arguments; received {config!r}.", source)
    for derived in _DERIVED_GAN_ARGS:
        if derived in config:
            _fail(f"gan.config.{derived}", "is set by the recipe itself (models from `generator`/"
                  "`discriminator`, num_classes from `data`, seed from `seed`): remove it.", source)
    if "latent_dim" not in config:
        _fail("gan.config.latent_dim", "is missing: the size of the generator's latent input.", source)
    _check_int(config["latent_dim"], "gan.config.latent_dim", 1, source)

    optimizers = recipe.get("optimizers")
    if optimizers is not None:
        _check_keys(optimizers, {"generator", "discriminator"}, "optimizers", source)
        for player in ("generator", "discriminator"):
            value = optimizers.get(player)
            if not isinstance(value, dict) or "class_name" not in value:
                _fail(f"optimizers.{player}", "must be a Keras optimizer config such as "
                      '{"class_name": "Adam", "config": {"learning_rate": 0.0002}}; '
                      f"received {value!r}.", source)
            rate = (value.get("config") or {}).get("learning_rate")
            if isinstance(rate, (int, float)) and not isinstance(rate, bool) and not (math.isfinite(rate) and rate > 0):
                _fail(f"optimizers.{player}.config.learning_rate", f"must be > 0; received {rate!r}.", source)

    compile_settings = recipe.setdefault("compile", {})
    _check_keys(compile_settings, _COMPILE_KEYS, "compile", source)
    if "steps_per_execution" in compile_settings:
        _check_int(compile_settings["steps_per_execution"], "compile.steps_per_execution", 1, source)
    if compile_settings.get("jit_compile", "auto") not in ("auto", True, False):
        _fail("compile.jit_compile", f"must be \"auto\", true or false; received {compile_settings['jit_compile']!r}.", source)

    budget = recipe["fit"]
    _check_keys(budget, _FIT_KEYS, "fit", source)
    for key in ("epochs", "batch_size"):
        if key not in budget:
            _fail(f"fit.{key}", "is missing.", source)
        _check_int(budget[key], f"fit.{key}", 1, source)
    minutes = budget.setdefault("max_minutes", None)
    if minutes is not None and (not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or not minutes > 0):
        _fail("fit.max_minutes", f"must be a number > 0 or null; received {minutes!r}.", source)
    return ValidRecipe(recipe)


def _valid(recipe):
    """`recipe` if `validate_recipe` made it, else `validate_recipe(recipe)`."""
    return recipe if isinstance(recipe, ValidRecipe) else validate_recipe(recipe)


# --- Data -------------------------------------------------------------------------


def resolve_data(recipe):
    """Loads the recipe's training data.

    Returns:
        `Data(images, labels, num_classes, image_shape, description)`:
        float32 NHWC images in [-1, 1]; int32 labels and the number of
        classes for a conditional recipe (else None and None).

    Example:

    ```python
    data = keras_gans.recipes.resolve_data(recipe)
    data.images.shape, data.num_classes
    ```
    """
    return load_data(_valid(recipe)["data"])


def load_data(spec):
    """Loads the data of a recipe's (validated) `data` section; see `resolve_data`."""
    from keras_gans import data as datasets
    from keras_gans.data import image_folder
    from keras_gans.models import input_validation

    dataset = spec["dataset"]
    if dataset in BUILTIN_DATASETS:
        images, labels = datasets.load_dataset(dataset, "train")
        description = datasets.DATASETS[dataset]
    else:
        kind, _, path = dataset.partition(":")
        if kind == "folder":
            size = spec.get("image_size") or DEFAULT_FOLDER_IMAGE_SIZE
            images, labels, info = image_folder.load_image_folder(path, size, spec.get("channels"))
            description = f"{len(images)} images from {path}, resized to {size}x{size}"
            if info["num_resized"]:
                description += f" ({info['num_resized']} resized from sizes {info['original_sizes']})"
            if info["class_names"]:
                description += f", classes {info['class_names']}"
        else:
            images, labels = image_folder.load_npz(path, spec.get("image_size"))
            description = f"{len(images)} images from {path}"
    num_classes = None
    if spec.get("conditional"):
        if labels is None:
            raise RecipeError(
                f"A conditional recipe (`data.conditional`) needs class labels, and {dataset!r} has none: put "
                "the images in one sub-folder per class (folder:) or save `y` in the .npz, or set "
                "`data.conditional` to false (--conditional on the command line)."
            )
        num_classes = int(labels.max()) + 1
    else:
        labels = None
    image_shape = tuple(int(d) for d in images.shape[1:])
    input_validation.check_batch(images, labels, image_shape, num_classes, where=f"the images of {dataset!r}")
    return Data(images, labels, num_classes, image_shape, description)


# --- Building ---------------------------------------------------------------------


def _deserialize_values(config):
    return {
        key: keras.saving.deserialize_keras_object(value) if isinstance(value, dict) and "class_name" in value else value
        for key, value in config.items()
    }


def _call(function, kwargs, key):
    """Calls a builder or constructor; argument errors name the recipe key."""
    try:
        return function(**kwargs)
    except TypeError as error:
        raise RecipeError(f"Recipe key `{key}`: {error}. Fix the argument names.") from None
    except ValueError as error:
        raise RecipeError(f"Recipe key `{key}`: {error}") from None


def build_gan(recipe, data):
    """Validates the recipe and builds its compiled GAN for `data`.

    Args:
        recipe: dict. A recipe (see the module docstring).
        data: `Data` from `resolve_data`, or anything with `image_shape`
            and `num_classes` attributes.

    Returns:
        A compiled GAN (the class `gan.class`), untrained.

    Example:

    ```python
    recipe = keras_gans.recipes.load_recipe("zoo/mlp_digits_nonsaturating/recipe.json")
    data = keras_gans.recipes.resolve_data(recipe)
    gan = keras_gans.recipes.build_gan(recipe, data)
    keras_gans.recipes.fit(gan, recipe, data)
    ```
    """
    from keras_gans import architectures

    recipe = _valid(recipe)
    seed = recipe["seed"]
    latent_dim = recipe["gan"]["config"]["latent_dim"]
    num_classes, image_shape = data.num_classes, tuple(data.image_shape)
    g_spec, d_spec = recipe["generator"], recipe["discriminator"]
    generator = _call(
        getattr(architectures, g_spec["builder"]),
        dict(g_spec.get("kwargs", {}), latent_dim=latent_dim, image_shape=image_shape, num_classes=num_classes, seed=seed),
        "generator.kwargs",
    )
    discriminator = _call(
        getattr(architectures, d_spec["builder"]),
        dict(d_spec.get("kwargs", {}), image_shape=image_shape, num_classes=num_classes, seed=seed + 1),
        "discriminator.kwargs",
    )
    gan_class = gan_classes()[recipe["gan"]["class"]]
    config = _deserialize_values(recipe["gan"]["config"])
    gan = _call(
        gan_class,
        dict(config, generator=generator, discriminator=discriminator, num_classes=num_classes, seed=seed),
        "gan.config",
    )
    optimizers = {}
    for player, spec in (recipe.get("optimizers") or {}).items():
        try:
            optimizer = keras.optimizers.deserialize(copy.deepcopy(spec))
        except (TypeError, ValueError) as error:
            raise RecipeError(f"Recipe key `optimizers.{player}`: {error}") from None
        if not isinstance(optimizer, keras.optimizers.Optimizer):
            raise RecipeError(
                f"Recipe key `optimizers.{player}.class_name` must name a Keras optimizer (e.g. \"Adam\"); "
                f"received {spec['class_name']!r}."
            )
        optimizers[player] = optimizer
    # The backend's recommended speed settings (they train the same weights),
    # overridden by the recipe's own `compile` section.
    settings = dict(backend.recommended_compile_settings(gan), **recipe["compile"])
    _call(
        gan.compile,
        dict(
            settings,
            generator_optimizer=optimizers.get("generator"),
            discriminator_optimizer=optimizers.get("discriminator"),
        ),
        "compile",
    )
    return gan


# --- Training ---------------------------------------------------------------------


class _TimeBudget(keras.callbacks.Callback):
    """Stops training at the end of the epoch in which `minutes` have passed."""

    def __init__(self, minutes):
        super().__init__()
        self.seconds = minutes * 60.0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True


def fit(gan, recipe, data, backup=None, callbacks=(), initial_epoch=0, verbose="auto", wall_seconds=0.0,
        history_csv=None, backup_interval_seconds=0.0):
    """Trains `gan` on `data` for the recipe's budget; returns the Keras History.

    Epoch `e` visits the data in the order `keras_gans.data.SeededBatches`
    derives from `(recipe["seed"], e)`. With `backup` (a folder, or a
    `keras_gans.callbacks.CrashSafeBackup`), the run is backed up at epoch
    ends and a committed backup there is restored first: a run
    killed at any moment and then fit again with the same arguments ends
    with the same weights as an uninterrupted run. The backup is not
    deleted at the end (delete it after saving the final model).

    Args:
        gan: a compiled GAN from `build_gan` (or a loaded one).
        recipe: dict. The recipe.
        data: `Data` from `resolve_data`.
        backup: str, `CrashSafeBackup` or None.
        callbacks: more Keras callbacks.
        initial_epoch: int. Epochs already done (a backup overrides it).
        verbose: as in `keras.Model.fit`.
        wall_seconds: float. Training time of earlier sessions (a backup
            overrides it).
        history_csv: str or None. Log every epoch's losses there
            (`keras.callbacks.CSVLogger`); rows of epochs that a resumed run
            repeats (a kill after the row was written) are dropped first.
        backup_interval_seconds: float >= 0. When `backup` is a folder: back
            up at the first epoch end this long after the previous backup,
            and after the last epoch (`CrashSafeBackup.min_interval_seconds`).
            Defaults to 0: after every epoch.

    Returns:
        The History, with three more attributes: `initial_epoch` (where
        this session started), `epochs_done` and `wall_seconds` (training
        time of all sessions, as recorded in the backups, plus this one).

    Example:

    ```python
    history = keras_gans.recipes.fit(gan, recipe, data, backup="runs/backup")
    ```
    """
    from keras_gans.callbacks import CrashSafeBackup
    from keras_gans.data import SeededBatches

    recipe = _valid(recipe)
    budget = recipe["fit"]
    batches = SeededBatches(data.images, data.labels, budget["batch_size"], recipe["seed"])
    extra = [batches.callback, *callbacks]
    start = time.perf_counter()
    if backup is not None:
        if not isinstance(backup, CrashSafeBackup):
            backup = CrashSafeBackup(backup, delete_on_finish=False, min_interval_seconds=backup_interval_seconds)
        if backup.restored_state is None:
            backup.restore(gan)
        state = backup.restored_state
        if state is not None:
            initial_epoch = state["epoch"]
            wall_seconds = (state.get("metadata") or {}).get("wall_seconds", wall_seconds)
        backup.metadata = lambda: {"wall_seconds": round(wall_seconds + time.perf_counter() - start, 2)}
        extra.append(backup)  # last: it saves after the other callbacks' epoch end
    if history_csv is not None:
        _truncate_csv(history_csv, initial_epoch)
        extra.insert(len(extra) - (backup is not None), keras.callbacks.CSVLogger(history_csv, append=initial_epoch > 0))
    if budget["max_minutes"] is not None:
        extra.insert(0, _TimeBudget(budget["max_minutes"]))
    history = gan.fit(
        batches.fit_input(), epochs=budget["epochs"], initial_epoch=initial_epoch, shuffle=False,
        verbose=verbose, callbacks=extra,
    )
    history.initial_epoch = initial_epoch
    history.epochs_done = initial_epoch + len(history.epoch)
    history.wall_seconds = round(wall_seconds + time.perf_counter() - start, 2)
    return history


def _truncate_csv(path, epochs):
    """Keeps the header and the rows of the first `epochs` epochs of a CSVLogger file."""
    import csv
    import os

    if not os.path.exists(path):
        return
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    kept = rows[:1] + [row for row in rows[1:] if row and int(row[0]) < epochs]
    with open(path + ".partial", "w", newline="") as f:
        csv.writer(f).writerows(kept)
    os.replace(path + ".partial", path)


def machine_description():
    """Where a run trained: CPU, core count, the accelerators Keras lists, the OS."""
    import platform

    try:
        devices = [str(d) for d in keras.distribution.list_devices()]
    except Exception:  # torch has no keras.distribution
        devices = []
    return {"cpu": platform.processor() or platform.machine(), "cpu_count": __import__("os").cpu_count(),
            "devices": devices, "platform": platform.platform()}


# --- Defaults of the command line ---------------------------------------------------


def default_recipe(dataset="digits", gan_class="NonSaturatingGAN", conditional=False, image_shape=None,
                   image_size=None, channels=None):
    """The recipe `keras-gans train` uses when given no `--recipe`.

    28x28 and 32x32 images get the DCGAN pair (a layer-norm critic for
    WGAN-GP) with the GAN class's default optimizers; other sizes the MLP
    pair with Adam(1e-3, beta_1=0.5), 40 epochs on the 8x8 digits. The
    main job (digits, `NonSaturatingGAN`) gets the recipe tuned by
    `benchmarks/digits_default_recipe.py`: Adam(2e-3), batch 64, 200 epochs
    and the EMA generator (`ema_decay=0.999`).

    Args:
        dataset: str. As `data.dataset`.
        gan_class: str. A GAN class name (see `gan_classes()`).
        conditional: bool.
        image_shape: tuple or None. The data's image shape; needed for
            folder:/npz: datasets (built-in ones are known).

    Example:

    >>> recipe = default_recipe("digits", "NonSaturatingGAN")
    >>> recipe["generator"]["builder"], recipe["gan"]["config"]["latent_dim"]
    ('mlp_generator', 16)
    """
    if image_shape is None:
        if dataset not in BUILTIN_IMAGE_SHAPES:
            raise ValueError(f"`image_shape` is needed for the dataset {dataset!r} (only built-in ones are known).")
        image_shape = BUILTIN_IMAGE_SHAPES[dataset]
    recipe = {
        "seed": 0,
        "data": {"dataset": dataset, "conditional": bool(conditional), "image_size": image_size, "channels": channels},
        "gan": {"class": gan_class, "config": {}},
        "compile": {},
        "fit": {"epochs": 5 if dataset in ("mnist", "fashion_mnist") else 20, "batch_size": 32, "max_minutes": None},
    }
    if tuple(image_shape[:2]) in ((28, 28), (32, 32)):
        recipe["gan"]["config"]["latent_dim"] = 64
        recipe["generator"] = {"builder": "dcgan_generator", "kwargs": {}}
        normalization = "layer" if gan_class == "WGANGP" else "batch"
        recipe["discriminator"] = {"builder": "dcgan_discriminator", "kwargs": {"normalization": normalization}}
        return recipe
    recipe["gan"]["config"]["latent_dim"] = 16
    recipe["generator"] = {"builder": "mlp_generator", "kwargs": {"hidden_units": [128, 128]}}
    recipe["discriminator"] = {"builder": "mlp_discriminator", "kwargs": {"hidden_units": [128, 128]}}
    recipe["optimizers"] = adam_optimizers(1e-3, gan_class)
    if dataset == "digits":
        recipe["fit"]["epochs"] = 40
        if gan_class == "NonSaturatingGAN":
            # The main job, tuned by benchmarks/digits_default_recipe.py: the
            # EMA generator of 200 epochs of batch 64 at Adam(2e-3) (README).
            recipe["optimizers"] = adam_optimizers(2e-3, gan_class)
            recipe["gan"]["config"]["ema_decay"] = 0.999
            recipe["fit"].update(epochs=200, batch_size=64)
    return recipe


def adam_optimizers(learning_rate, gan_class):
    """Adam configs for both players: beta_1=0.5 (WGAN-GP: 0.0, beta_2=0.9)."""
    betas = {"beta_1": 0.0, "beta_2": 0.9} if gan_class == "WGANGP" else {"beta_1": 0.5}
    config = {"class_name": "Adam", "config": dict(learning_rate=float(learning_rate), **betas)}
    return {"generator": copy.deepcopy(config), "discriminator": copy.deepcopy(config)}


def describe(recipe):
    """One line: class, builders, dataset, budget."""
    return (
        f"{recipe['gan']['class']} ({recipe['generator']['builder']}/{recipe['discriminator']['builder']}) on "
        f"{recipe['data']['dataset']}, {recipe['fit']['epochs']} epochs of batch {recipe['fit']['batch_size']}"
    )

