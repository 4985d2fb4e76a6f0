"""Packaging glue that pyproject.toml cannot express: the zoo as package data.

The repository keeps one folder per preset in `zoo/` (recipe, card,
weights). The wheel must carry each preset's weights, `preset.json` and card,
so `zoo/` is mapped onto the data package `keras_gans.zoo` (installed as
`keras_gans/zoo/`). Only those three kinds of file are copied: recipes,
training logs, samples and the zoo's scripts stay in the repository. In a
source checkout or an editable install the files are read from `zoo/` in
place (see `keras_gans.presets.registry.packaged_zoo_dir`).
"""

from setuptools import find_packages
from setuptools import setup
from setuptools.command.build_py import build_py

ZOO_PACKAGE = "keras_gans.zoo"


class BuildPy(build_py):
    """Copies no Python modules from `zoo/`: its scripts are not part of the package."""

    def find_package_modules(self, package, package_dir):
        if package == ZOO_PACKAGE:
            return []
        return super().find_package_modules(package, package_dir)


setup(
    packages=find_packages(include=["keras_gans", "keras_gans.*"]) + [ZOO_PACKAGE],
    package_dir={ZOO_PACKAGE: "zoo"},
    package_data={
        "keras_gans": ["presets/*.json"],
        ZOO_PACKAGE: ["*/preset.json", "*/README.md", "*/generator.keras", "*/classifier.keras"],
    },
    cmdclass={"build_py": BuildPy},
)
