"""PretrainedGenerator and from_preset on the tiny served presets."""

import numpy as np
import pytest
from preset_builders import CLASSIFIER
from preset_builders import CONDITIONAL
from preset_builders import UNCONDITIONAL
from preset_builders import build_generator

import keras_gans.presets as presets
from keras_gans.presets import PretrainedGenerator


def test_attributes(zoo):
    gen = presets.from_preset(CONDITIONAL)
    assert isinstance(gen, PretrainedGenerator)
    assert (gen.name, gen.latent_dim, gen.num_classes) == (CONDITIONAL, 4, 3)
    assert gen.image_shape == (8, 8, 1)
    assert gen.metadata["kind"] == "generator"
    assert gen.metadata["description"] == presets.list_presets()[CONDITIONAL]
    assert "latent_dim=4" in repr(gen)


def test_same_seed_same_images(zoo):
    gen = presets.from_preset(UNCONDITIONAL)
    a = gen.generate(6, seed=7)
    np.testing.assert_array_equal(a, gen.generate(6, seed=7))
    # Batching may change float rounding (torch matmul kernels), not the images.
    np.testing.assert_allclose(a, gen.generate(6, seed=7, batch_size=4), atol=1e-6)
    assert not np.allclose(a, gen.generate(6, seed=8))


def test_conditional_requires_labels(zoo):
    gen = presets.from_preset(CONDITIONAL)
    with pytest.raises(ValueError, match="is conditional \\(3 classes\\)"):
        gen.generate(4)
    images = gen.generate(3, labels=[0, 1, 2])
    assert images.shape == (3, 8, 8, 1)
    assert 0.0 <= images.min() and images.max() <= 1.0
    same_z_other_label = gen.generate(3, labels=[1, 2, 0])
    assert not np.allclose(images, same_z_other_label)
    with pytest.raises(ValueError, match="lie in \\[0, 2\\]"):
        gen.generate(2, labels=[0, 3])


def test_unconditional_refuses_labels(zoo):
    with pytest.raises(ValueError, match="unconditional"):
        presets.from_preset(UNCONDITIONAL).generate(2, labels=[0, 1])


def test_classifier_preset(zoo):
    with pytest.raises(ValueError, match="classifier preset, not a generator") as info:
        presets.from_preset(CLASSIFIER)
    assert "load_preset_model" in str(info.value)
    model = presets.load_preset_model(CLASSIFIER)
    assert model.get_layer("features").units == 16
    assert tuple(model.outputs[0].shape) == (None, 10)


def test_from_local_folder_and_keras_file(zoo, tiny_models, monkeypatch):
    models, paths = tiny_models
    monkeypatch.delenv("KERAS_GANS_PRESET_BASE_URL")
    folder = presets.from_preset(zoo.root / CONDITIONAL)
    assert folder.num_classes == 3
    folder.generate(2, labels=[0, 1])
    single = presets.from_preset(str(paths[UNCONDITIONAL]))
    assert single.latent_dim == 4 and single.num_classes is None
    np.testing.assert_array_equal(
        single.generate(3), presets.from_preset(zoo.root / UNCONDITIONAL).generate(3)
    )
    with pytest.raises(ValueError, match="preset.json giving \"num_classes\""):
        presets.from_preset(paths[CONDITIONAL])
    with pytest.raises(ValueError, match="not a generator"):
        presets.from_preset(zoo.root / CLASSIFIER)
    assert zoo.server.requests == []


def test_constructor_checks_the_model():
    generator = build_generator()
    with pytest.raises(ValueError, match="latent_dim=5"):
        PretrainedGenerator(generator, latent_dim=5)
    with pytest.raises(ValueError, match="takes 1 input"):
        PretrainedGenerator(generator, latent_dim=4, num_classes=10)
    gen = PretrainedGenerator(generator, latent_dim=4)
    assert gen.name == "tiny_generator" and gen.metadata == {}
    assert gen.generate(2).shape == (2, 8, 8, 1)


def test_bad_preset_argument(zoo):
    with pytest.raises(TypeError, match="preset name, a handle or a path"):
        presets.from_preset(3)
    with pytest.raises(ValueError, match="or a local preset folder"):
        presets.from_preset("no/such/folder")
    with pytest.raises(ValueError, match="does not exist"):
        presets.from_preset("no/such/generator.keras")
    with pytest.raises(ValueError, match="Unknown preset handle"):
        presets.get_file("ftp://example.org/zoo", "preset.json")


def test_truncated_generate_runs_the_generator_on_truncated_latents(zoo):
    from keras_gans.sampling import images_from_latents, sample_latents

    gen = presets.from_preset(CONDITIONAL)
    labels = [0, 1, 2, 0, 1]
    truncated = gen.generate(5, seed=3, labels=labels, truncation=0.5)
    latents = sample_latents(5, gen.latent_dim, seed=3, truncation=0.5)
    assert np.abs(latents).max() <= 0.5
    np.testing.assert_array_equal(truncated, images_from_latents(gen.generator, latents, np.array(labels, "int32")))
    np.testing.assert_array_equal(truncated, gen.generate(5, seed=3, labels=labels, truncation=0.5))
    np.testing.assert_array_equal(gen.generate(5, seed=3, labels=labels, truncation=None), gen.generate(5, seed=3, labels=labels))
    assert not np.allclose(truncated, gen.generate(5, seed=3, labels=labels))
    with pytest.raises(ValueError, match="`truncation` must be a finite number > 0"):
        gen.generate(5, seed=3, labels=labels, truncation=0.0)
