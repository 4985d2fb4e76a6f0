"""What `fit` must do on every backend: counters, optimizer state, who updates what."""

import keras
import numpy as np
import pytest

from tests.helpers import digits, fit_kwargs, make_dcgan, make_gan, max_abs_diff, snapshot

KINDS = ["minimax", "nonsaturating", "wgan_gp"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("conditional", [False, True])
def test_fit_advances_both_optimizers_and_logs_losses(kind, conditional):
    x, y = digits(96)
    gan = make_gan(kind, conditional=conditional)
    gan.compile()
    history = gan.fit(x, y if conditional else None, **fit_kwargs(epochs=2))
    steps = 2 * 3  # 2 epochs of 96 / 32 batches
    critic_steps = gan.critic_steps if kind == "wgan_gp" else 1
    assert int(gan.generator_optimizer.iterations) == steps
    assert int(gan.discriminator_optimizer.iterations) == steps * critic_steps
    expected_logs = {"d_loss", "g_loss", "loss"} | ({"gradient_penalty"} if kind == "wgan_gp" else set())
    assert set(history.history) == expected_logs
    for name in expected_logs:
        assert len(history.history[name]) == 2 and np.all(np.isfinite(history.history[name]))
    np.testing.assert_allclose(
        history.history["loss"], np.add(history.history["d_loss"], history.history["g_loss"]), rtol=1e-5
    )


def test_adam_moments_advance_for_both_players():
    # On JAX the keras.io pattern leaves optimizer state frozen; ours must not.
    x, _ = digits(64)
    gan = make_gan("nonsaturating")
    gan.compile()
    before_g = snapshot(gan.generator_optimizer.variables)
    before_d = snapshot(gan.discriminator_optimizer.variables)
    gan.fit(x, **fit_kwargs())
    after_g = snapshot(gan.generator_optimizer.variables)
    after_d = snapshot(gan.discriminator_optimizer.variables)
    # Every moment variable (all but the iteration counter / learning rate) moved.
    moved_g = [np.any(a != b) for a, b in zip(before_g, after_g)]
    moved_d = [np.any(a != b) for a, b in zip(before_d, after_d)]
    assert sum(moved_g) >= 2 * len(gan.generator.trainable_variables)
    assert sum(moved_d) >= 2 * len(gan.discriminator.trainable_variables)


@pytest.mark.parametrize("kind", ["nonsaturating", "wgan_gp"])
def test_discriminator_step_changes_only_the_discriminator(kind):
    gan = make_dcgan(kind, normalization="batch" if kind != "wgan_gp" else "layer")
    gan.compile()
    real = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    g_before, d_before = snapshot(gan.generator.weights), snapshot(gan.discriminator.weights)
    gan._discriminator_step(keras.ops.convert_to_tensor(real), None)
    assert max_abs_diff(g_before, snapshot(gan.generator.weights)) == 0.0  # BN stats included
    d_after = snapshot(gan.discriminator.weights)
    assert all(np.any(a != b) for a, b in zip(d_before, d_after) if a.size > 1)
    assert int(gan.generator_optimizer.iterations) == 0
    assert int(gan.discriminator_optimizer.iterations) == 1


def test_generator_step_changes_only_the_generator():
    gan = make_dcgan("nonsaturating")
    gan.compile()
    g_before, d_before = snapshot(gan.generator.weights), snapshot(gan.discriminator.weights)
    gan._generator_step(8, None)
    assert max_abs_diff(d_before, snapshot(gan.discriminator.weights)) == 0.0  # BN stats included
    g_after = snapshot(gan.generator.weights)
    # Kernels and BatchNorm moving statistics of the generator all changed.
    assert all(np.any(a != b) for a, b in zip(g_before, g_after) if a.size > 1)
    assert int(gan.generator_optimizer.iterations) == 1
    assert int(gan.discriminator_optimizer.iterations) == 0


def test_same_seed_gives_same_weights_and_different_seed_differs():
    x, _ = digits(64)

    def train(seed):
        gan = make_gan("nonsaturating", seed=seed)
        gan.compile()
        gan.fit(x, **fit_kwargs(epochs=2))
        return snapshot(gan.weights)

    first, again, other_seed = train(3), train(3), train(4)
    assert max_abs_diff(first, again) == 0.0
    assert max_abs_diff(first, other_seed) > 0.0


def test_validation_data_and_evaluate_change_no_weights():
    x, _ = digits(64)
    x_val, _ = digits(32, split="test")
    gan = make_gan("wgan_gp")
    gan.compile()
    history = gan.fit(x, validation_data=(x_val,), **fit_kwargs())
    assert {"val_d_loss", "val_g_loss", "val_gradient_penalty", "val_loss"} <= set(history.history)
    before = snapshot(gan.weights) + snapshot(gan.optimizer.variables)
    results = gan.evaluate(x_val, batch_size=16, verbose=0, return_dict=True)
    after = snapshot(gan.weights) + snapshot(gan.optimizer.variables)
    assert set(results) == {"d_loss", "g_loss", "gradient_penalty", "loss"}
    assert all(np.isfinite(v) for v in results.values())
    # Only the evaluation seed's state may move; model weights and optimizers may not.
    trainable = len(gan.trainable_weights)
    assert max_abs_diff(before[:trainable], after[:trainable]) == 0.0
    assert max_abs_diff(before[len(gan.weights):], after[len(gan.weights):]) == 0.0


def test_conditional_generate_follows_labels_and_requires_them():
    gan = make_gan("nonsaturating", conditional=True)
    images = gan.generate(4, seed=0, labels=[0, 1, 2, 3])
    assert images.shape == (4, 8, 8, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    with pytest.raises(ValueError, match="conditional model"):
        gan.generate(4, seed=0)
    with pytest.raises(ValueError, match=r"\[0, 9\]"):
        gan.generate(2, seed=0, labels=[3, 10])


def test_generate_is_deterministic_for_a_seed():
    gan = make_gan("nonsaturating")
    np.testing.assert_array_equal(gan.generate(5, seed=7), gan.generate(5, seed=7))
    assert np.any(gan.generate(5, seed=7) != gan.generate(5, seed=8))
