"""FID and recall of the stability toolkit's settings at one training budget.

Trains the same DCGAN pair (same seed, data order, optimizers and number of
steps) once per setting and measures FID, precision and recall of 10k
samples in the dataset's zoo-classifier features (`keras-gans evaluate`'s
protocol). Writes `<out>/stability_toolkit.json` and `.md`.

    KERAS_BACKEND=jax python benchmarks/stability_toolkit.py --dataset mnist --epochs 5 --out benchmarks/results
    python benchmarks/stability_toolkit.py --quick   # a tiny CPU check (not a result)

One seed per setting: differences of a few FID points are within seed noise.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
import time

import keras
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import keras_gans  # noqa: E402
from keras_gans import evaluation  # noqa: E402
from keras_gans.data import load_dataset  # noqa: E402

SETTINGS = {
    "ns": ("NonSaturatingGAN", "batch", {}),
    "ns_ema": ("NonSaturatingGAN", "batch", {"ema_decay": 0.999}),
    "ns_r1": ("NonSaturatingGAN", "layer", {"r1_penalty_weight": 1.0}),
    "ns_smoothing": ("NonSaturatingGAN", "batch", {"label_smoothing": 0.1}),
    "hinge_sn_diffaugment": ("HingeGAN", "spectral", {"augmentation": "color,translation,cutout"}),
    "hinge_sn_diffaugment_ema": ("HingeGAN", "spectral", {"augmentation": "color,translation,cutout", "ema_decay": 0.999}),
    "least_squares": ("LeastSquaresGAN", "batch", {}),
}


def build(setting, image_shape, base_filters, latent_dim=64, seed=0):
    class_name, normalization, kwargs = SETTINGS[setting]
    kwargs = dict(kwargs)
    if "augmentation" in kwargs:
        kwargs["augmentation"] = keras_gans.augment.DiffAugment(kwargs["augmentation"])
    arch = keras_gans.architectures
    G = arch.dcgan_generator(latent_dim, image_shape, base_filters=base_filters, seed=seed)
    D = arch.dcgan_discriminator(image_shape, base_filters=base_filters, normalization=normalization, seed=seed + 1)
    gan = getattr(keras_gans, class_name)(G, D, latent_dim=latent_dim, seed=seed, **kwargs)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        steps_per_execution=int(os.environ.get("KERAS_GANS_STEPS_PER_EXECUTION", "1")),
    )
    return gan


def run(setting, dataset, epochs, batch_size, base_filters, num_samples, num_train):
    images, _ = load_dataset(dataset, split="train")
    images = images[:num_train] if num_train else images
    keras.utils.set_random_seed(0)
    gan = build(setting, images.shape[1:], base_filters)
    start = time.perf_counter()
    gan.fit(images, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    train_seconds = time.perf_counter() - start
    scores = evaluation.evaluate_generator(
        lambda n, seed: gan.generate(n, seed=seed), dataset=dataset, num_samples=num_samples,
        metrics=[keras_gans.metrics.FID(), keras_gans.metrics.PrecisionRecall(k=3)],
    )
    return {
        "setting": setting,
        "gan": SETTINGS[setting][0],
        "discriminator_normalization": SETTINGS[setting][1],
        "options": SETTINGS[setting][2],
        "fid": scores["fid"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "generator_steps": int(gan.generator_optimizer.iterations),
        "train_seconds": round(train_seconds, 1),
        "protocol": scores["protocol"],
    }


def markdown(results, header):
    lines = [header, "", "| setting | FID | precision | recall | G steps | train s |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['setting']} | {r['fid']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['generator_steps']} | {r['train_seconds']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist", choices=["mnist", "fashion_mnist"])
    parser.add_argument("--settings", default="ns,ns_ema,hinge_sn_diffaugment,ns_r1")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--base-filters", type=int, default=64)
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--num-train", type=int, default=0, help="use the first N training images (0: all)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    parser.add_argument("--quick", action="store_true", help="tiny CPU check: 512 images, 1 epoch, 500 samples")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.base_filters, args.num_samples, args.num_train = 1, 8, 500, 512
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for setting in args.settings.split(","):
        result = run(setting, args.dataset, args.epochs, args.batch_size, args.base_filters,
                     args.num_samples, args.num_train)
        print(json.dumps({k: v for k, v in result.items() if k != "protocol"}), flush=True)
        results.append(result)
    record = {
        "date": datetime.date.today().isoformat(),
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "devices": [str(d) for d in _devices()],
        "dataset": args.dataset,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "base_filters": args.base_filters,
        "quick": args.quick,
        "results": results,
    }
    name = "stability_toolkit_quick" if args.quick else f"stability_toolkit_{args.dataset}"
    (out / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    header = (f"{args.dataset}, {args.epochs} epochs at batch {args.batch_size}, DCGAN base_filters="
              f"{args.base_filters}, seed 0, {record['backend']} on {record['devices'] or record['machine']}, "
              f"{record['date']}; FID/precision/recall of {args.num_samples} samples in the {args.dataset} "
              "classifier's features (k=3)")
    (out / f"{name}.md").write_text(markdown(results, header))
    print(markdown(results, header))


def _devices():
    try:
        return keras.distribution.list_devices()
    except Exception:  # torch has no keras.distribution
        return []


if __name__ == "__main__":
    main()
