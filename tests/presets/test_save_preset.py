"""`keras_gans.save_preset`: folders that `from_preset` loads back to the same images."""

import inspect
import json

import keras
import numpy as np
import pytest
from preset_builders import IMAGE_SHAPE
from preset_builders import LATENT_DIM
from preset_builders import NUM_CLASSES
from preset_builders import build_classifier
from preset_builders import build_generator

import keras_gans
from keras_gans.presets import load_preset_model
from keras_gans.presets import save_preset
from keras_gans.presets.build_registry import build_registry
from keras_gans.presets.registry import sha256_of_file
from keras_gans.sampling import generate_images


def _tiny_gan(num_classes=None, **kwargs):
    generator = build_generator(num_classes=num_classes)
    discriminator = keras_gans.architectures.mlp_discriminator(IMAGE_SHAPE, num_classes, seed=1)
    return keras_gans.NonSaturatingGAN(generator, discriminator, latent_dim=LATENT_DIM,
                                       num_classes=num_classes, seed=0, **kwargs)


def test_gan_round_trip_gives_the_same_images(tmp_path):
    gan = _tiny_gan(NUM_CLASSES)
    config = save_preset(gan, tmp_path / "my_gan", description="A tiny GAN.", dataset="none")
    folder = tmp_path / "my_gan"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "generator.keras", "preset.json"]
    written = json.loads((folder / "preset.json").read_text())
    assert written == config
    assert written["sha256"] == {"generator.keras": sha256_of_file(folder / "generator.keras")}
    assert (written["name"], written["kind"], written["loss"]) == ("my_gan", "generator", "nonsaturating")
    assert (written["latent_dim"], written["num_classes"], written["image_shape"]) == (LATENT_DIM, NUM_CLASSES, list(IMAGE_SHAPE))
    gen = keras_gans.from_preset(folder)
    labels = [2, 1, 0, 2]
    expected = generate_images(gan.generator, 4, LATENT_DIM, seed=3, labels=labels, num_classes=NUM_CLASSES)
    np.testing.assert_allclose(gen.generate(4, seed=3, labels=labels), expected, atol=1e-6)
    assert gen.metadata["description"] == "A tiny GAN."
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: keras\n") and "A tiny GAN." in card
    assert config["sha256"]["generator.keras"] in card
    # A saved folder is a valid zoo folder too.
    assert build_registry(tmp_path)["my_gan"]["sha256"] == config["sha256"]


@pytest.mark.parametrize("class_name, loss", [
    ("MinimaxGAN", "minimax"), ("NonSaturatingGAN", "nonsaturating"), ("WGANGP", "wgan_gp"),
    ("HingeGAN", "hinge"), ("LeastSquaresGAN", "least_squares"),
])
def test_loss_names_match_the_command_line(tmp_path, class_name, loss):
    if not hasattr(keras_gans, class_name):
        pytest.skip(f"keras_gans.{class_name} comes with the toolkit (issue 10)")
    generator = build_generator()
    discriminator = keras_gans.architectures.mlp_discriminator(IMAGE_SHAPE, seed=1)
    gan = getattr(keras_gans, class_name)(generator, discriminator, latent_dim=LATENT_DIM)
    assert save_preset(gan, tmp_path / "p")["loss"] == loss


def test_saves_the_ema_generator_when_the_gan_has_one(tmp_path):
    if "ema_decay" not in inspect.signature(keras_gans.NonSaturatingGAN).parameters:
        pytest.skip("needs the toolkit's ema_decay (issue 10)")
    gan = _tiny_gan(ema_decay=0.5)
    ema = gan.ema_generator
    ema.set_weights([w + 0.25 for w in gan.generator.get_weights()])  # make the two differ
    save_preset(gan, tmp_path / "ema")
    gen = keras_gans.from_preset(tmp_path / "ema")
    expected = generate_images(ema, 3, LATENT_DIM, seed=0)
    np.testing.assert_allclose(gen.generate(3, seed=0), expected, atol=1e-6)
    assert not np.allclose(expected, generate_images(gan.generator, 3, LATENT_DIM, seed=0))
    assert json.loads((tmp_path / "ema" / "preset.json").read_text())["ema"] is True


def test_bare_generators(tmp_path):
    conditional = build_generator(num_classes=NUM_CLASSES)
    config = save_preset(conditional, tmp_path / "cond")
    assert config["num_classes"] == NUM_CLASSES  # from its Embedding layer
    assert config["loss"] is None and config["dataset"] is None
    assert keras_gans.from_preset(str(tmp_path / "cond")).generate(3, labels=[0, 1, 2]).shape == (3, *IMAGE_SHAPE)
    z = keras.Input((LATENT_DIM,))
    labels = keras.Input((), dtype="int32")
    one_hot = keras.layers.Lambda(lambda t: keras.ops.one_hot(t, 5))(labels)
    h = keras.layers.Dense(64, activation="tanh")(keras.layers.Concatenate()([z, one_hot]))
    no_embedding = keras.Model([z, labels], keras.layers.Reshape(IMAGE_SHAPE)(h))
    with pytest.raises(ValueError, match="metadata=\\{'num_classes': N\\}"):
        save_preset(no_embedding, tmp_path / "no_embedding")
    assert not (tmp_path / "no_embedding").exists()


def test_classifier_preset(tmp_path):
    model = build_classifier()
    save_preset(model, tmp_path / "clf", kind="classifier", dataset="none",
                metadata={"feature_layer": "features", "test_accuracy": 0.5})
    loaded = load_preset_model(tmp_path / "clf")
    x = np.random.default_rng(0).uniform(size=(2, *IMAGE_SHAPE)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="feature_layer"):
        save_preset(model, tmp_path / "clf2", kind="classifier", dataset="none")


def test_refuses_to_overwrite_and_bad_arguments(tmp_path):
    generator = build_generator()
    save_preset(generator, tmp_path / "p")
    before = (tmp_path / "p" / "preset.json").read_text()
    with pytest.raises(ValueError, match="overwrite=True"):
        save_preset(build_generator(seed=1), tmp_path / "p")
    assert (tmp_path / "p" / "preset.json").read_text() == before
    (tmp_path / "p" / "notes.txt").write_text("mine")
    save_preset(build_generator(seed=1), tmp_path / "p", overwrite=True)
    assert (tmp_path / "p" / "notes.txt").read_text() == "mine"
    assert (tmp_path / "p" / "preset.json").read_text() != before
    with pytest.raises(ValueError, match="`name` must be"):
        save_preset(generator, tmp_path / "q", name="../evil")
    with pytest.raises(ValueError, match="`kind` must be"):
        save_preset(generator, tmp_path / "q", kind="discriminator")
    with pytest.raises(ValueError, match="must not set \\['sha256'\\]"):
        save_preset(generator, tmp_path / "q", metadata={"sha256": {}})
    with pytest.raises(TypeError, match="GAN .* or a keras.Model"):
        save_preset("generator.keras", tmp_path / "q")
    with pytest.raises(ValueError, match="one non-empty line"):
        save_preset(generator, tmp_path / "q", description="two\nlines")
    assert not (tmp_path / "q").exists()


def test_tampered_weights_are_refused(tmp_path):
    save_preset(build_generator(), tmp_path / "p")
    build_generator(seed=1).save(tmp_path / "p" / "generator.keras")
    with pytest.raises(ValueError, match="has sha256 .*save_preset"):
        keras_gans.from_preset(tmp_path / "p")


def test_custom_card(tmp_path):
    save_preset(build_generator(), tmp_path / "p", card="# Mine\n")
    assert (tmp_path / "p" / "README.md").read_text() == "# Mine\n"
