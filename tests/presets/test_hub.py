"""`hf://` presets through huggingface_hub, against a fake Hub on 127.0.0.1."""

import numpy as np
import pytest
from preset_builders import LATENT_DIM
from preset_builders import NUM_CLASSES
from preset_builders import build_generator

import keras_gans
from keras_gans.presets import save_preset
from keras_gans.presets.registry import sha256_of_file
from keras_gans.sampling import generate_images

REPO = "someone/tiny_gan"


def _publish(hub, tmp_path, model, repo_id=REPO, **kwargs):
    """save_preset, then serve the folder as `repo_id` (what upload_folder publishes)."""
    folder = tmp_path / repo_id.replace("/", "__")
    save_preset(model, folder, name=repo_id.split("/")[1], **kwargs)
    hub.repos[repo_id] = folder
    return folder


def _cached_files(hub, filename):
    return sorted(p for p in hub.cache.rglob(filename) if p.is_file())


def test_save_then_load_from_the_hub_gives_the_same_images(hub, tmp_path):
    model = build_generator(num_classes=NUM_CLASSES)
    _publish(hub, tmp_path, model, dataset="none")
    gen = keras_gans.from_preset(f"hf://{REPO}")
    assert (gen.latent_dim, gen.num_classes, gen.name) == (LATENT_DIM, NUM_CLASSES, "tiny_gan")
    labels = [0, 1, 2, 0, 1, 2]
    expected = generate_images(model, 6, LATENT_DIM, seed=5, labels=labels, num_classes=NUM_CLASSES)
    np.testing.assert_allclose(gen.generate(6, seed=5, labels=labels), expected, atol=1e-6)
    assert hub.downloads("preset.json") == 1 and hub.downloads("generator.keras") == 1
    # Cached in the HF cache (not the Keras cache), with the hash preset.json promised.
    (weights,) = _cached_files(hub, "generator.keras")
    assert sha256_of_file(weights) == sha256_of_file(tmp_path / "someone__tiny_gan" / "generator.keras")
    assert not (tmp_path / "keras_home" / "keras_gans").exists()


def test_second_load_works_offline(hub, tmp_path):
    _publish(hub, tmp_path, build_generator())
    first = keras_gans.from_preset(f"hf://{REPO}").generate(4, seed=1)
    hub.stop()
    second = keras_gans.from_preset(f"hf://{REPO}").generate(4, seed=1)
    np.testing.assert_array_equal(first, second)
    assert hub.downloads("generator.keras") == 1


def test_hash_mismatch_is_refused_and_removed_from_the_cache(hub, tmp_path):
    folder = _publish(hub, tmp_path, build_generator())
    build_generator(seed=1).save(folder / "generator.keras")  # weights swapped after saving
    with pytest.raises(ValueError, match="sha256") as info:
        keras_gans.from_preset(f"hf://{REPO}")
    assert "deleted from the Hugging Face cache" in str(info.value)
    assert _cached_files(hub, "generator.keras") == []
    save_preset(build_generator(seed=1), folder, overwrite=True)  # re-saved: consistent again
    keras_gans.from_preset(f"hf://{REPO}").generate(2)


def test_unknown_repositories_files_and_handles(hub, tmp_path):
    with pytest.raises(ValueError, match="has no repository 'someone/missing'"):
        keras_gans.from_preset("hf://someone/missing")
    empty = tmp_path / "not_a_preset"
    empty.mkdir()
    (empty / "notes.txt").write_text("hello")
    hub.repos["someone/not_a_preset"] = empty
    with pytest.raises(FileNotFoundError, match="no file 'preset.json'.*save_preset"):
        keras_gans.from_preset("hf://someone/not_a_preset")
    _publish(hub, tmp_path, build_generator())
    with pytest.raises(ValueError, match="no revision 'v9'"):
        keras_gans.from_preset(f"hf://{REPO}@v9")
    for bad in ("hf://just_a_name", "hf://a/b/c", "hf://../x"):
        with pytest.raises(ValueError, match="'hf://<owner>/<repo>'"):
            keras_gans.from_preset(bad)


def test_offline_without_cache(hub, tmp_path, monkeypatch):
    from huggingface_hub import constants

    _publish(hub, tmp_path, build_generator())
    # HF_HUB_OFFLINE=1 (read once at import): no request at all, and a clear error.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ConnectionError, match="not in the Hugging Face cache"):
        keras_gans.from_preset(f"hf://{REPO}")
    assert hub.requests == []


def test_classifier_on_the_hub_is_not_a_generator(hub, tmp_path):
    from preset_builders import build_classifier

    _publish(hub, tmp_path, build_classifier(), repo_id="someone/tiny_classifier", kind="classifier",
             dataset="none", metadata={"feature_layer": "features", "test_accuracy": 0.1})
    with pytest.raises(ValueError, match="classifier preset, not a generator"):
        keras_gans.from_preset("hf://someone/tiny_classifier")
    model = keras_gans.presets.load_preset_model("hf://someone/tiny_classifier")
    assert model.get_layer("features").units == 16


def test_revision_pinned_to_the_commit(hub, tmp_path):
    _publish(hub, tmp_path, build_generator())
    commit = hub.commit(REPO)
    gen = keras_gans.from_preset(f"hf://{REPO}@{commit}")
    assert gen.name == "tiny_gan"
    assert any(f"/resolve/{commit}/" in path for _, path in hub.requests)
