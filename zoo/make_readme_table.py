"""Regenerates the zoo table in README.md from the measured `zoo/*/evaluation.json`.

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
            f"{' (conditional)' if recipe['data']['conditional'] else ''} | {result['fid']:.2f} | "
            f"{result['kid_mean']:.3f} |{pr} {floor['fid']:.2f} / {floor['kid_mean']:.3f} | {unsure} | "
            f"{'%.1f%%' % (100 * accuracy) if accuracy is not None else '-'} | "
            f"<img src=\"zoo/{name}/samples.png\" width=\"120\"> |"
        )
    return "\n".join(rows)


def updated_readme(text):
    if START not in text or END not in text:
        raise ValueError(f"README.md needs the markers {START} and {END}.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = README.read_text()
    new = updated_readme(text)
    if "--check" in argv:
        if new != text:
            print("README.md zoo table is out of date: run python zoo/make_readme_table.py")
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
