"""What the truncation trick does to each kind of preset, in the zoo cards' protocol.

    KERAS_BACKEND=tensorflow python benchmarks/truncation_presets.py [--num-samples N] [--out FILE] [PRESET ...]

For each preset and each psi in (none, 1.0, 0.5) it draws `generate(N, seed=0,
truncation=psi)` (conditional presets: labels cycling 0..9, as on the cards)
and measures, against the first N test images of the preset's dataset in the
features of the dataset's zoo classifier (`zoo/evaluate_presets.py`):
- FID and its ratio to the real-data floor (N train vs N test images, same
  features; FID is biased upwards at small N, so the floor is measured at the
  same N);
- improved precision/recall (k=3) and density/coverage (k=5);
- the classifier's "unsure" share (top probability < 0.9, the cards'
  threshold), its smallest/largest class share and, for conditional presets,
  how often it recognises the requested class.
Results go to `benchmarks/results/truncation/truncation_presets.json` with the
protocol, machine and load.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "zoo"))

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans import evaluation  # noqa: E402
from keras_gans.metrics import FID, DensityCoverage, PrecisionRecall, load_feature_classifier  # noqa: E402

DEFAULT_PRESETS = ["dcgan_mnist_conditional", "dcgan_mnist_nonsaturating"]
TRUNCATIONS = [None, 1.0, 0.5]
CONFIDENT = 0.9  # zoo/evaluate_presets.py: below this top probability the classifier is unsure


def metrics():
    return [FID(), PrecisionRecall(k=3), DensityCoverage(k=5)]


def classifier_view(probabilities, requested=None):
    shares = np.bincount(probabilities.argmax(-1), minlength=probabilities.shape[-1]) / len(probabilities)
    view = {
        "unsure_share": float(np.mean(probabilities.max(-1) < CONFIDENT)),
        "smallest_class_share": float(shares.min()),
        "largest_class_share": float(shares.max()),
    }
    if requested is not None:
        view["class_accuracy"] = float(np.mean(probabilities.argmax(-1) == requested))
    return view


def measure_preset(name, num_samples, floors):
    generator = keras_gans.from_preset(name)
    dataset = generator.metadata["dataset"]
    classifier = load_feature_classifier(dataset)
    if dataset not in floors:
        floor = evaluation.real_data_floor(dataset, num_real=num_samples, metrics=metrics())
        real = (keras_gans.data.load_dataset(dataset, "test")[0][:num_samples] + 1.0) / 2.0
        floors[dataset] = {
            **{k: floor[k] for k in ("fid", "precision", "recall", "density", "coverage")},
            "real_test_classifier": classifier_view(classifier.predict(real, batch_size=500, verbose=0)),
        }
    labels = None if generator.num_classes is None else np.arange(num_samples) % generator.num_classes
    rows = []
    for psi in TRUNCATIONS:
        start = time.perf_counter()
        images = generator.generate(num_samples, seed=0, labels=labels, truncation=psi)
        scores = evaluation.evaluate_generator(
            lambda n, seed: images, dataset, num_samples=num_samples, num_real=num_samples, metrics=metrics()
        )
        probabilities = classifier.predict(images, batch_size=500, verbose=0)
        row = {
            "truncation": psi,
            **{k: scores[k] for k in ("fid", "precision", "recall", "density", "coverage")},
            "fid_over_floor": scores["fid"] / floors[dataset]["fid"],
            **classifier_view(probabilities, labels),
            "seconds": round(time.perf_counter() - start, 1),
        }
        rows.append(row)
        print(name, json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    return {"preset": name, "dataset": dataset, "conditional": generator.num_classes is not None,
            "protocol": scores["protocol"], "results": rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=DEFAULT_PRESETS)
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "truncation" / "truncation_presets.json"))
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    start = time.perf_counter()
    floors = {}
    presets = [measure_preset(name, args.num_samples, floors) for name in args.presets]
    result = {
        "date": datetime.date.today().isoformat(),
        "command": "python benchmarks/truncation_presets.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "wall_seconds": round(time.perf_counter() - start, 1),
        "num_samples": args.num_samples,
        "truncations": TRUNCATIONS,
        "unsure_threshold": CONFIDENT,
        "floors": floors,
        "presets": presets,
    }
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
