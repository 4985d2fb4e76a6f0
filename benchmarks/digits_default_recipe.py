"""Searches the default digits recipe of `keras-gans train --dataset digits --model nonsaturating`.

    KERAS_BACKEND=jax python benchmarks/digits_default_recipe.py [VARIANT ...] [--out FILE]

Trains each variant (a set of overrides of the CLI's default digits recipe,
listed in VARIANTS) through `keras_gans.recipes`, exactly as the command line
does, then measures it as `keras-gans evaluate --dataset digits` does:
FID of 10,000 samples (`generate(n, seed=0)`; the EMA generator when there
is one) against the 297 digits test images in the digits classifier's
features. The target is <= 3x the real-data floor
(zoo/digits_classifier/real_data_floor.json) in under 90 s on 2 cores.

The machine is shared, so every line also records the load average
(`os.getloadavg()`) before and after training: compare wall times as ratios
between variants measured under similar load, not as absolutes. One JSON line
per variant is appended to `--out` (default
benchmarks/results/digits_default_recipe.jsonl).
"""

import argparse
import copy
import json
import os
import pathlib
import platform
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Adam(1e-3): the MLP default before this search. Variants measured before the
# default became Adam(2e-3) (the first lines of the results file) left it implicit.
LR_1E3 = {"optimizers.generator.config.learning_rate": 1e-3, "optimizers.discriminator.config.learning_rate": 1e-3}
# name -> {dotted recipe key: value}: overrides of the CLI's default digits recipe.
VARIANTS = {
    "default": {},  # today: e200_b64_lr0.002_ema0.999
    "old_default": {  # the CLI default before this search: 40 epochs, lr 1e-3, batch 32
        "fit.epochs": 40, "fit.batch_size": 32,
        "optimizers.generator.config.learning_rate": 1e-3,
        "optimizers.discriminator.config.learning_rate": 1e-3,
        "gan.config.ema_decay": None,
    },
    "e100_b64": {"fit.epochs": 100, "fit.batch_size": 64, "gan.config.ema_decay": None, **LR_1E3},
    "e200_b64": {"fit.epochs": 200, "fit.batch_size": 64, "gan.config.ema_decay": None, **LR_1E3},
    "e200_b64_lr5e-4": {
        "fit.epochs": 200, "fit.batch_size": 64, "gan.config.ema_decay": None,
        "optimizers.generator.config.learning_rate": 5e-4,
        "optimizers.discriminator.config.learning_rate": 5e-4,
    },
    "e200_b64_w256": {
        "fit.epochs": 200, "fit.batch_size": 64, "gan.config.ema_decay": None,
        "generator.kwargs.hidden_units": [256, 256], **LR_1E3,
        "discriminator.kwargs.hidden_units": [256, 256],
    },
    "e300_b64": {"fit.epochs": 300, "fit.batch_size": 64, "gan.config.ema_decay": None, **LR_1E3},
    "e200_b64_lr2e-3": {
        "fit.epochs": 200, "fit.batch_size": 64, "gan.config.ema_decay": None,
        "optimizers.generator.config.learning_rate": 2e-3,
        "optimizers.discriminator.config.learning_rate": 2e-3,
    },
    "e300_b64_lr2e-3": {
        "fit.epochs": 300, "fit.batch_size": 64, "gan.config.ema_decay": None,
        "optimizers.generator.config.learning_rate": 2e-3,
        "optimizers.discriminator.config.learning_rate": 2e-3,
    },
    "e200_b128_lr2e-3": {
        "fit.epochs": 200, "fit.batch_size": 128, "gan.config.ema_decay": None,
        "optimizers.generator.config.learning_rate": 2e-3,
        "optimizers.discriminator.config.learning_rate": 2e-3,
    },
    "e200_b64_z32": {"fit.epochs": 200, "fit.batch_size": 64, "gan.config.ema_decay": None, "gan.config.latent_dim": 32, **LR_1E3},
}
for _epochs, _batch, _rate, _decay in [
    (200, 64, 2e-3, 0.999), (200, 128, 2e-3, 0.999), (200, 64, 1e-3, 0.999), (100, 64, 2e-3, 0.999),
    (200, 64, 2e-3, 0.99), (150, 64, 2e-3, 0.999), (100, 128, 2e-3, 0.999),
]:
    VARIANTS[f"e{_epochs}_b{_batch}_lr{_rate:g}_ema{_decay:g}"] = {
        "fit.epochs": _epochs, "fit.batch_size": _batch, "gan.config.ema_decay": _decay,
        "optimizers.generator.config.learning_rate": _rate,
        "optimizers.discriminator.config.learning_rate": _rate,
    }


def apply_overrides(recipe, overrides):
    recipe = copy.deepcopy(recipe)
    for dotted, value in overrides.items():
        *parents, last = dotted.split(".")
        node = recipe
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return recipe


def measure(name, overrides, seed=None):
    import keras

    from keras_gans import evaluation, recipes

    recipe = apply_overrides(recipes.default_recipe("digits", "NonSaturatingGAN"), overrides)
    if seed is not None:
        recipe["seed"] = seed
    data = recipes.resolve_data(recipe)
    load_before = os.getloadavg()
    start = time.perf_counter()
    gan = recipes.build_gan(recipe, data)
    recipes.fit(gan, recipe, data, verbose=0)
    train_seconds = time.perf_counter() - start
    load_after = os.getloadavg()
    scores = evaluation.evaluate_generator(
        lambda n, seed: gan.generate(n, seed=seed), dataset="digits", num_samples=10000
    )
    floor = evaluation.real_data_floor("digits")
    return {
        "variant": name, "overrides": overrides, "seed": recipe["seed"], "recipe": recipe, "backend": keras.backend.backend(),
        "train_seconds": round(train_seconds, 1), "fid": round(scores["fid"], 3),
        "floor_fid": round(floor["fid"], 3), "floor_ratio": round(scores["fid"] / floor["fid"], 2),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=None)
    parser.add_argument("--seeds", default=None, help="comma-separated seeds (default: the recipe's, 0)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "digits_default_recipe.jsonl"))
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else [None]
    for name in args.variants or list(VARIANTS):
        for seed in seeds:
            result = measure(name, VARIANTS[name], seed)
            print(json.dumps(result), flush=True)
            with open(args.out, "a") as f:
                f.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
