"""`GAN`: the shared training logic of every GAN in keras-gans.

One `train_step` serves TensorFlow, PyTorch and JAX. All forward passes use
`Layer.stateless_call` with explicit variable values (through
`gradients.stateless_call`, which on PyTorch skips per-layer bookkeeping
with the same result), so that:
- gradients are taken w.r.t. values through `keras_gans.backend.gradients`;
- the generator's BatchNorm statistics never change in a discriminator step
  and the discriminator's never change in a generator step;
- on JAX the whole step runs inside one outer `StatelessScope`
  (`gradients.run_stateful_step`), so both optimizers' states are carried.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import cluster_conditioning as clustering
from keras_gans import ema, hyperparameters, regularizers
from keras_gans import top_k as top_k_updates
from keras_gans.backend import check_compile_settings, gradients
from keras_gans.losses import games
from keras_gans.models import input_validation
from keras_gans.sampling import generate_images


def _default_optimizer():
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


def _serialize(obj):
    return keras.saving.serialize_keras_object(obj)


def _deserialize(config):
    return keras.saving.deserialize_keras_object(config)


@keras.saving.register_keras_serializable(package="keras_gans")
class GAN(keras.Model):
    """A GAN: a generator, a discriminator, a game and optional stabilizers.

    `GAN` composes small parts, each a module of its own:
    - the game (`keras_gans.losses.NonSaturating()`, `Hinge()`, ...): the two
      players' losses, with optional one-sided `label_smoothing`;
    - discriminator regularizers (`keras_gans.regularizers.GradientPenalty`,
      `R1Penalty`, or your own), each logged under its own name;
    - an `augmentation` applied to every batch the discriminator sees
      (`keras_gans.augment.DiffAugment`);
    - an EMA copy of the generator (`ema_decay`), used by `generate`;
    - the layers' own losses (`kernel_regularizer`, `add_loss`): each
      player's are added to its own loss, as `keras.Model.fit` adds
      `model.losses`;
    - label-free cluster conditioning (`keras_gans.ClusterConditioning`,
      Sage et al. 2018, Liu et al. 2020): k-means clusters of the training
      images, computed in `fit`, condition the pair; `generate` draws them
      by their training frequency;
    - top-k generator updates (`keras_gans.TopK`, Sinha et al. 2020).
    `MinimaxGAN`, `NonSaturatingGAN`, `WGANGP`, `HingeGAN` and
    `LeastSquaresGAN` only fix the game (and defaults). Train with
    `compile()` then `fit()`.

    Logged metrics: `d_loss` (including weighted penalties and D's layer
    losses), `g_loss`, one entry per regularizer (unweighted), and
    `loss = d_loss + g_loss`. `loss` is not an objective that anything
    minimises: it exists so that callbacks that read `logs["loss"]`
    (`TerminateOnNaN`) see a NaN in either player's loss.

    Args:
        generator: `keras.Model` mapping latents `(batch, latent_dim)` (or
            `[latents, labels]` when `num_classes` is set) to images
            `(batch, H, W, C)` in [-1, 1].
        discriminator: `keras.Model` mapping images (or `[images, labels]`)
            to one raw score (logit) per image, shape `(batch, 1)`.
        latent_dim: int >= 1. Size of the generator's latent input.
        num_classes: int or None. When set, the GAN is class-conditional:
            `fit(images, labels)` with integer labels in [0, num_classes).
        seed: int or None. Seeds every random draw of training (latents,
            penalty noise, augmentation); with the same data, weights and
            settings, the same seed gives the same trained weights.
        game: a game name (`"non_saturating"`, `"minimax"`, `"wasserstein"`,
            `"hinge"`, `"least_squares"`) or `keras_gans.losses.Game`. Fixed
            by the named subclasses. Defaults to None (define
            `discriminator_loss` and `generator_loss` in a subclass).
        label_smoothing: float in [0, 1). One-sided label smoothing: the
            discriminator's target for real images is `1 - label_smoothing`
            (Salimans et al. 2016). Only for games with targets (minimax,
            non-saturating, least squares). Defaults to 0.
        gradient_penalty_weight: float >= 0. Weight of the WGAN-GP gradient
            penalty (0: off). Defaults to 0 (`WGANGP`: 10).
        r1_penalty_weight: float >= 0. gamma of the R1 penalty
            `gamma/2 mean ||grad_x D(x)||^2` on real images (Mescheder et al.
            2018), logged unweighted as `r1_penalty`. Defaults to 0 (off).
        r1_interval: int >= 1. Lazy R1: apply it on every `r1_interval`-th
            discriminator step, scaled by `r1_interval` (StyleGAN2).
            Defaults to 1.
        regularizers: list of extra `keras_gans.regularizers.DiscriminatorRegularizer`.
        discriminator_steps: int >= 1. Discriminator updates per generator
            update. Defaults to 1 (`WGANGP`: `critic_steps=5`).
        ema_decay: float in [0, 1) or None. When set, `ema_generator` is an
            exponential moving average of the generator's weights, updated
            after every generator step: `d * ema + (1 - d) * w`
            (non-trainable weights are copied). Defaults to None.
        ema_start_step: int >= 0. EMA warm-up: for the first
            `ema_start_step` generator updates the EMA copy equals the
            generator; it averages after (`keras_gans.ema.warmup_decay`).
            Needs `ema_decay`. Defaults to 0 (averages from the start).
        cluster_conditioning: `keras_gans.ClusterConditioning`, an int
            (its `num_clusters`), a dict of its arguments, or None. Trains an
            unconditional GAN as a conditional one on label-free clusters of
            the training images: build G and D with the conditional builders
            and `num_classes=num_clusters`, keep the GAN's `num_classes`
            None, and `fit(images)` without labels. `generate(n)` draws the
            clusters by their training frequency; `generate(n, clusters=...)`
            picks them. Defaults to None.
        top_k: `keras_gans.TopK`, True (its defaults), a dict or None.
            Top-k generator updates (Sinha et al. 2020): G's loss uses only
            the k fakes D scores highest, k decaying per epoch from the
            batch size to a floor. Defaults to None.
        augmentation: callable or None. Applied to every image batch the
            discriminator sees (real and fake, in both steps); it must be
            differentiable. An object with an int `random_values_per_image`
            is called as `augmentation(images, random_values)` with uniform
            values drawn from the training seed (`keras_gans.augment.DiffAugment`);
            any other callable as `augmentation(images)`. Defaults to None.

    Example (the stability toolkit on a non-saturating GAN):

    ```python
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64, seed=0,
                                      label_smoothing=0.1, r1_penalty_weight=10.0,
                                      ema_decay=0.999,
                                      augmentation=keras_gans.augment.DiffAugment("color,translation,cutout"))
    gan.compile()
    gan.fit(images, epochs=3, batch_size=64)
    images = gan.generate(16, seed=0)     # from gan.ema_generator
    ```

    Example (a custom game: subclass and define the two losses):

    ```python
    class MyHingeGAN(keras_gans.GAN):
        def discriminator_loss(self, real_logits, fake_logits):
            return ops.mean(ops.relu(1 - real_logits)) + ops.mean(ops.relu(1 + fake_logits))

        def generator_loss(self, fake_logits):
            return -ops.mean(fake_logits)

    gan = MyHingeGAN(generator=G, discriminator=D, latent_dim=16, seed=0)
    gan.compile()
    gan.fit(images, epochs=1)
    ```
    """

    # The game a named subclass plays; None lets `game=` choose.
    default_game = None

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        num_classes=None,
        seed=None,
        game=None,
        label_smoothing=0.0,
        gradient_penalty_weight=0.0,
        r1_penalty_weight=0.0,
        r1_interval=1,
        regularizers=None,
        discriminator_steps=1,
        ema_decay=None,
        augmentation=None,
        ema_start_step=0,
        cluster_conditioning=None,
        top_k=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) or not isinstance(
            discriminator, keras.Model
        ):
            raise TypeError(
                "`generator` and `discriminator` must be keras.Model instances; "
                f"received {type(generator).__name__} and "
                f"{type(discriminator).__name__}."
            )
        if generator is discriminator:
            raise ValueError("`generator` and `discriminator` must be two different models.")
        # Every hyperparameter is checked before anything is built.
        self.latent_dim = hyperparameters.positive_int("latent_dim", latent_dim)
        self.num_classes = (
            None if num_classes is None else hyperparameters.positive_int("num_classes", num_classes)
        )
        self.game = self._resolve_game(game, label_smoothing)
        self.discriminator_regularizers = self._resolve_regularizers(
            gradient_penalty_weight, r1_penalty_weight, r1_interval, regularizers
        )
        self.discriminator_steps = hyperparameters.positive_int(
            self._discriminator_steps_argument, discriminator_steps
        )
        self.ema_decay = None if ema_decay is None else hyperparameters.unit_interval("ema_decay", ema_decay)
        self.ema_start_step = self._check_ema_start_step(ema_start_step)
        self.cluster_conditioning = clustering.get(cluster_conditioning)
        if self.cluster_conditioning is not None and self.num_classes is not None:
            raise ValueError(
                "Pass either `num_classes` (class labels given to fit) or `cluster_conditioning` "
                "(label-free clusters computed by fit), not both; with clusters keep num_classes=None "
                "and build G and D with num_classes=num_clusters."
            )
        if self._self_conditioned:
            clustering.discriminator_features(discriminator)  # raises now when D's features see the label
        self.top_k = top_k_updates.get(top_k)
        if self.top_k is not None and self.game is None:
            raise ValueError(
                "`top_k` needs a game with one generator loss per fake: pass `game=` or use a "
                "named GAN class (NonSaturatingGAN, HingeGAN, ...)."
            )
        if augmentation is not None and not callable(augmentation):
            raise ValueError(
                f"`augmentation` must be callable (images -> images), such as "
                f"keras_gans.augment.DiffAugment('color,translation,cutout'); received {augmentation!r}."
            )
        self.augmentation = augmentation
        self.generator = generator
        self.discriminator = discriminator
        self.seed = seed
        # The fraction of the batch top-k keeps; a variable so that it is
        # saved with the GAN and read, not traced, by the step.
        self.top_k_fraction = None
        if self.top_k is not None:
            self.top_k_fraction = keras.Variable(1.0, dtype="float32", trainable=False, name="top_k_fraction")
        self._training_seed = keras.random.SeedGenerator(seed)
        self._evaluation_seed = keras.random.SeedGenerator(
            None if seed is None else seed + 1
        )
        self.image_shape = self._check_models()
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.regularizer_trackers = [
            keras.metrics.Mean(name=regularizer.name) for regularizer in self.discriminator_regularizers
        ]
        # Not trainable: its weights are averaged, never given gradients.
        self.ema_generator = None if self.ema_decay is None else ema.clone_generator(generator)
        # G and D are built; `call` generates images. Marking the GAN built
        # stops `fit` from trying to build it by calling it on real images.
        self.built = True

    # --- Composition -----------------------------------------------------------

    _discriminator_steps_argument = "discriminator_steps"

    def _check_ema_start_step(self, ema_start_step):
        if isinstance(ema_start_step, bool) or not isinstance(ema_start_step, (int, np.integer)) or ema_start_step < 0:
            raise ValueError(f"`ema_start_step` must be an integer >= 0; received {ema_start_step!r}.")
        if ema_start_step and self.ema_decay is None:
            raise ValueError(
                "`ema_start_step` is the EMA's warm-up and needs `ema_decay` (e.g. ema_decay=0.999)."
            )
        return int(ema_start_step)

    @property
    def _num_conditions(self):
        """Classes or clusters the pair is conditioned on; None when unconditional."""
        if self.cluster_conditioning is not None:
            return self.cluster_conditioning.num_clusters
        return self.num_classes

    def _resolve_game(self, game, label_smoothing):
        label_smoothing = hyperparameters.unit_interval("label_smoothing", label_smoothing)
        if self.default_game is not None:
            if game is not None:
                raise ValueError(
                    f"{type(self).__name__} always plays the {self.default_game!r} game; "
                    "pass `game=` to keras_gans.GAN instead."
                )
            game = self.default_game
        if game is None:
            if label_smoothing:
                raise ValueError(
                    "`label_smoothing` needs a game with targets: pass `game=` "
                    "(e.g. 'non_saturating') or use NonSaturatingGAN."
                )
            return None
        game = games.get(game)
        if label_smoothing != game.label_smoothing and label_smoothing:
            game = type(game).from_config({**game.get_config(), "label_smoothing": label_smoothing})
        return game

    @staticmethod
    def _resolve_regularizers(gradient_penalty_weight, r1_penalty_weight, r1_interval, extra):
        gradient_penalty_weight = hyperparameters.non_negative(
            "gradient_penalty_weight", gradient_penalty_weight
        )
        r1_penalty_weight = hyperparameters.non_negative("r1_penalty_weight", r1_penalty_weight)
        r1_interval = hyperparameters.positive_int("r1_interval", r1_interval)
        resolved = []
        if gradient_penalty_weight:
            resolved.append(regularizers.GradientPenalty(gradient_penalty_weight))
        if r1_penalty_weight:
            resolved.append(regularizers.R1Penalty(r1_penalty_weight, interval=r1_interval))
        for regularizer in extra or []:
            if isinstance(regularizer, dict):
                regularizer = regularizers.deserialize(regularizer)
            if not isinstance(regularizer, regularizers.DiscriminatorRegularizer):
                raise ValueError(
                    "`regularizers` must hold keras_gans.regularizers.DiscriminatorRegularizer "
                    f"instances; received {regularizer!r}."
                )
            resolved.append(regularizer)
        names = [r.name for r in resolved]
        if len(set(names)) != len(names):
            raise ValueError(
                f"Two discriminator regularizers share a name ({names}); each is logged "
                "under its name. Use `gradient_penalty_weight`/`r1_penalty_weight` or "
                "`regularizers=`, not both for the same penalty."
            )
        return resolved

    @property
    def label_smoothing(self):
        return self.game.label_smoothing if self.game is not None else 0.0

    def _regularizer(self, name):
        """The discriminator regularizer logged as `name`, or None."""
        return next((r for r in self.discriminator_regularizers if r.name == name), None)

    @property
    def gradient_penalty_weight(self):
        regularizer = self._regularizer("gradient_penalty")
        return 0.0 if regularizer is None else regularizer.weight

    @property
    def r1_penalty_weight(self):
        regularizer = self._regularizer("r1_penalty")
        return 0.0 if regularizer is None else regularizer.weight

    @property
    def r1_interval(self):
        regularizer = self._regularizer("r1_penalty")
        return 1 if regularizer is None else regularizer.interval

    # --- Models ------------------------------------------------------------

    def _generator_inputs(self, latents, labels):
        return latents if self._num_conditions is None else [latents, labels]

    def _discriminator_inputs(self, images, labels):
        return images if self._num_conditions is None else [images, labels]

    def _check_models(self):
        """Runs G and D on two dummy inputs; returns the image shape."""
        latents = ops.zeros((2, self.latent_dim))
        labels = None if self._num_conditions is None else ops.zeros((2,), dtype="int32")
        try:
            images = self.generator(self._generator_inputs(latents, labels), training=False)
        except Exception as error:
            expected = (
                "latents (batch, latent_dim)"
                if self._num_conditions is None
                else "[latents (batch, latent_dim), labels (batch,)]"
            )
            raise ValueError(
                f"Calling the generator on {expected} with latent_dim="
                f"{self.latent_dim} failed: {error}. Check `latent_dim` and, for a "
                "conditional generator, that it takes [latents, labels]."
            ) from error
        image_shape = tuple(images.shape[1:])
        if len(image_shape) != 3:
            raise ValueError(
                f"The generator must output images (batch, H, W, C); it outputs "
                f"shape {tuple(images.shape)}. Add a Reshape to (H, W, C)."
            )
        disc_inputs = getattr(self.discriminator, "inputs", None)
        if disc_inputs:
            expected = tuple(disc_inputs[0].shape[1:])
            if None not in expected and expected != image_shape:
                raise ValueError(
                    f"The generator outputs images of shape {image_shape} but the "
                    f"discriminator expects {expected}. Build both for the same "
                    "image size and number of channels."
                )
        try:
            logits = self.discriminator(
                self._discriminator_inputs(images, labels), training=False
            )
        except Exception as error:
            raise ValueError(
                f"Calling the discriminator on generated images of shape "
                f"{image_shape} failed: {error}. Build it for that shape"
                + ("" if self._num_conditions is None else " and to take [images, labels]")
                + "."
            ) from error
        if tuple(logits.shape) != (2, 1):
            raise ValueError(
                "The discriminator must output one raw score (logit) per image, "
                f"shape (batch, 1); it outputs {tuple(logits.shape[1:])} per batch. "
                "End it with Flatten() and Dense(1) and no activation."
            )
        if self.augmentation is not None:
            self._check_augmentation(images)
        return image_shape

    def _check_augmentation(self, images):
        try:
            count = getattr(self.augmentation, "random_values_per_image", None)
            values = None if not count else ops.zeros((2, int(count)))
            augmented = self._augment(images, values)
        except Exception as error:
            raise ValueError(
                f"Calling `augmentation` on images of shape {tuple(images.shape)} failed: "
                f"{error}. It must map a batch of images to a batch of the same shape."
            ) from error
        if tuple(augmented.shape) != tuple(images.shape):
            raise ValueError(
                f"`augmentation` must keep the image shape {tuple(images.shape)}; it "
                f"returned {tuple(augmented.shape)}."
            )

    def call(self, inputs, training=False):
        """Generates images from latents (or `[latents, labels]`)."""
        return self.generator(inputs, training=training)

    # --- Compile -------------------------------------------------------------

    def default_optimizers(self):
        """`(generator_optimizer, discriminator_optimizer)` used when omitted."""
        return _default_optimizer(), _default_optimizer()

    def compile(
        self,
        generator_optimizer=None,
        discriminator_optimizer=None,
        jit_compile="auto",
        steps_per_execution=1,
        **kwargs,
    ):
        """Configures the two optimizers.

        Args:
            generator_optimizer: optimizer (instance, name or config) for the
                generator. Defaults to Adam(2e-4, beta_1=0.5) (WGAN-GP:
                Adam(1e-4, beta_1=0.0, beta_2=0.9)).
            discriminator_optimizer: same, for the discriminator.
            jit_compile, steps_per_execution: as in `keras.Model.compile`.
                On TensorFlow on a CPU, `jit_compile=True` with an
                input-gradient penalty (WGAN-GP, R1) warns: XLA made that
                step about 1.5x slower (benchmarks/wgan_gp_xla_cpu.py).
        """
        for unsupported in ("optimizer", "loss", "metrics"):
            if unsupported in kwargs:
                raise ValueError(
                    f"GAN.compile() does not take `{unsupported}`: pass "
                    "`generator_optimizer=` and `discriminator_optimizer=`; the "
                    "losses are defined by the GAN class."
                )
        check_compile_settings(self, jit_compile)
        default_g, default_d = self.default_optimizers()
        g_opt = keras.optimizers.get(generator_optimizer or default_g)
        d_opt = keras.optimizers.get(discriminator_optimizer or default_d)
        if g_opt is d_opt:
            raise ValueError(
                "The generator and discriminator need two separate optimizer "
                "instances (each keeps its own state)."
            )
        self.generator_optimizer = g_opt
        self.discriminator_optimizer = d_opt
        generator_ids = {id(v) for v in self.generator.trainable_variables}

        def optimizer_for(variable):
            return g_opt if id(variable) in generator_ids else d_opt

        # `self.optimizer` holds both optimizers' variables: the JAX trainer
        # carries only `self.optimizer.variables` through its state.
        super().compile(
            optimizer=keras.optimizers.MultiOptimizer(optimizer_for),
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            **kwargs,
        )
        # Built here: the TF trainer never builds `self.optimizer` itself.
        self.optimizer.build(self.trainable_variables)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        return {
            "generator_optimizer": _serialize(self.generator_optimizer),
            "discriminator_optimizer": _serialize(self.discriminator_optimizer),
            "jit_compile": self.jit_compile,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            generator_optimizer=_deserialize(config.pop("generator_optimizer")),
            discriminator_optimizer=_deserialize(config.pop("discriminator_optimizer")),
            **config,
        )

    # --- Losses ------------------------------------------------------------------

    def discriminator_loss(self, real_logits, fake_logits):
        """The game's discriminator loss; override it for a custom game."""
        if self.game is None:
            raise NotImplementedError(
                "This GAN has no game: pass `game=` (e.g. 'non_saturating' or 'hinge'), "
                "use NonSaturatingGAN/HingeGAN/..., or subclass GAN and define "
                "discriminator_loss and generator_loss."
            )
        return self.game.discriminator_loss(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        """The game's generator loss; override it for a custom game."""
        if self.game is None:
            raise NotImplementedError(
                "This GAN has no game: pass `game=` (e.g. 'non_saturating' or 'hinge'), "
                "use NonSaturatingGAN/HingeGAN/..., or subclass GAN and define "
                "discriminator_loss and generator_loss."
            )
        return self.game.generator_loss(fake_logits)

    # --- Randomness ----------------------------------------------------------

    def _draw(self, sampler, batch_size, trailing_shape, seed_generator):
        """Draws the global batch and keeps this replica's rows.

        Under tf.distribute and torch.distributed every replica holds the
        same seed state; drawing for the global batch and slicing makes the
        replicas together use the same numbers as one device would.
        """
        replica_id, num_replicas = gradients.replica_context()
        values = gradients.draw_random(sampler, (batch_size * num_replicas,) + trailing_shape, seed_generator)
        if num_replicas == 1:
            return values
        start = (replica_id * batch_size,) + (0,) * len(trailing_shape)
        return ops.slice(values, start, (batch_size,) + trailing_shape)

    def sample_latents(self, batch_size, seed_generator=None):
        """Standard-normal latents `(batch_size, latent_dim)` for training."""
        return self._draw(
            keras.random.normal,
            batch_size,
            (self.latent_dim,),
            seed_generator or self._training_seed,
        )

    def _sample_augmentation_values(self, batch_size, seed_generator):
        count = getattr(self.augmentation, "random_values_per_image", None)
        if not count:
            return None
        return self._draw(keras.random.uniform, batch_size, (int(count),), seed_generator)

    def _sample_discriminator_noise(self, batch_size, seed_generator):
        """Every random draw of a discriminator step, made outside the gradient."""

        def draw(sampler, n, trailing_shape):
            return self._draw(sampler, n, tuple(trailing_shape), seed_generator)

        return {
            "regularizers": [
                regularizer.sample_noise(batch_size, self.image_shape, draw)
                for regularizer in self.discriminator_regularizers
            ],
            "real_augmentation": self._sample_augmentation_values(batch_size, seed_generator),
            "fake_augmentation": self._sample_augmentation_values(batch_size, seed_generator),
        }

    # --- Running the players ---------------------------------------------------

    def _unpack(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self._num_conditions is not None:
            labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        return images, labels

    def _augment(self, images, random_values):
        if self.augmentation is None:
            return images
        if random_values is None:
            return self.augmentation(images)
        return self.augmentation(images, random_values)

    @staticmethod
    def _sum_losses(losses, like):
        total = ops.zeros((), dtype=like.dtype)
        for loss in losses:
            total = total + ops.sum(ops.cast(loss, like.dtype))
        return total

    def _run_discriminator(self, values, non_trainable, images, labels, training, weight_losses=True):
        """D on `images` -> `(logits, new_non_trainable, layer_losses)`.

        `layer_losses` are the losses D's layers added in this call
        (activity regularizers, `add_loss`) and, when `weight_losses`, its
        weight regularizers: D runs twice per step (real and fake), and
        Keras counts weight regularizers once per step.
        """
        logits, state, losses = gradients.stateless_call(
            self.discriminator, values, non_trainable, self._discriminator_inputs(images, labels),
            training=training, return_losses=True,
        )
        if not weight_losses:
            # `Layer.losses` lists the weight regularizers' losses last.
            num_weight_losses = sum(
                1 for v in self.discriminator.trainable_variables if getattr(v, "regularizer", None) is not None
            )
            losses = losses[: len(losses) - num_weight_losses]
        return logits, state, losses

    def _generate_for_discriminator(self, batch_size, labels, seed_generator, training):
        latents = self.sample_latents(batch_size, seed_generator)
        values = [v.value for v in self.generator.trainable_variables]
        non_trainable = [v.value for v in self.generator.non_trainable_variables]
        with gradients.no_gradient_recording():
            # The generator's BatchNorm updates are discarded: they belong to
            # the generator step.
            fake, _ = gradients.stateless_call(
                self.generator, values, non_trainable, self._generator_inputs(latents, labels),
                training=training,
            )
        return ops.stop_gradient(fake)

    def _regularizer_is_active(self, regularizer, step):
        # Lazy regularization: on every `interval`-th discriminator step. A
        # boolean tensor, or a Python bool where the backend knows the step
        # count on the host (PyTorch: no wait for the device).
        if regularizer.interval == 1 or step is None:
            return None
        return gradients.every_nth_step(step, regularizer.interval)

    def _discriminator_loss_fn(self, real, fake, labels, noise, training, step=None):
        """Returns `values -> (d_loss, (new_non_trainable, terms))`.

        `terms` maps each regularizer's name to `(penalty, weight_in_log)`;
        a lazy regularizer known on the host to be skipped is left out.
        `step` (the discriminator optimizer's `iterations` variable) drives
        lazy regularizers; None applies every regularizer.
        """
        non_trainable = [v.value for v in self.discriminator.non_trainable_variables]
        real = self._augment(real, noise["real_augmentation"])
        fake = self._augment(fake, noise["fake_augmentation"])

        def loss_fn(values):
            real_logits, state, real_losses = self._run_discriminator(
                values, non_trainable, real, labels, training
            )
            fake_logits, state, fake_losses = self._run_discriminator(
                values, state, fake, labels, training, weight_losses=False
            )

            def critic_fn(images):
                logits, _ = gradients.stateless_call(
                    self.discriminator, values, state, self._discriminator_inputs(images, labels),
                    training=training,
                )
                return logits

            loss = self.discriminator_loss(real_logits, fake_logits)
            loss = loss + self._sum_losses(real_losses + fake_losses, loss)
            terms = {}
            for regularizer, reg_noise in zip(self.discriminator_regularizers, noise["regularizers"]):
                scale = regularizer.weight_factor * regularizer.weight
                active = self._regularizer_is_active(regularizer, step)
                if active is False:
                    continue
                if active is None or active is True:
                    penalty = regularizer(critic_fn, real, fake, reg_noise)
                    terms[regularizer.name] = (penalty, None)
                    if active is True:
                        scale = scale * regularizer.interval
                else:
                    penalty = ops.cond(
                        active,
                        lambda r=regularizer, n=reg_noise: ops.cast(r(critic_fn, real, fake, n), loss.dtype),
                        lambda: ops.zeros((), dtype=loss.dtype),
                    )
                    scale = scale * regularizer.interval
                    terms[regularizer.name] = (penalty, ops.cast(active, loss.dtype))
                loss = loss + scale * penalty
            return loss, (state, terms)

        return loss_fn

    def _generator_loss_fn(self, latents, labels, training, augmentation_values=None):
        """Returns `values -> (g_loss, new_generator_non_trainable)`."""
        g_non_trainable = [v.value for v in self.generator.non_trainable_variables]
        d_values = [v.value for v in self.discriminator.trainable_variables]
        d_non_trainable = [v.value for v in self.discriminator.non_trainable_variables]

        def loss_fn(values):
            fake, g_state, g_losses = gradients.stateless_call(
                self.generator, values, g_non_trainable, self._generator_inputs(latents, labels),
                training=training, return_losses=True,
            )
            fake = self._augment(fake, augmentation_values)
            # The discriminator's BatchNorm updates and layer losses belong
            # to the discriminator step; discarded here.
            fake_logits, _ = gradients.stateless_call(
                self.discriminator, d_values, d_non_trainable, self._discriminator_inputs(fake, labels),
                training=training,
            )
            loss = self._generator_game_loss(fake_logits)
            return loss + self._sum_losses(g_losses, loss), g_state

        return loss_fn

    def _generator_game_loss(self, fake_logits):
        if self.top_k is None:
            return self.generator_loss(fake_logits)
        return self.top_k.loss(
            self.game.generator_losses(fake_logits), fake_logits, self.top_k_fraction.value
        )

    @staticmethod
    def _assign(variables, values):
        for variable, value in zip(variables, values):
            variable.assign(ops.stop_gradient(value))

    def _discriminator_step(self, real, labels):
        batch_size = ops.shape(real)[0]
        fake = self._generate_for_discriminator(batch_size, labels, self._training_seed, True)
        noise = self._sample_discriminator_noise(batch_size, self._training_seed)
        step = self.discriminator_optimizer.iterations if self._has_lazy_regularizer else None
        loss_fn = self._discriminator_loss_fn(real, fake, labels, noise, training=True, step=step)
        variables = self.discriminator.trainable_variables
        (loss, (state, terms)), grads = gradients.value_and_grad(
            loss_fn, [v.value for v in variables]
        )
        gradients.apply_gradients(self.discriminator_optimizer, grads, variables)
        self._assign(self.discriminator.non_trainable_variables, state)
        return loss, terms

    @property
    def _has_lazy_regularizer(self):
        return any(r.interval > 1 for r in self.discriminator_regularizers)

    def _generator_step(self, batch_size, labels):
        latents = self.sample_latents(batch_size)
        augmentation_values = self._sample_augmentation_values(batch_size, self._training_seed)
        loss_fn = self._generator_loss_fn(latents, labels, True, augmentation_values)
        variables = self.generator.trainable_variables
        (loss, state), grads = gradients.value_and_grad(
            loss_fn, [v.value for v in variables]
        )
        gradients.apply_gradients(self.generator_optimizer, grads, variables)
        self._assign(self.generator.non_trainable_variables, state)
        if self.ema_generator is not None:
            decay = ema.warmup_decay(
                self.ema_decay, self.generator_optimizer.iterations.value, self.ema_start_step
            )
            ema.update_ema(self.ema_generator, self.generator, decay)
        return loss

    def _update_regularizer_metrics(self, terms):
        """Logs one D step's penalties."""
        names = sorted(terms)
        # torch.distributed: each process computed its penalty on its shard;
        # log the global batch's (identity on other backends).
        values = gradients.mean_over_processes([terms[name][0] for name in names])
        trackers = {tracker.name: tracker for tracker in self.regularizer_trackers}
        for name, value in zip(names, values):
            # Lazy penalties carry a 0/1 weight: skipped steps do not count.
            trackers[name].update_state(value, sample_weight=terms[name][1])

    def _update_metrics(self, d_loss, g_loss):
        """Logs the last D step's loss and G's loss; returns every metric's value."""
        d_loss, g_loss = gradients.mean_over_processes([d_loss, g_loss])
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.loss_tracker.update_state(d_loss + g_loss)
        return {m.name: m.result() for m in self.metrics}

    def _train_step_on_data(self, data):
        real, labels = self._unpack(data)

        def discriminator_step():
            d_loss, terms = self._discriminator_step(real, labels)
            self._update_regularizer_metrics(terms)
            return ops.cast(d_loss, "float32")

        # WGAN-GP's critic steps: one traced loop on JAX and TensorFlow.
        d_loss = gradients.repeat(self, discriminator_step, self.discriminator_steps)
        g_loss = self._generator_step(ops.shape(real)[0], labels)
        return self._update_metrics(d_loss, g_loss)

    def _test_step_on_data(self, data):
        real, labels = self._unpack(data)
        batch_size = ops.shape(real)[0]
        seed = self._evaluation_seed
        fake = self._generate_for_discriminator(batch_size, labels, seed, False)
        noise = self._sample_discriminator_noise(batch_size, seed)
        d_loss_fn = self._discriminator_loss_fn(real, fake, labels, noise, training=False)
        d_loss, (_, terms) = d_loss_fn([v.value for v in self.discriminator.trainable_variables])
        latents = self.sample_latents(batch_size, seed)
        g_loss_fn = self._generator_loss_fn(
            latents, labels, False, self._sample_augmentation_values(batch_size, seed)
        )
        with gradients.no_gradient_recording():
            g_loss, _ = g_loss_fn([v.value for v in self.generator.trainable_variables])
        self._update_regularizer_metrics(terms)
        return self._update_metrics(d_loss, g_loss)

    def train_step(self, *args):
        return gradients.run_stateful_step(self, self._train_step_on_data, args, training=True)

    def test_step(self, *args):
        return gradients.run_stateful_step(self, self._test_step_on_data, args, training=False)

    @property
    def metrics(self):
        return [self.loss_tracker, self.d_loss_tracker, self.g_loss_tracker] + list(
            self.regularizer_trackers
        )

    # --- fit / evaluate with input checks -------------------------------------

    @staticmethod
    def _is_array(x):
        return isinstance(x, (np.ndarray, list)) or (
            hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "element_spec")
        )

    def _check_data(self, x, y, where):
        if self._is_array(x):
            input_validation.check_batch(x, y, self.image_shape, self.num_classes, where)
            return
        if y is not None:
            raise ValueError(
                f"`y` can only be given with array inputs; a dataset passed as "
                f"`{where}` must yield (images, labels) itself."
            )
        batch = input_validation.first_batch(x)
        if batch is not None:
            if self.cluster_conditioning is not None and len(batch) < 2:
                raise ValueError(
                    f"A dataset passed as `{where}` to a GAN with cluster conditioning must yield "
                    "(images, cluster_ids), the ids from `gan.cluster_ids(all_images)`; or pass "
                    "the images as an array and fit computes the ids."
                )
            input_validation.check_batch(*batch, self.image_shape, self._num_conditions, where)

    def _check_compiled(self):
        if not getattr(self, "compiled", False):
            raise RuntimeError(
                "Call `compile()` before `fit()`/`evaluate()` (with no arguments "
                "it uses the default optimizers)."
            )

    def cluster_ids(self, images):
        """The cluster id of each image (cluster conditioning only).

        The first call clusters `images` (`ClusterConditioning.fit`); once
        the clusters exist (fitted, or loaded with the GAN), each image gets
        its nearest cluster, so a resumed or continued run sees the same ids.

        Example:

        ```python
        ids = gan.cluster_ids(images)   # int32, one per image
        ```
        """
        if self.cluster_conditioning is None:
            raise ValueError("This GAN has no cluster conditioning: pass `cluster_conditioning=` to use clusters.")
        conditioning = self.cluster_conditioning
        if self._self_conditioned:
            known = conditioning.known_ids(images)
            if known is not None:  # the training images: their current (re-clustered) ids
                return known
            if conditioning.is_reclustered:
                features = clustering.discriminator_features(self.discriminator)
                return conditioning.predict(images, features=features)
        if conditioning.is_fitted:
            return conditioning.predict(np.asarray(images, dtype="float32"))
        return conditioning.fit(images)

    @property
    def _self_conditioned(self):
        return isinstance(self.cluster_conditioning, clustering.SelfConditioning)

    def _self_conditioning_input(self, x, ids, kwargs):
        """`fit`'s input for self-conditioning: seeded batches whose ids `Recluster` rewrites."""
        from keras_gans.data import SeededBatches

        callbacks = list(kwargs.get("callbacks") or [])
        if any(isinstance(c, clustering.Recluster) for c in callbacks):
            return x, None, kwargs  # recipes.fit built the batches and their callback
        if not self._is_array(x):
            raise ValueError(
                "A GAN with SelfConditioning re-clusters its training images during `fit`, so it needs "
                "them as an array (`fit(images)`), not a dataset."
            )
        if kwargs.get("validation_data") is not None:
            raise ValueError("SelfConditioning does not support `validation_data`; evaluate after `fit`.")
        batch_size = kwargs.pop("batch_size", None) or 32
        batches = SeededBatches(ops.convert_to_numpy(x), np.array(ids), batch_size, self.seed if self.seed is not None else 0)
        kwargs["shuffle"] = False  # the batches' seeded order per epoch replaces Keras's shuffle
        kwargs["callbacks"] = [batches.callback, clustering.Recluster(self, batches), *callbacks]
        return batches.fit_input(), None, kwargs

    def _with_cluster_ids(self, x, y, where):
        """`(x, ids)` for a clustered GAN given array images; checks happen first."""
        if y is not None:
            raise ValueError(
                f"Labels were given to a GAN with cluster conditioning: it computes its own "
                f"cluster ids from `{where}` (no labels are used). Drop `y`, or drop "
                "`cluster_conditioning` and pass `num_classes=` to train on class labels."
            )
        input_validation.check_batch(x, None, self.image_shape, None, where)
        return x, self.cluster_ids(x)

    def _prepare_data(self, x, y, where):
        """Checks the data; for cluster conditioning, adds the cluster ids."""
        if self.cluster_conditioning is not None and self._is_array(x):
            return self._with_cluster_ids(x, y, where)
        if self.cluster_conditioning is not None and not self.cluster_conditioning.is_fitted:
            raise ValueError(
                f"A GAN with cluster conditioning given a dataset as `{where}` needs its clusters "
                "first: call `gan.cluster_ids(all_images)` and have the dataset yield "
                "(images, ids), or pass the images as an array."
            )
        self._check_data(x, y, where)
        return x, y

    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit`, after checking the data (see the class docstring).

        `x`: images `(N, H, W, C)` float in [-1, 1] (NumPy or tensors), or a
        tf.data.Dataset / torch DataLoader / keras PyDataset yielding images
        or `(images, labels)`. `y`: integer labels `(N,)` for a conditional GAN.
        With cluster conditioning, `x` holds the images alone and the cluster
        ids are computed here, before the first step.
        """
        self._check_compiled()
        x, y = self._prepare_data(x, y, "x")
        if self._self_conditioned:
            if args:
                raise ValueError("Pass `fit`'s arguments after `y` by name (batch_size=..., epochs=...) "
                                 "to a GAN with SelfConditioning.")
            x, y, kwargs = self._self_conditioning_input(x, y, kwargs)
        validation_data = kwargs.get("validation_data")
        if validation_data is not None:
            if isinstance(validation_data, tuple):
                vx, vy, _ = keras.utils.unpack_x_y_sample_weight(validation_data)
            else:
                vx, vy = validation_data, None
            vx, vy = self._prepare_data(vx, vy, "validation_data")
            if self.cluster_conditioning is not None and self._is_array(vx):
                kwargs["validation_data"] = (vx, vy)
        if self.top_k is not None:
            # First, so that a backup saved at epoch end holds the new fraction.
            kwargs["callbacks"] = [top_k_updates.TopKSchedule(self), *(kwargs.get("callbacks") or [])]
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.evaluate`: GAN losses on held-out real images, no updates."""
        self._check_compiled()
        x, y = self._prepare_data(x, y, "x")
        return super().evaluate(x, y, *args, **kwargs)

    # --- Sampling -------------------------------------------------------------

    def generate(self, num_samples, seed=0, labels=None, batch_size=256, use_ema=True, truncation=None,
                 clusters=None):
        """Generates images from seeded latents.

        The latents come from NumPy (`keras_gans.sample_latents`), so the same
        seed gives the same images on every backend.

        Args:
            num_samples: int. Number of images.
            seed: int. Seed of the latents (and of the clusters drawn).
            labels: integer class labels, one per image (conditional models).
            batch_size: int. Images per forward pass.
            use_ema: bool. Use `ema_generator` when the GAN has one
                (`ema_decay` set); False uses the raw generator. Defaults to True.
            truncation: float > 0 or None. The truncation trick (Brock et
                al. 2019): latent entries with `|z| > truncation` are redrawn,
                trading diversity for typical samples (see
                `keras_gans.sampling.sample_latents`). None (the default)
                gives the untruncated samples.
            clusters: cluster ids, one per image (cluster conditioning only).
                Defaults to None: drawn by their training frequency.

        Returns:
            float32 NumPy array `(num_samples, H, W, C)` in [0, 1].
        """
        generator = self.generator
        if use_ema and self.ema_generator is not None:
            generator = self.ema_generator
        num_classes = self.num_classes
        if self.cluster_conditioning is not None:
            if labels is not None:
                raise ValueError(
                    "This GAN is conditioned on label-free clusters, not class labels: pass "
                    "`clusters=[...]` to pick clusters, or nothing to draw them by frequency."
                )
            labels = clustering.condition_ids(
                self.cluster_conditioning.frequencies, int(num_samples), seed, clusters
            )
            num_classes = self.cluster_conditioning.num_clusters
        elif clusters is not None:
            raise ValueError("`clusters` needs a GAN with `cluster_conditioning`; this one has none.")
        return generate_images(
            generator,
            num_samples,
            self.latent_dim,
            seed=seed,
            labels=labels,
            num_classes=num_classes,
            batch_size=batch_size,
            truncation=truncation,
        )

    # --- Serialization ----------------------------------------------------------

    def save_own_variables(self, store):
        # Keras does not save SeedGenerator states; without them a resumed run
        # would draw different latents than the uninterrupted one.
        super().save_own_variables(store)
        store["training_seed_state"] = ops.convert_to_numpy(self._training_seed.state.value)
        store["evaluation_seed_state"] = ops.convert_to_numpy(self._evaluation_seed.state.value)
        if self.cluster_conditioning is not None:
            for key, value in self.cluster_conditioning.state.items():
                store[f"cluster_{key}"] = np.asarray(value)

    def load_own_variables(self, store):
        seeds = {"training_seed_state": self._training_seed, "evaluation_seed_state": self._evaluation_seed}
        cluster_keys = {f"cluster_{key}": key for key in clustering.STATE_KEYS}
        own = {key: store[key] for key in store.keys() if key not in seeds and key not in cluster_keys}
        super().load_own_variables(own)
        for key, generator in seeds.items():
            if key in store:
                generator.state.assign(np.asarray(store[key]))
        if self.cluster_conditioning is not None:
            state = {key: np.asarray(store[name]) for name, key in cluster_keys.items() if name in store}
            if state:
                self.cluster_conditioning.state = state

    def get_config(self):
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "generator": _serialize(self.generator),
            "discriminator": _serialize(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "seed": self.seed,
            "label_smoothing": self.label_smoothing,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "r1_penalty_weight": self.r1_penalty_weight,
            "r1_interval": self.r1_interval,
            "regularizers": [
                _serialize(r)
                for r in self.discriminator_regularizers
                if r.name not in ("gradient_penalty", "r1_penalty")
            ],
            self._discriminator_steps_argument: self.discriminator_steps,
            "ema_decay": self.ema_decay,
            "augmentation": None if self.augmentation is None else _serialize(self.augmentation),
            "ema_start_step": self.ema_start_step,
            "cluster_conditioning": (
                None if self.cluster_conditioning is None else _serialize(self.cluster_conditioning)
            ),
            "top_k": None if self.top_k is None else _serialize(self.top_k),
        }
        if self.default_game is None and self.game is not None:
            config["game"] = _serialize(self.game)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = _deserialize(config["generator"])
        config["discriminator"] = _deserialize(config["discriminator"])
        for key in ("game", "augmentation", "cluster_conditioning", "top_k"):
            if config.get(key) is not None:
                config[key] = _deserialize(config[key])
        return cls(**config)
