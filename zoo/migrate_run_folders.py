"""Moves zoo presets written by the older train_preset.py to the run-folder format of `keras_gans.runs`.

`python zoo/migrate_run_folders.py [NAME ...]` (default: every preset with a
`training.json`): writes `run.json` from `training.json` and `recipe.json`
(`keras_gans.runs.legacy_run_json`: the same figures under run.json's
names, the per-epoch logs of `training_log.csv` as `history`), renames
`training_log.csv` to `history.csv` and deletes `training.json`.
`generator.keras`, `preset.json`, `evaluation.json`, the card and the
samples are not touched. Running it again changes nothing.
"""

import json
import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from keras_gans import runs  # noqa: E402


def migrate(folder):
    folder = pathlib.Path(folder)
    legacy = folder / runs.LEGACY_TRAINING_FILE
    if not legacy.exists():
        return False
    run = runs.legacy_run_json(str(folder))
    (folder / runs.RUN_FILE).write_text(json.dumps(run, indent=2, sort_keys=True) + "\n")
    if (folder / runs.LEGACY_HISTORY_FILE).exists():
        os.replace(folder / runs.LEGACY_HISTORY_FILE, folder / "history.csv")
    legacy.unlink()
    return True


def main(argv=None):
    names = list(sys.argv[1:] if argv is None else argv)
    folders = [REPO / "zoo" / n for n in names] or sorted(p.parent for p in (REPO / "zoo").glob(f"*/{runs.LEGACY_TRAINING_FILE}"))
    for folder in folders:
        print(folder.name, "migrated" if migrate(folder) else "already a run folder")


if __name__ == "__main__":
    main()
