"""Keeps a preset's earlier versions on its card: `python zoo/record_version.py NAME [--rev REV]`.

Before a retrained preset is committed, this appends the figures of the
version at `REV` (default HEAD: the committed one about to be replaced;
named by the commit that measured it) to
`zoo/<name>/versions.json`, read from that version's own measured files
(`evaluation.json`, `run.json`, `recipe.json`) with `git show`. The card
(`zoo/evaluate_presets.py`) lists them under "Earlier versions", so a card
says what was tried before and how it did. Nothing here is typed by hand.
"""

import argparse
import json
import pathlib
import subprocess

ZOO = pathlib.Path(__file__).resolve().parent
VERSIONS_FILE = "versions.json"


def _git(*args):
    return subprocess.run(["git", *args], cwd=ZOO.parent, check=True, capture_output=True, text=True).stdout.strip()


def version_entry(name, rev="HEAD"):
    """The measured figures of preset `name` as committed at `rev`."""
    # Named by the commit that brought these weights; read from `rev` (later commits may have
    # migrated the files' format without changing the version).
    commit = _git("log", "-1", "--format=%h", rev, "--", f"zoo/{name}/generator.keras")
    read_at = _git("rev-parse", "--short", rev)
    evaluation, run, recipe = (json.loads(_git("show", f"{read_at}:zoo/{name}/{file}"))
                               for file in ("evaluation.json", "run.json", "recipe.json"))
    stats = evaluation.get("class_statistics") or {}
    devices = run.get("machine", {}).get("devices") or ["cpu"]
    return {
        "commit": commit,
        "read_at": read_at,
        "description": recipe["description"],
        "fid": evaluation["fid"],
        "fid_over_floor": evaluation["fid"] / evaluation["floor"]["fid"],
        "kid": evaluation["kid_mean"],
        "precision": evaluation.get("precision"),
        "recall": evaluation.get("recall"),
        "unsure": (stats.get("samples") or {}).get("ambiguous_share"),
        "conditional_accuracy": evaluation.get("conditional_accuracy"),
        "epochs": run["epochs_done"],
        "trained_on": f"{run['backend']}, {', '.join(devices)}",
        "wall_seconds": run["wall_time_s"],
        "presets_sharing_device": run.get("presets_sharing_device", 1),
        "date": run["date"],
    }


def record(name, rev="HEAD"):
    path = ZOO / name / VERSIONS_FILE
    versions = json.loads(path.read_text()) if path.exists() else []
    entry = version_entry(name, rev)
    if any(v["commit"] == entry["commit"] for v in versions):
        return versions  # already recorded
    versions.append(entry)
    path.write_text(json.dumps(versions, indent=2) + "\n")
    return versions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+")
    parser.add_argument("--rev", default="HEAD")
    args = parser.parse_args(argv)
    for name in args.names:
        print(name, json.dumps(record(name, args.rev)[-1]))


if __name__ == "__main__":
    main()
