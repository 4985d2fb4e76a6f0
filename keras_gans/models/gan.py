"""`GAN`: the shared training logic of every GAN in keras-gans.

One `train_step` serves TensorFlow, PyTorch and JAX. All forward passes use
`Layer.stateless_call` with explicit variable values, so that:
- gradients are taken w.r.t. values through `keras_gans.backend.gradients`;
- the generator's BatchNorm statistics never change in a discriminator step
  and the discriminator's never change in a generator step;
- on JAX the whole step runs inside one outer `StatelessScope`
  (`gradients.run_stateful_step`), so both optimizers' states are carried.
"""

import keras
import numpy as np
from keras import ops

from keras_gans.backend import gradients
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
    """Base class of the GAN models: a generator, a discriminator, two optimizers.

    Subclasses choose the game by defining `discriminator_loss(real_logits,
    fake_logits)` and `generator_loss(fake_logits)`; see `MinimaxGAN`,
    `NonSaturatingGAN` and `WGANGP`. Train with `compile()` then `fit()`.

    Logged metrics: `d_loss`, `g_loss` and `loss = d_loss + g_loss`. `loss` is
    not an objective that anything minimises: it exists so that callbacks that
    read `logs["loss"]` (`TerminateOnNaN`) see a NaN in either player's loss.

    Args:
        generator: `keras.Model` mapping latents `(batch, latent_dim)` (or
            `[latents, labels]` when `num_classes` is set) to images
            `(batch, H, W, C)` in [-1, 1].
        discriminator: `keras.Model` mapping images (or `[images, labels]`)
            to one raw score (logit) per image, shape `(batch, 1)`.
        latent_dim: int. Size of the generator's latent input.
        num_classes: int or None. When set, the GAN is class-conditional:
            `fit(images, labels)` with integer labels in [0, num_classes).
        seed: int or None. Seeds the latents (and WGAN-GP's interpolation
            weights) drawn during training; with the same data, weights and
            settings, the same seed gives the same trained weights.

    Example (a custom game: subclass and define the two losses):

    ```python
    class HingeGAN(keras_gans.GAN):
        def discriminator_loss(self, real_logits, fake_logits):
            return ops.mean(ops.relu(1 - real_logits)) + ops.mean(ops.relu(1 + fake_logits))

        def generator_loss(self, fake_logits):
            return -ops.mean(fake_logits)

    gan = HingeGAN(generator=G, discriminator=D, latent_dim=16, seed=0)
    gan.compile()
    gan.fit(images, epochs=1)
    ```
    """

    # How many discriminator updates each train step makes (WGAN-GP: more).
    discriminator_steps = 1

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        num_classes=None,
        seed=None,
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
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.seed = seed
        self._training_seed = keras.random.SeedGenerator(seed)
        self._evaluation_seed = keras.random.SeedGenerator(
            None if seed is None else seed + 1
        )
        self.image_shape = self._check_models()
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        # G and D are built; `call` generates images. Marking the GAN built
        # stops `fit` from trying to build it by calling it on real images.
        self.built = True

    # --- Models ------------------------------------------------------------

    def _generator_inputs(self, latents, labels):
        return latents if self.num_classes is None else [latents, labels]

    def _discriminator_inputs(self, images, labels):
        return images if self.num_classes is None else [images, labels]

    def _check_models(self):
        """Runs G and D on two dummy inputs; returns the image shape."""
        latents = ops.zeros((2, self.latent_dim))
        labels = None if self.num_classes is None else ops.zeros((2,), dtype="int32")
        try:
            images = self.generator(self._generator_inputs(latents, labels), training=False)
        except Exception as error:
            expected = (
                "latents (batch, latent_dim)"
                if self.num_classes is None
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
                + ("" if self.num_classes is None else " and to take [images, labels]")
                + "."
            ) from error
        if tuple(logits.shape) != (2, 1):
            raise ValueError(
                "The discriminator must output one raw score (logit) per image, "
                f"shape (batch, 1); it outputs {tuple(logits.shape[1:])} per batch. "
                "End it with Flatten() and Dense(1) and no activation."
            )
        return image_shape

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
        """
        for unsupported in ("optimizer", "loss", "metrics"):
            if unsupported in kwargs:
                raise ValueError(
                    f"GAN.compile() does not take `{unsupported}`: pass "
                    "`generator_optimizer=` and `discriminator_optimizer=`; the "
                    "losses are defined by the GAN class."
                )
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

    # --- Losses (defined by subclasses) --------------------------------------

    def discriminator_loss(self, real_logits, fake_logits):
        raise NotImplementedError(
            "GAN is a base class: use MinimaxGAN, NonSaturatingGAN or WGANGP, or "
            "subclass GAN and define discriminator_loss and generator_loss."
        )

    def generator_loss(self, fake_logits):
        raise NotImplementedError(
            "GAN is a base class: use MinimaxGAN, NonSaturatingGAN or WGANGP, or "
            "subclass GAN and define discriminator_loss and generator_loss."
        )

    def discriminator_regularization(self, critic_fn, real_images, fake_images, noise):
        """Extra discriminator loss terms: `(total, {name: value})`.

        `noise` is what `sample_regularization_noise` drew outside the
        gradient computation (random draws inside it would leak on JAX).
        """
        return 0.0, {}

    def sample_regularization_noise(self, batch_size, seed_generator):
        return None

    # --- Randomness ----------------------------------------------------------

    def _draw(self, sampler, batch_size, trailing_shape, seed_generator):
        """Draws the global batch and keeps this replica's rows.

        Under tf.distribute and torch.distributed every replica holds the
        same seed state; drawing for the global batch and slicing makes the
        replicas together use the same numbers as one device would.
        """
        replica_id, num_replicas = gradients.replica_context()
        values = sampler((batch_size * num_replicas,) + trailing_shape, seed=seed_generator)
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

    # --- The step ------------------------------------------------------------

    def _unpack(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self.num_classes is not None:
            labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        return images, labels

    def _generate_for_discriminator(self, batch_size, labels, seed_generator, training):
        latents = self.sample_latents(batch_size, seed_generator)
        values = [v.value for v in self.generator.trainable_variables]
        non_trainable = [v.value for v in self.generator.non_trainable_variables]
        with gradients.no_gradient_recording():
            # The generator's BatchNorm updates are discarded: they belong to
            # the generator step.
            fake, _ = self.generator.stateless_call(
                values, non_trainable, self._generator_inputs(latents, labels),
                training=training,
            )
        return ops.stop_gradient(fake)

    def _discriminator_loss_fn(self, real, fake, labels, noise, training):
        """Returns `values -> (d_loss, (new_non_trainable, terms))`."""
        discriminator = self.discriminator
        non_trainable = [v.value for v in discriminator.non_trainable_variables]

        def loss_fn(values):
            real_logits, state = discriminator.stateless_call(
                values, non_trainable, self._discriminator_inputs(real, labels),
                training=training,
            )
            fake_logits, state = discriminator.stateless_call(
                values, state, self._discriminator_inputs(fake, labels),
                training=training,
            )

            def critic_fn(images):
                logits, _ = discriminator.stateless_call(
                    values, state, self._discriminator_inputs(images, labels),
                    training=training,
                )
                return logits

            loss = self.discriminator_loss(real_logits, fake_logits)
            extra, terms = self.discriminator_regularization(critic_fn, real, fake, noise)
            return loss + extra, (state, terms)

        return loss_fn

    def _generator_loss_fn(self, latents, labels, training):
        """Returns `values -> (g_loss, new_generator_non_trainable)`."""
        g_non_trainable = [v.value for v in self.generator.non_trainable_variables]
        d_values = [v.value for v in self.discriminator.trainable_variables]
        d_non_trainable = [v.value for v in self.discriminator.non_trainable_variables]

        def loss_fn(values):
            fake, g_state = self.generator.stateless_call(
                values, g_non_trainable, self._generator_inputs(latents, labels),
                training=training,
            )
            # The discriminator's BatchNorm updates are discarded here.
            fake_logits, _ = self.discriminator.stateless_call(
                d_values, d_non_trainable, self._discriminator_inputs(fake, labels),
                training=training,
            )
            return self.generator_loss(fake_logits), g_state

        return loss_fn

    @staticmethod
    def _assign(variables, values):
        for variable, value in zip(variables, values):
            variable.assign(ops.stop_gradient(value))

    def _discriminator_step(self, real, labels):
        batch_size = ops.shape(real)[0]
        fake = self._generate_for_discriminator(batch_size, labels, self._training_seed, True)
        noise = self.sample_regularization_noise(batch_size, self._training_seed)
        loss_fn = self._discriminator_loss_fn(real, fake, labels, noise, training=True)
        variables = self.discriminator.trainable_variables
        (loss, (state, terms)), grads = gradients.value_and_grad(
            loss_fn, [v.value for v in variables]
        )
        gradients.apply_gradients(self.discriminator_optimizer, grads, variables)
        self._assign(self.discriminator.non_trainable_variables, state)
        return loss, terms

    def _generator_step(self, batch_size, labels):
        latents = self.sample_latents(batch_size)
        loss_fn = self._generator_loss_fn(latents, labels, training=True)
        variables = self.generator.trainable_variables
        (loss, state), grads = gradients.value_and_grad(
            loss_fn, [v.value for v in variables]
        )
        gradients.apply_gradients(self.generator_optimizer, grads, variables)
        self._assign(self.generator.non_trainable_variables, state)
        return loss

    def _update_metrics(self, d_loss, g_loss, terms):
        # torch.distributed: each process computed its losses on its shard;
        # log the global batch's (identity on other backends).
        names = sorted(terms)
        d_loss, g_loss, *values = gradients.mean_over_processes(
            [d_loss, g_loss] + [terms[name] for name in names]
        )
        terms = dict(zip(names, values))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.loss_tracker.update_state(d_loss + g_loss)
        for name, value in terms.items():
            self._term_trackers[name].update_state(value)
        return {m.name: m.result() for m in self.metrics}

    def _train_step_on_data(self, data):
        real, labels = self._unpack(data)
        for _ in range(self.discriminator_steps):
            d_loss, terms = self._discriminator_step(real, labels)
        g_loss = self._generator_step(ops.shape(real)[0], labels)
        return self._update_metrics(d_loss, g_loss, terms)

    def _test_step_on_data(self, data):
        real, labels = self._unpack(data)
        batch_size = ops.shape(real)[0]
        seed = self._evaluation_seed
        fake = self._generate_for_discriminator(batch_size, labels, seed, False)
        noise = self.sample_regularization_noise(batch_size, seed)
        d_loss_fn = self._discriminator_loss_fn(real, fake, labels, noise, training=False)
        d_loss, (_, terms) = d_loss_fn([v.value for v in self.discriminator.trainable_variables])
        g_loss_fn = self._generator_loss_fn(self.sample_latents(batch_size, seed), labels, False)
        with gradients.no_gradient_recording():
            g_loss, _ = g_loss_fn([v.value for v in self.generator.trainable_variables])
        return self._update_metrics(d_loss, g_loss, terms)

    def train_step(self, *args):
        return gradients.run_stateful_step(self, self._train_step_on_data, args, training=True)

    def test_step(self, *args):
        return gradients.run_stateful_step(self, self._test_step_on_data, args, training=False)

    @property
    def _term_trackers(self):
        return {}

    @property
    def metrics(self):
        return [self.loss_tracker, self.d_loss_tracker, self.g_loss_tracker] + list(
            self._term_trackers.values()
        )

    # --- fit / evaluate with input checks -------------------------------------

    def _check_data(self, x, y, where):
        if isinstance(x, (np.ndarray, list)) or (
            hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "element_spec")
        ):
            input_validation.check_batch(x, y, self.image_shape, self.num_classes, where)
            return
        if y is not None:
            raise ValueError(
                f"`y` can only be given with array inputs; a dataset passed as "
                f"`{where}` must yield (images, labels) itself."
            )
        batch = input_validation.first_batch(x)
        if batch is not None:
            input_validation.check_batch(*batch, self.image_shape, self.num_classes, where)

    def _check_compiled(self):
        if not getattr(self, "compiled", False):
            raise RuntimeError(
                "Call `compile()` before `fit()`/`evaluate()` (with no arguments "
                "it uses the default optimizers)."
            )

    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit`, after checking the data (see the class docstring).

        `x`: images `(N, H, W, C)` float in [-1, 1] (NumPy or tensors), or a
        tf.data.Dataset / torch DataLoader / keras PyDataset yielding images
        or `(images, labels)`. `y`: integer labels `(N,)` for a conditional GAN.
        """
        self._check_compiled()
        self._check_data(x, y, "x")
        validation_data = kwargs.get("validation_data")
        if validation_data is not None:
            if isinstance(validation_data, tuple):
                vx, vy, _ = keras.utils.unpack_x_y_sample_weight(validation_data)
            else:
                vx, vy = validation_data, None
            self._check_data(vx, vy, "validation_data")
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.evaluate`: GAN losses on held-out real images, no updates."""
        self._check_compiled()
        self._check_data(x, y, "x")
        return super().evaluate(x, y, *args, **kwargs)

    # --- Sampling -------------------------------------------------------------

    def generate(self, num_samples, seed=0, labels=None, batch_size=256):
        """Generates images from seeded latents.

        The latents come from NumPy (`keras_gans.sample_latents`), so the same
        seed gives the same images on every backend.

        Args:
            num_samples: int. Number of images.
            seed: int. Seed of the latents.
            labels: integer class labels, one per image (conditional models).
            batch_size: int. Images per forward pass.

        Returns:
            float32 NumPy array `(num_samples, H, W, C)` in [0, 1].
        """
        return generate_images(
            self.generator,
            num_samples,
            self.latent_dim,
            seed=seed,
            labels=labels,
            num_classes=self.num_classes,
            batch_size=batch_size,
        )

    # --- Serialization ----------------------------------------------------------

    def save_own_variables(self, store):
        # Keras does not save SeedGenerator states; without them a resumed run
        # would draw different latents than the uninterrupted one.
        super().save_own_variables(store)
        store["training_seed_state"] = ops.convert_to_numpy(self._training_seed.state.value)
        store["evaluation_seed_state"] = ops.convert_to_numpy(self._evaluation_seed.state.value)

    def load_own_variables(self, store):
        seeds = {"training_seed_state": self._training_seed, "evaluation_seed_state": self._evaluation_seed}
        own = {key: store[key] for key in store.keys() if key not in seeds}
        super().load_own_variables(own)
        for key, generator in seeds.items():
            if key in store:
                generator.state.assign(np.asarray(store[key]))

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": _serialize(self.generator),
            "discriminator": _serialize(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = _deserialize(config["generator"])
        config["discriminator"] = _deserialize(config["discriminator"])
        return cls(**config)
