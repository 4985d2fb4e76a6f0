"""Hand-written native GAN training loops, one per Keras backend.

These are the loops a Keras user would write without keras-gans, for the same
Keras models (built with `keras_gans.architectures`) and the same math as
`keras_gans.NonSaturatingGAN` / `keras_gans.WGANGP`:

- non-saturating: one discriminator update on a real batch and a fake batch
  (two separate D calls, fresh latents, generator run without gradients),
  loss `mean(softplus(-D(x))) + mean(softplus(D(G(z))))`; then one generator
  update with fresh latents, loss `mean(softplus(-D(G(z))))`.
- WGAN-GP: `critic_steps` critic updates, each with fresh latents and one
  U[0, 1] interpolation weight per example, loss
  `mean(D(G(z))) - mean(D(x)) + w * mean((sqrt(sum(g^2) + eps) - 1)^2)` with
  `g = d D(x_hat) / d x_hat`; then one generator update, loss `-mean(D(G(z)))`.

Backends:
- TensorFlow: `tf.function` (optionally `jit_compile=True`) + `tf.GradientTape`
  calling the models, Keras Adam (`optimizer.apply`), `tf.random` draws.
- PyTorch: eager autograd (`torch.autograd.grad` w.r.t. the generator's or the
  discriminator's parameters only) and `torch.optim.Adam` over
  `[v.value for v in model.trainable_variables]`, `torch.randn`/`torch.rand`.
- JAX: `model.stateless_call` inside one `jax.jit` (state donated),
  `jax.value_and_grad`, Adam written out (optax's update rule), `jax.random` draws.

One difference from keras-gans that does not change the trained weights:
on TensorFlow and PyTorch the native loops call the models statefully, so
BatchNormalization moving statistics (used only at inference) are also
updated by the generator pass of the discriminator step and by the
discriminator pass of the generator step; keras-gans discards those two
updates (the JAX native loop discards them too, as keras-gans does).

Usage (the backend is the one Keras was imported with):

```python
trainer = make_native_trainer("non_saturating", G, D, latent_dim=64)
trainer.step(images[:64])        # numpy float32 (batch, H, W, C)
d_loss, g_loss = trainer.sync()  # waits for the device, returns floats
```
"""

import keras
import numpy as np

# keras-gans's default Adam settings, shared with the pure anchors; the same
# epsilon is passed to the Keras optimizers so that the three Adams agree.
from benchmarks.pure_native import (
    ADAM_EPSILON,
    ADAM_SETTINGS,
    GP_EPSILON,
    jax_adam_init,
    jax_adam_update,
)

LOSSES = ("non_saturating", "wgan_gp")


def keras_adam(loss):
    settings = ADAM_SETTINGS[loss]
    return keras.optimizers.Adam(epsilon=ADAM_EPSILON, **settings)


def build_models(loss, latent_dim=64, image_shape=(28, 28, 1), base_filters=64, seed=0):
    """The DCGAN pair both sides train: BatchNorm critic for non-saturating,
    LayerNorm critic for WGAN-GP (as the keras-gans docs prescribe)."""
    from keras_gans.architectures.dcgan import dcgan_discriminator, dcgan_generator

    generator = dcgan_generator(
        latent_dim=latent_dim, image_shape=image_shape, base_filters=base_filters, seed=seed
    )
    discriminator = dcgan_discriminator(
        image_shape=image_shape,
        base_filters=base_filters,
        normalization="batch" if loss == "non_saturating" else "layer",
        seed=seed,
    )
    return generator, discriminator


def make_native_trainer(
    loss,
    generator,
    discriminator,
    latent_dim,
    critic_steps=5,
    gradient_penalty_weight=10.0,
    jit_compile=False,
    seed=0,
):
    """Returns the native trainer for the current Keras backend."""
    if loss not in LOSSES:
        raise ValueError(f"Unknown `loss`={loss!r}. Expected one of {LOSSES}.")
    kwargs = dict(
        loss=loss,
        generator=generator,
        discriminator=discriminator,
        latent_dim=latent_dim,
        critic_steps=critic_steps if loss == "wgan_gp" else 1,
        gp_weight=gradient_penalty_weight,
        jit_compile=jit_compile,
        seed=seed,
    )
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return TensorFlowNativeTrainer(**kwargs)
    if backend == "torch":
        return TorchNativeTrainer(**kwargs)
    if backend == "jax":
        return JaxNativeTrainer(**kwargs)
    raise ValueError(f"No native loop for KERAS_BACKEND={backend!r}.")


class _NativeTrainer:
    def __init__(self, loss, generator, discriminator, latent_dim, critic_steps,
                 gp_weight, jit_compile, seed):
        self.loss = loss
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.critic_steps = int(critic_steps)
        self.gp_weight = float(gp_weight)
        self.jit_compile = bool(jit_compile)
        self.seed = seed
        self._last = None

    def run(self, images, batch_size, steps):
        """`steps` steps over `images` in order (wrapping), then a sync."""
        num_batches = len(images) // batch_size
        for i in range(steps):
            j = i % num_batches
            self.step(images[j * batch_size:(j + 1) * batch_size])
        return self.sync()


class TensorFlowNativeTrainer(_NativeTrainer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        import tensorflow as tf

        self.tf = tf
        tf.random.set_seed(self.seed)
        self.g_optimizer = keras_adam(self.loss)
        self.d_optimizer = keras_adam(self.loss)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self._step = tf.function(self._train_step, jit_compile=self.jit_compile)

    def _train_step(self, real):
        tf = self.tf
        G, D = self.generator, self.discriminator
        batch_size = tf.shape(real)[0]
        for _ in range(self.critic_steps):
            fake = G(tf.random.normal((batch_size, self.latent_dim)), training=True)
            with tf.GradientTape() as tape:
                real_logits = D(real, training=True)
                fake_logits = D(fake, training=True)
                if self.loss == "non_saturating":
                    d_loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(
                        tf.nn.softplus(fake_logits)
                    )
                else:
                    alpha = tf.random.uniform((batch_size, 1, 1, 1))
                    x_hat = alpha * real + (1.0 - alpha) * fake
                    with tf.GradientTape() as gp_tape:
                        gp_tape.watch(x_hat)
                        critic = D(x_hat, training=True)
                    grads = gp_tape.gradient(critic, x_hat)
                    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]) + GP_EPSILON)
                    penalty = tf.reduce_mean(tf.square(norms - 1.0))
                    d_loss = (
                        tf.reduce_mean(fake_logits)
                        - tf.reduce_mean(real_logits)
                        + self.gp_weight * penalty
                    )
            d_grads = tape.gradient(d_loss, D.trainable_variables)
            self.d_optimizer.apply(d_grads, D.trainable_variables)
        with tf.GradientTape() as tape:
            fake_logits = D(G(tf.random.normal((batch_size, self.latent_dim)), training=True),
                            training=True)
            if self.loss == "non_saturating":
                g_loss = tf.reduce_mean(tf.nn.softplus(-fake_logits))
            else:
                g_loss = -tf.reduce_mean(fake_logits)
        g_grads = tape.gradient(g_loss, G.trainable_variables)
        self.g_optimizer.apply(g_grads, G.trainable_variables)
        return d_loss, g_loss

    def step(self, real):
        self._last = self._step(self.tf.convert_to_tensor(real))

    def sync(self):
        return tuple(float(x) for x in self._last)


class TorchNativeTrainer(_NativeTrainer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.jit_compile:
            raise ValueError("The native torch loop is eager only.")
        import torch
        from keras.src.backend.torch.core import get_device

        self.torch = torch
        self.device = get_device()
        torch.manual_seed(self.seed)
        settings = ADAM_SETTINGS[self.loss]
        adam = dict(
            lr=settings["learning_rate"],
            betas=(settings["beta_1"], settings["beta_2"]),
            eps=ADAM_EPSILON,
        )
        self.g_params = [v.value for v in self.generator.trainable_variables]
        self.d_params = [v.value for v in self.discriminator.trainable_variables]
        self.g_optimizer = torch.optim.Adam(self.g_params, **adam)
        self.d_optimizer = torch.optim.Adam(self.d_params, **adam)

    @staticmethod
    def _set_grads(params, grads):
        for param, grad in zip(params, grads):
            param.grad = grad

    def step(self, real):
        torch = self.torch
        F = torch.nn.functional
        G, D = self.generator, self.discriminator
        real = torch.from_numpy(real).to(self.device)
        batch_size = real.shape[0]
        for _ in range(self.critic_steps):
            with torch.no_grad():
                fake = G(torch.randn(batch_size, self.latent_dim, device=self.device),
                         training=True)
            real_logits = D(real, training=True)
            fake_logits = D(fake, training=True)
            if self.loss == "non_saturating":
                d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
            else:
                alpha = torch.rand(batch_size, 1, 1, 1, device=self.device)
                x_hat = (alpha * real + (1.0 - alpha) * fake).requires_grad_(True)
                critic = D(x_hat, training=True)
                (grads,) = torch.autograd.grad(critic.sum(), x_hat, create_graph=True)
                norms = torch.sqrt(grads.square().sum(dim=(1, 2, 3)) + GP_EPSILON)
                penalty = (norms - 1.0).square().mean()
                d_loss = fake_logits.mean() - real_logits.mean() + self.gp_weight * penalty
            self._set_grads(self.d_params, torch.autograd.grad(d_loss, self.d_params))
            self.d_optimizer.step()
        fake = G(torch.randn(batch_size, self.latent_dim, device=self.device), training=True)
        fake_logits = D(fake, training=True)
        if self.loss == "non_saturating":
            g_loss = F.softplus(-fake_logits).mean()
        else:
            g_loss = -fake_logits.mean()
        # Gradients w.r.t. the generator only: no wasted D weight gradients.
        self._set_grads(self.g_params, torch.autograd.grad(g_loss, self.g_params))
        self.g_optimizer.step()
        self._last = (d_loss.detach(), g_loss.detach())

    def sync(self):
        return tuple(float(x) for x in self._last)


class JaxNativeTrainer(_NativeTrainer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        G, D = self.generator, self.discriminator
        g_tv = [v.value for v in G.trainable_variables]
        d_tv = [v.value for v in D.trainable_variables]
        self.state = (
            g_tv,
            [v.value for v in G.non_trainable_variables],
            d_tv,
            [v.value for v in D.non_trainable_variables],
            jax_adam_init(g_tv),
            jax_adam_init(d_tv),
            jax.random.PRNGKey(self.seed),
        )
        self._step = jax.jit(self._train_step, donate_argnums=(0,))

    def _train_step(self, state, real):
        jax, jnp = self.jax, self.jnp
        G, D = self.generator, self.discriminator
        g_tv, g_ntv, d_tv, d_ntv, g_os, d_os, key = state
        batch_size = real.shape[0]
        for _ in range(self.critic_steps):
            key, z_key, a_key = jax.random.split(key, 3)
            z = jax.random.normal(z_key, (batch_size, self.latent_dim))
            fake, _ = G.stateless_call(g_tv, g_ntv, z, training=True)
            fake = jax.lax.stop_gradient(fake)
            alpha = jax.random.uniform(a_key, (batch_size, 1, 1, 1))

            def d_loss_fn(d_tv, fake=fake, alpha=alpha):
                real_logits, ntv = D.stateless_call(d_tv, d_ntv, real, training=True)
                fake_logits, ntv = D.stateless_call(d_tv, ntv, fake, training=True)
                if self.loss == "non_saturating":
                    loss = jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(
                        jax.nn.softplus(fake_logits)
                    )
                    return loss, ntv
                x_hat = alpha * real + (1.0 - alpha) * fake

                def critic_sum(x):
                    return jnp.sum(D.stateless_call(d_tv, ntv, x, training=True)[0])

                grads = jax.grad(critic_sum)(x_hat)
                norms = jnp.sqrt(jnp.sum(jnp.square(grads), axis=(1, 2, 3)) + GP_EPSILON)
                penalty = jnp.mean(jnp.square(norms - 1.0))
                loss = jnp.mean(fake_logits) - jnp.mean(real_logits) + self.gp_weight * penalty
                return loss, ntv

            (d_loss, d_ntv), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_tv)
            d_tv, d_os = jax_adam_update(d_tv, d_grads, d_os, ADAM_SETTINGS[self.loss])

        key, z_key = jax.random.split(key)
        z = jax.random.normal(z_key, (batch_size, self.latent_dim))

        def g_loss_fn(g_tv):
            fake, ntv = G.stateless_call(g_tv, g_ntv, z, training=True)
            fake_logits, _ = D.stateless_call(d_tv, d_ntv, fake, training=True)
            if self.loss == "non_saturating":
                return jnp.mean(jax.nn.softplus(-fake_logits)), ntv
            return -jnp.mean(fake_logits), ntv

        (g_loss, g_ntv), g_grads = jax.value_and_grad(g_loss_fn, has_aux=True)(g_tv)
        g_tv, g_os = jax_adam_update(g_tv, g_grads, g_os, ADAM_SETTINGS[self.loss])
        return (g_tv, g_ntv, d_tv, d_ntv, g_os, d_os, key), (d_loss, g_loss)

    def step(self, real):
        self.state, self._last = self._step(self.state, real)

    def sync(self):
        self.jax.block_until_ready(self._last)
        return tuple(float(x) for x in self._last)

    def write_back(self):
        """Assigns the trained values to the Keras variables."""
        g_tv, g_ntv, d_tv, d_ntv = self.state[:4]
        for variables, values in (
            (self.generator.trainable_variables, g_tv),
            (self.generator.non_trainable_variables, g_ntv),
            (self.discriminator.trainable_variables, d_tv),
            (self.discriminator.non_trainable_variables, d_ntv),
        ):
            for variable, value in zip(variables, values):
                variable.assign(np.asarray(value))
