"""`PretrainedGenerator`: a loaded generator preset that draws seeded images."""

import os
from pathlib import Path

from keras_gans.presets.loading import load_keras_file
from keras_gans.presets.loading import resolve_preset
from keras_gans.cluster_conditioning import condition_ids
from keras_gans.sampling import generate_images


def _input_sizes(model):
    return [tuple(t.shape) for t in model.inputs]


class PretrainedGenerator:
    """A pretrained generator with its metadata, ready to draw images.

    Usually made by `from_preset` (see also `list_presets`). Images are drawn
    from NumPy-seeded latents (`keras_gans.sampling.generate_images`), so a
    seed gives the same images on TensorFlow, PyTorch and JAX.

    Args:
        generator: keras.Model. Maps latents `(batch, latent_dim)`, or
            `[latents, labels]` when conditional, to images in [-1, 1].
        latent_dim: int. Size of the latent input.
        num_classes: int or None. Number of classes of a conditional
            generator; None if unconditional. Defaults to None.
        name: str or None. The preset name. Defaults to the model name.
        metadata: dict or None. The preset.json fields. Defaults to `{}`.
        cluster_frequencies: list of floats or None. For a generator trained
            with label-free cluster conditioning (`keras_gans.ClusterConditioning`):
            it takes `[latents, cluster_ids]`, and `generate(n)` draws the
            clusters by these frequencies. Defaults to None.

    Example:

    ```python
    gen = keras_gans.from_preset("dcgan_mnist_nonsaturating")
    images = gen.generate(16, seed=0)  # (16, 28, 28, 1) float32 in [0, 1]

    # Or wrap a generator you trained yourself:
    gen = PretrainedGenerator(my_generator, latent_dim=100)
    ```
    """

    def __init__(self, generator, latent_dim, num_classes=None, name=None, metadata=None,
                 cluster_frequencies=None):
        self.generator = generator
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.name = name or generator.name
        self.metadata = dict(metadata or {})
        self.cluster_frequencies = None
        if cluster_frequencies is not None:
            if self.num_classes is not None:
                raise ValueError(
                    f"Preset {self.name!r} gives both num_classes and cluster_frequencies: a generator "
                    "is conditioned on class labels or on clusters, not both. Fix preset.json."
                )
            self.cluster_frequencies = [float(p) for p in cluster_frequencies]
        self._check_inputs()

    @property
    def num_clusters(self):
        """Number of label-free clusters the generator is conditioned on, or None."""
        return None if self.cluster_frequencies is None else len(self.cluster_frequencies)

    @property
    def image_shape(self):
        """Shape of one image, `(height, width, channels)`."""
        return tuple(self.generator.outputs[0].shape[1:])

    def _check_inputs(self):
        sizes = _input_sizes(self.generator)
        expected = 1 if self.num_classes is None and self.num_clusters is None else 2
        if len(sizes) != expected:
            kind = "unconditional" if expected == 1 else "conditional"
            raise ValueError(
                f"Generator {self.name!r} takes {len(sizes)} input(s) {sizes}, but a "
                f"{kind} generator (num_classes={self.num_classes}) takes {expected}: "
                "latents, plus integer labels when conditional. Fix `num_classes` "
                "(in preset.json for a preset)."
            )
        if sizes[0][-1] not in (None, self.latent_dim):
            raise ValueError(
                f"Generator {self.name!r} takes latents of size {sizes[0][-1]}, "
                f"but latent_dim={self.latent_dim}. Fix `latent_dim` "
                "(in preset.json for a preset)."
            )

    def generate(self, num_samples, seed=0, labels=None, batch_size=256, truncation=None, clusters=None):
        """Draws images from seeded latents.

        Args:
            num_samples: int. Number of images.
            seed: int. Seed of the latents; the same seed gives the same
                images on every backend. Defaults to 0.
            labels: integer class labels, one per image. Required for a
                conditional preset, not allowed otherwise. Defaults to None.
            batch_size: int. Images per forward pass. Defaults to 256.
            truncation: float > 0 or None. The truncation trick (Brock et
                al. 2019): latent entries with `|z| > truncation` are redrawn,
                trading diversity for typical samples (see
                `keras_gans.sampling.sample_latents`). Defaults to None.
            clusters: cluster ids, one per image, for a cluster-conditioned
                preset; None draws them by their training frequency.
                Defaults to None.

        Returns:
            float32 NumPy array `(num_samples, height, width, channels)` in [0, 1].

        Example:

        ```python
        digits = keras_gans.from_preset("dcgan_mnist_conditional").generate(
            10, labels=list(range(10)))
        typical = keras_gans.from_preset("dcgan_mnist_conditional").generate(
            10, labels=list(range(10)), truncation=1.0)
        ```
        """
        num_classes = self.num_classes
        if self.num_clusters is not None:
            if labels is not None:
                raise ValueError(
                    f"Preset {self.name!r} is conditioned on label-free clusters, not class labels: "
                    "pass `clusters=[...]`, or nothing to draw them by frequency."
                )
            labels = condition_ids(self.cluster_frequencies, int(num_samples), seed, clusters)
            num_classes = self.num_clusters
        elif clusters is not None:
            raise ValueError(f"Preset {self.name!r} has no cluster conditioning: drop `clusters`.")
        if num_classes is not None and labels is None:
            raise ValueError(
                f"Preset {self.name!r} is conditional ({self.num_classes} classes): "
                f"pass one integer label per image, e.g. "
                f"`generate({num_samples}, labels=[i % {self.num_classes} for i in "
                f"range({num_samples})])`."
            )
        return generate_images(
            self.generator,
            num_samples,
            self.latent_dim,
            seed=seed,
            labels=labels,
            num_classes=num_classes,
            batch_size=batch_size,
            truncation=truncation,
        )

    @classmethod
    def from_metadata(cls, generator, metadata):
        """Wraps a loaded generator using the fields of its preset.json."""
        return cls(
            generator,
            latent_dim=metadata["latent_dim"],
            num_classes=metadata.get("num_classes"),
            name=metadata.get("name"),
            metadata=metadata,
            cluster_frequencies=metadata.get("cluster_frequencies"),
        )

    @classmethod
    def from_preset(cls, preset, registry=None, cache_dir=None):
        """Loads a generator preset; see the module-level `from_preset`."""
        if isinstance(preset, (str, os.PathLike)) and "://" not in os.fspath(preset) and os.fspath(preset).endswith(".keras"):
            return cls._from_keras_file(Path(preset))
        metadata, path, how_to_fix = resolve_preset(preset, registry=registry, cache_dir=cache_dir)
        _check_generator_kind(metadata, os.fspath(preset))
        return cls.from_metadata(load_keras_file(path, how_to_fix), metadata)

    @classmethod
    def _from_keras_file(cls, path):
        if not path.is_file():
            raise ValueError(f"{path} does not exist: pass an existing .keras file or a preset folder.")
        model = load_keras_file(path, f"Re-save the generator with `model.save({str(path)!r})`.")
        if len(model.inputs) != 1:
            raise ValueError(
                f"{path} takes {len(model.inputs)} inputs, so it looks conditional, "
                "and a bare .keras file does not say how many classes it has. Put it "
                'in a preset folder with a preset.json giving "num_classes" '
                "(`keras_gans.save_preset` writes one), or use "
                "`PretrainedGenerator(model, latent_dim, num_classes)`."
            )
        return cls(model, latent_dim=model.inputs[0].shape[-1], name=path.stem)

    def __repr__(self):
        return (
            f"<PretrainedGenerator {self.name!r}: latent_dim={self.latent_dim}, "
            f"num_classes={self.num_classes}, image_shape={self.image_shape}>"
        )


def _check_generator_kind(metadata, preset):
    if metadata.get("kind") != "generator":
        raise ValueError(
            f"Preset {preset!r} is a {metadata.get('kind')} preset, not a generator. "
            "Load it with `keras_gans.presets.load_preset_model(name)`, or pick a "
            "generator from `keras_gans.list_presets('generator')`."
        )


def from_preset(preset, registry=None, cache_dir=None):
    """Loads a pretrained generator by name, `hf://` handle, URL, folder or .keras file.

    Every registered preset is packaged in the wheel and loads offline; its
    weights are checked against the registry's sha256. Other handles are
    resolved by `keras_gans.presets.loading.get_file` and checked against
    the sha256 in their own `preset.json` (see `keras_gans.save_preset`).
    Classifier presets are refused: use `load_preset_model` for those. A
    string that is a registered name is always treated as a name, even if a
    folder of that name exists.

    Args:
        preset: str or Path. A name from `list_presets("generator")`;
            `"hf://<owner>/<repo>"` (needs `huggingface_hub`); an http(s) URL
            of a preset folder; a preset folder holding preset.json; or an
            unconditional generator saved as a `.keras` file.
        registry: dict, path or None. The preset registry. Defaults to
            `$KERAS_GANS_REGISTRY`, else the one shipped in the package.
        cache_dir: str or None. Cache root for downloads. Defaults to
            `$KERAS_HOME`, else `~/.keras` (the HF cache for `hf://`).

    Returns:
        PretrainedGenerator.

    Example:

    ```python
    gen = keras_gans.from_preset("dcgan_mnist_nonsaturating")
    images = gen.generate(16, seed=0)
    digits = keras_gans.from_preset("dcgan_mnist_conditional").generate(
        10, labels=list(range(10)))
    mine = keras_gans.from_preset("hf://someone/my_gan")  # see save_preset
    ```
    """
    return PretrainedGenerator.from_preset(preset, registry=registry, cache_dir=cache_dir)
