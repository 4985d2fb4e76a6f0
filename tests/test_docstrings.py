"""The `>>>` examples in the public modules' docstrings run and give what they show."""

import doctest
import importlib

import numpy as np
import pytest
from keras import ops

MODULES = [
    "keras_gans.architectures.dcgan",
    "keras_gans.backend.tensorflow_logs",
    "keras_gans.callbacks.sample_grid",
    "keras_gans.architectures.mlp",
    "keras_gans.cluster_conditioning",
    "keras_gans.architectures.resnet",
    "keras_gans.data.datasets",
    "keras_gans.data.image_folder",
    "keras_gans.data.seeded_batches",
    "keras_gans.data.transforms",
    "keras_gans.data.twemoji",
    "keras_gans.ema",
    "keras_gans.hyperparameters",
    "keras_gans.losses.functional",
    "keras_gans.losses.games",
    "keras_gans.losses.gradient_penalty",
    "keras_gans.metrics.density_coverage",
    "keras_gans.metrics.frechet_distance",
    "keras_gans.metrics.kernel_inception_distance",
    "keras_gans.recipes",
    "keras_gans.sampling",
    "keras_gans.serialization",
    "keras_gans.top_k",
    "keras_gans.visualization",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, extraglobs={"np": np, "ops": ops}, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0, f"{name} has no >>> example"
    assert result.failed == 0
