"""The DCGAN and ResNet builders with every GAN class, the toolkit, `.keras` saving and presets.

One train step each (tiny widths, batch 4), on the suite's backend. The
pairs alternate between classes so that every class and both builder
families (conditional or not, spectral norm or not) are seen once. On
TensorFlow only the first case and the folder run are traced
(`tf.function`): tracing a ResNet pair costs tens of seconds on 2 cores,
and the other cases test the builders, not the compiler. On JAX eager
ops are the slow path (each op compiled alone), so every case is jitted.
"""

import keras
import numpy as np
import pytest
from PIL import Image

import keras_gans
from keras_gans import architectures, recipes
from tests.helpers import max_abs_diff, snapshot

BATCH = 4
# The fast path for a single step (see the module docstring); torch is eager either way.
TRACING_IS_THE_COST = keras.backend.backend() == "tensorflow"


def _pair(family, size, num_classes, normalization):
    if family == "dcgan":
        G = architectures.dcgan_generator(8, (size, size, 3), num_classes=num_classes, base_filters=2, seed=0)
        D = architectures.dcgan_discriminator(
            (size, size, 3), num_classes=num_classes, base_filters=2, normalization=normalization, seed=1
        )
    else:
        G = architectures.resnet_generator(8, (size, size, 3), num_classes=num_classes, base_filters=2, seed=0)
        D = architectures.resnet_discriminator(
            (size, size, 3), num_classes=num_classes, base_filters=2, normalization=normalization, seed=1
        )
    return G, D


# (class, family, size, conditional, D normalization, toolkit options, compiled)
CASES = [
    (keras_gans.NonSaturatingGAN, "resnet", 32, True, "spectral",
     {"ema_decay": 0.9, "augmentation": keras_gans.augment.DiffAugment("color,translation")}, True),
    (keras_gans.HingeGAN, "resnet", 32, False, "spectral", {"r1_penalty_weight": 1.0}, False),
    (keras_gans.WGANGP, "resnet", 32, True, None, {"critic_steps": 2, "ema_decay": 0.9}, False),
    (keras_gans.MinimaxGAN, "dcgan", 64, True, "batch", {"label_smoothing": 0.1}, False),
    (keras_gans.LeastSquaresGAN, "dcgan", 16, False, "spectral", {"ema_decay": 0.9}, False),
]


@pytest.mark.parametrize("cls, family, size, conditional, normalization, options, compiled", CASES,
                         ids=[f"{c[0].__name__}-{c[1]}{c[2]}" for c in CASES])
def test_one_step_save_load_and_preset(cls, family, size, conditional, normalization, options, compiled, tmp_path):
    num_classes = 3 if conditional else None
    G, D = _pair(family, size, num_classes, normalization)
    gan = cls(G, D, latent_dim=8, num_classes=num_classes, seed=0, **options)
    gan.compile(run_eagerly=TRACING_IS_THE_COST and not compiled)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(BATCH, size, size, 3)).astype("float32")
    y = (np.arange(BATCH) % 3).astype("int32") if conditional else None
    before = snapshot(G.trainable_weights)
    history = gan.fit(x, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)
    assert int(gan.generator_optimizer.iterations) == 1
    assert int(gan.discriminator_optimizer.iterations) == gan.discriminator_steps
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert max_abs_diff(snapshot(G.trainable_weights), before) > 0

    labels = np.arange(3) if conditional else None
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is cls
    assert max_abs_diff(snapshot(loaded.weights), snapshot(gan.weights)) == 0.0
    np.testing.assert_array_equal(loaded.generate(3, seed=1, labels=labels), gan.generate(3, seed=1, labels=labels))
    d_inputs = x[:3] if not conditional else [x[:3], labels.astype("int32")]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.discriminator(d_inputs, training=False)),
        keras.ops.convert_to_numpy(gan.discriminator(d_inputs, training=False)),
    )

    config = keras_gans.save_preset(gan, tmp_path / "preset", description="A tiny test GAN.", dataset="none")
    assert config["num_classes"] == num_classes and config["image_shape"] == [size, size, 3]
    preset = keras_gans.from_preset(tmp_path / "preset")
    np.testing.assert_array_equal(preset.generate(3, seed=1, labels=labels), gan.generate(3, seed=1, labels=labels))


def test_bare_conditional_resnet_generator_preset_knows_its_classes(tmp_path):
    G = architectures.resnet_generator(8, (32, 32, 3), num_classes=5, base_filters=2, seed=0)
    config = keras_gans.save_preset(G, tmp_path / "bare")
    assert config["num_classes"] == 5  # from its ConditionalBatchNormalization layers
    images = keras_gans.from_preset(tmp_path / "bare").generate(2, labels=[0, 4])
    assert images.shape == (2, 32, 32, 3)


def test_one_step_at_64_from_a_folder_of_pngs(tmp_path):
    """A user's folder of color PNGs, 64x64, through the recipe the CLI builds (the DCGAN pair)."""
    rng = np.random.default_rng(0)
    for i in range(BATCH):
        pixels = rng.integers(0, 256, size=(70, 60, 3), dtype=np.uint8)  # resized to 64x64 on load
        Image.fromarray(pixels).save(tmp_path / f"{i}.png")
    recipe = recipes.default_recipe(
        f"folder:{tmp_path}", "HingeGAN", image_shape=(64, 64, 3), image_size=64
    )
    recipe["generator"]["kwargs"]["base_filters"] = 2
    recipe["discriminator"]["kwargs"]["base_filters"] = 2
    recipe["fit"].update(epochs=1, batch_size=BATCH)
    data = recipes.resolve_data(recipe)
    assert tuple(data.image_shape) == (64, 64, 3) and len(data.images) == BATCH
    gan = recipes.build_gan(recipe, data)
    assert gan.generator.name == "dcgan_generator"
    recipes.fit(gan, recipe, data, verbose=0)
    assert int(gan.generator_optimizer.iterations) == 1
    assert gan.generate(2).shape == (2, 64, 64, 3)
