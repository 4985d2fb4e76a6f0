"""Pretrained presets: names, one resolver for every source, sha256 checks, saving.

Public API: `from_preset`, `save_preset`, `list_presets`,
`PretrainedGenerator`, `load_preset_model`, `get_file`, `preset_file`,
`preset_metadata`, `packaged_zoo_dir`. Rebuild the shipped registry with
`python -m keras_gans.presets.build_registry`.
"""

from keras_gans.presets.loading import get_file
from keras_gans.presets.loading import list_presets
from keras_gans.presets.loading import load_preset_model
from keras_gans.presets.loading import preset_file
from keras_gans.presets.loading import preset_metadata
from keras_gans.presets.pretrained_generator import PretrainedGenerator
from keras_gans.presets.pretrained_generator import from_preset
from keras_gans.presets.registry import packaged_zoo_dir
from keras_gans.presets.saving import save_preset

__all__ = [
    "PretrainedGenerator",
    "from_preset",
    "get_file",
    "list_presets",
    "load_preset_model",
    "packaged_zoo_dir",
    "preset_file",
    "preset_metadata",
    "save_preset",
]
