"""Trains a table of recipe variants, several seeds each, and measures every run the zoo's way.

    KERAS_BACKEND=tensorflow python benchmarks/recipe_table.py twemoji32          # issue 19's table
    KERAS_BACKEND=tensorflow python benchmarks/recipe_table.py what_helps_mnist   # issue 20's table
    KERAS_BACKEND=tensorflow python benchmarks/recipe_table.py what_helps_fashion
    python benchmarks/recipe_table.py twemoji32 --report        # only re-render the table from results

Each (row, seed) is one `keras_gans.runs.Run` (the folder `keras-gans train`
writes) in `benchmarks/results/tables/<table>/<row>_seed<seed>/`, so a table
that was killed continues where it stopped: run the same command again
(finished runs are kept, an unfinished one resumes from its backup). Runs go
one at a time: two trainings on a 2-core machine slow each other down and
make their minutes meaningless.

Every run is measured as the zoo cards are (`zoo/evaluate_presets.py`):
FID, KID and precision/recall (k=3) of 10,000 samples (`generate(n, seed=0)`)
against the real test images in the zoo classifier's features, the real-data
floor, and the share of samples the classifier labels with top probability
< 0.9 ("unsure"). `CPU min` is the run's training wall time (compiling
included; clustering and evaluation not). Writes `<table>.json` and
`<table>.md` beside the run folders.
"""

import argparse
import copy
import json
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "zoo"))

import numpy as np  # noqa: E402

from keras_gans import evaluation, recipes  # noqa: E402
from keras_gans.data.datasets import IMAGE_SIZES  # noqa: E402
from keras_gans.runs import Run  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "tables"
NUM_SAMPLES = 10000
ADAM_DCGAN = {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}}
# SNGAN's setting for one D step per G step (Miyato et al. 2018, Table 1, setting C); their
# beta = (0, 0.9) goes with n_dis = 5, five times the D steps per G step.
ADAM_SNGAN_NDIS1 = {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999}}
DIFF_AUGMENT = {"module": "keras_gans.augment.diff_augment", "class_name": "DiffAugment",
                "config": {"policy": "color,translation,cutout", "translation_ratio": 0.125, "cutout_ratio": 0.5},
                "registered_name": "keras_gans>DiffAugment"}
FAST_CPU_COMPILE = {"jit_compile": True, "steps_per_execution": 8}  # fastest on a 2-core CPU (README)


def base_recipe(name, dataset, builder, base_filters, epochs, gan_class="NonSaturatingGAN", image_size=None,
                latent_dim=64, normalization="batch", sngan=False):
    """One unconditional recipe: NS + EMA 0.999 (DCGAN Adam) or hinge + SN (SNGAN's n_dis=1 Adam), batch 64."""
    adam = ADAM_SNGAN_NDIS1 if sngan else ADAM_DCGAN
    data = {"dataset": dataset, "conditional": False}
    if image_size is not None:
        data["image_size"] = image_size
    d_kwargs = {"base_filters": base_filters}
    if builder == "dcgan":
        d_kwargs["normalization"] = normalization
    return {
        "name": name, "description": f"recipe_table row {name}", "seed": 0, "data": data,
        "generator": {"builder": f"{builder}_generator", "kwargs": {"base_filters": base_filters}},
        "discriminator": {"builder": f"{builder}_discriminator", "kwargs": d_kwargs},
        "gan": {"class": gan_class, "config": {"latent_dim": latent_dim, "ema_decay": 0.999}},
        "optimizers": {"generator": copy.deepcopy(adam), "discriminator": copy.deepcopy(adam)},
        "compile": dict(FAST_CPU_COMPILE),
        "fit": {"epochs": epochs, "batch_size": 64, "max_minutes": None},
    }


def with_config(recipe, name, **config):
    recipe = copy.deepcopy(recipe)
    recipe["name"] = name
    recipe["gan"]["config"].update(copy.deepcopy(config))
    return recipe


def twemoji32_rows(minutes=4.0):
    """Issue 19: DiffAugment off/on x DCGAN (NS, batch-norm D) vs ResNet (SNGAN: hinge, spectral norm).

    The budget is CPU minutes (compiling included), not steps: on a CPU a
    ResNet step costs about 10x a DCGAN step, and minutes are what a CPU
    user spends. Each run stops after the epoch in which `minutes` ran out.
    """
    dcgan = base_recipe("dcgan_ns", "twemoji", "dcgan", 32, 100000, image_size=32, latent_dim=128)
    resnet = base_recipe("resnet_hinge_sn", "twemoji", "resnet", 16, 100000, gan_class="HingeGAN",
                         image_size=32, latent_dim=128, sngan=True)
    for recipe in (dcgan, resnet):
        recipe["fit"]["max_minutes"] = minutes
    return [dcgan, with_config(dcgan, "dcgan_ns_diffaugment", augmentation=DIFF_AUGMENT),
            resnet, with_config(resnet, "resnet_hinge_sn_diffaugment", augmentation=DIFF_AUGMENT)]


def what_helps_rows(dataset, epochs=4):
    """Issue 20: one lever per row on NS + EMA (DCGAN base 32), then the best combination."""
    ns = base_recipe("ns_ema", dataset, "dcgan", 32, epochs)
    rows = [ns] + [with_config(ns, f"clusters{k}", cluster_conditioning={"num_clusters": k, "pca_components": 50})
                   for k in (10, 20, 50)]
    rows += [with_config(ns, "topk", top_k={"decay": 0.99, "min_fraction": 0.5}),
             with_config(ns, "clusters50_topk", top_k={"decay": 0.99, "min_fraction": 0.5},
                         cluster_conditioning={"num_clusters": 50, "pca_components": 50}),
             with_config(ns, "ema_warmup", ema_start_step=1000)]
    # SNGAN's settings at one D step per G step (hinge, spectral-norm D, Adam(2e-4, (0.5, 0.999))).
    sngan = base_recipe("sngan_hinge_sn", dataset, "dcgan", 32, epochs, gan_class="HingeGAN",
                        normalization="spectral", sngan=True)
    rows.append(sngan)
    # Self-conditioning (Liu et al. 2020) needs a projection D; its control is the same D on fixed clusters.
    projection = copy.deepcopy(ns)
    projection["discriminator"]["kwargs"]["label_conditioning"] = "projection"
    rows += [with_config(projection, "clusters20_projection",
                         cluster_conditioning={"num_clusters": 20, "pca_components": 50}),
             with_config(projection, "clusters20_self_conditioned",
                         cluster_conditioning={"num_clusters": 20, "pca_components": 50, "recluster_every_epochs": 1})]
    return rows


TABLES = {
    "twemoji32": lambda args: twemoji32_rows(args.minutes or 4.0),
    "what_helps_mnist": lambda args: what_helps_rows("mnist", args.epochs or 4),
    "what_helps_fashion": lambda args: [r for r in what_helps_rows("fashion_mnist", args.epochs or 4)
                                        if r["name"] in ("ns_ema", "clusters20", "clusters50")],
}


def train_row(recipe, folder):
    """Trains one run, or continues it; returns its run.json."""
    folder = pathlib.Path(folder)
    if (folder / "run.json").exists():
        status = json.loads((folder / "run.json").read_text()).get("status", "")
        if status == "finished" or status.startswith("stopped (time budget"):  # the table's budget was spent
            return json.loads((folder / "run.json").read_text())
        run = Run.from_folder(folder, command="benchmarks/recipe_table.py")
    else:
        run = Run(folder, recipe, command="benchmarks/recipe_table.py")
        run.prepare()
    run.build()
    run.train(verbose=2)
    return run.to_json()


def measure(folder, recipe):
    """The zoo card's figures for the run in `folder` (the full GAN, so clusters are drawn as trained)."""
    import keras

    import evaluate_presets  # zoo/evaluate_presets.py: the cards' protocol

    gan = keras.saving.load_model(str(pathlib.Path(folder) / "model.keras"))
    dataset = recipe["data"]["dataset"]
    size = recipe["data"].get("image_size") if dataset in IMAGE_SIZES else None
    metrics = evaluate_presets.card_metrics()[:3]
    scores = evaluation.evaluate_generator(lambda n, seed: gan.generate(n, seed=seed), dataset=dataset,
                                           num_samples=NUM_SAMPLES, metrics=metrics, image_size=size)
    floor = evaluation.real_data_floor(dataset, metrics=metrics, image_size=size)
    stats = evaluate_presets.class_statistics(*evaluate_presets.classify_images(gan.generate(NUM_SAMPLES, seed=0),
                                                                                dataset, size))
    return {"fid": scores["fid"], "floor_fid": floor["fid"], "kid": scores["kid_mean"], "floor_kid": floor["kid_mean"],
            "precision": scores["precision"], "recall": scores["recall"],
            "unsure": stats["samples"]["ambiguous_share"], "real_unsure": stats["real_test"]["ambiguous_share"]}


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{np.mean(values):.2f}" + (f" ± {np.std(values):.2f}" if len(values) > 1 else "")


def to_markdown(table, results):
    lines = [f"| {table} row | seeds | FID | FID / floor | KID | precision | recall | unsure | CPU min | steps |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row, runs in results.items():
        done = [r for r in runs.values() if "fid" in r]
        if not done:
            lines.append(f"| {row} | 0 (not run) | | | | | | | | |")
            continue
        lines.append("| " + " | ".join([
            row, ", ".join(str(s) for s, r in runs.items() if "fid" in r),
            mean_std([r["fid"] for r in done]), mean_std([r["fid"] / r["floor_fid"] for r in done]) + "x",
            mean_std([r["kid"] for r in done]), mean_std([r["precision"] for r in done]),
            mean_std([r["recall"] for r in done]), mean_std([100 * r["unsure"] for r in done]) + "%",
            mean_std([r["wall_time_s"] / 60 for r in done]), f"{int(np.mean([r['generator_steps'] for r in done])):,}",
        ]) + " |")
    first = next((r for runs in results.values() for r in runs.values() if "fid" in r), None)
    if first:
        lines.append(f"\nReal-data floor: FID {first['floor_fid']:.2f}, KID {first['floor_kid']:.3f}; "
                     f"real test images the classifier is unsure about: {100 * first['real_unsure']:.1f}%. "
                     "Mean ± std over seeds.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", choices=sorted(TABLES))
    parser.add_argument("--seeds", default="0,1", help="comma-separated seeds (default 0,1)")
    parser.add_argument("--epochs", type=int, default=None, help="override the table's epochs per run")
    parser.add_argument("--minutes", type=float, default=None, help="override the twemoji32 table's CPU minutes per run")
    parser.add_argument("--rows", default=None, help="comma-separated row names (default: all)")
    parser.add_argument("--report", action="store_true", help="only re-render the table from measured results")
    parser.add_argument("--out", default=str(RESULTS), help="results folder (default benchmarks/results/tables)")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out) / args.table
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / f"{args.table}.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    rows = TABLES[args.table](args)
    wanted = None if args.rows is None else set(args.rows.split(","))
    seeds = [int(s) for s in args.seeds.split(",")]
    for seed in seeds:  # every row once before any row twice: a stopped table is still a table
        for recipe in rows:
            if args.report or (wanted is not None and recipe["name"] not in wanted):
                continue
            entry = results.setdefault(recipe["name"], {}).get(str(seed), {})
            if "fid" in entry:
                continue
            recipe = dict(copy.deepcopy(recipe), seed=seed)
            folder = out / f"{recipe['name']}_seed{seed}"
            start = time.perf_counter()
            run = train_row(recipe, folder)
            entry = {"wall_time_s": run["wall_time_s"], "generator_steps": run["generator_steps"],
                     "epochs": run["epochs_done"], "backend": run["backend"], "recipe": recipe}
            entry.update(measure(folder, recipe))
            entry["total_seconds"] = round(time.perf_counter() - start, 1)
            results.setdefault(recipe["name"], {})[str(seed)] = entry
            results_path.write_text(json.dumps(results, indent=2) + "\n")
            print(recipe["name"], seed, json.dumps({k: v for k, v in entry.items() if k != "recipe"}), flush=True)
    order = [r["name"] for r in rows]
    ordered = {name: results.get(name, {}) for name in order}
    (out / f"{args.table}.md").write_text(to_markdown(args.table, ordered))
    print(to_markdown(args.table, ordered))


if __name__ == "__main__":
    main()
