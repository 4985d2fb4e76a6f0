"""Keeps `benchmarks/gan_step_speed.py` from rotting: a tiny `--quick` run on
the current backend must write its JSON and markdown with sane fields. The
figures themselves are not asserted (CI machines are noisy)."""

import json
import os
import pathlib
import subprocess
import sys

import keras

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "benchmarks" / "gan_step_speed.py"


def test_gan_step_speed_quick_writes_results(tmp_path):
    backend = keras.backend.backend()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    command = [
        sys.executable, str(SCRIPT), "--quick", "--backends", backend,
        "--losses", "non_saturating", "--steps", "1", "--repeats", "1",
        "--base-filters", "4", "--out-dir", str(tmp_path),
    ]
    process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]

    report = json.loads((tmp_path / "gan_step_speed.json").read_text())
    assert report["config"]["quick"] is True
    assert report["config"]["backends"] == [backend]
    assert report["machine"]["logical_cores"] >= 1
    assert "keras" in report["versions"]
    assert report["errors"] == []
    (result,) = report["results"]
    assert (result["backend"], result["loss"], result["batch_size"]) == (
        backend, "non_saturating", 64)
    for side in ("keras_gans", "native"):
        assert result[side]["median_s_per_step"] > 0
        assert result[side]["steps_per_s"] > 0
    assert result["ratio_median"] > 0
    (backend_info,) = report["backends"]
    assert backend_info["peak_rss_mib"] > 0

    markdown = (tmp_path / "gan_step_speed.md").read_text()
    assert "| backend | model | batch |" in markdown
    assert f"| {backend} | NonSaturatingGAN | 64 | default |" in markdown


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
    cells = report["results"][backend]
    from keras_gans.backend import recommended_compile_settings
    from tests.helpers import make_gan

    # Recommended settings equal to the defaults (PyTorch) are not timed twice.
    expected = [(4, True)] + ([(4, False)] if recommended_compile_settings(make_gan()) else [])
    assert [(c["batch_size"], c["settings"] == "defaults") for c in cells] == expected
    for cell in cells:
        assert set(cell["ms_per_step"]) == {"traced", "unrolled"}
        assert all(v > 0 for v in cell["ms_per_step"].values()) and cell["traced_over_unrolled"]["median"] > 0
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
