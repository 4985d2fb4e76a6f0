"""Times FID/KID of 10,000 generated 28x28 images against cached real statistics.

The generator is an *untrained* small DCGAN-style generator (random weights,
latent size 64): its images are meaningless, but generating and embedding
them costs what a trained model of that size costs. The real statistics
(10,000 MNIST test images through the zoo `mnist_classifier`) are computed
and cached first and timed separately (the benchmark first deletes any
cached real features, `clear_feature_cache(disk=True)`, so that this warm-up
really computes them); the timed part is one
`keras_gans.evaluation.evaluate_generator` call: generating 10,000 images,
embedding them, FID and KID (100 subsets of 1,000).

    KERAS_BACKEND=jax python benchmarks/fid_speed.py

Writes/updates `benchmarks/results/fid_speed.json` (one entry per backend).
"""

import json
import os
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402

from benchmarks import harness  # noqa: E402
from keras_gans.evaluation import clear_feature_cache, evaluate_generator  # noqa: E402
from keras_gans.sampling import generate_images  # noqa: E402

LATENT_DIM = 64
NUM_SAMPLES = 10000
RESULTS = ROOT / "benchmarks" / "results" / "fid_speed.json"


def build_untrained_generator():
    """A small DCGAN-style generator, 64 -> (28, 28, 1) in [-1, 1], random weights."""
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((LATENT_DIM,)),
            keras.layers.Dense(7 * 7 * 64, activation="relu"),
            keras.layers.Reshape((7, 7, 64)),
            keras.layers.Conv2DTranspose(32, 4, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ]
    )


def main():
    load_before = harness.load_average()
    generator = build_untrained_generator()
    generate_fn = lambda n, seed: generate_images(generator, n, LATENT_DIM, seed)  # noqa: E731
    clear_feature_cache(disk=True)
    start = time.perf_counter()
    evaluate_generator(generate_fn, "mnist", num_samples=1000, num_real=NUM_SAMPLES)
    warmup = time.perf_counter() - start
    start = time.perf_counter()
    result = evaluate_generator(generate_fn, "mnist", num_samples=NUM_SAMPLES, num_real=NUM_SAMPLES)
    seconds = time.perf_counter() - start
    entry = {
        "load_average_1_5_15_min_at_start": load_before,
        "load_average_1_5_15_min_at_end": harness.load_average(),
        "date": harness.now(),
        "git_commit": harness.git_commit(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores",
        "versions": {"python": platform.python_version(), **harness.versions()},
        "backend": keras.backend.backend(),
        "what": "evaluate_generator: generate 10,000 images with an untrained small DCGAN "
        "generator, embed them with mnist_classifier, FID and KID (100 x 1,000) against "
        "cached statistics of the 10,000 MNIST test images",
        "seconds": round(seconds, 2),
        "warmup_seconds_including_real_statistics": round(warmup, 2),
        "fid": result["fid"],
        "kid_mean": result["kid_mean"],
    }
    print(json.dumps(entry, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[entry["backend"]] = entry
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
