"""Pretrained presets: names, sha256-verified downloads and loading.

Public API: `from_preset`, `list_presets`, `PretrainedGenerator`,
`load_preset_model`, `preset_file`, `preset_metadata`. Rebuild the shipped
registry with `python -m keras_gans.presets.build_registry`.
"""

from keras_gans.presets.loading import list_presets
from keras_gans.presets.loading import load_preset_model
from keras_gans.presets.loading import preset_file
from keras_gans.presets.loading import preset_metadata
from keras_gans.presets.pretrained_generator import PretrainedGenerator
from keras_gans.presets.pretrained_generator import from_preset

__all__ = [
    "PretrainedGenerator",
    "from_preset",
    "list_presets",
    "load_preset_model",
    "preset_file",
    "preset_metadata",
]
