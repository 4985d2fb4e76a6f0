"""`Configurable`: the serialization shared by the toolkit's small objects.

Games and discriminator regularizers are plain Python objects whose
`get_config()` returns exactly their constructor's keyword arguments, so
`from_config` and `repr` follow from it.
"""


class Configurable:
    """Mixin: `from_config(config)` is `cls(**config)`; `repr` shows the config.

    Subclasses implement `get_config()` returning their constructor's
    keyword arguments.

    Example:

    >>> class Scaled(Configurable):
    ...     def __init__(self, factor=1.0):
    ...         self.factor = factor
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    >>> Scaled.from_config(Scaled(2.0).get_config())
    Scaled(factor=2.0)
    """

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} must implement get_config().")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"
