"""Runs the README's code blocks that are marked for testing.

Convention (for whoever writes README.md):

* A fenced block is tested when the line just before its opening fence is
  the HTML comment `<!-- test -->` (invisible on GitHub and PyPI). Unmarked
  blocks are never run.
* `bash`/`sh`/`console` blocks: every command line that starts with
  `keras-gans` or `python -m keras_gans` (after an optional `$ ` prompt;
  backslash continuations are joined, `#` comments dropped) is run in-process
  through `keras_gans.cli.main`, in a fresh temporary working directory
  shared by all blocks of the README, so `runs/...` paths written by one
  command are there for the next. Other lines (`pip install ...`) are not run.
  `--backend X` is dropped: the suite already runs once per backend.
* `python` blocks are run in order in one namespace (later blocks may use
  names from earlier ones), in the same working directory.
* Everything runs with `KERAS_GANS_TINY=1` (the CLI then trains 1 epoch of at
  most 2 batches and evaluates few samples), and in python blocks every
  `epochs=N` is rewritten to `epochs=1`. So README commands can show the real
  sizes (`--epochs 40`) and still be tested in seconds.
"""

import os
import pathlib
import re
import shlex

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
MARKER = "<!-- test -->"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
_FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")


def extract_blocks(markdown):
    """`(language, code, line_number)` of every block marked for testing."""
    lines = markdown.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i].strip())
        if not match:
            i += 1
            continue
        fence, language = match.group(1), match.group(2).lower()
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        previous = next((l.strip() for l in reversed(lines[:i]) if l.strip()), "")
        if previous == MARKER:
            blocks.append((language, "\n".join(lines[i + 1 : end]), i + 1))
        i = end + 1
    return blocks


def cli_commands(code):
    """The keras-gans command lines of a shell block, as argument lists."""
    joined = re.sub(r"\\\n\s*", " ", code)
    commands = []
    for line in joined.splitlines():
        line = line.strip()
        line = line[2:] if line.startswith("$ ") else line
        words = shlex.split(line, comments=True)
        if words[:1] == ["keras-gans"]:
            args = words[1:]
        elif words[:3] == ["python", "-m", "keras_gans"]:
            args = words[3:]
        else:
            continue
        while "--backend" in args:
            i = args.index("--backend")
            del args[i : i + 2]
        commands.append(args)
    return commands


def tiny_python(code):
    return re.sub(r"\bepochs\s*=\s*\d+", "epochs=1", code)


def run_blocks(blocks, namespace):
    from keras_gans.cli import main

    for language, code, line in blocks:
        if language in SHELL_LANGUAGES:
            for args in cli_commands(code):
                assert main(args) == 0, f"README line {line}: keras-gans {' '.join(args)} failed"
        elif language == "python":
            backend = os.environ.get("KERAS_BACKEND")
            exec(compile(tiny_python(code), f"README.md:{line}", "exec"), namespace)
            # README examples set KERAS_BACKEND for a fresh Python; here keras
            # is already imported, and the CLI must keep the suite's backend.
            if backend is None:
                os.environ.pop("KERAS_BACKEND", None)
            else:
                os.environ["KERAS_BACKEND"] = backend


SAMPLE_README = """
# Demo

```bash
pip install keras-gans   # not run: unmarked
```

<!-- test -->
```bash
# Train (about a minute on 2 CPU cores)
keras-gans train --dataset digits --model nonsaturating --epochs 40 \\
    --out runs/demo
$ python -m keras_gans --backend jax sample --model runs/demo/generator.keras --num 16 --out grid.png
```

<!-- test -->
```python
import keras, keras_gans
gan = keras.saving.load_model("runs/demo/model.keras")
history = gan.fit(keras_gans.data.load_dataset("digits")[0][:64], epochs=30, verbose=0)
images = gan.generate(4, seed=0)
```

```python
raise RuntimeError("unmarked blocks are not run")
```
"""


@pytest.fixture
def readme_env(tmp_path, monkeypatch):
    # README examples set KERAS_BACKEND (without effect here: keras is already
    # imported); restore the environment so later subprocess tests keep theirs.
    saved_environment = dict(os.environ)
    monkeypatch.setenv("KERAS_GANS_TINY", "1")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved_environment)


def test_extracts_only_marked_blocks():
    blocks = extract_blocks(SAMPLE_README)
    assert [language for language, _, _ in blocks] == ["bash", "python"]
    assert cli_commands(blocks[0][1]) == [
        ["train", "--dataset", "digits", "--model", "nonsaturating", "--epochs", "40", "--out", "runs/demo"],
        ["sample", "--model", "runs/demo/generator.keras", "--num", "16", "--out", "grid.png"],
    ]
    assert "epochs=1," in tiny_python(blocks[1][1])


def test_sample_readme_runs(readme_env):
    namespace = {}
    run_blocks(extract_blocks(SAMPLE_README), namespace)
    assert (readme_env / "grid.png").exists()
    assert namespace["images"].shape == (4, 8, 8, 1)
    assert len(namespace["history"].history["d_loss"]) == 1


def test_a_failing_command_fails_the_test(readme_env):
    broken = "<!-- test -->\n```bash\nkeras-gans train --dataset nope\n```\n"
    with pytest.raises(AssertionError, match="failed"):
        run_blocks(extract_blocks(broken), {})


def test_project_readme(readme_env):
    readme = REPO_ROOT / "README.md"
    if not readme.exists():
        pytest.skip("no README.md in this checkout")
    blocks = extract_blocks(readme.read_text())
    if not blocks:
        pytest.skip("README.md has no block marked <!-- test -->")
    run_blocks(blocks, {})
