"""Regenerates the zoo table in README.md from the measured `zoo/*/evaluation.json`,
and zoo/README.md's training times from each preset's `run.json`.

`python zoo/make_readme_table.py` rewrites the lines between
`<!-- zoo-table:start -->` and `<!-- zoo-table:end -->`; `--check` exits 1 if
README.md is out of date (a test runs the same comparison).
"""

import json
import pathlib
import sys

ZOO = pathlib.Path(__file__).resolve().parent
README = ZOO.parent / "README.md"
START, END = "<!-- zoo-table:start -->", "<!-- zoo-table:end -->"
# Table wording per GAN class (the recipe's `gan.class`); other classes show their name.
LOSSES = {"MinimaxGAN": "minimax", "NonSaturatingGAN": "non-saturating", "WGANGP": "WGAN-GP", "HingeGAN": "hinge",
          "LeastSquaresGAN": "least-squares"}


def table():
    results = []
    for path in sorted(ZOO.glob("*/evaluation.json")):
        recipe = json.loads((path.parent / "recipe.json").read_text())
        results.append((path.parent.name, recipe, json.loads(path.read_text())))
    # The precision/recall column appears once a card has been measured with it.
    with_pr = any("precision" in result for _, _, result in results)
    pr_header, pr_rule = (" precision / recall |", "---|") if with_pr else ("", "")
    rows = [
        f"| preset | data | loss | FID | KID |{pr_header} real floor FID / KID | unsure: samples (real) "
        "| class accuracy | samples |",
        f"|---|---|---|---|---|{pr_rule}---|---|---|---|",
    ]
    for name, recipe, result in results:
        floor = result["floor"]
        accuracy = result.get("conditional_accuracy")
        stats = result.get("class_statistics")
        unsure = (f"{100 * stats['samples']['ambiguous_share']:.1f}% ({100 * stats['real_test']['ambiguous_share']:.1f}%)"
                  if stats else "-")
        size = recipe["data"].get("image_size")
        data = recipe["data"]["dataset"] + (f" {size}x{size}" if size else "")
        pr = ""
        if with_pr:
            pr = f" {result['precision']:.2f} / {result['recall']:.2f} |" if "precision" in result else " - |"
        rows.append(
            f"| [`{name}`](zoo/{name}/README.md) | {data} | "
            f"{LOSSES.get(recipe['gan']['class'], recipe['gan']['class'])}"
            f"{' (conditional)' if recipe['data']['conditional'] else ''}{_clusters(recipe)} | {result['fid']:.2f} | "
            f"{result['kid_mean']:.3f} |{pr} {floor['fid']:.2f} / {floor['kid_mean']:.3f} | {unsure} | "
            f"{'%.1f%%' % (100 * accuracy) if accuracy is not None else '-'} | "
            f"<img src=\"zoo/{name}/samples.png\" width=\"120\"> |"
        )
    return "\n".join(rows)


def _clusters(recipe):
    """' + 20 clusters' for a preset conditioned on label-free clusters (self-conditioned: noted too)."""
    clusters = recipe["gan"]["config"].get("cluster_conditioning")
    if clusters is None:
        return ""
    count = clusters["num_clusters"] if isinstance(clusters, dict) else clusters
    self_conditioned = isinstance(clusters, dict) and clusters.get("recluster_every_epochs")
    return f" + {count} {'self-conditioned ' if self_conditioned else ''}label-free clusters"


TIMES_START, TIMES_END = "<!-- training-times:start -->", "<!-- training-times:end -->"
ZOO_README = ZOO / "README.md"


def training_times():
    """zoo/README.md's table of where and how long each preset trained, from its run.json."""
    rows = ["| preset | trained on | wall time |", "|---|---|---|"]
    for path in sorted(ZOO.glob("*/run.json")):
        run = json.loads(path.read_text())
        if not (path.parent / "evaluation.json").exists():
            continue  # not a measured preset yet
        devices = ", ".join(run["machine"]["devices"]) or "cpu"
        sharing = run.get("presets_sharing_device", 1)
        place = (f"{run['machine']['cpu_count']} cores, " if devices.startswith("cpu") else "") + (
            f"{sharing} presets at once" if sharing > 1 else "alone")
        rows.append(f"| `{path.parent.name}` | {run['backend']}, {devices} ({place}, {run['date']}) | "
                    f"{run['wall_time_s']:.0f} s, {run['generator_steps']:,} G steps, {run['epochs_done']} epochs |")
    return "\n".join(rows)


def _between(text, start, end, body, name):
    if start not in text or end not in text:
        raise ValueError(f"{name} needs the markers {start} and {end}.")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def updated_zoo_readme(text):
    return _between(text, TIMES_START, TIMES_END, training_times(), "zoo/README.md")


def updated_readme(text):
    if START not in text or END not in text:
        raise ValueError(f"README.md needs the markers {START} and {END}.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    stale = []
    for path, update in ((README, updated_readme), (ZOO_README, updated_zoo_readme)):
        text = path.read_text()
        new = update(text)
        if new == text:
            continue
        stale.append(path.name if path == README else "zoo/README.md")
        if "--check" not in argv:
            path.write_text(new)
    if "--check" in argv and stale:
        print(f"{' and '.join(stale)} out of date: run python zoo/make_readme_table.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
