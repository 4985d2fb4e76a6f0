"""Keeps the benchmarks from rotting: the harness's interleaving and ratios on
fixed timings, and tiny `--quick` runs of anchor_speed.py and critic_loop.py on
the current backend, which must write their JSON and markdown with sane
fields. The figures themselves are not asserted (CI machines are noisy)."""

import json
import os
import pathlib
import subprocess
import sys

import keras
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_time_interleaved_rotates_the_order_and_summarize_takes_per_repeat_ratios():
    from benchmarks import harness

    calls = []
    # Each runner returns its own sequence of "seconds": warm-up first.
    seconds = {"pure": [9.0, 2.0, 4.0, 2.0], "fit": [9.0, 3.0, 4.0, 8.0],
               "loop": [9.0, 1.0, 1.0, 1.0]}

    def runner(name):
        def run():
            calls.append(name)
            return seconds[name][sum(c == name for c in calls) - 1]
        return run

    times, warmup = harness.time_interleaved({n: runner(n) for n in seconds}, repeats=3,
                                             anchor="pure")
    assert calls == ["pure", "fit", "loop",                          # warm-up
                     "pure", "fit", "loop", "fit", "loop", "pure", "loop", "pure", "fit"]
    assert warmup["seconds"] == {"pure": 9.0, "fit": 9.0, "loop": 9.0}
    assert warmup["failed"] == {}
    assert times == {"pure": [2.0, 4.0, 2.0], "fit": [3.0, 4.0, 8.0], "loop": [1.0, 1.0, 1.0]}
    summary = harness.summarize(times, steps=2, anchor="pure")
    assert "ratio_median" not in summary["pure"]
    assert summary["pure"]["median_ms"] == 1000.0 and summary["fit"]["max_ms"] == 4000.0
    # Per-repeat ratios 1.5, 1.0, 4.0: median 1.5 (the ratio of medians would be 2.0).
    assert (summary["fit"]["ratio_median"], summary["fit"]["ratio_min"],
            summary["fit"]["ratio_max"]) == (1.5, 1.0, 4.0)


def test_time_interleaved_drops_a_failing_column_but_not_a_failing_anchor():
    from benchmarks import harness

    def broken():
        raise RuntimeError("no compiler\nsecond line")

    times, warmup = harness.time_interleaved({"pure": lambda: 1.0, "fit": broken}, repeats=2,
                                             anchor="pure")
    assert times == {"pure": [1.0, 1.0]}
    assert warmup["failed"] == {"fit": "RuntimeError: no compiler"}
    with pytest.raises(RuntimeError):
        harness.time_interleaved({"pure": broken, "fit": lambda: 1.0}, repeats=1, anchor="pure")


ANCHOR_SCRIPT = REPO_ROOT / "benchmarks" / "anchor_speed.py"


def test_pure_framework_anchors_match_the_keras_models():
    """The pure torch/JAX/TF DCGAN pairs have the Keras models' parameter
    counts (trainable and not), and a WGAN-GP step of the pure code trains."""
    import numpy as np

    from benchmarks.native_loops import build_models
    from benchmarks.pure_native import check_parameter_counts, make_pure_trainer

    framework = keras.backend.backend()
    for loss in ("non_saturating", "wgan_gp", "supervised"):
        G, D = build_models("wgan_gp" if loss == "wgan_gp" else "non_saturating", latent_dim=16,
                            base_filters=2)
        trainer = make_pure_trainer(framework, loss, base_filters=2, latent_dim=16,
                                    critic_steps=2)
        counts = check_parameter_counts(trainer, None if loss == "supervised" else G, D)
        assert counts["discriminator"][0] == sum(int(np.prod(v.shape))
                                                 for v in D.trainable_variables)
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    trainer = make_pure_trainer(framework, "wgan_gp", base_filters=2, latent_dim=16,
                                critic_steps=2)
    before = _pure_weights(trainer)
    d_loss, g_loss = trainer.run(images, 4, 1)
    assert np.isfinite(d_loss) and np.isfinite(g_loss)
    after = _pure_weights(trainer)
    # Every critic weight moves except the output bias, whose gradient is 0:
    # it cancels in mean(D(fake)) - mean(D(real)) and the penalty ignores it.
    unchanged = [np.array_equal(b, a) for b, a in zip(before, after)]
    assert sum(unchanged) == 1


def _pure_weights(trainer):
    """Discriminator weights of a pure trainer, as NumPy arrays."""
    import numpy as np

    if trainer.framework == "torch":
        return [p.detach().cpu().numpy().copy() for p in trainer.D.parameters()]
    if trainer.framework == "jax":
        import jax

        return [np.asarray(x) for x in jax.tree_util.tree_leaves(trainer.state["d"])]
    return [v.numpy().copy() for v in trainer.d_vars]


def test_anchor_speed_quick_writes_results(tmp_path):
    backend = keras.backend.backend()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [
        sys.executable, str(ANCHOR_SCRIPT), "--quick", "--backends", backend,
        "--losses", "non_saturating", "--batch-sizes", "4", "--steps", "1", "--repeats", "1",
        "--base-filters", "2", "--columns", "pure,fit_default,fit_layer_call,fit_recommended",
        "--out-dir", str(tmp_path),
    ]
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=400)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]

    report = json.loads((tmp_path / "anchor_speed.json").read_text())
    assert report["errors"] == [] and report["skipped"] == []
    (result,) = report["results"]
    assert (result["backend"], result["loss"], result["batch_size"]) == (
        backend, "non_saturating", 4)
    from keras_gans.backend import recommended_compile_settings
    from tests.helpers import make_gan

    settings = recommended_compile_settings(make_gan())
    assert result["recommended_settings"] == settings
    # Recommended settings equal to the defaults are not timed twice.
    expected = {"pure", "fit_default"} | ({"fit_recommended"} if settings else set())
    # Only PyTorch runs its models through backend.direct_call.
    expected |= {"fit_layer_call"} if backend == "torch" else set()
    assert set(result["columns"]) == expected
    assert result["failed_columns"] == {}
    for name, column in result["columns"].items():
        assert column["median_ms"] > 0
        assert (name == "pure") == ("ratio_median" not in column)
    assert result["parameter_counts"]["generator"][0] > 0
    markdown = (tmp_path / "anchor_speed.md").read_text()
    assert f"| {backend} | NonSaturatingGAN | 4 |" in markdown


def test_critic_loop_quick_writes_results(tmp_path):
    backend = keras.backend.backend()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [
        sys.executable, str(REPO_ROOT / "benchmarks" / "critic_loop.py"), "--quick", "--backends", backend,
        "--critic-steps", "2", "--out-dir", str(tmp_path),
    ]
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=400)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]

    report = json.loads((tmp_path / "critic_loop.json").read_text())
    assert report["errors"] == [] and report["config"]["backends"] == [backend]
    from keras_gans.backend import recommended_compile_settings
    from tests.helpers import make_gan

    # Recommended settings equal to the defaults (PyTorch) are not timed twice.
    expected = [(4, True)] + ([(4, False)] if recommended_compile_settings(make_gan()) else [])
    cells = report["results"]
    assert [(c["batch_size"], c["settings"] == "defaults") for c in cells] == expected
    for cell in cells:
        assert cell["backend"] == backend
        assert set(cell["columns"]) == set(cell["warmup_wall_s"]) == {"traced", "unrolled"}
        assert all(c["median_ms"] > 0 for c in cell["columns"].values())
        assert cell["columns"]["traced"]["ratio_median"] > 0
    assert f"| {backend} | 4 | defaults |" in (tmp_path / "critic_loop.md").read_text()


def test_recipe_data_path_quick_writes_results(tmp_path):
    """benchmarks/recipe_data_path.py --quick: every path timed on this backend, ratios to plain fit written."""
    backend = keras.backend.backend()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    script = REPO_ROOT / "benchmarks" / "recipe_data_path.py"
    process = subprocess.run([sys.executable, str(script), "--quick", "--backends", backend, "--out-dir", str(tmp_path)],
                             env=env, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads((tmp_path / "recipe_data_path.json").read_text())
    assert report["args"]["quick"] is True and "keras" in report["versions"]
    result = report["results"][backend]
    assert set(result["ms_per_step"]) == {"arrays", "recipe", "recipe_uint8", "pydataset"}
    assert all(v > 0 for v in result["ms_per_step"].values())
    assert set(result["over_arrays"]) == {"recipe", "recipe_uint8", "pydataset"}
    assert result["load_average"]["before"] >= 0
    assert f"| {backend} |" in (tmp_path / "recipe_data_path.md").read_text()


def test_cpu_backend_speed_quick_writes_results(tmp_path):
    """benchmarks/cpu_backend_speed.py --quick: each compile setting of this backend timed, epoch time derived."""
    backend = keras.backend.backend()
    script = REPO_ROOT / "benchmarks" / "cpu_backend_speed.py"
    process = subprocess.run([sys.executable, str(script), "--quick", "--backends", backend, "--out-dir", str(tmp_path)],
                             capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    report = json.loads((tmp_path / "cpu_backend_speed.json").read_text())
    assert report["errors"] == [] and report["config"]["backends"] == [backend]
    (result,) = report["results"]
    expected = {"recommended", "xla_spe8"} if backend == "tensorflow" else {"recommended"}
    assert set(result["columns"]) == expected and result["base_filters"] == 4
    markdown = (tmp_path / "cpu_backend_speed.md").read_text()
    for name, column in result["columns"].items():
        assert column["median_ms"] > 0
        assert f"| {backend} | {name} | 4 | {column['median_ms']:.1f} " in markdown


def test_recipe_tables_are_valid_label_free_recipes():
    from benchmarks import recipe_table
    from keras_gans import recipes

    args = type("Args", (), {"epochs": None, "minutes": None})()
    for table, make_rows in recipe_table.TABLES.items():
        rows = make_rows(args)
        assert len({r["name"] for r in rows}) == len(rows) >= 2
        for row in rows:
            recipe = recipes.validate_recipe(row)
            assert recipe["data"]["conditional"] is False, (table, row["name"])   # no labels, ever
            assert ("clusters" in row["name"]) == ("cluster_conditioning" in recipe["gan"]["config"])
            assert ("topk" in row["name"]) == ("top_k" in recipe["gan"]["config"])
            assert ("diffaugment" in row["name"]) == ("augmentation" in recipe["gan"]["config"])
    twemoji = recipe_table.TABLES["twemoji32"](args)
    assert {r["fit"]["max_minutes"] for r in twemoji} == {4.0}        # one CPU-minute budget for every row
    assert {r["generator"]["builder"] for r in twemoji} == {"dcgan_generator", "resnet_generator"}


def test_recipe_table_markdown_averages_the_seeds():
    from benchmarks import recipe_table

    def run(fid, unsure):
        return {"fid": fid, "floor_fid": 2.0, "kid": 1.0, "floor_kid": 0.1, "precision": 0.5, "recall": 0.7,
                "unsure": unsure, "real_unsure": 0.02, "wall_time_s": 120.0, "generator_steps": 1000}

    markdown = recipe_table.to_markdown("t", {"a": {"0": run(10.0, 0.1), "1": run(14.0, 0.3)}, "b": {}})
    assert "| a | 0, 1 | 12.00 ± 2.00 | 6.00 ± 1.00x | 1.00 ± 0.00 | 0.50 ± 0.00 | 0.70 ± 0.00 | 20.00 ± 10.00% |" \
        " 2.00 ± 0.00 | 1,000 |" in markdown
    assert "| b | 0 (not run) |" in markdown
    assert "Real-data floor: FID 2.00" in markdown
