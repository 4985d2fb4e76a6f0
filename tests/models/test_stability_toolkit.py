"""Closed-form checks of the stability toolkit on tiny linear nets with SGD.

G: z -> Dense(4) -> (2, 2, 1); D: (2, 2, 1) -> Flatten -> Dense(1). One
`fit` step on one batch; every check compares a run with a knob against the
same run without it, so only the knob's own term remains.
"""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans
from tests.helpers import max_abs_diff, snapshot

LATENT = 3
LR = 0.1
REAL = np.random.default_rng(0).uniform(-1, 1, (8, 2, 2, 1)).astype("float32")


def linear_gan(cls=keras_gans.NonSaturatingGAN, d_regularizer=None, g_regularizer=None, **kwargs):
    G = keras.Sequential(
        [keras.Input((LATENT,)),
         keras.layers.Dense(4, kernel_initializer=keras.initializers.RandomNormal(seed=1),
                            kernel_regularizer=g_regularizer),
         keras.layers.Reshape((2, 2, 1))]
    )
    D = keras.Sequential(
        [keras.Input((2, 2, 1)), keras.layers.Flatten(),
         keras.layers.Dense(1, kernel_initializer=keras.initializers.RandomNormal(seed=2),
                            kernel_regularizer=d_regularizer)]
    )
    gan = cls(G, D, latent_dim=LATENT, seed=0, **kwargs)
    gan.compile(generator_optimizer=keras.optimizers.SGD(LR), discriminator_optimizer=keras.optimizers.SGD(LR))
    return gan


def one_step(gan, x=REAL):
    history = gan.fit(x, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    return {k: v[-1] for k, v in history.history.items()}


def d_kernel(gan):
    return np.array(ops.convert_to_numpy(gan.discriminator.layers[-1].kernel.value))


def g_kernel(gan):
    return np.array(ops.convert_to_numpy(gan.generator.layers[0].kernel.value))


def test_discriminator_layer_regularizer_moves_its_kernel_by_its_gradient():
    l2 = 0.3
    plain, regularized = linear_gan(), linear_gan(d_regularizer=keras.regularizers.L2(l2))
    w0 = d_kernel(plain)
    one_step(plain)
    logs = one_step(regularized)
    np.testing.assert_allclose(d_kernel(regularized) - d_kernel(plain), -LR * 2 * l2 * w0, rtol=1e-4, atol=1e-7)
    # Counted once per step, although D runs on real and fake: d_loss grows by l2 * ||w||^2.
    assert logs["d_loss"] - one_step(linear_gan())["d_loss"] == pytest.approx(l2 * np.sum(w0**2), rel=1e-4)


def test_generator_layer_regularizer_moves_its_kernel_by_its_gradient():
    l2 = 0.3
    plain, regularized = linear_gan(), linear_gan(g_regularizer=keras.regularizers.L2(l2))
    w0 = g_kernel(plain)
    one_step(plain)
    one_step(regularized)
    np.testing.assert_allclose(g_kernel(regularized) - g_kernel(plain), -LR * 2 * l2 * w0, rtol=1e-4, atol=1e-7)
    # G's regularizer never reaches D.
    np.testing.assert_array_equal(d_kernel(regularized), d_kernel(plain))


def test_activity_regularizer_of_the_discriminator_counts_on_real_and_fake():
    class Activity(keras.layers.Layer):
        def call(self, x):
            self.add_loss(ops.mean(x))
            return x

    G = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(4), keras.layers.Reshape((2, 2, 1))])
    D = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(1), Activity()])
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=LATENT, seed=0)
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0), discriminator_optimizer=keras.optimizers.SGD(0.0))
    d_loss = one_step(gan)["d_loss"]
    logits_real = ops.convert_to_numpy(D(REAL))
    fake = gan._generate_for_discriminator(len(REAL), None, keras.random.SeedGenerator(0), True)
    logits_fake = ops.convert_to_numpy(D(fake))
    # The game's loss alone, then plus both calls' activity losses.
    game = float(ops.convert_to_numpy(keras_gans.losses.non_saturating_discriminator_loss(logits_real, logits_fake)))
    assert d_loss == pytest.approx(game + logits_real.mean() + logits_fake.mean(), rel=1e-4)


def test_label_smoothing_shifts_d_loss_by_s_times_mean_real_logit():
    s = 0.2
    plain, smoothed = linear_gan(), linear_gan(label_smoothing=s)
    real_logits = np.array(ops.convert_to_numpy(plain.discriminator(REAL)))
    shift = one_step(smoothed)["d_loss"] - one_step(plain)["d_loss"]
    assert shift == pytest.approx(s * real_logits.mean(), rel=1e-4, abs=1e-6)
    assert smoothed.get_config()["label_smoothing"] == s


@pytest.mark.parametrize("cls", [keras_gans.NonSaturatingGAN, keras_gans.HingeGAN, keras_gans.LeastSquaresGAN])
def test_r1_of_a_linear_discriminator_is_its_squared_kernel_norm(cls):
    gamma = 0.7
    plain, penalized = linear_gan(cls), linear_gan(cls, r1_penalty_weight=gamma)
    w0 = d_kernel(plain)
    one_step(plain)
    logs = one_step(penalized)
    # grad_x D(x) = w for every x: the logged penalty is ||w||^2 ...
    assert logs["r1_penalty"] == pytest.approx(np.sum(w0**2), rel=1e-5)
    # ... and its gradient gamma/2 * 2w moves the kernel by -lr * gamma * w.
    np.testing.assert_allclose(d_kernel(penalized) - d_kernel(plain), -LR * gamma * w0, rtol=1e-4, atol=1e-7)


def test_lazy_r1_applies_every_kth_step_scaled_by_k():
    gamma, k = 0.7, 2
    plain = linear_gan(discriminator_steps=2)
    lazy = linear_gan(discriminator_steps=2, r1_penalty_weight=gamma, r1_interval=k)
    w0 = d_kernel(plain)
    # Run only the first D step of each: it is step 0, so R1 applies, times k.
    real = ops.convert_to_tensor(REAL)
    plain._discriminator_step(real, None)
    lazy._discriminator_step(real, None)
    np.testing.assert_allclose(d_kernel(lazy) - d_kernel(plain), -LR * gamma * k * w0, rtol=1e-4, atol=1e-7)
    # Step 1 is skipped: both kernels move by (nearly) the same game gradient;
    # had R1 applied, the gap would have grown by about `before` again.
    before = d_kernel(lazy) - d_kernel(plain)
    plain._discriminator_step(real, None)
    lazy._discriminator_step(real, None)
    assert int(lazy.discriminator_optimizer.iterations) == 2
    growth = d_kernel(lazy) - d_kernel(plain) - before
    assert np.abs(growth).max() < 0.05 * np.abs(before).max()


def test_gradient_penalty_and_r1_combine_and_log_separately():
    gan = linear_gan(gradient_penalty_weight=1.0, r1_penalty_weight=1.0)
    logs = one_step(gan)
    assert {"gradient_penalty", "r1_penalty"} <= set(logs)
    w0 = d_kernel(linear_gan())
    # A linear critic's input gradient is w everywhere.
    assert logs["gradient_penalty"] == pytest.approx((np.sqrt(np.sum(w0**2)) - 1) ** 2, rel=1e-4)


def test_augmentation_reaches_real_and_fake_in_both_steps():
    # Blanked images: D sees zeros, so with a zero bias every logit is 0,
    # d_loss = 2 log 2, and no weight receives a gradient.
    gan = linear_gan(augmentation=lambda images: images * 0.0)
    g0, d0 = snapshot(gan.generator.weights), snapshot(gan.discriminator.weights)
    logs = one_step(gan)
    assert logs["d_loss"] == pytest.approx(2 * np.log(2), rel=1e-6)
    assert logs["g_loss"] == pytest.approx(np.log(2), rel=1e-6)
    assert max_abs_diff(d0, snapshot(gan.discriminator.weights)) == 0.0
    assert max_abs_diff(g0, snapshot(gan.generator.weights)) == 0.0
    assert int(gan.generator_optimizer.iterations) == 1


def test_diffaugment_changes_training_and_is_reproducible():
    x = np.random.default_rng(3).uniform(-1, 1, (16, 2, 2, 1)).astype("float32")
    runs = [linear_gan(augmentation=keras_gans.augment.DiffAugment("color")) for _ in range(2)]
    for gan in runs:
        gan.fit(x, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert max_abs_diff(snapshot(runs[0].weights), snapshot(runs[1].weights)) == 0.0
    plain = linear_gan()
    plain.fit(x, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert max_abs_diff(snapshot(plain.discriminator.weights), snapshot(runs[0].discriminator.weights)) > 1e-4


class RecordGenerator(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = [snapshot(self.model.generator.weights)]

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(snapshot(self.model.generator.weights))


def test_ema_generator_follows_the_recurrence_and_survives_saving(tmp_path):
    decay = 0.6
    x = np.random.default_rng(4).uniform(-1, 1, (24, 2, 2, 1)).astype("float32")
    gan = linear_gan(ema_decay=decay)
    record = RecordGenerator()
    gan.fit(x, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=[record])
    assert len(record.weights) == 7
    expected = record.weights[0]
    for weights in record.weights[1:]:
        expected = [decay * e + (1 - decay) * w for e, w in zip(expected, weights)]
    ema = snapshot(gan.ema_generator.weights)
    assert max_abs_diff(ema, expected) < 1e-5
    assert max_abs_diff(ema, snapshot(gan.generator.weights)) > 1e-4  # a real average, not a copy
    # The EMA is never trained and never written back into G.
    assert not gan.ema_generator.trainable_weights
    assert len(gan.trainable_variables) == len(gan.generator.trainable_variables) + len(
        gan.discriminator.trainable_variables
    )
    path = tmp_path / "gan.keras"
    gan.save(path)
    restored = keras.saving.load_model(path)
    assert max_abs_diff(snapshot(restored.ema_generator.weights), ema) == 0.0
    assert restored.ema_decay == decay
    np.testing.assert_array_equal(restored.generate(4, seed=1), gan.generate(4, seed=1))
    assert not np.array_equal(gan.generate(4, seed=1), gan.generate(4, seed=1, use_ema=False))


def test_ema_copies_batchnorm_statistics():
    from tests.helpers import make_dcgan

    gan = make_dcgan("nonsaturating")
    gan = type(gan)(gan.generator, gan.discriminator, latent_dim=gan.latent_dim, seed=0, ema_decay=0.9)
    gan.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    gan.fit(x, epochs=1, batch_size=8, shuffle=False, verbose=0)
    stats = [w for w in gan.generator.weights if not w.trainable]
    ema_stats = [w for w in gan.ema_generator.weights if "moving" in w.path]
    assert stats and len(stats) == len(ema_stats)
    assert max_abs_diff(snapshot(stats), snapshot(ema_stats)) == 0.0


def test_ema_warm_up_copies_the_generator_until_ema_start_step_then_averages():
    decay, start = 0.6, 3
    x = np.random.default_rng(4).uniform(-1, 1, (24, 2, 2, 1)).astype("float32")
    gan = linear_gan(ema_decay=decay, ema_start_step=start)
    record = RecordGenerator()
    gan.fit(x, epochs=2, batch_size=8, shuffle=False, verbose=0, callbacks=[record])
    # d_t = 0 for updates t <= start: the EMA is G's weights after update `start`.
    expected = record.weights[start]
    for weights in record.weights[start + 1 :]:
        expected = [decay * e + (1 - decay) * w for e, w in zip(expected, weights)]
    ema = snapshot(gan.ema_generator.weights)
    assert max_abs_diff(ema, expected) < 1e-5
    assert max_abs_diff(ema, snapshot(gan.generator.weights)) > 1e-4
    assert type(gan).from_config(gan.get_config()).ema_start_step == start


def test_ema_warm_up_tracks_exactly_before_its_start():
    gan = linear_gan(ema_decay=0.99, ema_start_step=10)
    one_step(gan)
    assert max_abs_diff(snapshot(gan.ema_generator.weights), snapshot(gan.generator.weights)) == 0.0


@pytest.mark.parametrize("value, message", [(-1, "integer >= 0"), (2.5, "integer >= 0"), (True, "integer >= 0")])
def test_bad_ema_start_step_is_refused(value, message):
    with pytest.raises(ValueError, match=message):
        linear_gan(ema_decay=0.9, ema_start_step=value)
    with pytest.raises(ValueError, match="needs `ema_decay`"):
        linear_gan(ema_start_step=5)
