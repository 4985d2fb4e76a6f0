import json

import numpy as np
import pytest

import keras_gans
from keras_gans import evaluation
from keras_gans.evaluation import (
    clear_feature_cache,
    evaluate_generator,
    feature_cache_dir,
    real_data_floor,
    real_images,
)
from keras_gans.metrics import FID, KID, DensityCoverage, PrecisionRecall, precision_recall
from keras_gans.metrics.classifier import build_feature_classifier
from keras_gans.metrics.feature_extractors import ClassifierFeatureExtractor

SMALL = dict(num_samples=300, num_real=300, kid_subsets=5, kid_subset_size=100)


def noise_generator(num_samples, seed):
    return np.random.default_rng(seed).uniform(size=(num_samples, 28, 28, 1))


def real_train_generator(num_samples, seed):
    return real_images("mnist", "train", num_samples)


@pytest.fixture
def tiny_extractor():
    return ClassifierFeatureExtractor("mnist", model=build_feature_classifier(feature_dim=16))


def test_zoo_classifier_ranks_real_images_above_noise():
    clear_feature_cache()
    real = evaluate_generator(real_train_generator, "mnist", **SMALL)
    noise = evaluate_generator(noise_generator, "mnist", **SMALL)
    assert set(real) == {"fid", "kid_mean", "kid_std", "protocol"}
    assert real["fid"] * 10 < noise["fid"]
    assert real["kid_mean"] * 10 < noise["kid_mean"]
    protocol = real["protocol"]
    assert protocol["feature_extractor"] == "mnist_classifier"
    assert protocol["num_samples"] == 300 and protocol["num_real"] == 300
    assert protocol["real_split"] == "test" and protocol["seed"] == 0
    assert protocol["real_selection"] == "first 300 images of the test split"
    assert protocol["kid_subset_size"] == 100


def test_kid_subset_size_is_clipped_and_recorded(tiny_extractor):
    result = evaluate_generator(
        noise_generator, "mnist", num_samples=50, num_real=60,
        feature_extractor=tiny_extractor, kid_subsets=3, kid_subset_size=1000,
    )
    assert result["protocol"]["kid_subset_size"] == 50


def test_real_data_floor_is_below_noise(tiny_extractor):
    floor = real_data_floor("mnist", num_real=300, kid_subsets=5, kid_subset_size=100)
    noise = evaluate_generator(noise_generator, "mnist", **SMALL)
    assert 0.0 <= floor["fid"] < noise["fid"] / 10
    assert floor["protocol"]["samples"] == "first 300 images of the train split (real)"
    assert floor["protocol"]["real_split"] == "test"


def test_real_features_are_cached_in_memory_and_on_disk(tiny_extractor, monkeypatch):
    clear_feature_cache(disk=True)
    first = evaluate_generator(noise_generator, "mnist", feature_extractor=tiny_extractor, **SMALL)
    files = list(feature_cache_dir().glob(f"mnist_test_300_{tiny_extractor.fingerprint()}.npz"))
    assert len(files) == 1

    def fail(*args, **kwargs):
        raise AssertionError("real images were embedded again instead of read from the cache")

    monkeypatch.setattr(evaluation, "real_images", fail)
    again = evaluate_generator(noise_generator, "mnist", feature_extractor=tiny_extractor, **SMALL)
    clear_feature_cache()  # memory gone: the .npz must serve it
    from_disk = evaluate_generator(noise_generator, "mnist", feature_extractor=tiny_extractor, **SMALL)
    assert first["fid"] == again["fid"] == pytest.approx(from_disk["fid"], rel=1e-9)
    assert first["kid_mean"] == pytest.approx(from_disk["kid_mean"], rel=1e-9)


def test_seed_changes_samples_and_is_reproducible(tiny_extractor):
    runs = [
        evaluate_generator(noise_generator, "mnist", feature_extractor=tiny_extractor, seed=s, **SMALL)
        for s in (0, 0, 1)
]
    assert runs[0]["fid"] == runs[1]["fid"]
    assert runs[0]["fid"] != runs[2]["fid"]


BAD_GENERATORS = [
    (lambda n, seed: np.zeros((n, 28, 28)), ValueError, "NHWC"),
    (lambda n, seed: np.full((n, 28, 28, 1), -1.0), ValueError, r"\[0, 1\]"),
    (lambda n, seed: np.full((n, 28, 28, 1), np.nan), ValueError, "NaN"),
    (lambda n, seed: np.zeros((n - 1, 28, 28, 1)), ValueError, "exactly num_samples"),
    (lambda n, seed: np.zeros((n, 32, 32, 1)), ValueError, r"\(32, 32, 1\).*\(28, 28, 1\)"),
    ("not callable", TypeError, "callable"),
]


def test_bad_generator_output_raises(tiny_extractor):
    for generate_fn, error, message in BAD_GENERATORS:
        with pytest.raises(error, match=message):
            evaluate_generator(generate_fn, "mnist", feature_extractor=tiny_extractor, **SMALL)


def test_bad_arguments_raise(tiny_extractor):
    with pytest.raises(ValueError, match="default feature network.*'cifar10'"):
        evaluate_generator(noise_generator, "cifar10", **SMALL)
    with pytest.raises(ValueError, match="num_samples"):
        evaluate_generator(noise_generator, "mnist", num_samples=1, feature_extractor=tiny_extractor)
    with pytest.raises(ValueError, match="only 10000 images"):
        evaluate_generator(noise_generator, "mnist", num_real=20000, feature_extractor=tiny_extractor)
    with pytest.raises(ValueError, match="real_split"):
        evaluate_generator(
            noise_generator, "mnist", real_split="val", feature_extractor=tiny_extractor, **SMALL
        )


def test_metrics_are_objects_and_the_default_is_fid_and_kid():
    clear_feature_cache()
    metrics = [FID(), KID(subsets=5, subset_size=100), PrecisionRecall(k=3)]
    sizes = dict(num_samples=300, num_real=300)
    default = evaluate_generator(real_train_generator, "mnist", **SMALL)
    real = evaluate_generator(real_train_generator, "mnist", metrics=metrics, **sizes)
    noise = evaluate_generator(noise_generator, "mnist", metrics=metrics, **sizes)
    assert set(real) == {"fid", "kid_mean", "kid_std", "precision", "recall", "protocol"}
    # Same FID/KID as the default metrics, and the same protocol plus k.
    for key in ("fid", "kid_mean", "kid_std"):
        assert real[key] == default[key]
    assert real["protocol"] == {
        **default["protocol"], "precision_recall_k": 3, "precision_recall_samples": 300
    }
    # Real train images lie on the test images' manifold (measured 0.83 / 0.84);
    # noise does not (0.12 / 0.0: a few noise features fall into the large
    # balls of outlying real images, none of the real images into noise's).
    assert real["precision"] > 0.6 and real["recall"] > 0.6
    assert noise["precision"] < 0.3 and noise["recall"] < 0.05
    only_pr = evaluate_generator(noise_generator, "mnist", metrics=[PrecisionRecall(k=3)], **sizes)
    assert set(only_pr) == {"precision", "recall", "protocol"}
    assert only_pr["precision"] == noise["precision"] and "kid_subsets" not in only_pr["protocol"]


def test_precision_recall_matches_the_pure_function_on_the_cached_features(tiny_extractor):
    clear_feature_cache()
    result = evaluate_generator(
        noise_generator, "mnist", num_samples=200, num_real=250,
        feature_extractor=tiny_extractor, metrics=[PrecisionRecall(k=4)],
    )
    real = evaluation.real_features("mnist", "test", 250, tiny_extractor)["features"]
    fake = tiny_extractor(noise_generator(200, 0).astype("float32"))
    # Both sets cut to the smaller size (the scores depend on the counts).
    expected = precision_recall(real[:200], fake, k=4)
    assert result["precision"] == pytest.approx(expected["precision"], abs=1e-9)
    assert result["recall"] == pytest.approx(expected["recall"], abs=1e-9)
    assert result["protocol"]["precision_recall_samples"] == 200
    fixed = evaluate_generator(
        noise_generator, "mnist", num_samples=200, num_real=250,
        feature_extractor=tiny_extractor, metrics=[PrecisionRecall(k=4, num_samples=150)],
    )
    expected = precision_recall(real[:150], fake[:150], k=4)
    assert (fixed["precision"], fixed["recall"]) == pytest.approx(
        (expected["precision"], expected["recall"]), abs=1e-9
    )
    with pytest.raises(ValueError, match=r"num_samples=300.*200 generated and 250 real"):
        evaluate_generator(
            noise_generator, "mnist", num_samples=200, num_real=250,
            feature_extractor=tiny_extractor, metrics=[PrecisionRecall(k=4, num_samples=300)],
        )


def test_bad_metrics_raise(tiny_extractor):
    kwargs = dict(num_samples=20, num_real=20, feature_extractor=tiny_extractor)
    with pytest.raises(ValueError, match=r"KID\(subsets=..., subset_size=...\)"):
        evaluate_generator(noise_generator, "mnist", metrics=[KID()], kid_subsets=5, **kwargs)
    with pytest.raises(ValueError, match="non-empty list.*'fid'"):
        evaluate_generator(noise_generator, "mnist", metrics=["fid"], **kwargs)
    with pytest.raises(ValueError, match="non-empty list.*empty list"):
        evaluate_generator(noise_generator, "mnist", metrics=[], **kwargs)
    with pytest.raises(ValueError, match="twice"):
        evaluate_generator(noise_generator, "mnist", metrics=[FID(), FID()], **kwargs)
    with pytest.raises(ValueError, match=r"`k` must be in \[1, N - 1\] = \[1, 19\]"):
        evaluate_generator(noise_generator, "mnist", metrics=[PrecisionRecall(k=20)], **kwargs)


def test_cli_evaluate_reports_precision_and_recall_next_to_fid_and_kid(monkeypatch, capsys):
    from keras_gans.cli import main

    monkeypatch.setenv("KERAS_GANS_TINY", "1")  # 100 samples
    assert main(["evaluate", "--preset", "mlp_digits_nonsaturating", "--json", "--no-floor"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed)[:5] == ["fid", "kid_mean", "kid_std", "precision", "recall"]
    generator = keras_gans.from_preset("mlp_digits_nonsaturating")
    expected = evaluate_generator(
        lambda n, seed: generator.generate(n, seed=seed), "digits", num_samples=100,
        metrics=[PrecisionRecall(k=3)],
    )
    assert printed["precision"] == expected["precision"]
    assert printed["recall"] == expected["recall"]
    assert printed["protocol"]["precision_recall_k"] == 3 and printed["protocol"]["precision_recall_samples"] == 100
    expected = evaluate_generator(
        lambda n, seed: generator.generate(n, seed=seed), "digits", num_samples=100, metrics=[DensityCoverage(k=5)],
    )
    assert (printed["density"], printed["coverage"]) == (expected["density"], expected["coverage"])
    assert main(["evaluate", "--preset", "mlp_digits_nonsaturating", "--num-samples", "5"]) == 2
    assert "--num-samples must be >= 6" in capsys.readouterr().err
