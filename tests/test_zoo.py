"""The zoo's cards, README table and registry match the measured files, and the figures reproduce."""

import json
import pathlib
import sys

import numpy as np
import pytest

import keras_gans

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "zoo"))

import evaluate_presets  # noqa: E402
import make_readme_table  # noqa: E402

GENERATOR_PRESETS = evaluate_presets.generator_presets()


def test_issue_presets_are_all_trained():
    required = {
        "dcgan_mnist_minimax", "dcgan_mnist_nonsaturating", "dcgan_mnist_wgan_gp",
        "dcgan_mnist_conditional", "dcgan_fashion_mnist_wgan_gp", "dcgan_fashion_mnist_conditional",
        "twemoji64", "twemoji32_conditional",
    }
    assert required <= set(GENERATOR_PRESETS)
    assert any(json.loads((REPO / "zoo" / n / "recipe.json").read_text())["data"]["dataset"] == "digits" for n in GENERATOR_PRESETS)


@pytest.mark.parametrize("name", GENERATOR_PRESETS)
def test_card_is_rendered_from_the_measured_files(name):
    card = (REPO / "zoo" / name / "README.md").read_text()
    assert card == evaluate_presets.card_from_files(name), "run: python zoo/evaluate_presets.py --cards-only"
    result = json.loads((REPO / "zoo" / name / "evaluation.json").read_text())
    assert f"**{result['fid']:.2f}**" in card and f"{result['floor']['fid']:.2f}" in card


@pytest.mark.parametrize("name", [n for n in GENERATOR_PRESETS if (REPO / "zoo" / n / "versions.json").exists()])
def test_earlier_versions_are_the_committed_measurements(name):
    import subprocess

    import record_version

    card = (REPO / "zoo" / name / "README.md").read_text()
    for version in json.loads((REPO / "zoo" / name / "versions.json").read_text()):
        assert f"| {version['commit']} |" in card and f"{version['fid_over_floor']:.1f}x" in card
        known = subprocess.run(["git", "cat-file", "-e", f"{version['read_at']}^{{commit}}"], cwd=REPO,
                               capture_output=True).returncode == 0
        if known:  # a shallow clone may lack the commit
            assert record_version.version_entry(name, version["read_at"]) == version


def test_readme_zoo_table_is_up_to_date():
    assert make_readme_table.main(["--check"]) == 0, "run: python zoo/make_readme_table.py"


def test_evaluate_command_reproduces_the_digits_card(capsys):
    from keras_gans.cli import main

    expected = json.loads((REPO / "zoo" / "mlp_digits_nonsaturating" / "evaluation.json").read_text())
    assert main(["evaluate", "--preset", "mlp_digits_nonsaturating", "--json", "--no-floor"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # Trained and measured with JAX on a CPU; re-measured here on this backend's kernels.
    assert float(printed["fid"]) == pytest.approx(expected["fid"], rel=1e-3)
    assert float(printed["kid_mean"]) == pytest.approx(expected["kid_mean"], rel=1e-2)


def test_class_statistics_of_real_images_follow_their_labels():
    from keras_gans.data import datasets

    generator = keras_gans.from_preset("mlp_digits_nonsaturating")
    samples, real, _ = evaluate_presets.classify(generator, "digits")
    stats = evaluate_presets.class_statistics(samples, real)
    _, labels = datasets.load_dataset("digits", "test")
    # The digits classifier is 96.3% accurate: its shares of the test images are the labels' shares.
    np.testing.assert_allclose(stats["real_test"]["class_shares"], np.bincount(labels, minlength=10) / len(labels),
                               atol=0.04)
    assert stats["real_test"]["num_images"] == len(labels) and stats["samples"]["num_images"] == 10000
    assert sum(stats["samples"]["class_shares"]) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 <= stats["real_test"]["ambiguous_share"] < 0.2 and 0.0 <= stats["samples"]["ambiguous_share"] <= 1.0


def test_digits_preset_is_the_main_jobs_default_recipe():
    from keras_gans import recipes

    preset = recipes.load_recipe(REPO / "zoo" / "mlp_digits_nonsaturating" / "recipe.json")
    default = recipes.validate_recipe(recipes.default_recipe("digits", "NonSaturatingGAN"))
    for section in ("seed", "data", "generator", "discriminator", "gan", "optimizers", "compile", "fit"):
        assert preset[section] == default[section], section


@pytest.mark.parametrize("name", ["dcgan_mnist_conditional", "dcgan_fashion_mnist_wgan_gp"])
def test_presets_load_and_generate_here(name):
    generator = keras_gans.from_preset(name)
    labels = list(range(10)) if generator.num_classes else None
    images = generator.generate(10, seed=0, labels=labels)
    assert images.shape == (10, 28, 28, 1) and 0.0 <= images.min() and images.max() <= 1.0
    assert np.std(images) > 0.05  # not a blank image
