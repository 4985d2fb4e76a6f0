"""One contract every GAN class must meet, run on the suite's backend.

As keras-hub's `run_layer_test(cls, init_kwargs)`: `run_gan_contract(cls,
init_kwargs)` fits a tiny GAN of class `cls`, then checks the counters, the
logs, the config round trip and a `.keras` save -> load -> resume that
continues exactly. The classes come from `keras_gans.models.__all__`, not a
hand-kept list.
"""

import inspect

import keras
import numpy as np

import keras_gans
from tests.helpers import LATENT_DIM, digits, max_abs_diff, snapshot


def public_gan_classes():
    """Every exported GAN class that plays a fixed game (all but the base)."""
    classes = [getattr(keras_gans.models, name) for name in keras_gans.models.__all__]
    return [c for c in classes if inspect.isclass(c) and issubclass(c, keras_gans.GAN) and c.default_game]


def tiny_players(conditional=False, seed=0):
    num_classes = 10 if conditional else None
    G = keras_gans.architectures.mlp_generator(LATENT_DIM, num_classes=num_classes, hidden_units=(16,), seed=seed)
    D = keras_gans.architectures.mlp_discriminator(num_classes=num_classes, hidden_units=(16,), seed=seed + 1)
    return G, D, num_classes


def run_gan_contract(cls, init_kwargs, tmp_path, conditional=False):
    x, y = digits(64)
    y = y if conditional else None
    G, D, num_classes = tiny_players(conditional)
    gan = cls(G, D, latent_dim=LATENT_DIM, num_classes=num_classes, seed=0, **init_kwargs)
    gan.compile()
    history = gan.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)

    steps = 4
    assert int(gan.generator_optimizer.iterations) == steps
    assert int(gan.discriminator_optimizer.iterations) == steps * gan.discriminator_steps
    expected_logs = {"d_loss", "g_loss", "loss"} | {r.name for r in gan.discriminator_regularizers}
    assert set(history.history) == expected_logs
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    if init_kwargs.get("ema_decay") is not None:
        assert max_abs_diff(snapshot(gan.ema_generator.weights), snapshot(gan.generator.weights)) > 0

    # Config round trip: same class, same config.
    clone = cls.from_config(gan.get_config())
    assert type(clone) is cls and clone.get_config().keys() == gan.get_config().keys()
    for key in ("label_smoothing", "gradient_penalty_weight", "r1_penalty_weight", "r1_interval", "ema_decay"):
        assert clone.get_config()[key] == gan.get_config()[key]

    # Save, load, and one more epoch on both: identical weights.
    path = tmp_path / f"{cls.__name__}.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is cls
    assert max_abs_diff(snapshot(loaded.weights), snapshot(gan.weights)) == 0.0
    for model in (gan, loaded):
        model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert max_abs_diff(snapshot(loaded.weights), snapshot(gan.weights)) < 1e-6
    assert int(loaded.generator_optimizer.iterations) == 2 * steps
    labels = np.arange(4) % 10 if conditional else None
    np.testing.assert_allclose(loaded.generate(4, seed=3, labels=labels), gan.generate(4, seed=3, labels=labels), atol=1e-6)
    return gan
