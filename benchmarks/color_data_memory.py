"""Peak memory of loading a folder of color PNGs, and of drawing one training batch.

Writes a synthetic folder of 64x64 RGB PNGs (smooth random images, so they
compress like photos rather than noise) under /tmp, then measures in a fresh
subprocess per case the peak resident memory (`resource.getrusage`'s
`ru_maxrss`) of:

- `uint8`: `load_image_folder(..., keep_uint8=True)`, what `keras_gans.recipes`
  (and so `keras-gans train --dataset folder:PATH`) keeps in memory now, then
  one batch drawn by `SeededBatches` (scaled to float32 there);
- `float32`: the same loader returning float32 in [-1, 1] (its default, the
  public API's unchanged return value);
- `before`: the loader as it was at main 209fa7d (a list of images, stacked,
  then scaled to float32), read from git, on the smaller folder only: at
  100,000 images it would need about 12 GB on a machine shared by 8 agents.

Each subprocess first imports keras_gans.data (Keras and the backend) and
records that baseline, so the table shows the peak and the peak minus the
baseline. The folder is deleted at the end.

    PYTHONPATH=$PWD python benchmarks/color_data_memory.py            # 100,000 and 10,000 images
    PYTHONPATH=$PWD python benchmarks/color_data_memory.py --quick    # 2,000 and 500 (a smoke run)
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEFORE_COMMIT = "209fa7d"
IMAGE_SIZE = 64
BATCH_SIZE = 64

MEASURE = r"""
import importlib.util, json, os, resource, sys, time
import numpy as np
import keras_gans.data  # Keras and the backend: the baseline every training run pays
from keras_gans.data import SeededBatches

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

mode, folder, size, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
baseline = peak_mb()
start = time.perf_counter()
if mode == "before":
    spec = importlib.util.spec_from_file_location("old_image_folder", sys.argv[5])
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    images, _, _ = old.load_image_folder(folder, size, 3)
else:
    from keras_gans.data.image_folder import load_image_folder
    images, _, _ = load_image_folder(folder, size, 3, keep_uint8=(mode == "uint8"))
load_seconds = time.perf_counter() - start
after_load = peak_mb()
held = rss_mb()
batches = SeededBatches(images, None, batch_size, seed=0)
batch = batches[0]
after_batch = peak_mb()
print(json.dumps({
    "mode": mode, "num_images": int(len(images)), "dtype": str(images.dtype), "array_mb": images.nbytes / 2**20,
    "batch_dtype": str(batch.dtype), "batch_shape": list(batch.shape), "batch_range": [float(batch.min()), float(batch.max())],
    "baseline_peak_mb": baseline, "peak_after_load_mb": after_load, "rss_holding_images_mb": held,
    "peak_after_one_batch_mb": after_batch, "load_peak_minus_baseline_mb": after_load - baseline,
    "batch_peak_increase_mb": after_batch - after_load, "load_seconds": load_seconds,
}))
"""


def write_folder(folder, num_images, seed=0):
    """`num_images` 64x64 RGB PNGs: random 8x8 colour fields upsampled bilinearly."""
    from PIL import Image

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(num_images):
        small = Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype="uint8"))
        small.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BILINEAR).save(os.path.join(folder, f"{i:06d}.png"))


def folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder))


def measure(mode, folder, old_module):
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, mode, folder, str(IMAGE_SIZE), str(BATCH_SIZE), old_module],
        capture_output=True, text=True, env=env, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def load_average():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num-images", type=int, default=100_000)
    parser.add_argument("--compare-images", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 and 500 images")
    parser.add_argument("--skip-compare", action="store_true", help="measure only the large folder (uint8)")
    parser.add_argument("--reuse-folder", default=None, help="an existing folder of --num-images PNGs written by this script "
                        "(kept: not deleted); the large folder is then not written again")
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "benchmarks", "results", "color_data", "memory.json"))
    args = parser.parse_args()
    if args.quick:
        args.num_images, args.compare_images = 2_000, 500
    old_source = subprocess.run(
        ["git", "show", f"{BEFORE_COMMIT}:keras_gans/data/image_folder.py"], cwd=REPO_ROOT,
        capture_output=True, text=True, check=True,
    ).stdout
    work = tempfile.mkdtemp(prefix="keras_gans_color_memory_")
    rows = []
    try:
        old_module = os.path.join(work, "old_image_folder.py")
        with open(old_module, "w") as f:
            f.write(old_source)
        groups = [(args.compare_images, ("before", "float32", "uint8"))] if not args.skip_compare else []
        for num_images, modes in groups + [(args.num_images, ("uint8",))]:
            folder = os.path.join(work, f"pngs_{num_images}")
            if args.reuse_folder and num_images == args.num_images:
                folder = args.reuse_folder
                if len(os.listdir(folder)) != num_images:
                    raise SystemExit(f"{folder} holds {len(os.listdir(folder))} files, not {num_images}.")
            else:
                start = time.perf_counter()
                write_folder(folder, num_images)
                print(f"wrote {num_images} PNGs ({folder_bytes(folder) / 2**20:.0f} MiB) in {time.perf_counter() - start:.0f} s", flush=True)
            for mode in modes:
                row = dict(measure(mode, folder, old_module), load_average_before=load_average(),
                           png_folder_mb=folder_bytes(folder) / 2**20)
                rows.append(row)
                print(json.dumps(row), flush=True)
            if folder != args.reuse_folder:
                shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    import keras

    result = {
        "benchmark": "benchmarks/color_data_memory.py",
        "image_size": IMAGE_SIZE, "channels": 3, "batch_size": BATCH_SIZE,
        "before": f"main {BEFORE_COMMIT}: image_folder.load_image_folder (float32)",
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, shared with other agents",
        "keras_backend": keras.backend.backend(), "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M"), "rows": rows,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
