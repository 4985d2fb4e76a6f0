"""Top-k generator updates (keras_gans/top_k.py), closed forms on the suite's backend."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans
from keras_gans.backend import gradients
from tests.helpers import max_abs_diff, snapshot
from tests.models.gan_contract import public_gan_classes
from tests.models.test_stability_toolkit import LATENT, LR, REAL, linear_gan


def test_top_k_mask_keeps_the_k_highest_scores():
    scores = ops.convert_to_tensor(np.array([0.1, 3.0, -1.0, 2.0, 0.5], "float32"))
    assert ops.convert_to_numpy(keras_gans.top_k.top_k_mask(scores, 3)).tolist() == [0.0, 1.0, 0.0, 1.0, 1.0]
    k = ops.convert_to_tensor(np.float32(1.0))
    assert ops.convert_to_numpy(keras_gans.top_k.top_k_mask(scores, k)).tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("cls", public_gan_classes(), ids=lambda c: c.__name__)
def test_generator_loss_is_the_games_loss_over_the_k_highest_scored_fakes(cls):
    kwargs = {"critic_steps": 1} if cls is keras_gans.WGANGP else {}
    gan = linear_gan(cls, top_k=keras_gans.TopK(), **kwargs)
    gan.top_k_fraction.assign(0.6)  # batch 8: k = ceil(4.8) = 5
    latents = np.random.default_rng(1).normal(size=(8, LATENT)).astype("float32")
    loss_fn = gan._generator_loss_fn(ops.convert_to_tensor(latents), None, training=False)
    with gradients.no_gradient_recording():
        loss, _ = loss_fn([v.value for v in gan.generator.trainable_variables])
    logits = ops.convert_to_numpy(gan.discriminator(gan.generator(latents))).reshape(-1)
    top5 = np.sort(logits)[::-1][:5].reshape(-1, 1)
    expected = ops.convert_to_numpy(gan.game.generator_loss(ops.convert_to_tensor(top5)))
    assert float(loss) == pytest.approx(float(expected), rel=1e-5, abs=1e-6)
    assert float(loss) != pytest.approx(float(ops.convert_to_numpy(gan.game.generator_loss(logits.reshape(-1, 1)))))


class StaticTopFive(keras_gans.NonSaturatingGAN):
    """The reference: non-saturating loss over `ops.top_k` with a static k = 5."""

    def generator_loss(self, fake_logits):
        top, _ = ops.top_k(ops.reshape(fake_logits, (-1,)), 5)
        return ops.mean(ops.softplus(-top))


def test_a_compiled_top_k_step_trains_as_a_static_top_k_loss():
    jit = keras.backend.backend() != "torch"  # torch.compile is not the default path
    gan = linear_gan(top_k=keras_gans.TopK(decay=0.6, min_fraction=0.6))
    gan.compile(generator_optimizer=keras.optimizers.SGD(LR), discriminator_optimizer=keras.optimizers.SGD(LR),
                jit_compile=jit)
    gan.top_k_fraction.assign(0.6)
    reference = linear_gan(StaticTopFive)
    reference.compile(generator_optimizer=keras.optimizers.SGD(LR), discriminator_optimizer=keras.optimizers.SGD(LR),
                      jit_compile=jit)
    for model in (gan, reference):
        model.fit(REAL, epochs=1, batch_size=8, shuffle=False, verbose=0)
    assert max_abs_diff(snapshot(gan.generator.weights), snapshot(reference.generator.weights)) < 1e-6
    assert max_abs_diff(snapshot(gan.generator.weights), snapshot(linear_gan().generator.weights)) > 1e-4


def test_k_decays_per_epoch_to_its_floor_and_is_saved(tmp_path):
    top_k = keras_gans.TopK(decay=0.5, min_fraction=0.3)
    gan = linear_gan(top_k=top_k)
    fractions = []

    class Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            fractions.append(float(ops.convert_to_numpy(self.model.top_k_fraction.value)))

    gan.fit(REAL, epochs=3, batch_size=4, shuffle=False, verbose=0, callbacks=[Record()])
    assert fractions == pytest.approx([1.0, 0.5, 0.3])
    final = float(ops.convert_to_numpy(gan.top_k_fraction.value))
    assert final == pytest.approx(0.3) and final == top_k.fraction_after(3)
    assert float(ops.convert_to_numpy(top_k.count(final, 64))) == 20.0  # ceil(0.3 * 64)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    assert float(ops.convert_to_numpy(loaded.top_k_fraction.value)) == final
    assert loaded.top_k.get_config() == top_k.get_config()


@pytest.mark.parametrize(
    "kwargs, message",
    [({"decay": 0.0}, "`decay` must lie in"), ({"decay": 1.5}, "`decay` must lie in"),
     ({"min_fraction": 0.0}, "`min_fraction` must lie in"), ({"min_fraction": "half"}, "finite number")],
)
def test_bad_top_k_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras_gans.TopK(**kwargs)


def test_top_k_needs_a_game():
    G = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(4), keras.layers.Reshape((2, 2, 1))])
    D = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="`top_k` needs a game"):
        keras_gans.GAN(G, D, latent_dim=LATENT, top_k=True)
