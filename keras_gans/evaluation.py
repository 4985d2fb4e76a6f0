"""Sample-quality evaluation of generators: FID, KID, precision/recall against real images.

The orchestration around the pure math of `keras_gans.metrics`: draw images
from a generator, embed them and real images with a feature network, compare.
Real-image features are cached per (dataset, split, number of images,
feature network fingerprint) in memory and in an `.npz` file under the Keras
cache (`$KERAS_HOME/keras_gans/real_features/`, default `~/.keras`), so
repeated evaluations only embed the generated images.

Protocol (recorded in every result): real images are the **first**
`num_real` images of the split, in the dataset's official order; generated
images come from `generate_fn(num_samples, seed)`; the metrics are objects
(`FID()`, `KID()`, `PrecisionRecall(k=3)` from `keras_gans.metrics`), each
recording its own settings (KID: `kid_subsets` subsets of `kid_subset_size`
rows drawn with `seed`; precision/recall: `precision_recall_k`).
"""

import os
import pathlib

import numpy as np

from keras_gans.data.datasets import DATASETS, IMAGE_SIZES, load_dataset, split_size
from keras_gans.data.transforms import to_unit_range
from keras_gans.metrics.feature_extractors import (
    CLASSIFIER_DATASETS,
    ClassifierFeatureExtractor,
    validate_images,
)
from keras_gans.metrics.frechet_distance import feature_statistics
from keras_gans.metrics.sample_metrics import SampleMetric, default_metrics

_MEMORY_CACHE = {}
_CACHED_ARRAYS = ("features", "mu", "sigma", "image_shape")
_DEFAULT_EXTRACTORS = {}


def feature_cache_dir():
    """Folder of the on-disk cache of real-image features.

    `$KERAS_HOME/keras_gans/real_features`, with KERAS_HOME defaulting to
    `~/.keras` as in Keras.

    Example:

    >>> feature_cache_dir().name
    'real_features'
    """
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return pathlib.Path(keras_home) / "keras_gans" / "real_features"


def clear_feature_cache(disk=False):
    """Empties the in-memory cache of real features (and the disk cache if asked).

    Args:
        disk: bool. Also delete the `.npz` files of `feature_cache_dir()`.
            Defaults to False.

    Example:

    >>> clear_feature_cache()
    """
    _MEMORY_CACHE.clear()
    if disk and feature_cache_dir().exists():
        for path in feature_cache_dir().glob("*.npz"):
            path.unlink()


def default_feature_extractor(dataset):
    """The offline default feature network of a dataset (its zoo classifier).

    Loaded once per process and reused.

    Args:
        dataset: str. "mnist" or "fashion_mnist".

    Returns:
        A `ClassifierFeatureExtractor`.

    Example:

    >>> default_feature_extractor("mnist").name
    'mnist_classifier'
    """
    if dataset not in CLASSIFIER_DATASETS:
        raise ValueError(
            f"There is no default feature network for dataset {dataset!r} "
            f"(defaults exist for {list(CLASSIFIER_DATASETS)}). Pass "
            "`feature_extractor=`, e.g. "
            "`keras_gans.metrics.InceptionFeatureExtractor()`."
        )
    if dataset not in _DEFAULT_EXTRACTORS:
        _DEFAULT_EXTRACTORS[dataset] = ClassifierFeatureExtractor(dataset)
    return _DEFAULT_EXTRACTORS[dataset]


def _num_real_or_default(dataset, split, num_real):
    """`num_real`, or None -> min(10000, size of the split) (the digits have 297 test images)."""
    if num_real is not None:
        return num_real
    return min(10000, split_size(dataset, split))


def _check_count(name, value, minimum=2):
    if int(value) != value or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}; received {value!r}.")
    return int(value)


def real_images(dataset, split, num_real, image_size=None):
    """The first `num_real` images of a dataset split, float32 NHWC in [0, 1].

    Args:
        dataset: str. A name of `keras_gans.data.DATASETS`.
        split: str. "train" or "test".
        num_real: int. Number of images, at most the size of the split.
        image_size: int or None. For datasets offered at several sizes
            (`keras_gans.data.datasets.IMAGE_SIZES`: twemoji); None is the
            dataset's default size.

    Returns:
        float32 NumPy array `(num_real, H, W, C)`.

    Example:

    >>> real_images("digits", "test", 10).shape
    (10, 8, 8, 1)
    """
    if dataset not in DATASETS:
        raise ValueError(f"Unknown dataset {dataset!r}. Expected one of {sorted(DATASETS)}.")
    if split not in ("train", "test"):
        raise ValueError(f"`real_split` must be 'train' or 'test'; received {split!r}.")
    images, _ = load_dataset(dataset, split, image_size=image_size)
    if num_real > images.shape[0]:
        raise ValueError(
            f"`num_real`={num_real} but the {dataset!r} {split} split has only "
            f"{images.shape[0]} images. Pass `num_real<={images.shape[0]}`."
        )
    return to_unit_range(images[:num_real])


def real_features(dataset, split, num_real, feature_extractor, cache=True, image_size=None):
    """Features of the first `num_real` real images, with their mean and covariance.

    Cached in memory and in `feature_cache_dir()` under the dataset, split,
    count and `feature_extractor.fingerprint()` (name + weights hash).

    Args:
        dataset: str. A name of `keras_gans.data.DATASETS`.
        split: str. "train" or "test".
        num_real: int. Number of real images.
        feature_extractor: a `FeatureExtractor`.
        cache: bool. Read and write the caches. Defaults to True.
        image_size: int or None. As in `real_images`.

    Returns:
        dict with "features" `(num_real, D)` float32, "mu", "sigma" and
        "image_shape" (of the real images, `(H, W, C)`).

    Example:

    >>> stats = real_features("mnist", "test", 1000,
    ...                       default_feature_extractor("mnist"))
    >>> stats["features"].shape, stats["sigma"].shape
    ((1000, 128), (128, 128))
    """
    sized = dataset if image_size is None else f"{dataset}{int(image_size)}"
    key = f"{sized}_{split}_{num_real}_{feature_extractor.fingerprint()}"
    if cache and key in _MEMORY_CACHE:
        return _MEMORY_CACHE[key]
    path = feature_cache_dir() / f"{key}.npz".replace("/", "_")
    if cache and path.exists():
        with np.load(path) as stored:
            entry = {name: stored[name] for name in _CACHED_ARRAYS}
    else:
        images = real_images(dataset, split, num_real, image_size)
        features = feature_extractor(images)
        mu, sigma = feature_statistics(features)
        entry = {
            "features": features,
            "mu": mu,
            "sigma": sigma,
            "image_shape": np.array(images.shape[1:]),
        }
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp.npz")
            np.savez(temporary, **entry)
            os.replace(temporary, path)
    if cache:
        _MEMORY_CACHE[key] = entry
    return entry


def resolve_metrics(metrics, kid_subsets=None, kid_subset_size=None):
    """The list of metric objects an evaluation computes.

    `metrics=None` gives the default, `[FID(), KID(kid_subsets,
    kid_subset_size)]` (100 subsets of 1000 when those are None). With a
    list of metrics, pass KID's settings to `KID(...)` instead.

    Args:
        metrics: None or a list of `keras_gans.metrics.SampleMetric`
            (`FID()`, `KID()`, `PrecisionRecall()`).
        kid_subsets: int or None. KID subsets of the default metrics.
        kid_subset_size: int or None. KID subset size of the default metrics.

    Returns:
        list of `SampleMetric`.

    Example:

    >>> resolve_metrics(None)
    [FID(), KID(subsets=100, subset_size=1000)]
    """
    if metrics is None:
        return default_metrics(
            100 if kid_subsets is None else kid_subsets,
            1000 if kid_subset_size is None else kid_subset_size,
        )
    if kid_subsets is not None or kid_subset_size is not None:
        raise ValueError(
            "`kid_subsets`/`kid_subset_size` configure the default metrics only; with "
            "`metrics=[...]` pass them to the KID object instead: "
            "`KID(subsets=..., subset_size=...)`."
        )
    if isinstance(metrics, SampleMetric):
        metrics = [metrics]
    metrics = list(metrics)
    bad = [m for m in metrics if not isinstance(m, SampleMetric)]
    if not metrics or bad:
        received = repr(bad[0]) if bad else "an empty list"
        raise ValueError(
            "`metrics` must be a non-empty list of keras_gans.metrics objects, e.g. "
            f"`[FID(), KID(), PrecisionRecall(k=3)]`; received {received}."
        )
    names = [m.name for m in metrics]
    if len(set(names)) != len(names):
        raise ValueError(f"`metrics` lists the same metric twice: {names}. Keep one of each.")
    return metrics


def compare_features(features, reference, metrics, seed):
    """Scores of generated features against cached real statistics.

    Args:
        features: array `(N, D)` of the evaluated images.
        reference: dict from `real_features`.
        metrics: list of `keras_gans.metrics.SampleMetric`.
        seed: int. Seed of any random draws (KID's subsets).

    Returns:
        `(scores, settings)`: the metrics' scores merged into one dict
        (e.g. "fid", "kid_mean", "kid_std", "precision", "recall") and
        their protocol settings (e.g. "kid_subset_size" actually used).

    Example:

    >>> scores, settings = compare_features(features, reference, [FID()], 0)  # doctest: +SKIP
    """
    features = np.asarray(features, dtype="float64")
    scores, settings = {}, {}
    num_fake, num_real = features.shape[0], reference["features"].shape[0]
    for metric in metrics:
        scores.update(metric.score(features, reference, seed))
        settings.update(metric.settings(num_fake, num_real))
    return scores, settings


def _protocol(dataset, feature_extractor, num_samples, num_real, real_split, seed, settings):
    return {
        "dataset": dataset,
        "feature_extractor": feature_extractor.name,
        "feature_fingerprint": feature_extractor.fingerprint(),
        "num_samples": num_samples,
        "num_real": num_real,
        "real_split": real_split,
        "real_selection": f"first {num_real} images of the {real_split} split",
        "seed": seed,
        **settings,
    }


def _generated(generate_fn, num_samples, seed):
    images = validate_images(generate_fn(num_samples, seed), name="generated images")
    if images.shape[0] != num_samples:
        raise ValueError(
            f"`generate_fn` returned {images.shape[0]} images for "
            f"num_samples={num_samples}; it must return exactly num_samples."
        )
    return images


def evaluate_generator(
    generate_fn,
    dataset="mnist",
    num_samples=10000,
    num_real=None,
    real_split="test",
    feature_extractor=None,
    seed=0,
    kid_subsets=None,
    kid_subset_size=None,
    cache=True,
    metrics=None,
    image_size=None,
):
    """FID and KID (or other metrics) of a generator's samples against real images.

    Generated images come from `generate_fn(num_samples, seed)` and must be
    float NHWC in [0, 1] with the real images' shape; real images are the
    first `num_real` of `real_split`, their features cached (see
    `real_features`). The default feature network is the dataset's zoo
    classifier, so the score is "FID (<dataset> classifier)"; it is not
    comparable to Inception FIDs from papers.

    The metrics are objects: by default FID and KID; pass
    `metrics=[FID(), KID(), PrecisionRecall(k=3)]` (from
    `keras_gans.metrics`) for precision and recall too.

    Args:
        generate_fn: callable `(num_samples, seed) -> images` in [0, 1], e.g.
            `lambda n, seed: keras_gans.generate_images(g, n, 128, seed)`.
        dataset: str. Real dataset. Defaults to "mnist".
        num_samples: int. Generated images. Defaults to 10000.
        num_real: int. Real images. Defaults to min(10000, size of the split).
        real_split: str. "test" or "train". Defaults to "test".
        feature_extractor: a `FeatureExtractor`, or None for
            `default_feature_extractor(dataset)`.
        seed: int. Passed to `generate_fn` and seeds the KID subsets.
            Defaults to 0.
        kid_subsets: int or None. Subsets of the default KID (100 when
            None). With `metrics=`, use `KID(subsets=...)` instead.
        kid_subset_size: int or None. Subset size of the default KID (1000
            when None; clipped to the smaller set and recorded in the
            protocol). With `metrics=`, use `KID(subset_size=...)`.
        cache: bool. Use the real-feature caches. Defaults to True.
        metrics: list of `keras_gans.metrics.SampleMetric`, or None for
            `[FID(), KID()]`. Defaults to None.
        image_size: int or None. The real images' size, for datasets offered
            at several sizes (twemoji: 64 or 32); None takes the generated
            images' size. Defaults to None.

    Returns:
        dict: the metrics' scores (by default "fid", "kid_mean", "kid_std";
        `PrecisionRecall` adds "precision" and "recall") and "protocol"
        (dict: dataset, feature network name and fingerprint, sample counts,
        real split and selection, seed, and each metric's settings).

    Example:

    >>> noise = lambda n, seed: np.random.default_rng(seed).uniform(size=(n, 28, 28, 1))
    >>> result = evaluate_generator(noise, "mnist", num_samples=500, num_real=500)
    >>> result["fid"] > 1.0, result["protocol"]["feature_extractor"]
    (True, 'mnist_classifier')
    >>> from keras_gans.metrics import FID, KID, PrecisionRecall
    >>> result = evaluate_generator(noise, "mnist", num_samples=500, num_real=500,
    ...                             metrics=[FID(), KID(), PrecisionRecall(k=3)])
    >>> result["precision"] < 0.5
    True
    """
    metrics = resolve_metrics(metrics, kid_subsets, kid_subset_size)
    num_samples = _check_count("num_samples", num_samples)
    num_real = _check_count("num_real", _num_real_or_default(dataset, real_split, num_real))
    if not callable(generate_fn):
        raise TypeError(
            "`generate_fn` must be a callable (num_samples, seed) -> images in "
            f"[0, 1]; received {type(generate_fn).__name__}."
        )
    if real_split not in ("train", "test"):
        raise ValueError(f"`real_split` must be 'train' or 'test'; received {real_split!r}.")
    extractor = feature_extractor or default_feature_extractor(dataset)
    images = None
    if dataset in IMAGE_SIZES and image_size is None:
        # A dataset offered at several sizes is compared at the generated size.
        images = _generated(generate_fn, num_samples, seed)
        image_size = images.shape[1]
        if image_size not in IMAGE_SIZES[dataset] or images.shape[1] != images.shape[2]:
            raise ValueError(
                f"Generated images have shape {images.shape[1:]} but {dataset!r} is offered at "
                f"{', '.join(f'{s}x{s}' for s in IMAGE_SIZES[dataset])}. Evaluate against the "
                "dataset the model was trained on."
            )
    reference = real_features(dataset, real_split, num_real, extractor, cache, image_size)
    if images is None:
        images = _generated(generate_fn, num_samples, seed)
    expected = tuple(int(d) for d in reference["image_shape"])
    if images.shape[1:] != expected:
        raise ValueError(
            f"Generated images have shape {images.shape[1:]} but {dataset!r} "
            f"images are {expected}. Evaluate against the dataset the model "
            "was trained on."
        )
    scores, settings = compare_features(extractor(images), reference, metrics, seed)
    protocol = _protocol(dataset, extractor, num_samples, num_real, real_split, seed, settings)
    if image_size is not None:
        protocol["image_size"] = int(image_size)
    return {**scores, "protocol": protocol}


def real_data_floor(
    dataset="mnist",
    num_real=None,
    feature_extractor=None,
    seed=0,
    kid_subsets=None,
    kid_subset_size=None,
    cache=True,
    metrics=None,
    image_size=None,
):
    """FID and KID (or other metrics) between real train and test images: the floor.

    Compares the **first** `num_real` train images (as if they were
    generated) with the first `num_real` test images, with the same protocol
    as `evaluate_generator`. No generator can be expected to score much
    below this; every model card reports it next to the model's score.

    Args:
        dataset: str. Defaults to "mnist".
        num_real: int. Images taken from each split. Defaults to
            min(10000, size of the test split).
        feature_extractor: a `FeatureExtractor`, or None for the dataset's
            zoo classifier.
        seed: int. Seed of the KID subsets. Defaults to 0.
        kid_subsets: int or None. As in `evaluate_generator`.
        kid_subset_size: int or None. As in `evaluate_generator`.
        cache: bool. Use the real-feature caches. Defaults to True.
        metrics: list of metric objects or None, as in `evaluate_generator`.
        image_size: int or None. For datasets offered at several sizes
            (twemoji): None is the default size (64).

    Returns:
        dict like `evaluate_generator`'s; `protocol["samples"]` says which
        train images stand in for generated ones.

    Example:

    >>> floor = real_data_floor("mnist", num_real=500)
    >>> floor["fid"] < 15.0  # measured 9.6: FID is biased upwards at 500 images
    True
    """
    metrics = resolve_metrics(metrics, kid_subsets, kid_subset_size)
    num_real = _check_count("num_real", _num_real_or_default(dataset, "test", num_real))
    extractor = feature_extractor or default_feature_extractor(dataset)
    if dataset in IMAGE_SIZES and image_size is None:
        image_size = IMAGE_SIZES[dataset][0]
    reference = real_features(dataset, "test", num_real, extractor, cache, image_size)
    train = real_features(dataset, "train", num_real, extractor, cache, image_size)
    scores, settings = compare_features(train["features"], reference, metrics, seed)
    protocol = _protocol(dataset, extractor, num_real, num_real, "test", seed, settings)
    protocol["samples"] = f"first {num_real} images of the train split (real)"
    if image_size is not None:
        protocol["image_size"] = int(image_size)
    return {**scores, "protocol": protocol}
