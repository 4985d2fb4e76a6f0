"""The `>>>` examples of the preset modules run and give what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "keras_gans.presets.loading",
    "keras_gans.presets.registry",
    "keras_gans.presets.saving",
    "keras_gans.presets.build_registry",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    for variable in ("KERAS_GANS_ZOO_DIR", "KERAS_GANS_REGISTRY", "KERAS_GANS_PRESET_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no >>> example"
    assert result.failed == 0
