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
"""

import argparse
import importlib.util
import json
import os
import platform
import sys
import time

BACKENDS = {
    "tensorflow": ("tensorflow", "tensorflow"),
    "torch": ("torch", "torch"),
    "jax": ("jax", "jax"),
}
MODELS = {"minimax": "MinimaxGAN", "nonsaturating": "NonSaturatingGAN", "wgan_gp": "WGANGP"}
BUILTIN_DATASETS = ("digits", "mnist", "fashion_mnist")
# Files and folders a finished or interrupted `train` leaves in --out.
RUN_FILES = ("run.json", "model.keras", "generator.keras", "samples.png", "history.csv", "samples", "backup", "logs")
DEFAULT_FOLDER_IMAGE_SIZE = 32
# Default epochs per built-in dataset (measured: recognisable samples).
DEFAULT_EPOCHS = {"digits": 40, "mnist": 5, "fashion_mnist": 5}
TINY_ENV = "KERAS_GANS_TINY"
TINY_BATCHES = 2


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
    parser = subparsers.add_parser("train", help="train a GAN with model.fit", description="Train a GAN.")
    parser.add_argument("--model", choices=sorted(MODELS), default="nonsaturating")
    parser.add_argument("--conditional", action="store_true", help="condition on class labels")
    parser.add_argument(
        "--dataset", default="digits",
        help="digits, mnist, fashion_mnist, folder:PATH (images; sub-folders = classes) or npz:PATH (arrays x, y)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="default: 40 for digits, 5 for mnist/fashion_mnist, 20 otherwise")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=None, help="Adam rate for both players (default: 1e-3 for the 8x8 MLP, the GAN class's default otherwise)")
    parser.add_argument("--out", default=None, help="run folder; default runs/<dataset>_<model>")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latent-dim", type=int, default=None, help="default: 16 (8x8 MLP) or 64 (DCGAN)")
    parser.add_argument("--image-size", type=int, default=None, help=f"folder:/npz: datasets are resized to this square size (folder default {DEFAULT_FOLDER_IMAGE_SIZE})")
    parser.add_argument("--channels", type=int, choices=(1, 3), default=None, help="folder: datasets: 1 grayscale, 3 RGB (default: RGB if any image has colour)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--overwrite", action="store_true", help="replace the run already in --out")
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras progress output")
    return parser


def build_parser():
    parser = argparse.ArgumentParser(prog="keras-gans", description="Train, sample and evaluate GANs (Keras 3).")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default=None, help="Keras backend (default: KERAS_BACKEND or Keras's config)")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _train_parser(subparsers)
    sample = subparsers.add_parser("sample", help="write a grid of generated images")
    _add_source_arguments(sample)
    sample.add_argument("--num", type=int, default=64)
    sample.add_argument("--out", default="samples.png")
    sample.add_argument("--labels", default=None, help="class labels, e.g. 3 or 0,1,2 (repeated to fill --num)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--latent-dim", type=int, default=None, help="for a bare generator (default: its input size)")
    sample.add_argument("--overwrite", action="store_true")
    evaluate = subparsers.add_parser("evaluate", help="FID and KID against a dataset")
    _add_source_arguments(evaluate)
    evaluate.add_argument("--dataset", default=None)
    evaluate.add_argument("--num-samples", type=int, default=10000)
    evaluate.add_argument("--seed", type=int, default=0)
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


def existing_run_files(out):
    return [name for name in RUN_FILES if os.path.exists(os.path.join(out, name))]


def _check_writable(out):
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, ".keras_gans_write_test")
        with open(probe, "w") as f:
            f.write("")
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"Cannot write to the output folder {out!r} ({error.strerror or error}): choose another --out.")


def _clear_run(out):
    import shutil

    for name in RUN_FILES:
        path = os.path.join(out, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def prepare_output(out, resume, overwrite):
    """Checks --out; never deletes anything unless --overwrite was given."""
    if resume and overwrite:
        raise UsageError("--resume and --overwrite contradict each other: pass one of them.")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"Cannot write to the output folder {out!r}: it is a file. Choose another --out.")
    found = existing_run_files(out) if os.path.isdir(out) else []
    if resume:
        if "run.json" not in found:
            raise UsageError(f"Nothing to resume in {out!r} (no run.json): drop --resume to start a new run there.")
    elif found:
        if not overwrite:
            raise UsageError(
                f"{out!r} already holds a run ({', '.join(found)}): pass --resume to continue it, "
                "--overwrite to replace it, or another --out."
            )
        _clear_run(out)
    _check_writable(out)


# --- Data -------------------------------------------------------------------------


def load_training_data(spec, image_size=None, channels=None):
    """Returns `(images, labels, description)` for a --dataset value."""
    from keras_gans import data
    from keras_gans.data import image_folder

    if spec in BUILTIN_DATASETS:
        if image_size is not None or channels is not None:
            raise UsageError(f"--image-size and --channels apply to folder: and npz: datasets, not {spec!r}; drop them.")
        images, labels = data.load_dataset(spec, "train")
        return images, labels, data.DATASETS[spec]
    kind, _, path = spec.partition(":")
    try:
        if kind == "folder" and path:
            size = image_size or DEFAULT_FOLDER_IMAGE_SIZE
            images, labels, info = image_folder.load_image_folder(path, size, channels)
            note = f"{len(images)} images from {path}, resized to {size}x{size}"
            if info["num_resized"]:
                note += f" ({info['num_resized']} resized from sizes {info['original_sizes']})"
            if info["class_names"]:
                note += f", classes {info['class_names']}"
            return images, labels, note
        if kind == "npz" and path:
            if channels is not None:
                raise UsageError("--channels applies to folder: datasets; an .npz keeps its channels.")
            images, labels = image_folder.load_npz(path, image_size)
            return images, labels, f"{len(images)} images from {path}"
    except ValueError as error:
        raise UsageError(str(error)) from error
    raise UsageError(
        f"Unknown dataset {spec!r}: use one of {', '.join(BUILTIN_DATASETS)}, folder:PATH or npz:PATH."
    )


# --- Models -----------------------------------------------------------------------


def build_gan(model_name, image_shape, num_classes, latent_dim, seed):
    """Picks the architecture for the image size and builds the GAN."""
    import keras_gans
    from keras_gans import architectures

    if image_shape[:2] in ((28, 28), (32, 32)):
        architecture = "dcgan"
        latent_dim = latent_dim or 64
        generator = architectures.dcgan_generator(latent_dim, image_shape, num_classes, seed=seed)
        discriminator = architectures.dcgan_discriminator(
            image_shape, num_classes, normalization="layer" if model_name == "wgan_gp" else "batch",
            seed=None if seed is None else seed + 1,
        )
    else:
        architecture = "mlp"
        latent_dim = latent_dim or 16
        generator = architectures.mlp_generator(latent_dim, image_shape, num_classes, hidden_units=(128, 128), seed=seed)
        discriminator = architectures.mlp_discriminator(image_shape, num_classes, hidden_units=(128, 128), seed=None if seed is None else seed + 1)
    gan_class = getattr(keras_gans, MODELS[model_name])
    gan = gan_class(generator, discriminator, latent_dim, num_classes=num_classes, seed=seed)
    return gan, architecture


def _versions():
    import keras
    import numpy

    import keras_gans

    backend = keras.backend.backend()
    module = sys.modules.get(BACKENDS[backend][0]) or __import__(BACKENDS[backend][0])
    return {
        "keras_gans": keras_gans.__version__,
        "keras": keras.__version__,
        backend: getattr(module, "__version__", "unknown"),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def _read_run(out):
    with open(os.path.join(out, "run.json")) as f:
        return json.load(f)


def _write_run(out, run):
    with open(os.path.join(out, "run.json"), "w") as f:
        json.dump(run, f, indent=2, sort_keys=True)


def _iterations(optimizer):
    import keras

    return int(keras.ops.convert_to_numpy(optimizer.iterations))


# --- train --------------------------------------------------------------------------


def _train_settings(args):
    if args.epochs is not None and args.epochs < 1:
        raise UsageError(f"--epochs must be >= 1; received {args.epochs}.")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be >= 1; received {args.batch_size}.")
    dataset_name = args.dataset.split(":", 1)[0] if ":" in args.dataset else args.dataset
    return {
        "model": args.model,
        "conditional": args.conditional,
        "dataset": args.dataset,
        "epochs": args.epochs or DEFAULT_EPOCHS.get(dataset_name, 20),
        "batch_size": args.batch_size,
        "seed": args.seed,
        "latent_dim": args.latent_dim,
        "image_size": args.image_size,
        "channels": args.channels,
        "learning_rate": args.learning_rate,
    }


def _prepare_data(settings, tiny):
    images, labels, description = load_training_data(settings["dataset"], settings["image_size"], settings["channels"])
    num_classes = None
    if settings["conditional"]:
        if labels is None:
            raise UsageError(
                f"--conditional needs class labels, and {settings['dataset']!r} has none: put the images "
                "in one sub-folder per class (folder:) or save `y` in the .npz, or drop --conditional."
            )
        num_classes = int(labels.max()) + 1
    else:
        labels = None
    if tiny:
        keep = settings["batch_size"] * TINY_BATCHES
        images = images[:keep]
        labels = None if labels is None else labels[:keep]
    return images, labels, num_classes, description


def _callbacks(out, num_classes, resume):
    import keras

    from keras_gans.callbacks import SampleGrid

    num_samples = 10 * num_classes if num_classes else 64
    # Grids also go to TensorBoard (out/logs) when the package is installed.
    logs = os.path.join(out, "logs") if _module_installed("tensorboard") else None
    return [
        keras.callbacks.BackupAndRestore(os.path.join(out, "backup")),
        SampleGrid(os.path.join(out, "samples"), num_samples=num_samples, tensorboard_log_dir=logs),
        keras.callbacks.CSVLogger(os.path.join(out, "history.csv"), append=resume),
    ]


def _load_or_build(out, settings, image_shape, num_classes, resume):
    """The GAN to train and the epoch to start from."""
    import keras

    model_path = os.path.join(out, "model.keras")
    interrupted = os.path.exists(os.path.join(out, "backup"))
    if resume and os.path.exists(model_path) and not interrupted:
        gan = keras.saving.load_model(model_path)  # weights and both optimizers' state
        return gan, _read_run(out).get("epochs_done", 0), _read_run(out)["architecture"]
    gan, architecture = build_gan(settings["model"], image_shape, num_classes, settings["latent_dim"], settings["seed"])
    gan.compile(*_optimizers(gan, architecture, settings.get("learning_rate")))
    return gan, 0, architecture


def _optimizers(gan, architecture, learning_rate):
    """Both players' optimizers: the class defaults, or Adam at a given rate.

    The 8x8 MLP learns recognisable digits in about a minute at 1e-3
    (measured); the DCGAN defaults are the papers'.
    """
    import keras

    if learning_rate is None and architecture != "mlp":
        return None, None
    rate = learning_rate or 1e-3
    beta_1, beta_2 = (0.0, 0.9) if gan.__class__.__name__ == "WGANGP" else (0.5, 0.999)
    return tuple(keras.optimizers.Adam(rate, beta_1=beta_1, beta_2=beta_2) for _ in range(2))


def _resolve_resume(args, out):
    run = _read_run(out)
    settings = dict(run["settings"])
    if args.epochs is not None:
        settings["epochs"] = args.epochs
    done = run.get("epochs_done", 0)
    if run.get("status") == "finished" and settings["epochs"] <= done:
        raise UsageError(
            f"The run in {out!r} already trained {done} epochs: pass --resume with --epochs larger than {done}."
        )
    return settings


def run_train(args):
    out = args.out or os.path.join("runs", f"{args.dataset.replace(':', '_').replace('/', '_')}_{args.model}")
    prepare_output(out, args.resume, args.overwrite)
    settings = _resolve_resume(args, out) if args.resume else _train_settings(args)
    tiny = is_tiny()
    images, labels, num_classes, description = _prepare_data(settings, tiny)
    import keras

    gan, initial_epoch, architecture = _load_or_build(out, settings, images.shape[1:], num_classes, args.resume)
    epochs = 1 if tiny and not args.resume else settings["epochs"]
    run = {
        "settings": settings, "architecture": architecture, "dataset_description": description,
        "num_images": int(len(images)), "backend": keras.backend.backend(), "versions": _versions(),
        "status": "running", "tiny": tiny, "epochs_done": initial_epoch,
        "command": "keras-gans " + " ".join(args.argv),
    }
    if args.resume:
        run["wall_time_s"] = _read_run(out).get("wall_time_s", 0.0)
    _write_run(out, run)
    print(f"Training {MODELS[settings['model']]} ({architecture}) on {description}; writing to {out}", flush=True)
    start = time.time()
    history = gan.fit(
        images, labels, epochs=epochs, batch_size=settings["batch_size"], initial_epoch=initial_epoch,
        verbose=args.verbose, callbacks=_callbacks(out, num_classes, args.resume), shuffle=True,
    )
    _finish(out, gan, history, run, time.time() - start, epochs, num_classes)
    return 0


def _csv_history(out):
    """Every epoch's logs from history.csv (complete across resumed runs)."""
    import csv

    path = os.path.join(out, "history.csv")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    # CSVLogger writes "NA" for keys an epoch did not log (val_* without
    # validation data): such columns are left out.
    return {
        k: [float(r[k]) for r in rows]
        for k in rows[0]
        if k != "epoch" and all(r[k] not in ("NA", "", None) for r in rows)
    }


def _finish(out, gan, history, run, wall_time, epochs, num_classes):
    from keras_gans.visualization import save_image_grid

    gan.save(os.path.join(out, "model.keras"))
    gan.generator.save(os.path.join(out, "generator.keras"))
    labels = None if num_classes is None else [c for c in range(num_classes) for _ in range(10)]
    samples = gan.generate(len(labels) if labels else 64, seed=0, labels=labels)
    save_image_grid(samples, os.path.join(out, "samples.png"), num_columns=10 if labels else 8, scale=max(1, 128 // samples.shape[1]))
    logs = _csv_history(out) or {k: [float(v) for v in values] for k, values in history.history.items()}
    run.update(
        status="finished", epochs_done=epochs, history=logs,
        final={k: v[-1] for k, v in logs.items() if v},
        wall_time_s=round(run.get("wall_time_s", 0.0) + wall_time, 2),
        generator_steps=_iterations(gan.generator_optimizer),
        discriminator_steps=_iterations(gan.discriminator_optimizer),
    )
    _write_run(out, run)
    print(f"Saved {out}/model.keras, generator.keras, samples.png and run.json ({wall_time:.1f} s).")


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

    def generate(self, num_samples, seed=0, labels=None):
        from keras_gans.sampling import generate_images

        return generate_images(self.generator, num_samples, self.latent_dim, seed=seed, labels=labels, num_classes=self.num_classes)


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


def run_sample(args):
    if args.num < 1:
        raise UsageError(f"--num must be >= 1; received {args.num}.")
    if os.path.exists(args.out) and not args.overwrite:
        raise UsageError(f"{args.out!r} already exists: pass --overwrite to replace it, or another --out.")
    sampler = load_sampler(args)
    num_classes = getattr(sampler, "num_classes", None)
    labels = parse_labels(args.labels, args.num, num_classes)
    images = sampler.generate(args.num, seed=args.seed, labels=labels)
    from keras_gans.visualization import save_image_grid

    directory = os.path.dirname(os.path.abspath(args.out))
    _check_writable(directory)
    columns = 10 if num_classes and args.labels is None else None
    save_image_grid(images, args.out, num_columns=columns, scale=max(1, 128 // images.shape[1]))
    print(f"Wrote {args.num} samples to {args.out}")
    return 0


# Neighbourhood size of the precision/recall that `evaluate` reports (the paper's k).
EVALUATE_PRECISION_RECALL_K = 3


def _evaluation_metrics():
    """The metrics `keras-gans evaluate` reports: FID, KID, precision and recall."""
    from keras_gans.metrics import FID, KID, PrecisionRecall

    return [FID(), KID(), PrecisionRecall(k=EVALUATE_PRECISION_RECALL_K)]


def run_evaluate(args):
    minimum = EVALUATE_PRECISION_RECALL_K + 1
    if args.num_samples < minimum:
        raise UsageError(
            f"--num-samples must be >= {minimum} (precision/recall looks at each sample's "
            f"{EVALUATE_PRECISION_RECALL_K} nearest neighbours); received {args.num_samples}."
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
    items = result.items() if hasattr(result, "items") else vars(result).items()
    for key, value in items:
        print(f"{key}: {value}")
    return 0


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
