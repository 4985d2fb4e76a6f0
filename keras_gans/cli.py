"""The `keras-gans` command line (also `python -m keras_gans`).

Subcommands:

    keras-gans train --dataset digits --model nonsaturating
    keras-gans sample --model runs/digits_nonsaturating/model.keras --out grid.png
    keras-gans evaluate --model runs/mnist_nonsaturating/generator.keras --dataset mnist
    keras-gans presets

User errors print one line, `keras-gans: error: <what was wrong and the fix>`,
and exit with status 2 (no traceback). With the environment variable
`KERAS_GANS_TINY=1` every subcommand runs at a tiny size (1 epoch of at most
2 batches, few samples): that is how the README's commands are tested.
TensorFlow's import-time C++ log lines are kept off stderr on every backend
(`keras_gans/backend/tensorflow_logs.py`); `KERAS_GANS_TF_LOGS=1` shows them.
"""

import argparse
import importlib.util
import math
import os
import sys

from keras_gans.cluster_conditioning import DEFAULT_NUM_CLUSTERS

BACKENDS = {
    "tensorflow": ("tensorflow", "tensorflow"),
    "torch": ("torch", "torch"),
    "jax": ("jax", "jax"),
}
# --model value -> GAN class name (the recipe's `gan.class`).
MODELS = {
    "minimax": "MinimaxGAN", "nonsaturating": "NonSaturatingGAN", "wgan_gp": "WGANGP",
    "hinge": "HingeGAN", "least_squares": "LeastSquaresGAN",
}
# Stability-toolkit flag -> GAN constructor argument (the recipe's `gan.config` key).
TOOLKIT_FLAGS = {
    "ema": ("--ema", "ema_decay"), "label_smoothing": ("--label-smoothing", "label_smoothing"),
    "r1": ("--r1", "r1_penalty_weight"), "diffaugment": ("--diffaugment", "augmentation"),
    "clusters": ("--clusters", "cluster_conditioning"),
}
BUILTIN_DATASETS = ("digits", "mnist", "fashion_mnist", "twemoji")
# Built-in datasets offered at several sizes (--image-size picks one; the first is the default).
SIZED_DATASETS = {"twemoji": (64, 32, 16, 8)}
TINY_ENV = "KERAS_GANS_TINY"
TINY_BATCHES = 2
# Flags that define the model or the data: they make a recipe, so they cannot
# be combined with --recipe or --resume (which have one already).
RECIPE_FLAGS = {
    "model": "--model", "conditional": "--conditional", "dataset": "--dataset", "latent_dim": "--latent-dim",
    "learning_rate": "--learning-rate", "image_size": "--image-size", "channels": "--channels",
    "background": "--background", "center_crop": "--center-crop",
    "architecture": "--architecture",
    **{name: flag for name, (flag, _) in TOOLKIT_FLAGS.items()}, "recluster_every": "--recluster-every",
}
# Writing a backup takes ~70 ms (digits GAN): every epoch, 14 s of the 200-epoch main job
# (keras_gans.runs.DEFAULT_BACKUP_INTERVAL_SECONDS; not imported: --help needs no Keras).
DEFAULT_BACKUP_INTERVAL_SECONDS = 30.0
# Flags that change how long a run trains; --resume accepts only these.
RESUME_FLAGS = {"epochs": "--epochs", "max_minutes": "--max-minutes"}


class UsageError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


def is_tiny():
    return os.environ.get(TINY_ENV, "") not in ("", "0")


# --- Arguments ----------------------------------------------------------------


def _add_source_arguments(parser):
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", help="name of a pretrained preset (see `keras-gans presets`)")
    source.add_argument("--model", help="a GAN .keras file or a bare generator .keras file")


def _train_parser(subparsers):
    parser = subparsers.add_parser(
        "train", help="train a GAN with model.fit", description="Train a GAN from flags or from a recipe."
    )
    parser.add_argument("--recipe", default=None, help="a recipe JSON file (e.g. zoo/<preset>/recipe.json); "
                        "then only --epochs, --batch-size, --seed and --max-minutes may be given")
    parser.add_argument("--model", choices=sorted(MODELS), default=None, help="the game (default: nonsaturating)")
    parser.add_argument("--conditional", action="store_true", default=None, help="condition on class labels")
    parser.add_argument(
        "--dataset", default=None,
        help="digits (default), mnist, fashion_mnist, twemoji (color emoji, 64 or 32 px; Twemoji graphics by Twitter, "
             "Inc and other contributors, CC-BY 4.0), folder:PATH (images; sub-folders = classes) or npz:PATH (arrays x, y)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's (digits 40, mnist/fashion_mnist 5, else 20)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--max-minutes", type=float, default=None, help="stop after the epoch in which this much time has passed")
    parser.add_argument("--learning-rate", type=float, default=None, help="Adam rate for both players (default: 1e-3 for the 8x8 MLP, the GAN class's default otherwise)")
    parser.add_argument("--ema", type=float, default=None, metavar="DECAY", help="keep an EMA copy of the generator (e.g. 0.999); samples and generator.keras use it")
    parser.add_argument("--label-smoothing", type=float, default=None, metavar="S", help="one-sided: real target 1 - S (minimax, nonsaturating, least_squares)")
    parser.add_argument("--r1", type=float, default=None, metavar="GAMMA", help="R1 penalty weight on real images (e.g. 10)")
    parser.add_argument("--diffaugment", default=None, metavar="POLICY", help="DiffAugment policy for every image D sees, e.g. color,translation,cutout")
    parser.add_argument("--clusters", type=int, nargs="?", const=DEFAULT_NUM_CLUSTERS, default=None, metavar="K",
                        help=f"label-free cluster conditioning: K k-means clusters of the images (PCA-50 of the pixels) "
                             f"condition the pair (a projection discriminator); no labels used (K defaults to {DEFAULT_NUM_CLUSTERS}, measured best)")
    parser.add_argument("--recluster-every", type=int, default=None, metavar="N",
                        help="self-conditioning (Liu et al. 2020): with --clusters, re-cluster the images in the "
                             "discriminator's features every N epochs (a projection discriminator)")
    parser.add_argument("--out", default=None, help="run folder; default runs/<dataset>_<model>")
    parser.add_argument("--seed", type=int, default=None, help="seeds the weights, the latents and the data order (default 0)")
    parser.add_argument("--latent-dim", type=int, default=None, help="default: 16 (MLP), 64 (DCGAN) or 128 (ResNet)")
    parser.add_argument(
        "--architecture", choices=("dcgan", "resnet", "mlp"), default=None,
        help="generator/discriminator pair: dcgan (sizes 16-256 and 28), resnet (SNGAN: 32, 64, 128) or mlp "
             "(any size); default: mlp for 8x8 images (the digits), dcgan otherwise",
    )
    parser.add_argument("--image-size", type=int, default=None, help="folder:/npz: datasets are resized to this square size (folder default 32); twemoji: 64 (default) or 32")
    parser.add_argument("--background", default=None, metavar="COLOR", help="folder: datasets: color behind transparent pixels: white (default), black or R,G,B (e.g. 0,128,255)")
    parser.add_argument("--center-crop", action="store_true", default=None, help="folder: datasets: crop each image to its centred square before resizing (default: stretch)")
    parser.add_argument("--channels", type=int, choices=(1, 3), default=None, help="folder: datasets: 1 grayscale, 3 RGB (default: RGB if any image has colour)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out (after a kill too: it ends as an uninterrupted run would)")
    parser.add_argument("--overwrite", action="store_true", help="replace the run already in --out")
    parser.add_argument(
        "--backup-interval", type=float, default=DEFAULT_BACKUP_INTERVAL_SECONDS, metavar="SECONDS",
        help=f"back up to OUT/backup at the first epoch end this long after the last backup, and at the end "
             f"(default {DEFAULT_BACKUP_INTERVAL_SECONDS:g}; 0: every epoch). A kill repeats at most the epochs since then.",
    )
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=1,
        help="0 silent; 1 (default) Keras's progress bar, one bar for the whole run once epochs take under 2 s; "
             "2 one line per epoch",
    )
    return parser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-gans", description="Train, sample and evaluate GANs (Keras 3).",
        epilog="TensorFlow's C++ log lines are hidden; set KERAS_GANS_TF_LOGS=1 to see them.",
    )
    parser.add_argument("--backend", choices=sorted(BACKENDS), default=None, help="Keras backend (default: KERAS_BACKEND or Keras's config)")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _train_parser(subparsers)
    sample = subparsers.add_parser("sample", help="write a grid of generated images")
    _add_source_arguments(sample)
    sample.add_argument("--num", type=int, default=None, help=f"images in the grid (default {SAMPLE_GRID_SIZE}), or frames with --interpolate (default {INTERPOLATION_FRAMES})")
    sample.add_argument("--out", default="samples.png")
    sample.add_argument("--labels", default=None, help="class labels, e.g. 3 or 0,1,2 (repeated to fill --num; with --interpolate default 0)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--latent-dim", type=int, default=None, help="for a bare generator (default: its input size)")
    sample.add_argument("--truncation", type=float, default=None, metavar="PSI", help="truncation trick: redraw latent entries with |z| > PSI (e.g. 1.0 or 0.5)")
    sample.add_argument("--interpolate", action="store_true", help="write a latent interpolation between two seeded latents: a strip PNG (--out) and an animated GIF (--out with .gif)")
    sample.add_argument("--method", choices=("slerp", "linear"), default="slerp", help="interpolation path (default slerp)")
    sample.add_argument("--overwrite", action="store_true")
    evaluate = subparsers.add_parser("evaluate", help="FID, KID and precision/recall against a dataset")
    _add_source_arguments(evaluate)
    evaluate.add_argument("--dataset", default=None)
    evaluate.add_argument("--num-samples", type=int, default=10000)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object (scores, protocol, floor) instead of the table")
    evaluate.add_argument("--no-floor", action="store_true", help="skip the real-data floor (real train vs real test images)")
    subparsers.add_parser("presets", help="list the pretrained presets")
    return parser


def _parse(argv):
    """Parses argv; `--backend` is accepted before or after the subcommand."""
    argv = [a for part in argv for a in (part.split("=", 1) if part.startswith("--backend=") else [part])]
    if "--backend" in argv[1:]:
        i = argv.index("--backend")
        if i > 0 and i + 1 < len(argv):
            argv = argv[i : i + 2] + argv[:i] + argv[i + 2 :]
    return build_parser().parse_args(argv)


# --- Backend --------------------------------------------------------------------


def _module_installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ValueError, ImportError):  # sys.modules[module] is None
        return False


def select_backend(backend, allow_reexec, argv):
    """Makes `backend` Keras's backend, before Keras is imported if possible.

    Keras reads KERAS_BACKEND once, at import. If Keras is already imported
    with another backend: re-executes this command (command-line use) or
    raises a UsageError (in-process `main([...])`).
    """
    requested = backend or os.environ.get("KERAS_BACKEND")
    if requested is None:
        return
    if requested not in BACKENDS:
        raise UsageError(f"Unknown backend {requested!r} (from KERAS_BACKEND): choose one of {', '.join(sorted(BACKENDS))}.")
    module, extra = BACKENDS[requested]
    if not _module_installed(module):
        raise UsageError(f"The {requested} backend is not installed: pip install 'keras-gans[{extra}]'")
    keras_module = sys.modules.get("keras")
    if keras_module is None:
        os.environ["KERAS_BACKEND"] = requested
        return
    current = keras_module.backend.backend()
    if current == requested:
        return
    if not allow_reexec:
        raise UsageError(
            f"Keras is already imported with the {current} backend in this process, so "
            f"--backend {requested} cannot take effect: set KERAS_BACKEND={requested} "
            "before starting Python."
        )
    env = dict(os.environ, KERAS_BACKEND=requested)
    os.execve(sys.executable, [sys.executable, "-m", "keras_gans", *argv], env)


# --- Output folder ----------------------------------------------------------------


def _check_writable(out):
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, ".keras_gans_write_test")
        with open(probe, "w") as f:
            f.write("")
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"Cannot write to the output folder {out!r} ({error.strerror or error}): choose another --out.")


# --- train: the recipe ---------------------------------------------------------------


def _given(args, flags):
    return [flag for name, flag in flags.items() if getattr(args, name, None) is not None]


def _check_train_flags(args):
    """Range checks of the train flags: one-line errors before anything happens."""
    checks = [
        ("epochs", "--epochs", lambda v: v >= 1, ">= 1"),
        ("batch_size", "--batch-size", lambda v: v >= 1, ">= 1"),
        ("seed", "--seed", lambda v: v >= 0, ">= 0"),
        ("latent_dim", "--latent-dim", lambda v: v >= 1, ">= 1"),
        ("image_size", "--image-size", lambda v: v >= 4, ">= 4"),
        ("learning_rate", "--learning-rate", lambda v: math.isfinite(v) and v > 0, "> 0 (e.g. 0.0002)"),
        ("max_minutes", "--max-minutes", lambda v: math.isfinite(v) and v > 0, "> 0"),
        ("backup_interval", "--backup-interval", lambda v: math.isfinite(v) and v >= 0, "a number of seconds >= 0"),
    ]
    for name, flag, ok, valid in checks:
        value = getattr(args, name, None)
        if value is not None and not ok(value):
            raise UsageError(f"{flag} must be {valid}; received {value}.")
    toolkit_checks = {"ema": "unit_interval", "label_smoothing": "unit_interval", "r1": "non_negative"}
    for name, check in toolkit_checks.items():
        if getattr(args, name) is not None:
            from keras_gans import hyperparameters  # no Keras import

            try:
                getattr(hyperparameters, check)(TOOLKIT_FLAGS[name][0], getattr(args, name))
            except ValueError as error:
                raise UsageError(str(error).replace("`", "")) from None
    if args.dataset is not None:
        kind, _, path = args.dataset.partition(":")
        if args.dataset not in BUILTIN_DATASETS and not (kind in ("folder", "npz") and path):
            raise UsageError(
                f"Unknown dataset {args.dataset!r}: use one of {', '.join(BUILTIN_DATASETS)}, folder:PATH or npz:PATH."
            )
    dataset = args.dataset or "digits"
    if dataset in SIZED_DATASETS and args.image_size is not None and args.image_size not in SIZED_DATASETS[dataset]:
        raise UsageError(
            f"--image-size must be one of {', '.join(map(str, SIZED_DATASETS[dataset]))} for {dataset}; received {args.image_size}."
        )
    if dataset in SIZED_DATASETS and args.channels:
        raise UsageError(f"--channels does not apply to {dataset} (color images); drop it.")
    if dataset in BUILTIN_DATASETS and dataset not in SIZED_DATASETS and (args.image_size or args.channels):
        raise UsageError(
            f"--image-size and --channels apply to folder: and npz: datasets, not {dataset!r}; drop them."
        )
    if not dataset.startswith("folder:") and (args.background is not None or args.center_crop):
        raise UsageError(f"--background and --center-crop apply to folder: datasets, not {dataset!r}; drop them.")
    if args.background is not None:
        args.background = parse_background(args.background)
    if (args.dataset or "").startswith("npz:") and args.channels:
        raise UsageError("--channels applies to folder: datasets; an .npz keeps its channels: drop it.")
    if args.clusters is not None and args.clusters < 2:
        raise UsageError(f"--clusters must be an integer >= 2; received {args.clusters}.")
    if args.recluster_every is not None and (args.clusters is None or args.recluster_every < 1):
        raise UsageError(
            f"--recluster-every must be an integer >= 1 and comes with --clusters; received {args.recluster_every}"
            + ("" if args.clusters is not None else " without --clusters") + "."
        )
    if args.clusters is not None and args.conditional:
        raise UsageError("--clusters conditions on label-free clusters and --conditional on class labels: pass one of them.")
    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite contradict each other: pass one of them.")
    if args.resume:
        refused = _given(args, RECIPE_FLAGS) + _given(args, {"batch_size": "--batch-size", "seed": "--seed", "recipe": "--recipe"})
        if refused:
            raise UsageError(
                f"--resume continues the run in --out with its own recipe, so {', '.join(refused)} cannot "
                "change it: drop them (only --epochs and --max-minutes may be given), or start a new run."
            )
    elif args.recipe:
        refused = _given(args, RECIPE_FLAGS)
        if refused:
            raise UsageError(
                f"{', '.join(refused)} cannot be combined with --recipe: the recipe defines the model and "
                "the data. Edit a copy of the recipe, or drop --recipe."
            )


def parse_background(text):
    """--background: "white", "black" or "R,G,B" (0..255 each) -> the recipe's value."""
    from keras_gans.data.image_folder import background_color  # no Keras import

    value = text.strip().lower()
    if "," in value:
        try:
            value = [int(v) for v in value.split(",")]
        except ValueError:
            value = text
    try:
        background_color(value)
    except ValueError:
        raise UsageError(
            f"--background must be white, black or R,G,B with integers 0..255 (e.g. 0,128,255); received {text!r}."
        ) from None
    return value


def _data_options(args):
    """The recipe's `data.background` / `data.center_crop`, when given."""
    options = {}
    if args.background is not None:
        options["background"] = args.background
    if args.center_crop:
        options["center_crop"] = True
    return options


def _recipe_from_flags(args):
    """The recipe of a new run (not yet validated: `Run` validates it) and,
    for folder:/npz: data, the data already loaded."""
    from keras_gans import recipes

    try:
        if args.recipe:
            recipe = recipes.read_recipe_file(args.recipe)
            data = None
        else:
            dataset = args.dataset or "digits"
            image_shape = recipes.BUILTIN_IMAGE_SHAPES.get(dataset)
            data = None
            if image_shape is None:  # folder:/npz: the architecture depends on the image size
                data = recipes.load_data({"dataset": dataset, "conditional": bool(args.conditional),
                                          "image_size": args.image_size, "channels": args.channels,
                                          **_data_options(args)})
                image_shape = data.image_shape
            gan_class = MODELS[args.model or "nonsaturating"]
            recipe = recipes.default_recipe(
                dataset, gan_class, bool(args.conditional), image_shape, args.image_size, args.channels,
                architecture=args.architecture,
            )
            recipe["data"].update(_data_options(args))
            if args.latent_dim is not None:
                recipe["gan"]["config"]["latent_dim"] = args.latent_dim
            if args.learning_rate is not None:
                recipe["optimizers"] = recipes.adam_optimizers(args.learning_rate, gan_class)
            config = recipe["gan"]["config"]
            for name, (_, key) in TOOLKIT_FLAGS.items():
                value = getattr(args, name)
                if value is not None and name == "diffaugment":
                    import keras

                    from keras_gans.augment import DiffAugment

                    value = keras.saving.serialize_keras_object(DiffAugment(value))
                if value is not None:
                    config[key] = value
            if args.recluster_every is not None:
                config["cluster_conditioning"] = {"num_clusters": args.clusters,
                                                  "recluster_every_epochs": args.recluster_every}
            if args.clusters is not None and recipe["discriminator"]["builder"] in ("dcgan_discriminator",
                                                                                   "mlp_discriminator"):
                # Measured: clusters through a projection D beat an input channel (benchmarks/README.md).
                recipe["discriminator"]["kwargs"]["label_conditioning"] = "projection"
        for name, section, key in (("epochs", "fit", "epochs"), ("batch_size", "fit", "batch_size"),
                                   ("max_minutes", "fit", "max_minutes"), ("seed", None, "seed")):
            value = getattr(args, name)
            if value is not None:
                (recipe[section] if section else recipe)[key] = value
        if is_tiny():
            recipe["fit"]["epochs"] = 1
        return recipe, data
    except ValueError as error:
        raise UsageError(str(error)) from None


def _default_out(args):
    if args.out:
        return args.out
    if args.recipe:
        return os.path.join("runs", os.path.basename(os.path.dirname(os.path.abspath(args.recipe))) or "recipe")
    dataset = (args.dataset or "digits").replace(":", "_").replace("/", "_")
    return os.path.join("runs", f"{dataset}_{args.model or 'nonsaturating'}")


def run_train(args):
    """`keras-gans train`: one `keras_gans.runs.Run` (the recipe validated once, in it)."""
    _check_train_flags(args)
    out = _default_out(args)
    command = "keras-gans " + " ".join(args.argv)
    from keras_gans.runs import Run

    try:
        if args.resume:
            if os.path.exists(out) and not os.path.isdir(out):
                raise UsageError(f"Cannot write to the output folder {out!r}: it is a file. Choose another --out.")
            run = Run.from_folder(out, epochs=args.epochs, max_minutes=args.max_minutes,
                                  backup_interval_seconds=args.backup_interval, command=command)
            run.build()
        else:
            recipe, data = _recipe_from_flags(args)
            max_images = recipe["fit"]["batch_size"] * TINY_BATCHES if is_tiny() else None
            run = Run(out, recipe, data=data, max_images=max_images, command=command,
                      backup_interval_seconds=args.backup_interval, source=args.recipe)
            run.build()  # bad data or settings are reported before --overwrite deletes anything
            if run.existing_files() and not args.overwrite:
                raise UsageError(
                    f"{out!r} already holds a run ({', '.join(run.existing_files())}): pass --resume to continue "
                    "it, --overwrite to replace it, or another --out."
                )
            run.prepare(overwrite=args.overwrite)
    except ValueError as error:
        raise UsageError(str(error)) from None
    from keras_gans import recipes

    print(f"Training {recipes.describe(run.recipe)} ({run.data.description}); writing to {out}", flush=True)
    history = run.train(verbose=args.verbose)
    print(f"Saved {out}/model.keras, generator.keras, samples.png and run.json ({history.wall_seconds:.1f} s of training).")
    return 0


# --- sample / evaluate / presets ------------------------------------------------------


def _embedding_classes(generator):
    import keras

    for layer in generator.layers:
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
    return None


class _GeneratorSampler:
    """`.generate(n, seed, labels)` for a bare generator `.keras` file."""

    def __init__(self, generator, latent_dim):
        self.generator = generator
        inputs = generator.inputs
        self.latent_dim = latent_dim or int(inputs[0].shape[-1])
        self.num_classes = _embedding_classes(generator) if len(inputs) > 1 else None
        if len(inputs) > 1 and self.num_classes is None:
            raise UsageError("This generator takes labels but has no Embedding layer to tell how many classes: load the GAN .keras instead.")

    def generate(self, num_samples, seed=0, labels=None, truncation=None):
        from keras_gans.sampling import generate_images

        return generate_images(
            self.generator, num_samples, self.latent_dim, seed=seed, labels=labels, num_classes=self.num_classes, truncation=truncation
        )


def load_sampler(args):
    """An object with `.generate(n, seed, labels)` and `num_classes`."""
    if args.preset:
        try:
            from keras_gans.presets import from_preset
        except ImportError as error:
            raise UsageError("Presets are not available in this install (keras_gans.presets is missing): use --model FILE.") from error
        try:
            return from_preset(args.preset)
        except (ValueError, KeyError) as error:
            raise UsageError(f"{error} Run `keras-gans presets` to list them.") from error
    if not os.path.isfile(args.model):
        raise UsageError(f"Model file {args.model!r} does not exist: pass a .keras file saved by `keras-gans train` or `model.save`.")
    import keras

    import keras_gans  # noqa: F401  (registers the GAN classes for loading)

    try:
        model = keras.saving.load_model(args.model)
    except Exception as error:  # many formats of failure; all are the user's file
        raise UsageError(f"Could not load {args.model!r} as a Keras model ({type(error).__name__}: {error}).") from error
    if callable(getattr(model, "generate", None)):
        return model
    return _GeneratorSampler(model, getattr(args, "latent_dim", None))


def parse_labels(text, num, num_classes):
    import numpy as np

    if num_classes is None:
        if text is not None:
            raise UsageError("--labels was given but this model is unconditional: drop --labels.")
        return None
    if text is None:
        return np.arange(num) % num_classes
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"--labels must be integers separated by commas, e.g. 0,1,2; received {text!r}.") from None
    if not values or min(values) < 0 or max(values) >= num_classes:
        raise UsageError(f"--labels must lie in 0..{num_classes - 1} for this model; received {text!r}.")
    return np.resize(np.array(values, dtype="int32"), num)


# Images in a `sample` grid and frames of an interpolation when --num is not given.
SAMPLE_GRID_SIZE = 64
INTERPOLATION_FRAMES = 16


def _check_sample_flags(args):
    if args.num is None:
        args.num = INTERPOLATION_FRAMES if args.interpolate else SAMPLE_GRID_SIZE
    minimum = 2 if args.interpolate else 1
    if args.num < minimum:
        raise UsageError(f"--num must be >= {minimum}{' (frames, endpoints included)' if args.interpolate else ''}; received {args.num}.")
    if args.truncation is not None and not (math.isfinite(args.truncation) and args.truncation > 0):
        raise UsageError(f"--truncation must be a finite number > 0 (e.g. 1.0 or 0.5); received {args.truncation}.")
    if args.method != "slerp" and not args.interpolate:
        raise UsageError("--method chooses the interpolation path: use it with --interpolate.")
    outputs = [args.out] + ([os.path.splitext(args.out)[0] + ".gif"] if args.interpolate else [])
    for path in outputs:
        if os.path.exists(path) and not args.overwrite:
            raise UsageError(f"{path!r} already exists: pass --overwrite to replace it, or another --out.")
    return outputs


def run_sample(args):
    outputs = _check_sample_flags(args)
    sampler = load_sampler(args)
    num_classes = getattr(sampler, "num_classes", None)
    from keras_gans.visualization import save_animation, save_image_grid

    directory = os.path.dirname(os.path.abspath(args.out))
    _check_writable(directory)
    if args.interpolate:
        from keras_gans.sampling import interpolate

        labels = parse_labels(args.labels or ("0" if num_classes else None), args.num, num_classes)
        frames = interpolate(sampler, args.num, seed=args.seed, labels=labels, method=args.method, truncation=args.truncation)
        scale = max(1, 128 // frames.shape[1])
        save_image_grid(frames, outputs[0], num_columns=args.num, scale=scale)
        save_animation(frames, outputs[1], scale=scale)
        print(f"Wrote a {args.num}-frame {args.method} interpolation to {outputs[0]} and {outputs[1]}")
        return 0
    labels = parse_labels(args.labels, args.num, num_classes)
    images = sampler.generate(args.num, seed=args.seed, labels=labels, truncation=args.truncation)
    columns = 10 if num_classes and args.labels is None else None
    save_image_grid(images, args.out, num_columns=columns, scale=max(1, 128 // images.shape[1]))
    print(f"Wrote {args.num} samples to {args.out}")
    return 0


# Neighbourhood size of the precision/recall that `evaluate` reports (the paper's k).
EVALUATE_PRECISION_RECALL_K = 3
EVALUATE_DENSITY_COVERAGE_K = 5  # the zoo cards' settings (zoo/evaluate_presets.py)


def _evaluation_metrics():
    """The metrics `keras-gans evaluate` reports: FID, KID, precision/recall and density/coverage."""
    from keras_gans.metrics import FID, KID, DensityCoverage, PrecisionRecall

    return [FID(), KID(), PrecisionRecall(k=EVALUATE_PRECISION_RECALL_K), DensityCoverage(k=EVALUATE_DENSITY_COVERAGE_K)]


def run_evaluate(args):
    minimum = max(EVALUATE_PRECISION_RECALL_K, EVALUATE_DENSITY_COVERAGE_K) + 1
    if args.num_samples < minimum:
        raise UsageError(
            f"--num-samples must be >= {minimum} (precision/recall and density/coverage look at each sample's "
            f"{EVALUATE_PRECISION_RECALL_K} and {EVALUATE_DENSITY_COVERAGE_K} nearest neighbours); "
            f"received {args.num_samples}."
        )
    if args.model and not args.dataset:
        raise UsageError("--dataset is required with --model (e.g. --dataset mnist): it names the real images to compare with.")
    try:
        from keras_gans.evaluation import evaluate_generator
    except ImportError as error:
        raise UsageError("Evaluation is not available in this install (keras_gans.evaluation is missing).") from error
    sampler = load_sampler(args)
    num_samples = min(args.num_samples, 100) if is_tiny() else args.num_samples
    num_classes = getattr(sampler, "num_classes", None)

    def generate_fn(n, seed=0, labels=None):
        if labels is None and num_classes:
            labels = parse_labels(None, n, num_classes)
        return sampler.generate(n, seed=seed, labels=labels)

    kwargs = {"num_samples": num_samples, "seed": getattr(args, "seed", 0), "metrics": _evaluation_metrics()}
    # A preset knows its dataset; a bare model file needs --dataset.
    dataset = args.dataset or (getattr(sampler, "metadata", None) or {}).get("dataset")
    if dataset:
        kwargs["dataset"] = dataset
    try:
        result = evaluate_generator(generate_fn, **kwargs)
    except ValueError as error:  # wrong dataset for this model, unknown dataset, ...
        raise UsageError(str(error)) from error
    from keras_gans import evaluation_report

    floor = None if args.no_floor else _real_floor(result["protocol"], kwargs["seed"])
    source = {"preset": args.preset} if args.preset else {"model": args.model}
    print(evaluation_report.evaluation_json(result, floor, source) if args.json
          else evaluation_report.evaluation_table(result, floor))
    return 0


def _real_floor(protocol, seed):
    """The same metrics between real train and real test images, or None when they cannot be had."""
    from keras_gans.evaluation import real_data_floor

    try:
        return real_data_floor(protocol["dataset"], num_real=protocol["num_real"], seed=seed, metrics=_evaluation_metrics())
    except ValueError:  # e.g. a train split smaller than the real test images used
        return None


def run_presets(args):
    try:
        from keras_gans.presets import list_presets
    except ImportError as error:
        raise UsageError("Presets are not available in this install (keras_gans.presets is missing).") from error
    presets = list_presets()
    rows = presets.items() if hasattr(presets, "items") else ((p, "") for p in presets)
    rows = [(str(name), info.get("description", "") if isinstance(info, dict) else str(info)) for name, info in rows]
    width = max([len("name")] + [len(name) for name, _ in rows])
    print(f"{'name'.ljust(width)}  description")
    for name, description in rows:
        print(f"{name.ljust(width)}  {description}")
    return 0


COMMANDS = {"train": run_train, "sample": run_sample, "evaluate": run_evaluate, "presets": run_presets}


def main(argv=None):
    """Runs the command line; returns the exit status.

    Args:
        argv: list of str, the arguments after the program name. None reads
            `sys.argv[1:]` (and then `--backend` may re-execute the process).

    Example:

    ```python
    from keras_gans.cli import main
    main(["train", "--dataset", "digits", "--epochs", "1", "--out", "/tmp/run"])
    ```
    """
    allow_reexec = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    args.argv = argv
    try:
        select_backend(args.backend, allow_reexec, argv)
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"keras-gans: error: {error}", file=sys.stderr)
        return 2
