"""Per-step cost of top-k generator updates and cluster conditioning vs plain NS.

The DCGAN pair on MNIST 28x28, `NonSaturatingGAN` + EMA 0.999, batch 64,
`compile(jit_compile=True, steps_per_execution=8)` (the fastest CPU setting
measured for issue 20). Three GANs are built, warmed up (traced), then timed
in interleaved rounds of `fit` on the same arrays, so machine noise hits all
three alike; the figure is the median ms per train step. The one-time cost of
clustering the 60,000 training images (PCA-50 + k-means, NumPy) is timed
once.

    KERAS_BACKEND=tensorflow python benchmarks/toolkit_step_cost.py --out benchmarks/results/toolkit_step_cost
    KERAS_BACKEND=tensorflow python benchmarks/toolkit_step_cost.py --quick   # a smoke run, not a result
"""

import argparse
import json
import os
import pathlib
import sys
import time

import keras
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import keras_gans  # noqa: E402
from keras_gans.data import load_dataset  # noqa: E402

VARIANTS = {
    "ns_ema": {},
    "ns_ema_topk": {"top_k": True},
    "ns_ema_clusters50": {"cluster_conditioning": 50},
}


def build(variant, base_filters, latent_dim=64):
    kwargs = dict(VARIANTS[variant])
    num_classes = 50 if "cluster_conditioning" in kwargs else None
    arch = keras_gans.architectures
    G = arch.dcgan_generator(latent_dim, (28, 28, 1), num_classes=num_classes, base_filters=base_filters, seed=0)
    D = arch.dcgan_discriminator((28, 28, 1), num_classes=num_classes, base_filters=base_filters, seed=1)
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=latent_dim, seed=0, ema_decay=0.999, **kwargs)
    gan.compile(jit_compile=True, steps_per_execution=8)
    return gan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-filters", type=int, default=32)
    parser.add_argument("--steps", type=int, default=64, help="train steps per timed fit")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.base_filters, args.steps, args.rounds = 4, 8, 1
    images, _ = load_dataset("mnist", "train")
    batch = 64
    x = images[: args.steps * batch]

    start = time.perf_counter()
    keras_gans.ClusterConditioning(50).fit(images if not args.quick else images[:2000])
    clustering_seconds = time.perf_counter() - start

    gans = {name: build(name, args.base_filters) for name in VARIANTS}
    for gan in gans.values():  # trace and warm up (clusters computed here too)
        gan.fit(x[: 16 * batch], epochs=1, batch_size=batch, verbose=0)
    times = {name: [] for name in gans}
    load = []
    for _ in range(args.rounds):
        for name, gan in gans.items():
            start = time.perf_counter()
            gan.fit(x, epochs=1, batch_size=batch, verbose=0)
            times[name].append(1000.0 * (time.perf_counter() - start) / (len(x) // batch))
        load.append(os.getloadavg()[0])
    medians = {name: float(np.median(t)) for name, t in times.items()}
    result = {
        "backend": keras.backend.backend(),
        "compile": {"jit_compile": True, "steps_per_execution": 8},
        "base_filters": args.base_filters, "batch_size": batch, "steps_per_fit": len(x) // batch,
        "rounds": args.rounds, "ms_per_step": times, "median_ms_per_step": medians,
        "ratio_to_ns_ema": {name: medians[name] / medians["ns_ema"] for name in medians},
        "clustering_60000_images_seconds": None if args.quick else round(clustering_seconds, 1),
        "load_average_1min_per_round": load, "cpu_count": os.cpu_count(),
        "quick": args.quick,
    }
    print(json.dumps(result, indent=2))
    if args.out and not args.quick:
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"toolkit_step_cost_base{args.base_filters}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
