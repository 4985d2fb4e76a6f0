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

- `data.dataset`: "digits", "mnist", "fashion_mnist", "twemoji",
  "folder:PATH" or "npz:PATH"; `data.image_size` / `data.channels` resize
  folder:/npz: data (`data.image_size` also picks twemoji's size, 64 or 32);
  `data.background` ("white", "black" or [r, g, b]; default "white") is the
  colour behind transparent pixels and `data.center_crop` (default false)
  crops folder: images to a centred square before resizing. folder:, npz:
  and twemoji images stay uint8 in memory and are scaled per batch.
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
  `gan.config.cluster_conditioning`: label-free cluster conditioning of an
  unconditional recipe, a number of clusters (`50`) or the arguments of
  `keras_gans.ClusterConditioning` (`{"num_clusters": 50, "pca_components":
  50}`); the builders then get `num_classes` = the number of clusters, and
  `fit` trains on the cluster ids of the images (`--clusters 50`).
  `gan.config.top_k`: `true` or `{"decay": 0.99, "min_fraction": 0.5}`.
- SNGAN settings (Miyato et al. 2018): `sngan_recipe(...)` writes them out
  (hinge game, spectrally normalized discriminator, Adam(2e-4, beta=(0, 0.9))
  for both players, `discriminator_steps` = n_dis).
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

BUILTIN_DATASETS = ("digits", "mnist", "fashion_mnist", "twemoji")
BUILTIN_IMAGE_SHAPES = {"digits": (8, 8, 1), "mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1)}
DEFAULT_FOLDER_IMAGE_SIZE = 32

_SECTIONS = {
    "name": False, "description": False, "seed": True, "data": True, "generator": True,
    "discriminator": True, "gan": True, "optimizers": False, "compile": False, "fit": True,
}
_DATA_KEYS = {"dataset", "conditional", "image_size", "channels", "background", "center_crop"}
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
    sizes = _dataset_image_sizes().get(dataset)
    if sizes and data["image_size"] is not None and data["image_size"] not in sizes:
        _fail("data.image_size", f"must be one of {list(sizes)} for {dataset!r}; received {data['image_size']!r}.",
              source)
    if sizes and data["channels"] is not None:
        _fail("data.channels", f"does not apply to {dataset!r} (color images): remove it.", source)
    if dataset in BUILTIN_DATASETS and not sizes and (data["image_size"] is not None or data["channels"] is not None):
        _fail("data.image_size", f"and `data.channels` apply to folder: and npz: datasets, not {dataset!r}: "
              "remove them.", source)
    if kind != "folder" and ("background" in data or "center_crop" in data):
        _fail("data.background", f"and `data.center_crop` apply to folder: datasets, not {dataset!r}: remove them.",
              source)
    if "background" in data:
        from keras_gans.data.image_folder import background_color

        try:
            background_color(data["background"])
        except ValueError as error:
            _fail("data.background", str(error).replace("`background` ", ""), source)
    if not isinstance(data.get("center_crop", False), bool):
        _fail("data.center_crop", f"must be true or false; received {data['center_crop']!r}.", source)
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
    if config.get("cluster_conditioning") is not None:
        num_clusters(recipe, source)
        if data["conditional"]:
            _fail("gan.config.cluster_conditioning", "conditions an unconditional recipe on label-free clusters; "
                  "`data.conditional` trains on class labels instead: use one of them.", source)
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


def num_clusters(recipe, source=None):
    """The number of clusters of a recipe with `gan.config.cluster_conditioning`, else None."""
    from keras_gans import cluster_conditioning

    value = recipe["gan"].get("config", {}).get("cluster_conditioning")
    if value is None:
        return None
    try:
        return cluster_conditioning.get(value).num_clusters
    except (TypeError, ValueError) as error:
        _fail("gan.config.cluster_conditioning", f"is not usable: {error}", source)


# --- Data -------------------------------------------------------------------------


def _dataset_image_sizes():
    from keras_gans.data.datasets import IMAGE_SIZES

    return IMAGE_SIZES


def _check_uint8_or_float(images, labels, image_shape, num_classes, where):
    """The checks of `check_batch`, without a float copy of uint8 data (always in range)."""
    import numpy as np

    from keras_gans.data.transforms import to_model_range
    from keras_gans.models import input_validation
    from keras_gans.sampling import check_labels

    if images.dtype != np.uint8:
        input_validation.check_batch(images, labels, image_shape, num_classes, where=where)
        return
    input_validation.check_batch(to_model_range(images[:1]), None if labels is None else labels[:1],
                                 image_shape, num_classes, where=where)
    if labels is not None:
        check_labels(labels, len(images), num_classes)


def resolve_data(recipe):
    """Loads the recipe's training data.

    Returns:
        `Data(images, labels, num_classes, image_shape, description)`:
        NHWC images, float32 in [-1, 1] (digits, mnist, fashion_mnist, float
        .npz) or uint8 0..255 (folder:, 8-bit .npz, twemoji; `fit` scales
        each batch to [-1, 1]); int32 labels and the number of classes for
        a conditional recipe (else None and None).

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

    dataset = spec["dataset"]
    if dataset in BUILTIN_DATASETS:
        images, labels = datasets.load_dataset(dataset, "train", image_size=spec["image_size"])
        description = datasets.DATASETS[dataset]
        if spec["image_size"] is not None:
            description += f", at {spec['image_size']}x{spec['image_size']}"
    else:
        kind, _, path = dataset.partition(":")
        if kind == "folder":
            size = spec.get("image_size") or DEFAULT_FOLDER_IMAGE_SIZE
            images, labels, info = image_folder.load_image_folder(
                path, size, spec.get("channels"), background=spec.get("background", "white"),
                center_crop=spec.get("center_crop", False), keep_uint8=True,
            )
            description = f"{len(images)} images from {path}, resized to {size}x{size}"
            if info["num_resized"]:
                description += f" ({info['num_resized']} resized from sizes {info['original_sizes']})"
            if info["class_names"]:
                description += f", classes {info['class_names']}"
        else:
            images, labels = image_folder.load_npz(path, spec.get("image_size"), keep_uint8=True)
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
    _check_uint8_or_float(images, labels, image_shape, num_classes, where=f"the images of {dataset!r}")
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
    # Cluster conditioning: the pair takes cluster ids as its class input.
    builder_classes = num_clusters(recipe) or num_classes
    g_spec, d_spec = recipe["generator"], recipe["discriminator"]
    generator = _call(
        getattr(architectures, g_spec["builder"]),
        dict(g_spec.get("kwargs", {}), latent_dim=latent_dim, image_shape=image_shape, num_classes=builder_classes,
             seed=seed),
        "generator.kwargs",
    )
    discriminator = _call(
        getattr(architectures, d_spec["builder"]),
        dict(d_spec.get("kwargs", {}), image_shape=image_shape, num_classes=builder_classes, seed=seed + 1),
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
    settings = backend.recipe_compile_settings(gan, recipe["compile"])
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
    from keras_gans.cluster_conditioning import Recluster, SelfConditioning
    from keras_gans.data import SeededBatches

    recipe = _valid(recipe)
    budget = recipe["fit"]
    labels = data.labels
    if getattr(gan, "cluster_conditioning", None) is not None:
        if backup is not None and not isinstance(backup, CrashSafeBackup):
            backup = CrashSafeBackup(backup, delete_on_finish=False, min_interval_seconds=backup_interval_seconds)
        if backup is not None and backup.restored_state is None:
            backup.restore(gan)  # first: a resumed run assigns the images to its saved clusters
        labels = gan.cluster_ids(data.images)
    batches = SeededBatches(data.images, labels, budget["batch_size"], recipe["seed"])
    extra = [batches.callback, *callbacks]
    if isinstance(getattr(gan, "cluster_conditioning", None), SelfConditioning):
        extra.insert(1, Recluster(gan, batches))  # before the backup, which then saves the new clusters
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


ARCHITECTURES = ("dcgan", "resnet", "mlp")
# `base_filters` of the default recipe's pairs above 32x32, sized for a CPU
# (benchmarks/builder_speed.py); 28x28 and 32x32 keep the builders' defaults.
_DCGAN_BASE_FILTERS = {64: 32, 128: 16, 256: 8}
_RESNET_BASE_FILTERS = {32: 16, 64: 16, 128: 8}


def default_architecture(image_shape):
    """The architecture `default_recipe` picks for an image shape: "mlp" for 8x8, else "dcgan".

    >>> default_architecture((8, 8, 1)), default_architecture((64, 64, 3))
    ('mlp', 'dcgan')
    """
    return "mlp" if tuple(image_shape[:2]) == (8, 8) else "dcgan"


def default_recipe(dataset="digits", gan_class="NonSaturatingGAN", conditional=False, image_shape=None,
                   image_size=None, channels=None, architecture=None):
    """The recipe `keras-gans train` uses when given no `--recipe`.

    The architecture (`architecture`, or else chosen from the image size):

    - "dcgan" (the default for every size but 8x8): `dcgan_generator` /
      `dcgan_discriminator` (a layer-norm critic for WGAN-GP), latent_dim
      64, the GAN class's default optimizers. Sizes 16 to 256 (powers of
      two) and 28; 28x28 and 32x32 use the builders' `base_filters=64`,
      larger sizes fewer filters so that a CPU can train them (64: 32,
      128: 16, 256: 8).
    - "resnet": `resnet_generator` / `resnet_discriminator` (SNGAN;
      spectral norm, or none for a WGAN-GP critic; projection when
      conditional), latent_dim 128, the GAN class's default optimizers.
      Sizes 32, 64 and 128, `base_filters` 16 (128: 8).
    - "mlp" (the default for 8x8 images, e.g. the digits): the MLP pair with
      Adam(1e-3, beta_1=0.5), 40 epochs on the 8x8 digits. The main job
      (digits, `NonSaturatingGAN`) gets the recipe tuned by
      `benchmarks/digits_default_recipe.py`: Adam(2e-3), batch 64, 200
      epochs and the EMA generator (`ema_decay=0.999`).

    A size the architecture does not support raises a ValueError that
    lists the sizes it does.

    Args:
        dataset: str. As `data.dataset`.
        gan_class: str. A GAN class name (see `gan_classes()`).
        conditional: bool.
        image_shape: tuple or None. The data's image shape; needed for
            folder:/npz: datasets (built-in ones are known).
        image_size: int or None. As `data.image_size`.
        channels: int or None. As `data.channels`.
        architecture: "dcgan", "resnet", "mlp" or None (chosen from the
            size: `default_architecture`).

    Example:

    >>> recipe = default_recipe("digits", "NonSaturatingGAN")
    >>> recipe["generator"]["builder"], recipe["gan"]["config"]["latent_dim"]
    ('mlp_generator', 16)
    >>> default_recipe("folder:photos", image_shape=(64, 64, 3), image_size=64)["generator"]
    {'builder': 'dcgan_generator', 'kwargs': {'base_filters': 32}}
    >>> default_recipe("folder:photos", image_shape=(48, 48, 3), image_size=48)
    Traceback (most recent call last):
    ...
    ValueError: The DCGAN builders support square images of size 16, 28, 32, 64, 128, 256; received 48x48. ...
    """
    if image_shape is None:
        if dataset not in BUILTIN_IMAGE_SHAPES:
            raise ValueError(f"`image_shape` is needed for the dataset {dataset!r} (only built-in ones are known).")
        image_shape = BUILTIN_IMAGE_SHAPES[dataset]
    image_shape = tuple(int(d) for d in image_shape)
    if architecture is None:
        architecture = default_architecture(image_shape)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"Unknown `architecture`={architecture!r}. Expected one of {', '.join(ARCHITECTURES)}.")
    recipe = {
        "seed": 0,
        "data": {"dataset": dataset, "conditional": bool(conditional), "image_size": image_size, "channels": channels},
        "gan": {"class": gan_class, "config": {}},
        "compile": {},
        "fit": {"epochs": 5 if dataset in ("mnist", "fashion_mnist") else 20, "batch_size": 32, "max_minutes": None},
    }
    size = image_shape[0]
    if architecture == "dcgan":
        from keras_gans.architectures import dcgan

        try:
            dcgan.stem(image_shape)
        except ValueError as error:
            raise ValueError(f"{error} Or use the MLP pair (--architecture mlp), which takes any size.") from None
        kwargs = {"base_filters": _DCGAN_BASE_FILTERS[size]} if size in _DCGAN_BASE_FILTERS else {}
        recipe["gan"]["config"]["latent_dim"] = 64
        recipe["generator"] = {"builder": "dcgan_generator", "kwargs": dict(kwargs)}
        normalization = "layer" if gan_class == "WGANGP" else "batch"
        recipe["discriminator"] = {"builder": "dcgan_discriminator", "kwargs": dict(kwargs, normalization=normalization)}
        return recipe
    if architecture == "resnet":
        from keras_gans.architectures import resnet

        if image_shape[0] != image_shape[1] or size not in resnet.SUPPORTED_SIZES:
            raise ValueError(
                f"The ResNet builders support square images of size {', '.join(map(str, resnet.SUPPORTED_SIZES))}; "
                f"received {image_shape[0]}x{image_shape[1]}. Resize the images to one of them (--image-size), "
                "or use the DCGAN pair (--architecture dcgan: 16 to 256 and 28)."
            )
        base_filters = _RESNET_BASE_FILTERS[size]
        recipe["gan"]["config"]["latent_dim"] = 128
        recipe["generator"] = {"builder": "resnet_generator", "kwargs": {"base_filters": base_filters}}
        normalization = None if gan_class == "WGANGP" else "spectral"
        recipe["discriminator"] = {
            "builder": "resnet_discriminator", "kwargs": {"base_filters": base_filters, "normalization": normalization}
        }
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


def sngan_recipe(dataset="mnist", discriminator_steps=5, epochs=20, batch_size=64, latent_dim=64, base_filters=64,
                 seed=0):
    """A recipe with the SNGAN settings (Miyato et al. 2018, "Spectral Normalization for GANs").

    The hinge game (`HingeGAN`), a DCGAN discriminator whose every layer is
    spectrally normalized (`normalization="spectral"`), Adam with
    learning rate 2e-4 and beta = (0, 0.9) for both players, and
    `discriminator_steps` = n_dis discriminator updates per generator update
    (the paper's n_dis = 5 with these betas).

    Example:

    >>> recipe = sngan_recipe("mnist", discriminator_steps=5)
    >>> recipe["gan"]["class"], recipe["gan"]["config"]["discriminator_steps"]
    ('HingeGAN', 5)
    """
    adam = {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.0, "beta_2": 0.9}}
    recipe = {
        "name": f"sngan_{dataset}",
        "description": f"SNGAN settings on {dataset}: hinge, spectral norm, Adam(2e-4, 0, 0.9), n_dis={discriminator_steps}",
        "seed": seed,
        "data": {"dataset": dataset, "conditional": False},
        "generator": {"builder": "dcgan_generator", "kwargs": {"base_filters": base_filters}},
        "discriminator": {"builder": "dcgan_discriminator",
                          "kwargs": {"base_filters": base_filters, "normalization": "spectral"}},
        "gan": {"class": "HingeGAN", "config": {"latent_dim": latent_dim, "discriminator_steps": discriminator_steps}},
        "optimizers": {"generator": copy.deepcopy(adam), "discriminator": copy.deepcopy(adam)},
        "compile": {},
        "fit": {"epochs": epochs, "batch_size": batch_size, "max_minutes": None},
    }
    return validate_recipe(recipe)


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

