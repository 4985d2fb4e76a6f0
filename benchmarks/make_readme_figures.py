"""Makes the README's figures from a `keras-gans train` run.

    python benchmarks/make_readme_figures.py OUT_DIR [--run runs/digits_nonsaturating] [--train]

Writes into OUT_DIR:
- `digits_samples.png`: the run's `samples.png` (the final grid).
- `digits_losses.png`: d_loss and g_loss per epoch, read from the run's
  `run.json` (or `history.csv`), drawn with Pillow (no matplotlib needed).
- `digits_figures.json`: the figures' sources (run settings, wall time,
  backend, versions), so the README can quote them.

With `--train` (or when the run is missing) it first runs the README's
default command: `python -m keras_gans train --dataset digits --model
nonsaturating --out RUN`.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

from PIL import Image, ImageDraw

COLORS = {"d_loss": (31, 119, 180), "g_loss": (214, 39, 40)}


def read_history(run_dir):
    """`{name: [value per epoch]}` from run.json, else history.csv."""
    run_json = os.path.join(run_dir, "run.json")
    if os.path.exists(run_json):
        with open(run_json) as f:
            history = json.load(f).get("history")
        if history:
            return history
    with open(os.path.join(run_dir, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    return {
        k: [float(r[k]) for r in rows]
        for k in rows[0]
        if k != "epoch" and all(r[k] not in ("NA", "") for r in rows)  # CSVLogger's "NA"
    }


def _ticks(low, high, count=5):
    step = (high - low) / (count - 1) if high > low else 1.0
    return [low + i * step for i in range(count)]


def plot_curves(series, path, size=(640, 360), margin=(60, 20, 20, 40), title="Losses per epoch"):
    """Draws line plots of `{name: values}` into a PNG with Pillow.

    Args:
        series: dict name -> list of floats (one per epoch).
        path: str. Output PNG.
        size: `(width, height)` in pixels.
        margin: `(left, top, right, bottom)` in pixels.
        title: str. Drawn at the top.
    """
    width, height = size
    left, top, right, bottom = margin
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    values = [v for vs in series.values() for v in vs]
    low, high = min(values), max(values)
    low, high = (low - 0.5, high + 0.5) if high == low else (low, high)
    num_epochs = max(len(vs) for vs in series.values())
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(i, v):
        x = left + (plot_w * i / max(1, num_epochs - 1))
        y = top + plot_h * (1 - (v - low) / (high - low))
        return x, y

    draw.rectangle([left, top, width - right, height - bottom], outline="black")
    for tick in _ticks(low, high):
        _, y = xy(0, tick)
        draw.line([left - 4, y, left, y], fill="black")
        draw.text((4, y - 6), f"{tick:.2f}", fill="black")
    for i in sorted({0, num_epochs // 2, num_epochs - 1}):
        x, _ = xy(i, low)
        draw.line([x, height - bottom, x, height - bottom + 4], fill="black")
        draw.text((x - 6, height - bottom + 6), str(i + 1), fill="black")
    draw.text((left + plot_w // 2 - 15, height - 16), "epoch", fill="black")
    draw.text((left, 4), title, fill="black")
    for k, (name, vs) in enumerate(series.items()):
        color = COLORS.get(name, (0, 0, 0))
        points = [xy(i, v) for i, v in enumerate(vs)]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        draw.line([width - right - 90, top + 10 + 14 * k, width - right - 70, top + 10 + 14 * k], fill=color, width=2)
        draw.text((width - right - 65, top + 4 + 14 * k), name, fill="black")
    image.save(path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--run", default=os.path.join("runs", "digits_nonsaturating"))
    parser.add_argument("--train", action="store_true", help="(re)train the default digits run first")
    args = parser.parse_args(argv)
    if args.train or not os.path.exists(os.path.join(args.run, "run.json")):
        command = [sys.executable, "-m", "keras_gans", "train", "--dataset", "digits",
                   "--model", "nonsaturating", "--out", args.run, "--verbose", "2"]
        if os.path.exists(os.path.join(args.run, "run.json")):
            command.append("--overwrite")
        subprocess.run(command, check=True)
    os.makedirs(args.out_dir, exist_ok=True)
    shutil.copy(os.path.join(args.run, "samples.png"), os.path.join(args.out_dir, "digits_samples.png"))
    history = read_history(args.run)
    losses = {k: history[k] for k in ("d_loss", "g_loss") if k in history}
    plot_curves(losses, os.path.join(args.out_dir, "digits_losses.png"))
    with open(os.path.join(args.run, "run.json")) as f:
        run = json.load(f)
    keep = ("recipe", "backend", "versions", "machine", "wall_time_s", "final", "generator_steps", "command")
    with open(os.path.join(args.out_dir, "digits_figures.json"), "w") as f:
        json.dump({k: run.get(k) for k in keep}, f, indent=2)
    print(f"Wrote digits_samples.png, digits_losses.png and digits_figures.json to {args.out_dir}")


if __name__ == "__main__":
    main()
