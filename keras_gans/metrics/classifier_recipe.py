"""Training recipe for the feature classifiers of `zoo/<dataset>_classifier/`.

Kept in the package so both recipes (`zoo/mnist_classifier/train.py` and
`zoo/fashion_mnist_classifier/train.py`) run the exact same code; each recipe
only picks a dataset and a number of epochs.
"""

import json
import platform
import time

import keras
import numpy as np

from keras_gans.data.datasets import load_dataset
from keras_gans.data.transforms import to_unit_range
from keras_gans.metrics.classifier import build_feature_classifier

from keras_gans.metrics.feature_extractors import CLASSIFIER_DATASETS


def _check_dataset(dataset):
    if dataset not in CLASSIFIER_DATASETS:
        raise ValueError(
            f"No feature classifier recipe for dataset {dataset!r}. "
            f"Expected one of {list(CLASSIFIER_DATASETS)}."
        )


# The size a dataset's classifier sees; Twemoji's 64x64 images are judged
# at 32x32 (see ClassifierFeatureExtractor), one feature space for both sizes.
CLASSIFIER_IMAGE_SIZES = {"twemoji": 32}


def load_unit_range(dataset, split):
    """Loads a dataset split as float32 NHWC images in [0, 1] and int32 labels.

    Args:
        dataset: str. "mnist", "fashion_mnist", "digits" or "twemoji" (at
            the classifier's size, `CLASSIFIER_IMAGE_SIZES`).
        split: str. "train" or "test".

    Returns:
        `(images, labels)` NumPy arrays.

    Example:

    >>> images, labels = load_unit_range("mnist", "test")  # doctest: +SKIP
    >>> images.shape  # doctest: +SKIP
    (10000, 28, 28, 1)
    """
    images, labels = load_dataset(dataset, split, image_size=CLASSIFIER_IMAGE_SIZES.get(dataset))
    return to_unit_range(images), labels


def machine_description():
    """One line describing this machine: OS, CPU architecture and core count.

    Example:

    >>> isinstance(machine_description(), str)
    True
    """
    import os

    cpu = platform.processor()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, {cpu or 'unknown CPU'}"


def train_feature_classifier(dataset, epochs, batch_size=128, seed=0):
    """Trains `build_feature_classifier` on the train split of `dataset`.

    Adam (learning rate 1e-3 with cosine decay to 0), sparse categorical
    cross-entropy, no augmentation, all 60,000 train images; the test split
    is never seen during training.

    Args:
        dataset: str. "mnist" or "fashion_mnist".
        epochs: int. Number of passes over the train split.
        batch_size: int. Defaults to 128.
        seed: int. Seed of `keras.utils.set_random_seed`. Defaults to 0.

    Returns:
        `(model, log)`: the trained, uncompiled model (optimizer state
        dropped, so the saved file stays small) and a dict with the epochs,
        per-epoch history, wall time, backend, versions and machine.

    Example:

    >>> model, log = train_feature_classifier("mnist", epochs=1)  # doctest: +SKIP
    """
    _check_dataset(dataset)
    keras.utils.set_random_seed(seed)
    x_train, y_train = load_unit_range(dataset, "train")
    num_classes = int(y_train.max()) + 1
    model = build_feature_classifier(image_shape=x_train.shape[1:], num_classes=num_classes)
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=2
    )
    wall_time = time.perf_counter() - start
    export = build_feature_classifier(image_shape=x_train.shape[1:], num_classes=num_classes)
    export.set_weights(model.get_weights())
    log = {
        "dataset": dataset,
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": seed,
        "train_images": int(len(x_train)),
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "wall_time_seconds": round(wall_time, 1),
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "machine": machine_description(),
        "date": time.strftime("%Y-%m-%d"),
    }
    return export, log


def measure_test_accuracy(model, dataset, batch_size=500):
    """Top-1 accuracy of a classifier on the test images of `dataset` (twemoji: the held-out 371).

    Args:
        model: a `keras.Model` mapping images in [0, 1] to class scores.
        dataset: str. "mnist" or "fashion_mnist".
        batch_size: int. Defaults to 500.

    Returns:
        float in [0, 1].

    Example:

    >>> accuracy = measure_test_accuracy(model, "mnist")  # doctest: +SKIP
    """
    _check_dataset(dataset)
    x_test, y_test = load_unit_range(dataset, "test")
    probs = model.predict(x_test, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(probs, axis=-1) == y_test))


def save_json(path, data):
    """Writes `data` as indented JSON with a trailing newline."""
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


# digits, twemoji: our own targets (the issues set none; twemoji's was set
# before training); 297 and 371 test images.
ACCURACY_TARGETS = {"mnist": 0.99, "fashion_mnist": 0.92, "digits": 0.95, "twemoji": 0.80}
DISPLAY_NAMES = {
    "mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "digits": "scikit-learn 8x8 digits",
    "twemoji": "Twemoji (emoji-datasource-twitter 16.0.0)",
}
DESCRIPTIONS = {
    "mnist": "Small CNN classifier trained on MNIST; its penultimate layer "
    "defines FID (mnist classifier).",
    "digits": "Small CNN classifier trained on the 8x8 digits (first 1500 images); "
    "its penultimate layer defines FID (digits classifier).",
    "fashion_mnist": "Small CNN classifier trained on Fashion-MNIST; its "
    "penultimate layer defines FID (fashion_mnist classifier).",
    "twemoji": "Small CNN classifier of the 10 Twemoji categories at 32x32 (64x64 images are "
    "box-reduced to 32x32); its penultimate layer defines FID/KID (twemoji classifier). "
    "Trained on Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0.",
}
# Metrics of the real-data floor on the card: twemoji's adds precision and
# recall (k=3), what `keras-gans evaluate` reports.
def _floor_metrics(dataset):
    if dataset != "twemoji":
        return None
    from keras_gans.metrics import FID, KID, PrecisionRecall

    return [FID(), KID(), PrecisionRecall(k=3)]


def run_train_stage(dataset, epochs, directory):
    """Trains the classifier and writes `classifier.keras` and `training_log.json`.

    Args:
        dataset: str. "mnist" or "fashion_mnist".
        epochs: int. Training epochs.
        directory: `pathlib.Path`. The `zoo/<dataset>_classifier` folder.

    Example:

    >>> run_train_stage("mnist", 6, pathlib.Path("zoo/mnist_classifier"))  # doctest: +SKIP
    """
    model, log = train_feature_classifier(dataset, epochs)
    model.save(directory / "classifier.keras")
    save_json(directory / "training_log.json", log)
    print(f"Trained {dataset} classifier in {log['wall_time_seconds']} s.")


def preset_metadata(dataset, test_accuracy):
    """The `preset.json` content for a dataset's feature classifier.

    Args:
        dataset: str. "mnist" or "fashion_mnist".
        test_accuracy: float. Measured accuracy on the test split.

    Example:

    >>> preset_metadata("mnist", 0.99)["feature_layer"]
    'features'
    """
    from keras_gans.metrics.classifier import FEATURE_LAYER

    return {
        "name": f"{dataset}_classifier",
        "kind": "classifier",
        "description": DESCRIPTIONS[dataset],
        "weights": "classifier.keras",
        "dataset": dataset,
        "feature_layer": FEATURE_LAYER,
        "test_accuracy": round(float(test_accuracy), 4),
    }


def _floor_row(floor):
    protocol = floor["protocol"]
    size = protocol.get("image_size")
    row = (
        f"| {protocol['feature_extractor']} | {protocol['real_selection']}{f' at {size}x{size}' if size else ''} | "
        f"{protocol['samples']} | {floor['fid']:.4f} | "
        f"{floor['kid_mean']:.6f} ± {floor['kid_std']:.6f} "
        f"({protocol['kid_subsets']} subsets of {protocol['kid_subset_size']}) |"
    )
    if "precision" in floor:
        row += f" {floor['precision']:.4f} | {floor['recall']:.4f} |"
    return row


def _floor_table(floors):
    with_pr = all("precision" in floor for floor in floors)
    header = "| feature network | real reference | compared set | FID | KID (mean ± std) |"
    rule = "|---|---|---|---|---|"
    if with_pr:
        header += " precision (k=3) | recall (k=3) |"
        rule += "---|---|"
    return "\n".join([header, rule] + [_floor_row(floor) for floor in floors])


def _per_class_accuracy(model, dataset, batch_size=500):
    x_test, y_test = load_unit_range(dataset, "test")
    predicted = np.argmax(model.predict(x_test, batch_size=batch_size, verbose=0), axis=-1)
    return {int(c): (int(np.sum((predicted == c) & (y_test == c))), int(np.sum(y_test == c)))
            for c in np.unique(y_test)}


def _twemoji_notes(per_class):
    from keras_gans.data.twemoji import TWEMOJI_CATEGORIES, TWEMOJI_CREDIT

    train_labels = load_dataset("twemoji", "train", image_size=32)[1]
    balanced = float(np.mean([correct / total for correct, total in per_class.values()])) if per_class else float("nan")
    counts = np.bincount(train_labels, minlength=len(TWEMOJI_CATEGORIES))
    rows = "\n".join(
        f"| {c} | {name} | {counts[c]} | {per_class.get(c, (0, 0))[1]} | "
        + (f"{per_class[c][0]}/{per_class[c][1]} |" if c in per_class else "- |")
        for c, name in enumerate(TWEMOJI_CATEGORIES)
    )
    return f"""
## Twemoji notes

**Credit: {TWEMOJI_CREDIT}** (https://creativecommons.org/licenses/by/4.0/). The images come from
the npm package `emoji-datasource-twitter` 16.0.0 (`npm pack emoji-datasource-twitter@16.0.0`),
read by `keras_gans.data.load_twemoji` from the Keras datasets folder, composited on white.

- **Size.** The classifier sees 32x32 images. 64x64 images (the `twemoji64` preset's, and
  `evaluate_generator(..., dataset="twemoji")` on a 64x64 generator) are reduced to 32x32 by the
  mean of each 2x2 block before the features, the same filter that makes the 32x32 dataset, so
  32x32 and 64x64 models are measured in one feature space; detail finer than 2 pixels at 64x64
  does not count.
- **Held-out split.** "test" is every 10th emoji of `emoji.json`'s sort order with all its
  skin-tone variations: 371 images of 191 emoji, none with a skin-tone sibling in "train"
  (3,415 images). Labels are the 10 categories of `emoji.json`; they are very unequal
  ("People & Body" is 60% of the images, most of them skin-tone variations; "Component" is the
  5 skin-tone swatches).
- **KID is the headline figure.** The held-out set has only 371 images and the features 128
  dimensions: FID's covariance estimate is strongly biased upwards at that size (and depends on
  the number of images), while KID is unbiased. Compare models by KID; report FID only next to
  the floor measured with the same number of images. In the floor above each KID subset is all
  371 images of each set, so its std is 0: it says nothing of the uncertainty.
- **Accuracy per category.** The held-out accuracy is dominated by "People & Body" and "Flags";
  the mean of the per-category accuracies below is {balanced:.4f}: the small categories fare
  much worse than the two large ones.

| label | category | train images | held-out images | held-out correct |
|---|---|---|---|---|
{rows}
"""


def model_card(dataset, log, test_accuracy, floor, file_size, model=None, more_floors=(), per_class=None):
    """Renders `README.md` for a feature classifier from measured values.

    Args:
        dataset: str. "mnist", "fashion_mnist", "digits" or "twemoji".
        log: dict. The training log written by `run_train_stage`.
        test_accuracy: float. Measured test accuracy of the saved file.
        floor: dict. Result of `keras_gans.evaluation.real_data_floor`.
        file_size: int. Size of `classifier.keras` in bytes.
        model: the classifier (for its parameter count), or None for the
            default architecture at the data's shape.
        more_floors: more `real_data_floor` results for the floor table.
        per_class: dict {label: (correct, total)} on the test split, or None.

    Returns:
        str, the Markdown card.

    Example:

    >>> card = model_card("mnist", log, 0.99, floor, 10**6)  # doctest: +SKIP
    """
    name = DISPLAY_NAMES[dataset]
    history = log["history"]
    test_images, test_labels = load_unit_range(dataset, "test")
    num_test = len(test_images)
    image_shape = ", ".join(str(d) for d in test_images.shape[1:])
    if model is None:
        model = build_feature_classifier(image_shape=test_images.shape[1:])
    num_classes = int(model.get_layer("probs").units)
    flat = int(model.get_layer("flatten").output.shape[-1])
    white = "white = 1" if dataset != "twemoji" else "RGB, white background = (1, 1, 1)"
    notes = _twemoji_notes(per_class or {}) if dataset == "twemoji" else ""
    load_call = 'load_dataset("twemoji", image_size=32)' if dataset == "twemoji" else f'load_dataset("{dataset}")'
    return f"""# {dataset}_classifier

{DESCRIPTIONS[dataset]} This file is generated by `train.py` from measured
values; do not edit it by hand.

## Use

```python
from keras_gans.evaluation import evaluate_generator
from keras_gans.metrics import ClassifierFeatureExtractor

extractor = ClassifierFeatureExtractor("{dataset}")  # features of layer "features"
results = evaluate_generator(generate_fn, dataset="{dataset}")  # uses it by default
```

Input: float NHWC images **in [0, 1]**, shape (N, {image_shape}) ({white}).
Output of the feature layer `features`: (N, 128) ReLU activations.

## Data

{name} from `keras_gans.data.{load_call}`: all {log['train_images']:,} train
images, no augmentation. The {num_test:,} test images were used only for the
accuracy below.

## Architecture

`keras_gans.metrics.build_feature_classifier()`: three blocks of
conv 3x3 (32, 64, 128 filters, no bias) -> batch norm -> ReLU -> max pool 2x2,
flatten ({flat:,}), dense 128 + ReLU named `features` (the FID/KID feature
layer), dropout 0.3, dense {num_classes} + softmax. {model.count_params():,} parameters; the saved
`classifier.keras` holds no optimizer state ({file_size / 1e6:.2f} MB).

## Training

| | |
|---|---|
| epochs | {log['epochs']} |
| batch size | {log['batch_size']} |
| optimizer | Adam, learning rate 1e-3, cosine decay to 0 |
| seed | {log['seed']} |
| final train loss / accuracy | {history['loss'][-1]:.4f} / {history['accuracy'][-1]:.4f} |
| wall time | {log['wall_time_seconds']:.0f} s (upper bound: the 2 cores were shared with other jobs, e.g. test runs, during training) |
| machine | {log['machine']} |
| backend | {log['backend']} (keras {log['keras_version']}) |
| date | {log['date']} |

## Measured

Test accuracy ({num_test:,} {name} test images): **{test_accuracy:.4f}**
(project target >= {ACCURACY_TARGETS[dataset]:.2f}: {"met" if test_accuracy >= ACCURACY_TARGETS[dataset] else "**missed**"})

Real-data floor: the metrics of the classifier's features between real train
and real test images, the lowest a generator can reasonably reach with this
protocol (`keras_gans.evaluation.real_data_floor("{dataset}")`, measured with
the {keras.backend.backend()} backend):

{_floor_table([floor, *more_floors])}
{notes}
Reproduce: `KERAS_BACKEND={log['backend']} python zoo/{dataset}_classifier/train.py`
(`train.py card` regenerates this card and `preset.json` from the saved file).
"""


def run_card_stage(dataset, directory):
    """Measures the saved classifier and regenerates `README.md` and `preset.json`.

    Args:
        dataset: str. "mnist", "fashion_mnist", "digits" or "twemoji".
        directory: `pathlib.Path`. The `zoo/<dataset>_classifier` folder.

    Example:

    >>> run_card_stage("mnist", pathlib.Path("zoo/mnist_classifier"))  # doctest: +SKIP
    """
    from keras_gans.evaluation import real_data_floor
    from keras_gans.metrics.feature_extractors import ClassifierFeatureExtractor

    with open(directory / "training_log.json") as f:
        log = json.load(f)
    path = directory / "classifier.keras"
    model = keras.saving.load_model(path, compile=False)
    accuracy = measure_test_accuracy(model, dataset)
    print(f"{dataset} classifier test accuracy: {accuracy:.4f}")
    extractor = ClassifierFeatureExtractor(dataset, model=model)
    floor = real_data_floor(dataset, feature_extractor=extractor, metrics=_floor_metrics(dataset))
    print(f"{dataset} real-data floor: {json.dumps(floor)}")
    more_floors, per_class = [], None
    if dataset == "twemoji":  # the floor at 64x64 (above) and at 32x32
        more_floors.append(real_data_floor(dataset, feature_extractor=extractor, metrics=_floor_metrics(dataset),
                                           image_size=CLASSIFIER_IMAGE_SIZES[dataset]))
        print(f"{dataset} real-data floor at 32x32: {json.dumps(more_floors[-1])}")
        per_class = _per_class_accuracy(model, dataset)
    # save_preset is the one writer of preset.json (it re-saves the same
    # model and records its sha256); the measured card then replaces its
    # default README.md.
    from keras_gans.presets import save_preset

    fields = preset_metadata(dataset, accuracy)
    save_preset(
        model, directory, name=fields.pop("name"), description=fields.pop("description"),
        dataset=fields.pop("dataset"), kind=fields.pop("kind"),
        metadata={k: v for k, v in fields.items() if k != "weights"}, overwrite=True,
    )
    floors = floor if not more_floors else {str(f["protocol"]["image_size"]): f for f in [floor, *more_floors]}
    save_json(directory / "real_data_floor.json", floors)
    card = model_card(dataset, log, accuracy, floor, path.stat().st_size, model=model,
                      more_floors=more_floors, per_class=per_class)
    (directory / "README.md").write_text(card)


def run_recipe(dataset, epochs, directory, stages=()):
    """Runs the recipe stages ("train", "card"; both when `stages` is empty).

    Args:
        dataset: str. "mnist" or "fashion_mnist".
        epochs: int. Training epochs.
        directory: path of the `zoo/<dataset>_classifier` folder.
        stages: sequence of str. Stages to run, in order.

    Example:

    >>> run_recipe("mnist", 6, "zoo/mnist_classifier", ["card"])  # doctest: +SKIP
    """
    import pathlib

    _check_dataset(dataset)
    stages = list(stages) or ["train", "card"]
    unknown = sorted(set(stages) - {"train", "card"})
    if unknown:
        raise ValueError(
            f"Unknown recipe stage(s) {unknown}. Expected 'train' and/or 'card', "
            "e.g. `python train.py card` to only regenerate the card."
        )
    directory = pathlib.Path(directory)
    if "train" in stages:
        run_train_stage(dataset, epochs, directory)
    if "card" in stages:
        run_card_stage(dataset, directory)
