"""Spectral normalization in the DCGAN discriminator, through the GAN's stateless steps, on each backend.

The GAN runs D with `stateless_call`: trainable assignments are dropped and
non-trainable ones come back as new state. So the power-iteration vector `u`
moves in D steps (kept) and not in G steps (discarded), the stored kernel
stays the raw W, and every forward pass uses W / sigma(W).
"""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans
from keras_gans.architectures import SpectralNormalization, dcgan_discriminator
from tests.helpers import LATENT_DIM, make_dcgan, max_abs_diff, snapshot


def spectral_layers(model):
    return [layer for layer in model.layers if isinstance(layer, SpectralNormalization)]


def vectors_u(model):
    return [np.array(ops.convert_to_numpy(layer.vector_u.value)) for layer in spectral_layers(model)]


def raw_kernels(model):
    return [np.array(ops.convert_to_numpy(layer.kernel.value)) for layer in spectral_layers(model)]


def power_iteration(u, kernel):
    """One round of the paper's power iteration on the kernel reshaped to (-1, units)."""
    w = kernel.reshape(-1, kernel.shape[-1]).astype("float64")
    v = u @ w.T
    v /= np.linalg.norm(v)
    u = v @ w
    return u / np.linalg.norm(u)


def top_singular_value(kernel):
    kernel = np.asarray(kernel, dtype="float64")
    return float(np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0])


def real_batch(n=8, seed=0):
    images = np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    return ops.convert_to_tensor(images)


def spectral_gan(kind="nonsaturating", learning_rate=0.01):
    gan = make_dcgan(kind, normalization="spectral")
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(learning_rate),
        discriminator_optimizer=keras.optimizers.SGD(learning_rate),
    )
    return gan


def test_builder_wraps_every_conv_and_dense_layer_and_adds_no_batchnorm():
    D = dcgan_discriminator((28, 28, 1), num_classes=10, base_filters=4, normalization="spectral")
    wrapped = {layer.name: type(layer.layer).__name__ for layer in spectral_layers(D)}
    assert wrapped == {"label_map": "Dense", "downsample_0": "Conv2D", "downsample_1": "Conv2D", "logit": "Dense"}
    assert all(isinstance(layer, keras.layers.SpectralNormalization) for layer in spectral_layers(D))
    kinds = {type(layer).__name__ for layer in D.layers}
    assert not kinds & {"BatchNormalization", "LayerNormalization", "Conv2D", "Dense"}
    assert [v.path.split("/")[-1] for v in D.non_trainable_variables] == ["vector_u"] * 4
    # The other normalizations are unchanged.
    for normalization, norm_layer in [("batch", "BatchNormalization"), ("layer", "LayerNormalization"), (None, "Identity")]:
        D = dcgan_discriminator((28, 28, 1), base_filters=4, normalization=normalization)
        assert not spectral_layers(D)
        assert type(D.get_layer("downsample_1_norm")).__name__ == norm_layer
    with pytest.raises(ValueError, match="'batch', 'layer', 'spectral' or None.*received|Unknown `normalization`='sn'"):
        dcgan_discriminator((28, 28, 1), normalization="sn")


def test_u_moves_in_discriminator_steps_and_not_in_generator_steps():
    gan = spectral_gan()
    D = gan.discriminator
    u0, w0 = vectors_u(D), raw_kernels(D)
    d_before = snapshot(D.weights)
    gan._generator_step(8, None)
    # The G step runs D in training mode (W / sigma) but discards its u updates.
    assert max_abs_diff(d_before, snapshot(D.weights)) == 0.0
    assert int(gan.generator_optimizer.iterations) == 1

    gan._discriminator_step(real_batch(), None)
    u1 = vectors_u(D)
    assert all(np.any(a != b) for a, b in zip(u0, u1))
    # The kept u is the paper's power iteration on the kernel the step started
    # from, once per D forward pass in the step (real, fake, ...).
    for before, after, kernel in zip(u0, u1, w0):
        iterates, u = [], before[0].astype("float64")
        for _ in range(3):
            u = power_iteration(u, kernel)
            iterates.append(u)
        assert min(np.max(np.abs(after[0] - it)) for it in iterates) < 1e-4

    u_after_d = vectors_u(D)
    gan._generator_step(8, None)
    assert max_abs_diff(u_after_d, vectors_u(D)) == 0.0


def test_the_stored_kernel_stays_raw_and_the_step_differentiates_w_over_sigma():
    # Keras's layer assigns W / sigma to the kernel in training mode; under
    # stateless_call that assignment is dropped, and our layer never makes it.
    gan = spectral_gan(learning_rate=1e-7)
    D = gan.discriminator
    w0 = raw_kernels(D)
    assert all(abs(top_singular_value(w) - 1.0) > 0.05 for w in w0)  # raw W is not normalized
    gan._discriminator_step(real_batch(), None)
    # A tiny SGD step moved W a tiny bit: W was not replaced by W / sigma.
    assert max_abs_diff(w0, raw_kernels(D)) < 1e-5
    assert max_abs_diff(w0, raw_kernels(D)) > 0.0


def test_inference_mode_uses_w_over_sigma_and_does_not_move_u():
    gan = spectral_gan()
    D = gan.discriminator
    for _ in range(3):
        gan._discriminator_step(real_batch(), None)
    x = real_batch(4, seed=1)
    u = vectors_u(D)
    inference = ops.convert_to_numpy(D(x, training=False))
    assert max_abs_diff(u, vectors_u(D)) == 0.0
    trainable = [v.value for v in D.trainable_variables]
    training, _ = D.stateless_call(trainable, [v.value for v in D.non_trainable_variables], x, training=True)
    # Same function in both modes (same stored u; D has no BatchNorm/dropout).
    np.testing.assert_allclose(inference, ops.convert_to_numpy(training), rtol=1e-5, atol=1e-6)
    # W / sigma(W) does not change when W is scaled: neither does the output,
    # which with the raw kernels (the Keras layer's inference mode here) would
    # scale too.
    for layer in spectral_layers(D):
        layer.kernel.assign(3.0 * layer.kernel.value)
    np.testing.assert_allclose(ops.convert_to_numpy(D(x, training=False)), inference, rtol=1e-4, atol=1e-5)


def test_effective_kernels_have_largest_singular_value_one_after_power_iterations():
    # Seeded: `u` starts random, and 30 iterations from an unlucky start left
    # sigma 0.8% low once (the error shrinks by (s2/s1)^2 per iteration).
    keras.utils.set_random_seed(0)
    gan = spectral_gan()
    D = gan.discriminator
    x = real_batch(2)
    for _ in range(100):  # training-mode calls: one power iteration each, kept
        D(x, training=True)
    for layer in spectral_layers(D):
        effective = ops.convert_to_numpy(layer.effective_kernel())
        raw = ops.convert_to_numpy(layer.kernel.value)
        assert top_singular_value(effective) == pytest.approx(1.0, abs=2e-3)
        assert top_singular_value(raw) != pytest.approx(1.0, abs=0.05)


def test_fit_and_evaluate_with_a_spectral_discriminator():
    gan = spectral_gan(learning_rate=0.01)
    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    u0 = vectors_u(gan.discriminator)
    history = gan.fit(x, epochs=1, batch_size=8, verbose=0, shuffle=False)
    assert np.all(np.isfinite(history.history["d_loss"]))
    u1 = vectors_u(gan.discriminator)
    assert all(np.any(a != b) for a, b in zip(u0, u1))
    gan.evaluate(x, batch_size=8, verbose=0)  # test_step: inference mode
    assert max_abs_diff(u1, vectors_u(gan.discriminator)) == 0.0


def test_wgan_gp_critic_step_with_spectral_normalization():
    # The gradient penalty's double backward runs through W / sigma.
    gan = spectral_gan("wgan_gp")
    u0 = vectors_u(gan.discriminator)
    loss, terms = gan._discriminator_step(real_batch(), None)
    assert np.isfinite(float(ops.convert_to_numpy(loss)))
    penalty, _ = terms["gradient_penalty"]  # (value, weight in the log)
    assert np.isfinite(float(ops.convert_to_numpy(penalty)))
    assert all(np.any(a != b) for a, b in zip(u0, vectors_u(gan.discriminator)))


def test_saving_and_config_round_trip(tmp_path):
    D = dcgan_discriminator((28, 28, 1), num_classes=10, base_filters=4, normalization="spectral", seed=3)
    images, labels = real_batch(4), ops.convert_to_tensor(np.arange(4, dtype="int32"))
    for _ in range(3):
        D([images, labels], training=True)  # move u away from its initial value
    expected = ops.convert_to_numpy(D([images, labels], training=False))
    path = tmp_path / "d.keras"
    D.save(path)
    loaded = keras.saving.load_model(path)
    assert [type(layer) for layer in spectral_layers(loaded)] == [SpectralNormalization] * 4
    assert max_abs_diff(snapshot(D.weights), snapshot(loaded.weights)) == 0.0
    np.testing.assert_allclose(ops.convert_to_numpy(loaded([images, labels])), expected, rtol=1e-6, atol=1e-6)
    rebuilt = keras.Model.from_config(D.get_config())
    assert rebuilt.get_config() == D.get_config()
    layer = SpectralNormalization(keras.layers.Dense(3), power_iterations=2)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is SpectralNormalization and restored.power_iterations == 2


def test_a_gan_with_a_spectral_discriminator_saves_and_loads(tmp_path):
    gan = spectral_gan()
    gan._discriminator_step(real_batch(), None)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert max_abs_diff(vectors_u(gan.discriminator), vectors_u(loaded.discriminator)) == 0.0
    assert loaded.latent_dim == LATENT_DIM and isinstance(loaded, keras_gans.NonSaturatingGAN)


def test_docstring_examples():
    import doctest
    import importlib

    for name in ("keras_gans.architectures.spectral_normalization", "keras_gans.architectures.dcgan"):
        module = importlib.import_module(name)
        result = doctest.testmod(module, extraglobs={"np": np, "ops": ops, "keras": keras})
        assert result.attempted > 0 and result.failed == 0
