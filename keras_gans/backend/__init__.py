"""The only backend-specific code in keras-gans.

One module per Keras backend, `keras_gans/backend/{jax,torch,tensorflow}.py`,
each a subclass of the small interface in `keras_gans/backend/base.py`
(`GradientBackend`), as Keras keeps `keras/src/backend/<name>/trainer.py`.
The module for `keras.backend.backend()` is imported once, here; nothing
else in the package imports a framework or branches on the backend.

- `keras_gans.backend.gradients`: the gradient, replica and step operations
  the GAN train step calls.
- `recommended_compile_settings(gan)`: the `GAN.compile` keyword arguments
  that make `fit` fastest on this backend and device;
  `recipe_compile_settings(gan, settings)`: a recipe's settings as this
  backend runs them; `check_compile_settings(gan, jit_compile)`: the
  warning `GAN.compile` gives for a setting measured slow here.
- `tensorflow_logs`: TensorFlow's C++ import-time log lines kept off stderr
  (installed here, before Keras imports TensorFlow; `KERAS_GANS_TF_LOGS=1`
  shows them).
"""

import importlib

from keras_gans.backend import tensorflow_logs

tensorflow_logs.install()

import keras  # noqa: E402  (after install(): Keras may import TensorFlow)

BACKEND = keras.backend.backend()

_MODULES = {"jax": "JaxBackend", "tensorflow": "TensorFlowBackend", "torch": "TorchBackend"}

if BACKEND not in _MODULES:  # pragma: no cover - numpy/openvino backends cannot train
    raise ImportError(
        f"keras-gans trains on the tensorflow, torch and jax backends; "
        f"KERAS_BACKEND={BACKEND!r} cannot compute gradients."
    )

_ACTIVE = getattr(importlib.import_module(f"keras_gans.backend.{BACKEND}"), _MODULES[BACKEND])()


def active_backend():
    """The `GradientBackend` of the Keras backend in use (chosen at import)."""
    return _ACTIVE


def recommended_compile_settings(gan):
    """`GAN.compile` keyword arguments that make `fit` fastest here.

    The settings never change what is trained: with them, `fit` gives the
    same weights, optimizer states and logs as with the defaults (to float
    tolerance), and callbacks still see every epoch.

    - JAX and TensorFlow: `steps_per_execution=8`: `fit` dispatches 8 steps
      at a time and runs its per-batch callbacks and log update once per
      dispatch (batch-level callbacks are called once per 8 steps, with the
      index of the last step).
    - PyTorch: the defaults. `jit_compile=True` crashed in our step on an
      H200 (2026-11-30), cannot do the double backward of GP/R1, and on CPU
      compiled for minutes and ran slower.

    Args:
        gan: a `keras_gans.GAN` (not yet compiled, or to be recompiled).

    Returns:
        dict of keyword arguments for `gan.compile(...)`.

    Example:

    ```python
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64)
    gan.compile(**keras_gans.backend.recommended_compile_settings(gan))
    gan.fit(images, epochs=3)
    ```
    """
    return dict(_ACTIVE.recommended_compile_settings(gan))


def recipe_compile_settings(gan, settings):
    """A recipe's `compile` section (over the recommended settings) as this backend runs it.

    Recipes are shared by every backend; a speed setting another backend
    needs is dropped here, never the weights trained: on PyTorch,
    `jit_compile: true, steps_per_execution: 8` (XLA, TensorFlow's fastest
    setting on a CPU) trains without torch.compile, one step per dispatch.

    Example:

    ```python
    gan.compile(**keras_gans.backend.recipe_compile_settings(gan, {"jit_compile": True, "steps_per_execution": 8}))
    ```
    """
    return _ACTIVE.recipe_compile_settings(gan, settings)


def check_compile_settings(gan, jit_compile):
    """Warns when `gan.compile(jit_compile=...)` asks for a setting measured
    to be slow here (TensorFlow: XLA with an input-gradient penalty on a CPU).

    `GAN.compile` calls it; the settings are never changed.
    """
    _ACTIVE.check_compile_settings(gan, jit_compile)


from keras_gans.backend import gradients  # noqa: E402  (needs _ACTIVE)

__all__ = ["BACKEND", "active_backend", "check_compile_settings", "gradients", "recipe_compile_settings", "recommended_compile_settings"]
