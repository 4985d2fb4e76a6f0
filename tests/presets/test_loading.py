"""The download path of presets, over real HTTP on 127.0.0.1."""

import os

import numpy as np
import pytest
from preset_builders import CLASSIFIER
from preset_builders import CONDITIONAL
from preset_builders import UNCONDITIONAL

import keras_gans.presets as presets
from keras_gans.presets.registry import sha256_of_file
from keras_gans.sampling import generate_images


def test_download_verifies_and_caches(zoo, tiny_models):
    models, _ = tiny_models
    gen = presets.from_preset(UNCONDITIONAL)
    cached = zoo.cached(UNCONDITIONAL, "generator.keras")
    assert cached.is_file()
    assert sha256_of_file(cached) == sha256_of_file(zoo.weights(UNCONDITIONAL))
    assert zoo.server.requests == [f"/{UNCONDITIONAL}/generator.keras"]
    images = gen.generate(16, seed=0)
    assert images.shape == (16, 8, 8, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    expected = generate_images(models[UNCONDITIONAL], 16, 4, seed=0)
    np.testing.assert_allclose(images, expected, atol=1e-6)


def test_preset_file_returns_cached_path(zoo):
    path = presets.preset_file(UNCONDITIONAL)
    assert os.path.samefile(path, zoo.cached(UNCONDITIONAL, "generator.keras"))


def test_explicit_cache_dir(zoo, tmp_path):
    presets.from_preset(UNCONDITIONAL, cache_dir=str(tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere/keras_gans/presets" / UNCONDITIONAL / "generator.keras").is_file()
    assert not zoo.cached(UNCONDITIONAL, "generator.keras").exists()


def test_second_load_served_from_cache_without_network(zoo):
    first = presets.from_preset(UNCONDITIONAL).generate(4, seed=3)
    zoo.server.stop()
    second = presets.from_preset(UNCONDITIONAL).generate(4, seed=3)
    np.testing.assert_array_equal(first, second)
    assert len(zoo.server.requests) == 1


def test_download_fails_cleanly_when_server_is_down(zoo):
    zoo.server.stop()
    with pytest.raises(ConnectionError, match="call again to retry"):
        presets.from_preset(UNCONDITIONAL)
    assert not zoo.cached(UNCONDITIONAL, "generator.keras").exists()


def test_unknown_name_lists_valid_names_and_suggests(zoo):
    with pytest.raises(ValueError) as info:
        presets.from_preset("tiny_uncondtional")
    message = str(info.value)
    assert "Did you mean 'tiny_unconditional'?" in message
    for name in (CLASSIFIER, CONDITIONAL, UNCONDITIONAL):
        assert name in message
    with pytest.raises(ValueError, match="Valid presets"):
        presets.load_preset_model("nope")
    assert zoo.server.requests == []


def test_hash_mismatch_removes_file_and_retry_succeeds(zoo):
    good = zoo.registry()
    bad = zoo.registry()
    bad[UNCONDITIONAL]["sha256"]["generator.keras"] = "0" * 64
    zoo.write_registry(bad)
    with pytest.raises(ValueError, match="sha256") as info:
        presets.from_preset(UNCONDITIONAL)
    assert "deleted from the cache" in str(info.value)
    assert not zoo.cached(UNCONDITIONAL, "generator.keras").exists()
    zoo.write_registry(good)
    presets.from_preset(UNCONDITIONAL).generate(2)


def test_connection_dropped_mid_file_then_retry(zoo):
    url_path = f"/{UNCONDITIONAL}/generator.keras"
    size = zoo.weights(UNCONDITIONAL).stat().st_size
    zoo.server.truncate[url_path] = (size // 2, True)
    with pytest.raises(ConnectionError, match="retrieval incomplete"):
        presets.from_preset(UNCONDITIONAL)
    assert not zoo.cached(UNCONDITIONAL, "generator.keras").exists()
    del zoo.server.truncate[url_path]
    gen = presets.from_preset(UNCONDITIONAL)
    assert gen.generate(2).shape == (2, 8, 8, 1)
    assert zoo.server.requests == [url_path, url_path]


def test_short_body_without_length_is_caught_by_hash(zoo):
    url_path = f"/{UNCONDITIONAL}/generator.keras"
    zoo.server.truncate[url_path] = (100, False)
    with pytest.raises(ValueError, match="cut short or corrupted"):
        presets.from_preset(UNCONDITIONAL)
    cache_folder = zoo.cached(UNCONDITIONAL, "generator.keras").parent
    assert list(cache_folder.iterdir()) == []
    del zoo.server.truncate[url_path]
    presets.from_preset(UNCONDITIONAL).generate(2)


def test_tampered_cache_file_is_redownloaded(zoo):
    presets.from_preset(UNCONDITIONAL)
    cached = zoo.cached(UNCONDITIONAL, "generator.keras")
    cached.write_bytes(b"tampered")
    presets.from_preset(UNCONDITIONAL).generate(2)
    assert len(zoo.server.requests) == 2
    assert sha256_of_file(cached) == sha256_of_file(zoo.weights(UNCONDITIONAL))


def test_corrupt_file_with_matching_hash(zoo):
    zoo.weights(UNCONDITIONAL).write_bytes(b"this is not a zip archive")
    zoo.rebuild_registry()  # a registry that vouches for the broken file
    with pytest.raises(ValueError, match="not a valid .keras file") as info:
        presets.from_preset(UNCONDITIONAL)
    message = str(info.value)
    assert str(zoo.cached(UNCONDITIONAL, "generator.keras")) in message
    assert "Delete" in message and "re-download" in message


def test_zip_that_is_not_a_keras_model(zoo, tmp_path):
    import zipfile

    with zipfile.ZipFile(zoo.weights(UNCONDITIONAL), "w") as archive:
        archive.writestr("hello.txt", "not a model")
    zoo.rebuild_registry()
    with pytest.raises(ValueError, match="Could not load .*generator.keras as a Keras model"):
        presets.from_preset(UNCONDITIONAL)


def test_registry_without_hash_refuses_download(zoo):
    registry = zoo.registry()
    registry[UNCONDITIONAL]["sha256"] = {}
    zoo.write_registry(registry)
    with pytest.raises(ValueError, match="no sha256"):
        presets.from_preset(UNCONDITIONAL)
    assert zoo.server.requests == []


def test_registry_argument_overrides_env(zoo, tmp_path):
    registry = zoo.registry()
    del registry[CONDITIONAL]
    assert CONDITIONAL not in presets.list_presets(registry=registry)
    path = tmp_path / "other.json"
    path.write_text("{}")
    assert presets.list_presets(registry=str(path)) == {}


def test_list_presets(zoo):
    listed = presets.list_presets()
    assert list(listed) == [CLASSIFIER, CONDITIONAL, UNCONDITIONAL]
    assert listed[CLASSIFIER] == "Tiny test classifier, 8x8x1 -> 10 classes."
    assert list(presets.list_presets("generator")) == [CONDITIONAL, UNCONDITIONAL]
    assert list(presets.list_presets("classifier")) == [CLASSIFIER]
    with pytest.raises(ValueError, match="'generator' or 'classifier'"):
        presets.list_presets("gan")


def test_preset_metadata(zoo):
    metadata = presets.preset_metadata(CONDITIONAL)
    assert metadata["num_classes"] == 3 and metadata["latent_dim"] == 4
    assert metadata["size"] == zoo.weights(CONDITIONAL).stat().st_size


def test_local_zoo_is_used_in_place(zoo, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_ZOO_DIR", str(zoo.root))
    path = presets.preset_file(UNCONDITIONAL)
    assert os.path.samefile(path, zoo.weights(UNCONDITIONAL))
    presets.from_preset(UNCONDITIONAL).generate(2)
    assert zoo.server.requests == []
    assert not zoo.cached(UNCONDITIONAL, "generator.keras").exists()


def test_local_zoo_file_that_differs_from_registry(zoo, monkeypatch, tiny_models):
    monkeypatch.setenv("KERAS_GANS_ZOO_DIR", str(zoo.root))
    _, paths = tiny_models
    zoo.weights(UNCONDITIONAL).write_bytes(paths[CONDITIONAL].read_bytes())
    with pytest.raises(ValueError, match="build_registry") as info:
        presets.from_preset(UNCONDITIONAL)
    assert "restore the file" in str(info.value)
    zoo.rebuild_registry()
    with pytest.raises(ValueError, match="takes 2 input"):
        presets.from_preset(UNCONDITIONAL)  # now hashes match, but metadata is wrong


def test_local_zoo_corrupt_file(zoo, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_ZOO_DIR", str(zoo.root))
    zoo.weights(UNCONDITIONAL).write_bytes(b"garbage")
    zoo.rebuild_registry()
    with pytest.raises(ValueError, match="Re-save the model") as info:
        presets.from_preset(UNCONDITIONAL)
    assert str(zoo.weights(UNCONDITIONAL)) in str(info.value)


def test_local_preset_missing_from_registry_still_loads(zoo, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_ZOO_DIR", str(zoo.root))
    zoo.write_registry({})
    assert UNCONDITIONAL in presets.list_presets()
    presets.from_preset(UNCONDITIONAL).generate(2)


def test_url_handle_uses_its_preset_json_hash_and_works_offline(zoo, tiny_models):
    models, _ = tiny_models
    from keras_gans.presets.loading import url_cache_key

    url = f"{zoo.server.url}/{UNCONDITIONAL}"
    gen = presets.from_preset(url)
    expected = generate_images(models[UNCONDITIONAL], 3, 4, seed=2)
    np.testing.assert_allclose(gen.generate(3, seed=2), expected, atol=1e-6)
    folder = zoo.cache_dir / "keras_gans" / "presets" / url_cache_key(url)
    assert sorted(p.name for p in folder.iterdir()) == ["generator.keras", "preset.json"]
    zoo.server.stop()  # preset.json has no known hash: served from the cache when offline
    np.testing.assert_array_equal(presets.from_preset(url).generate(3, seed=2), gen.generate(3, seed=2))


def test_url_handle_with_wrong_hash_in_preset_json(zoo, tmp_path):
    import json

    config = json.loads((zoo.root / UNCONDITIONAL / "preset.json").read_text())
    config["sha256"] = {"generator.keras": "0" * 64}
    (zoo.root / UNCONDITIONAL / "preset.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="cut short or corrupted"):
        presets.from_preset(f"{zoo.server.url}/{UNCONDITIONAL}")


def test_packaged_preset_missing_without_mirror(zoo, monkeypatch):
    monkeypatch.delenv("KERAS_GANS_PRESET_BASE_URL")
    with pytest.raises(FileNotFoundError, match="does not carry 'generator.keras'.*KERAS_GANS_PRESET_BASE_URL"):
        presets.from_preset(UNCONDITIONAL)
    monkeypatch.setenv("KERAS_GANS_PRESET_BASE_URL", "ftp://mirror")
    with pytest.raises(ValueError, match="must be an http:// or https:// URL"):
        presets.from_preset(UNCONDITIONAL)
    assert zoo.server.requests == []


def test_shipped_presets_resolve_to_packaged_files(monkeypatch):
    monkeypatch.delenv("KERAS_GANS_ZOO_DIR", raising=False)
    monkeypatch.setenv("KERAS_GANS_PRESET_BASE_URL", "http://127.0.0.1:9")  # never used: all packaged
    for name in presets.list_presets():
        path = presets.preset_file(name)
        assert os.path.dirname(path) == str(presets.packaged_zoo_dir() / name)
        assert sha256_of_file(path) == presets.preset_metadata(name)["sha256"][os.path.basename(path)]
