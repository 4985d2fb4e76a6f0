"""Each PyTorch lever of issue 17 switched off in turn, timed interleaved.

`train_step` in a hand loop (the anchor DCGAN pair of benchmarks/anchor_speed.py,
base_filters 16, one intra-op thread), per configuration:
- `all_levers`: the committed code;
- `keras_random_draws`: draws through `keras.random` (a new torch.Generator and a
  host read per draw, as before issue 17);
- `keras_adam_apply`: `Optimizer.apply` instead of the cached-scalar Adam update;
- `no_metric_updates`: the step without its metric updates and results (an upper
  bound on what dropping metric work could save; not a usable setting).
Configurations run round-robin, order rotated each repeat, warm-up excluded;
ms per step (median over repeats) and the ratio to `all_levers` (median of
per-repeat ratios).

    PYTHONPATH=. python benchmarks/results/anchor_speed_cpu/torch_sync_free_step/lever_check.py
"""

import json
import os
import statistics
import sys
import time

os.environ["KERAS_BACKEND"] = "torch"
sys.path.insert(0, os.getcwd())

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

import keras_gans  # noqa: E402
from benchmarks.native_loops import build_models  # noqa: E402
from keras_gans.backend import gradients  # noqa: E402
from keras_gans.backend import torch as torch_backend  # noqa: E402

STEPS, REPEATS = int(os.environ.get("LEVER_STEPS", 8)), int(os.environ.get("LEVER_REPEATS", 5))
SETTINGS = [("non_saturating", 4), ("non_saturating", 64), ("wgan_gp", 4)]
CONFIGS = ["all_levers", "keras_random_draws", "keras_adam_apply", "no_metric_updates"]


def configure(name):
    """Returns an undo function."""
    if name == "keras_random_draws":
        original = gradients.draw_random
        gradients.draw_random = lambda sampler, shape, seed: sampler(shape, seed=seed)
        return lambda: setattr(gradients, "draw_random", original)
    if name == "keras_adam_apply":
        original = torch_backend._plain_adam
        torch_backend._plain_adam = lambda *args: False
        return lambda: setattr(torch_backend, "_plain_adam", original)
    if name == "no_metric_updates":
        cls = keras_gans.GAN
        originals = cls._update_metrics, cls._update_regularizer_metrics
        cls._update_metrics = lambda self, d, g: {}
        cls._update_regularizer_metrics = lambda self, terms: None
        return lambda: (setattr(cls, "_update_metrics", originals[0]),
                        setattr(cls, "_update_regularizer_metrics", originals[1]))
    return lambda: None


def main():
    rng = np.random.default_rng(0)
    results = {}
    for loss, batch in SETTINGS:
        gans = {}
        for name in CONFIGS:
            G, D = build_models(loss, 64, base_filters=16, seed=0)
            cls = keras_gans.NonSaturatingGAN if loss == "non_saturating" else keras_gans.WGANGP
            gans[name] = cls(G, D, latent_dim=64, seed=0)
            gans[name].compile()
        batches = [torch.as_tensor(rng.uniform(-1, 1, (batch, 28, 28, 1)).astype("float32")) for _ in range(STEPS)]
        times = {name: [] for name in CONFIGS}
        for repeat in range(REPEATS + 1):
            order = CONFIGS[repeat % len(CONFIGS):] + CONFIGS[:repeat % len(CONFIGS)]
            for name in order:
                undo = configure(name)
                try:
                    start = time.perf_counter()
                    for data in batches:
                        logs = gans[name].train_step(data)
                    gans[name].generator.trainable_variables[0].value.sum().item()
                    elapsed = (time.perf_counter() - start) / STEPS * 1e3
                finally:
                    undo()
                del logs
                if repeat:
                    times[name].append(elapsed)
        key = f"{loss} batch {batch}"
        results[key] = {
            name: {
                "ms": statistics.median(times[name]),
                "ratio_to_all_levers": statistics.median(
                    t / a for t, a in zip(times[name], times["all_levers"])
                ),
            }
            for name in CONFIGS
        }
        print(key, json.dumps(results[key]), flush=True)
    print(json.dumps({"load_average": os.getloadavg(), "steps": STEPS, "repeats": REPEATS, "results": results}))


if __name__ == "__main__":
    main()
