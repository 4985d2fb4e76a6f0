"""Measures every generator preset and writes its model card: `python zoo/evaluate_presets.py [NAME ...]`.

For each `zoo/<preset>/` with a trained `generator.keras`, it measures with
`keras_gans.evaluation` (the protocol is written next to every figure):
- FID, KID, improved precision/recall (k=3) and density/coverage (k=5) of 10,000 samples (seed 0;
  conditional presets cycle the labels 0..9) against the real test images
  (10,000; the digits have 297), in the features of the dataset's zoo classifier;
- the real-data floor: the same figures between 10,000 real train and the
  10,000 test images;
- for conditional presets, how often the dataset's classifier recognises
  the requested class in the samples;
- how the classifier sees the samples and the real test images: its class
  shares and the share it labels with confidence below 0.9 (`--class-stats`
  adds only this to an existing evaluation.json).
It writes `evaluation.json` and regenerates `README.md` (the model card) from
`recipe.json`, `run.json` and `evaluation.json` (`--cards-only` only
re-renders the cards from those files). The same figures come from
`python -m keras_gans evaluate --preset NAME`.
"""

import datetime
import json
import pathlib
import platform
import sys
import time

import numpy as np

ZOO = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ZOO.parent))

import keras_gans  # noqa: E402  (before keras: it keeps TensorFlow's import-time logs quiet)
import keras  # noqa: E402
from keras_gans import evaluation, recipes  # noqa: E402
from keras_gans.data.datasets import IMAGE_SIZES, split_size  # noqa: E402
from keras_gans.data.twemoji import TWEMOJI_CREDIT  # noqa: E402
from keras_gans.metrics import FID, KID, DensityCoverage, PrecisionRecall, load_feature_classifier  # noqa: E402
from keras_gans.metrics.feature_extractors import box_reduce_to_input  # noqa: E402

NUM_SAMPLES = 10000
PRECISION_RECALL_K = 3
DENSITY_COVERAGE_K = 5  # Naeem et al. 2020's choice
CONFIDENT = 0.9  # a classifier probability below this marks an ambiguous image


def card_metrics():
    """The metrics measured for every card (evaluation.json written before
    precision/recall or density/coverage existed simply lacks those keys)."""
    return [FID(), KID(), PrecisionRecall(k=PRECISION_RECALL_K), DensityCoverage(k=DENSITY_COVERAGE_K)]


# Card wording per GAN class (the recipe's `gan.class`); other classes get their name.
LOSS_NAMES = {
    "MinimaxGAN": "minimax (saturating): `keras_gans.MinimaxGAN`",
    "NonSaturatingGAN": "non-saturating: `keras_gans.NonSaturatingGAN`",
    "WGANGP": "WGAN-GP: `keras_gans.WGANGP`",
    "HingeGAN": "hinge: `keras_gans.HingeGAN`",
}
DATASET_NAMES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "digits": "scikit-learn 8x8 digits",
                 "twemoji": "Twemoji"}
# Lucic et al. 2018, best Inception FID (a different protocol: orientation only).
PAPER_FID = {
    ("mnist", "MinimaxGAN"): 9.8, ("mnist", "NonSaturatingGAN"): 6.8, ("mnist", "WGANGP"): 20.3,
    ("fashion_mnist", "MinimaxGAN"): 29.6, ("fashion_mnist", "NonSaturatingGAN"): 26.5,
    ("fashion_mnist", "WGANGP"): 24.5,
}


# Datasets whose classes are far from balanced (Twemoji: 2,042 "People & Body" emoji, 4 "Component"):
# a conditional preset is sampled in the training set's class proportions, so that its samples and the
# real test images hold the same mix. Balanced datasets (MNIST, Fashion-MNIST) cycle through the classes.
PROPORTIONAL_LABELS = ("twemoji",)


def conditional_labels(num_samples, num_classes, dataset=None):
    """The labels a conditional preset is evaluated with: cycling 0..K-1, or in the
    training set's class proportions (largest remainder, then cycled) for `PROPORTIONAL_LABELS`."""
    if dataset not in PROPORTIONAL_LABELS:
        return np.arange(num_samples) % num_classes
    from keras_gans.data.datasets import load_dataset

    counts = np.bincount(load_dataset(dataset, "train", image_size=8)[1], minlength=num_classes)
    exact = num_samples * counts / counts.sum()
    quotas = np.floor(exact).astype(int)
    quotas[np.argsort(quotas - exact)[: num_samples - quotas.sum()]] += 1
    labels = np.concatenate([np.full(q, c) for c, q in enumerate(quotas)])
    return labels[np.argsort(np.arange(num_samples) % max(1, num_samples // num_classes), kind="stable")]


def labels_description(dataset, num_classes):
    return (f"labels in the training set's class proportions" if dataset in PROPORTIONAL_LABELS
            else f"labels cycling 0..{num_classes - 1}")


def image_size(generator):
    """The real images' size to compare with: the generator's, for datasets offered at several sizes."""
    return generator.image_shape[0] if generator.metadata["dataset"] in IMAGE_SIZES else None


def classify_images(samples, dataset, size=None):
    """The dataset classifier's probabilities for `samples` (NHWC in [0, 1]) and for the
    real test images (at `size` for datasets offered at several sizes). Images larger
    than the classifier's input by a whole factor (64x64 Twemoji, 32x32 classifier)
    are box-reduced as its features are.

    Returns `(sample_probabilities, real_probabilities)`.
    """
    classifier = load_feature_classifier(dataset)
    real = evaluation.real_images(dataset, "test", min(NUM_SAMPLES, split_size(dataset, "test")), size)
    return tuple(classifier.predict(box_reduce_to_input(images, classifier), batch_size=500, verbose=0)
                 for images in (samples, real))


def classify(generator, dataset):
    """`classify_images` of the card's samples (seed 0; conditional presets: `conditional_labels`).

    Returns `(sample_probabilities, real_probabilities, requested_labels)`;
    `requested_labels` is None for an unconditional preset.
    """
    labels = None if generator.num_classes is None else conditional_labels(NUM_SAMPLES, generator.num_classes, dataset)
    samples = generator.generate(NUM_SAMPLES, seed=0, labels=labels)
    return (*classify_images(samples, dataset, image_size(generator)), labels)


def class_statistics(sample_probabilities, real_probabilities):
    """The classifier's view of the samples and of the real test images: its
    class shares and the share of images whose top probability is < 0.9."""

    def describe(probabilities):
        shares = np.bincount(probabilities.argmax(-1), minlength=probabilities.shape[-1]) / len(probabilities)
        return {"num_images": int(len(probabilities)),
                "ambiguous_share": float(np.mean(probabilities.max(-1) < CONFIDENT)),
                "class_shares": [round(float(share), 4) for share in shares]}

    return {"confidence_threshold": CONFIDENT, "samples": describe(sample_probabilities),
            "real_test": describe(real_probabilities)}


def evaluate_preset(name):
    """Returns the evaluation dict of one preset (the figures on its card)."""
    generator = keras_gans.from_preset(name)
    dataset = generator.metadata["dataset"]
    num_classes = generator.num_classes

    def generate_fn(n, seed):
        labels = None if num_classes is None else conditional_labels(n, num_classes, dataset)
        return generator.generate(n, seed=seed, labels=labels)

    start = time.perf_counter()
    scores = evaluation.evaluate_generator(
        generate_fn, dataset=dataset, num_samples=NUM_SAMPLES, metrics=card_metrics()
    )
    seconds = time.perf_counter() - start
    floor = evaluation.real_data_floor(dataset, metrics=card_metrics(), image_size=image_size(generator))
    result = {
        "preset": name,
        "date": datetime.date.today().isoformat(),
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "fid": scores["fid"],
        "kid_mean": scores["kid_mean"],
        "kid_std": scores["kid_std"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "density": scores["density"],
        "coverage": scores["coverage"],
        "protocol": scores["protocol"],
        "floor": {"fid": floor["fid"], "kid_mean": floor["kid_mean"], "kid_std": floor["kid_std"],
                  "precision": floor["precision"], "recall": floor["recall"],
                  "density": floor["density"], "coverage": floor["coverage"],
                  "protocol": floor["protocol"]},
        "evaluation_seconds": round(seconds, 1),
    }
    if num_classes is not None:
        result["num_classes"] = int(num_classes)
    samples, real, labels = classify(generator, dataset)
    if labels is not None:
        result["conditional_accuracy"] = float(np.mean(samples.argmax(-1) == labels))
    result["class_statistics"] = class_statistics(samples, real)
    return result


def fmt(value, digits=2):
    return f"{value:.{digits}f}"


def model_card(name, recipe, training, result):
    """The card's markdown; `recipe` is a validated `keras_gans.recipes` recipe."""
    dataset = DATASET_NAMES[recipe["data"]["dataset"]]
    protocol = result["protocol"]
    conditional = recipe["data"]["conditional"]
    gan_class = recipe["gan"]["class"]
    gan_config = recipe["gan"]["config"]
    latent_dim = gan_config["latent_dim"]
    g_kwargs, d_kwargs = recipe["generator"]["kwargs"], recipe["discriminator"]["kwargs"]
    num_classes = result.get("num_classes", 10)
    class_args = f", num_classes={num_classes}" if conditional else ""
    arch = (
        f"`keras_gans.architectures.{recipe['generator']['builder']}(latent_dim={latent_dim}"
        + "".join(f", {k}={v!r}" for k, v in g_kwargs.items()) + class_args + ")` and "
        f"`{recipe['discriminator']['builder']}("
        + ", ".join(f"{k}={v!r}" for k, v in d_kwargs.items()) + (class_args if not d_kwargs else class_args) + ")`"
    ).replace("(, ", "(")
    size = recipe["data"].get("image_size")
    data_line = (f"{dataset}, train split ({training['train_images']:,} images"
                 + (f", {size}x{size}" if size else "") + "), scaled to [-1, 1]"
                 + (f"; {TWEMOJI_CREDIT}" if recipe["data"]["dataset"] == "twemoji" else ""))
    clusters = _cluster_conditioning(recipe)
    every = getattr(clusters, "recluster_every_epochs", None)
    structure = (
        f"{clusters.num_clusters} label-free k-means clusters (`keras_gans.ClusterConditioning`: PCA-"
        f"{clusters.pca_components} of the pixels, no labels) as the class input of the conditional "
        "pair; `generate(n)` draws a cluster by its training frequency"
        + (f"; re-clustered in the discriminator's features every {every} epochs "
           "(`keras_gans.SelfConditioning`, Liu et al. 2020)" if every else "")
        if clusters else None
    )
    paper = PAPER_FID.get((recipe["data"]["dataset"], gan_class))
    optimizers = recipe["optimizers"]
    lines = [
        f"# {name}",
        "",
        f"{recipe['description']}. This card is generated by `zoo/evaluate_presets.py` from measured "
        "values; do not edit it by hand.",
        "",
        "![samples](samples.png)",
        "",
        "```python",
        f'gen = keras_gans.from_preset("{name}")',
        "images = gen.generate(16, seed=0" + (", labels=list(range(10)) + [0] * 6" if conditional else "") + ")",
        "```",
        "",
        "## Quality",
        "",
        "| metric | this generator | real-data floor |",
        "|---|---|---|",
        f"| FID ({protocol['feature_extractor']} features) | **{fmt(result['fid'])}** | {fmt(result['floor']['fid'])} |",
        f"| KID | **{fmt(result['kid_mean'], 3)} ± {fmt(result['kid_std'], 3)}** | "
        f"{fmt(result['floor']['kid_mean'], 3)} ± {fmt(result['floor']['kid_std'], 3)} |",
    ]
    if "precision" in result:
        k = protocol.get("precision_recall_k")
        lines.append(
            f"| precision / recall (k={k}) | **{fmt(result['precision'])} / {fmt(result['recall'])}** | "
            f"{fmt(result['floor']['precision'])} / {fmt(result['floor']['recall'])} |"
        )
    if "density" in result:
        k = protocol.get("density_coverage_k")
        lines.append(
            f"| density / coverage (k={k}) | **{fmt(result['density'])} / {fmt(result['coverage'])}** | "
            f"{fmt(result['floor']['density'])} / {fmt(result['floor']['coverage'])} |"
        )
    stats = result.get("class_statistics")
    if stats:
        samples, real = stats["samples"], stats["real_test"]
        lines += [
            f"| images the classifier labels with confidence < {stats['confidence_threshold']:g} | "
            f"**{100 * samples['ambiguous_share']:.1f}%** | {100 * real['ambiguous_share']:.1f}% (test images) |",
            f"| smallest / largest class share | **{100 * min(samples['class_shares']):.1f}% / "
            f"{100 * max(samples['class_shares']):.1f}%** | {100 * min(real['class_shares']):.1f}% / "
            f"{100 * max(real['class_shares']):.1f}% (test images) |",
        ]
    if conditional:
        lines.append(
            f"| classifier recognises the requested class | **{100 * result['conditional_accuracy']:.1f}%** | "
            "(classifier's own test accuracy: see its card) |"
        )
    lines += [
        "",
        f"Protocol: {protocol['num_samples']:,} generated images (`generate(n, seed={protocol['seed']})`"
        + (f", {labels_description(recipe['data']['dataset'], num_classes)}" if conditional else "")
        + f") against the first {protocol['num_real']:,} {protocol['real_split']} images of {dataset}, in the "
        f"penultimate-layer features of the zoo classifier `{protocol['feature_extractor']}` "
        f"(see `zoo/{protocol['feature_extractor']}/README.md`); KID: {protocol.get('kid_subsets')} subsets "
        f"of {protocol.get('kid_subset_size')}"
        + (
            f"; precision/recall: Kynkäänniemi et al. (2019), k={protocol.get('precision_recall_k')} "
            f"nearest neighbours among the first {protocol.get('precision_recall_samples', 0):,} images of "
            "each set (low recall at high precision means dropped modes)"
            if "precision" in result
            else ""
        )
        + (
            f"; density/coverage: Naeem et al. (2020), k={protocol.get('density_coverage_k')} nearest real "
            "neighbours (balls around real images only, so outliers do not inflate them; density near 1 and "
            "coverage near the floor's mean samples like the real ones)"
            if "density" in result
            else ""
        )
        + f". The floor compares the first {result['floor']['protocol']['num_real']:,} "
        "real train images with the same test images: no generator should be expected to go below it. "
        f"Measured on {result['date']}, {result['backend']} backend, {result['machine']}.",
        "",
        ("KID is the headline figure here: the held-out set is small (371 images), and FID is biased "
         "upwards at small sample sizes where KID is not. " if recipe["data"]["dataset"] == "twemoji" else "")
        + "These are classifier-feature figures, not Inception FIDs, so they are not comparable to papers."
        + (
            f" For orientation only: Lucic et al. (2018) report a best Inception FID of {paper} for this loss "
            f"on {dataset} after a large hyperparameter search."
            if paper
            else ""
        ),
        "",
        "## Training",
        "",
        "| | |",
        "|---|---|",
        f"| data | {data_line} |",
        f"| architecture | {arch} |",
    ] + ([f"| label-free structure | {structure} |"] if structure else []) + [
        f"| loss | {LOSS_NAMES.get(gan_class, f'`keras_gans.{gan_class}`')}"
        + (f", gradient penalty weight {gan_config['gradient_penalty_weight']}, {gan_config['critic_steps']} critic steps per generator step" if gan_class == "WGANGP" else "")
        + (f", class-conditional ({num_classes} classes)" if conditional else "")
        + (", DiffAugment " + repr(gan_config["augmentation"]["config"].get("policy")) if gan_config.get("augmentation") else "")
        + (f", EMA generator (decay {gan_config['ema_decay']})" if gan_config.get("ema_decay") else "")
        + " |",
        f"| optimizers | generator {_optimizer(optimizers['generator'])}, discriminator {_optimizer(optimizers['discriminator'])} |",
        f"| steps | {training['epochs_done']} epochs, {training['generator_steps']:,} generator steps, "
        f"{training['discriminator_steps']:,} discriminator steps |",
        f"| batch size | {training['batch_size']} |",
        f"| seed | {recipe['seed']} |",
        f"| trained on | {training['backend']} backend, {', '.join(training['device']['devices']) or 'cpu'} "
        f"({training['device']['cpu_count']} CPU cores), keras {training['versions']['keras']}, {training['date']} |",
        f"| wall time | {training['wall_seconds']:.0f} s"
        + (f" ({training['presets_sharing_device']} presets trained at once on that one device)"
           if training.get("presets_sharing_device", 1) > 1 else "")
        + " |",
        f"| final losses | " + ", ".join(f"{k} {v:.3f}" for k, v in training["final_losses"].items()) + " |",
        "",
        "## Reproduce",
        "",
    ] + _laptop_line(name, training) + [
        "```bash",
        f"python zoo/train_preset.py {name}            # trains and writes this folder (any backend, CPU or GPU)",
        f"python -m keras_gans evaluate --preset {name}   # the figures above",
        f"python zoo/evaluate_presets.py {name}         # re-measures and rewrites this card",
        "```",
        "",
        "## Limitations and what would improve it",
        "",
        _limitations(recipe, training, result),
        "",
    ] + _earlier_versions(name)
    return "\n".join(lines)


def _cluster_conditioning(recipe):
    """The recipe's `ClusterConditioning` (or `SelfConditioning`), resolved as training does; None without."""
    from keras_gans import cluster_conditioning

    return cluster_conditioning.get(recipe["gan"]["config"].get("cluster_conditioning"))


def _earlier_versions(name):
    """The "Earlier versions" table, from `versions.json` (written by zoo/record_version.py), if any."""
    path = ZOO / name / "versions.json"
    if not path.exists():
        return []
    lines = ["## Earlier versions", "",
             "Measured by this script when each was the current version (`zoo/record_version.py` keeps them).", "",
             "| commit | date | what | epochs | trained on | wall time | FID / floor | unsure | precision / recall |",
             "|---|---|---|---|---|---|---|---|---|"]
    for v in json.loads(path.read_text()):
        sharing = v.get("presets_sharing_device", 1)
        wall = f"{v['wall_seconds'] / 60:.1f} min" + (f" ({sharing} presets sharing the device)" if sharing > 1 else "")
        unsure = "-" if v.get("unsure") is None else f"{100 * v['unsure']:.1f}%"
        precision = "-" if v.get("precision") is None else f"{v['precision']:.2f} / {v['recall']:.2f}"
        lines.append(f"| {v['commit']} | {v['date']} | {v['description']} | {v['epochs']} | {v['trained_on']} | "
                     f"{wall} | {v['fid_over_floor']:.1f}x | {unsure} | {precision} |")
    return lines + [""]


def _laptop_line(name, training):
    """The card's 'reproduce on a laptop' sentence: measured minutes, when a CPU machine trained it."""
    device = training["device"]
    if any(not d.lower().startswith("cpu") for d in device.get("devices", [])):
        return [f"Trained on a GPU; on a CPU, `keras-gans train --recipe zoo/{name}/recipe.json` runs the same recipe.", ""]
    seconds = training["wall_seconds"]
    # Under a minute, "0 minutes" would read as nothing: seconds then.
    took = f"{seconds:.0f} seconds" if seconds < 60 else f"{seconds / 60:.0f} minutes"
    return [f"Reproduce on a laptop: `keras-gans train --recipe zoo/{name}/recipe.json`, "
            f"{took} on {device['cpu_count']} cores "
            f"({training['backend']} backend, as measured for this preset).", ""]


def _optimizer(spec):
    return spec["class_name"] + "(" + ", ".join(f"{k}={v}" for k, v in spec["config"].items()) + ")"


# Targets of the zoo (issue 20): FID / real floor and the classifier's unsure share per
# (dataset, conditional); class accuracy for conditional presets. Twemoji presets have none yet.
FLOOR_RATIO_TARGETS = {("mnist", False): 5.0, ("fashion_mnist", False): 30.0, ("mnist", True): 3.0,
                       ("fashion_mnist", True): 4.0, ("digits", False): 3.0, ("digits", True): 3.0}
UNSURE_SHARE_TARGETS = {("mnist", False): 0.06, ("fashion_mnist", False): 0.20}
ACCURACY_TARGETS = {"mnist": 0.98, "fashion_mnist": 0.90}


def _floor_ratio(result):
    return result["fid"] / max(result["floor"]["fid"], 1e-9)


def _target_key(recipe):
    return recipe["data"]["dataset"], bool(recipe["data"]["conditional"])


def _target_notes(recipe, training, result):
    dataset, conditional = _target_key(recipe)
    kind = "conditional" if conditional else "unconditional"
    target = FLOOR_RATIO_TARGETS.get((dataset, conditional))
    ratio = _floor_ratio(result)
    if target is None:
        notes = [f"- No quality target is set for {DATASET_NAMES[dataset]} presets yet; the figures above are the "
                 f"first measured baseline (FID {ratio:.1f}x the real floor)."]
    else:
        verdict = "meets it" if ratio <= target else f"misses it by {ratio / target:.1f}x"
        notes = [f"- Target for {'an' if kind[0] in 'aeiou' else 'a'} {kind} {DATASET_NAMES[dataset]} preset: FID <= "
                 f"{target:g}x the real floor. This one is {ratio:.1f}x: it {verdict}."]
    unsure_goal = UNSURE_SHARE_TARGETS.get((dataset, conditional))
    stats = result.get("class_statistics")
    if unsure_goal is not None and stats:
        unsure = stats["samples"]["ambiguous_share"]
        notes.append(f"- Target share of samples the classifier is unsure about: <= {100 * unsure_goal:.0f}%: "
                     f"{100 * unsure:.1f}% ({'met' if unsure <= unsure_goal else 'missed'}).")
    accuracy = result.get("conditional_accuracy")
    if accuracy is not None and dataset in ACCURACY_TARGETS:
        goal = ACCURACY_TARGETS[dataset]
        notes.append(f"- Target class accuracy >= {100 * goal:.0f}%: {100 * accuracy:.1f}% "
                     f"({'met' if accuracy >= goal else 'missed'}).")
    tried = []
    if recipe["gan"]["config"].get("ema_decay") is not None:
        tried.append(f"an EMA generator (decay {recipe['gan']['config']['ema_decay']})")
    if recipe["gan"]["config"].get("augmentation") is not None:
        tried.append("DiffAugment")
    clusters = _cluster_conditioning(recipe)
    if clusters is not None:
        every = getattr(clusters, "recluster_every_epochs", None)
        tried.append(f"{clusters.num_clusters} label-free clusters"
                     + (f", re-clustered in D's features every {every} epochs" if every else ""))
    if recipe["discriminator"].get("kwargs", {}).get("label_conditioning") == "projection":
        tried.append("a projection discriminator (Miyato & Koyama 2018)")
    sharing = training.get("presets_sharing_device", 1)
    if recipe["data"]["dataset"] == "digits":
        tried.append("the main job's default recipe (`keras_gans.recipes.default_recipe`), chosen among "
                     "learning rates, batch sizes, budgets and EMA decays by `benchmarks/digits_default_recipe.py`")
    if tried:
        budget = (f" (the epochs a {training['wall_seconds'] / 60:.1f}-minute budget allowed with "
                  f"{sharing} presets sharing one device)" if sharing > 1 else "")
        notes.append("- Tried for this version: " + ", ".join(tried) + f", {training['epochs_done']} epochs{budget}.")
    return notes


def _limitations(recipe, training, result):
    searched = recipe["data"]["dataset"] == "digits"
    notes = _target_notes(recipe, training, result) + [
        f"- Trained for a fixed budget ({training['epochs_done']} epochs) with one seed"
        + ("; other seeds of the same recipe vary (README, main job)." if searched else
           " and no hyperparameter search; longer training and a learning-rate sweep would likely lower the FID.")
    ]
    ratio = _floor_ratio(result)
    stats = result.get("class_statistics")
    if stats and ratio > FLOOR_RATIO_TARGETS.get(_target_key(recipe), 0.0):
        samples, real = stats["samples"], stats["real_test"]
        notes.append(
            f"- Where the gap is: the classifier finds {100 * samples['ambiguous_share']:.0f}% of the samples "
            f"ambiguous (top probability < {stats['confidence_threshold']:g}) against "
            f"{100 * real['ambiguous_share']:.0f}% of the test images, while its class shares of the samples stay "
            f"within {100 * min(samples['class_shares']):.1f}-{100 * max(samples['class_shares']):.1f}% "
            f"(test images: {100 * min(real['class_shares']):.1f}-{100 * max(real['class_shares']):.1f}%)."
            + (" So the samples cover the classes, but many are not yet clean members of one."
               + (" A likely reason: an unconditional generator maps one connected latent space onto separate "
                  "classes, so some samples land between them; longer training is the first remedy."
                  if not recipe["data"]["conditional"] else "")
               if samples["ambiguous_share"] > 2 * real["ambiguous_share"] else
               " That is close to the real images: the gap is in within-class detail that the features "
               "still tell apart, not in which class a sample shows.")
        )
    if recipe["data"]["dataset"] == "twemoji":
        notes.append(
            "- Read these figures with their feature network in mind: `twemoji_classifier` is a small 32x32 "
            "CNN, 80% accurate on held-out emoji (see its card), and sees 64x64 samples box-reduced to 32x32. It "
            "measures colour, layout and category, not fine detail, and its real floor is itself high (371 "
            "held-out images). Look at the sample grid: shapes, skin tones, flags and faces are there, but "
            "edges are soft and small artefacts remain, which these features barely see.")
    else:
        notes.append(f"- The FID is {ratio:.0f}x the real-data floor: samples are recognisably from the "
                     "dataset but still distinguishable from real images in these features.")
    if recipe["gan"]["class"] == "MinimaxGAN":
        notes.append("- The saturating generator loss gives weak gradients early in training; "
                     "the non-saturating preset trained on the same budget is the better generator.")
    if recipe["gan"]["class"] == "WGANGP":
        notes.append("- WGAN-GP usually needs more generator steps than the other losses (here "
                     f"{recipe['gan']['config']['critic_steps']} critic steps per generator step "
                     "on the same batch).")
    return "\n".join(notes)


def card_from_files(name):
    """The model card of a preset, rendered from its committed JSON files."""
    folder = ZOO / name
    recipe = recipes.load_recipe(folder / "recipe.json")
    result = json.loads((folder / "evaluation.json").read_text())
    return model_card(name, recipe, training_summary(folder), result)


def training_summary(folder):
    """The card's training figures, from the preset's run.json (keras_gans.runs), or an older training.json."""
    from keras_gans import runs

    path = pathlib.Path(folder) / runs.RUN_FILE
    run = json.loads(path.read_text()) if path.exists() else runs.legacy_run_json(str(folder))
    return {
        "train_images": run["num_images"], "epochs_done": run["epochs_done"],
        "generator_steps": run["generator_steps"], "discriminator_steps": run["discriminator_steps"],
        "batch_size": run["recipe"]["fit"]["batch_size"], "backend": run["backend"], "device": run["machine"],
        "versions": run["versions"], "date": run["date"], "wall_seconds": run["wall_time_s"],
        "presets_sharing_device": run.get("presets_sharing_device", 1), "final_losses": run["final"],
    }


def evaluate_and_write(name, measure=True):
    folder = ZOO / name
    if measure:
        result = evaluate_preset(name)
        (folder / "evaluation.json").write_text(json.dumps(result, indent=2) + "\n")
    result = json.loads((folder / "evaluation.json").read_text())
    (folder / "README.md").write_text(card_from_files(name))
    print(name, json.dumps({k: result[k] for k in ("fid", "kid_mean", "precision", "recall", "evaluation_seconds") if k in result}))
    return result


def generator_presets():
    return sorted(p.parent.name for p in ZOO.glob("*/recipe.json") if (p.parent / "generator.keras").exists())


def add_class_statistics(name):
    """Adds `class_statistics` to an existing evaluation.json (the other figures are kept)."""
    path = ZOO / name / "evaluation.json"
    result = json.loads(path.read_text())
    generator = keras_gans.from_preset(name)
    samples, real, _ = classify(generator, generator.metadata["dataset"])
    result["class_statistics"] = class_statistics(samples, real)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(name, json.dumps({k: v["ambiguous_share"] for k, v in result["class_statistics"].items()
                            if isinstance(v, dict)}))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    measure = "--cards-only" not in argv and "--class-stats" not in argv
    names = [a for a in argv if not a.startswith("--")] or generator_presets()
    for name in names:
        if "--class-stats" in argv:
            add_class_statistics(name)
        evaluate_and_write(name, measure=measure)


if __name__ == "__main__":
    main()
