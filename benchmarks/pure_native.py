"""The DCGAN pair and its GAN training steps in pure framework code.

This is what a PyTorch, JAX or TensorFlow user writes without Keras: the
same architectures as `keras_gans.architectures.dcgan_generator` /
`dcgan_discriminator` at 28x28x1 (same layers, same parameter counts, checked
by `check_parameter_counts`), the same losses and the same Adam, trained by
the step a framework user writes:

- PyTorch: `torch.nn` modules (NCHW), `torch.optim.Adam`, `torch.autograd`.
- JAX: a parameter pytree, `jax.lax` convolutions (NHWC), `jax.value_and_grad`,
  Adam written out with `jax.tree_util` (the optax update rule; no optax
  needed), one `jax.jit` per step with the state donated.
- TensorFlow: `tf.Variable`s, `tf.nn` convolutions, `tf.GradientTape`, Adam
  written out, one `tf.function` per step.

Architectures (`f` = base_filters, `z` = latent_dim):
- G: Dense(z -> 7*7*2f, no bias), BatchNorm, ReLU, reshape to 7x7x2f,
  ConvTranspose(2f -> f, 4, stride 2, no bias), BatchNorm, ReLU,
  ConvTranspose(f -> 1, 4, stride 2, bias), tanh.
- D: Conv(1 -> f, 4, stride 2), LeakyReLU(0.2), Conv(f -> 2f, 4, stride 2),
  BatchNorm (non-saturating) or LayerNorm over (H, W, C) (WGAN-GP critic),
  LeakyReLU(0.2), Flatten, Dense(1).
BatchNorm/LayerNorm epsilon 1e-3 and BatchNorm momentum 0.99, as Keras.

Losses, as `keras_gans.NonSaturatingGAN` / `WGANGP`:
- non-saturating: D on a real batch and a fake batch (two calls, fresh
  latents, G without gradients), `mean(softplus(-D(x))) + mean(softplus(D(G(z))))`;
  G: `mean(softplus(-D(G(z))))`.
- WGAN-GP: `critic_steps` critic updates, each with fresh latents and one
  U[0, 1] weight per example, `mean(D(G(z))) - mean(D(x)) + w * GP`,
  `GP = mean((sqrt(sum(g^2) + 1e-12) - 1)^2)`, `g = dD(x_hat)/dx_hat`;
  G: `-mean(D(G(z)))`.
Also a supervised anchor: D alone trained with binary cross-entropy on
logits, the reference for plain Keras `fit`.

Usage (the framework is chosen by name, not by KERAS_BACKEND):

```python
trainer = make_pure_trainer("torch", "non_saturating", base_filters=16, latent_dim=64)
trainer.step(images[:64])       # numpy float32 (batch, 28, 28, 1)
d_loss, g_loss = trainer.sync() # waits for the device, returns floats
```
"""

import numpy as np

ADAM_SETTINGS = {
    "non_saturating": {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999},
    "wgan_gp": {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
    "supervised": {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999},
}
ADAM_EPSILON = 1e-8
GP_EPSILON = 1e-12
NORM_EPSILON = 1e-3
BN_MOMENTUM = 0.99
LOSSES = ("non_saturating", "wgan_gp", "supervised")
FRAMEWORKS = ("torch", "jax", "tensorflow")
IMAGE_SHAPE = (28, 28, 1)


def parameter_counts(base_filters, latent_dim, loss):
    """`{"generator": (trainable, non_trainable), "discriminator": (...)}` by formula."""
    f, z = base_filters, latent_dim
    dense_units = 7 * 7 * 2 * f
    g_trainable = z * dense_units + 2 * dense_units + 4 * 4 * 2 * f * f + 2 * f + 4 * 4 * f + 1
    g_non_trainable = 2 * dense_units + 2 * f
    d_trainable = 4 * 4 * f + f + 4 * 4 * f * 2 * f + 2 * f + 7 * 7 * 2 * f + 1
    if loss == "wgan_gp":
        d_trainable += 2 * 7 * 7 * 2 * f
        d_non_trainable = 0
    else:
        d_trainable += 2 * 2 * f
        d_non_trainable = 2 * 2 * f
    return {"generator": (g_trainable, g_non_trainable),
            "discriminator": (d_trainable, d_non_trainable)}


def keras_parameter_counts(generator, discriminator):
    """The same counts read from Keras models."""
    def count(variables):
        return int(sum(int(np.prod(v.shape)) for v in variables))

    return {name: (count(m.trainable_variables), count(m.non_trainable_variables))
            for name, m in (("generator", generator), ("discriminator", discriminator))}


def check_parameter_counts(trainer, generator=None, discriminator=None):
    """Asserts the pure trainer's counts equal the formula's and, when given,
    the Keras models' (`keras_gans.architectures.dcgan_*`)."""
    expected = parameter_counts(trainer.base_filters, trainer.latent_dim, trainer.loss_for_counts)
    got = trainer.parameter_counts()
    if trainer.loss == "supervised":
        expected = {"discriminator": expected["discriminator"]}
    if got != expected:
        raise AssertionError(f"pure {trainer.framework} parameter counts {got} != {expected}")
    if discriminator is not None:
        keras_counts = keras_parameter_counts(generator or discriminator, discriminator)
        for name in got:
            if keras_counts[name] != got[name]:
                raise AssertionError(
                    f"{name}: pure {trainer.framework} {got[name]} != Keras {keras_counts[name]}")
    return got


def make_pure_trainer(framework, loss, base_filters=16, latent_dim=64, critic_steps=5,
                      gradient_penalty_weight=10.0, seed=0):
    """Returns the pure trainer of `framework` ("torch", "jax", "tensorflow")."""
    if loss not in LOSSES:
        raise ValueError(f"Unknown `loss`={loss!r}. Expected one of {LOSSES}.")
    classes = {"torch": TorchPureTrainer, "jax": JaxPureTrainer,
               "tensorflow": TensorFlowPureTrainer}
    if framework not in classes:
        raise ValueError(f"Unknown `framework`={framework!r}. Expected one of {FRAMEWORKS}.")
    return classes[framework](loss=loss, base_filters=int(base_filters),
                              latent_dim=int(latent_dim),
                              critic_steps=int(critic_steps) if loss == "wgan_gp" else 1,
                              gp_weight=float(gradient_penalty_weight), seed=seed)


class _PureTrainer:
    framework = None

    def __init__(self, loss, base_filters, latent_dim, critic_steps, gp_weight, seed):
        self.loss = loss
        # The supervised anchor trains the non-saturating (BatchNorm) D.
        self.loss_for_counts = "non_saturating" if loss == "supervised" else loss
        self.base_filters = base_filters
        self.latent_dim = latent_dim
        self.critic_steps = critic_steps
        self.gp_weight = gp_weight
        self.seed = seed
        self._last = None

    def run(self, images, batch_size, steps, labels=None):
        """`steps` steps over `images` in order (wrapping), then a sync."""
        num_batches = len(images) // batch_size
        for i in range(steps):
            j = i % num_batches
            batch = images[j * batch_size:(j + 1) * batch_size]
            if self.loss == "supervised":
                self.step(batch, labels[j * batch_size:(j + 1) * batch_size])
            else:
                self.step(batch)
        return self.sync()


# --- PyTorch -------------------------------------------------------------------


def _torch_modules(torch, base_filters, latent_dim, normalization):
    nn = torch.nn
    f = base_filters

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.project = nn.Linear(latent_dim, 7 * 7 * 2 * f, bias=False)
            self.project_bn = nn.BatchNorm1d(7 * 7 * 2 * f, eps=NORM_EPSILON,
                                             momentum=1 - BN_MOMENTUM)
            self.upsample = nn.ConvTranspose2d(2 * f, f, 4, stride=2, padding=1, bias=False)
            self.upsample_bn = nn.BatchNorm2d(f, eps=NORM_EPSILON, momentum=1 - BN_MOMENTUM)
            self.to_image = nn.ConvTranspose2d(f, 1, 4, stride=2, padding=1)

        def forward(self, z):
            x = torch.relu(self.project_bn(self.project(z)))
            x = x.view(-1, 2 * f, 7, 7)
            x = torch.relu(self.upsample_bn(self.upsample(x)))
            return torch.tanh(self.to_image(x))

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.down0 = nn.Conv2d(1, f, 4, stride=2, padding=1)
            self.down1 = nn.Conv2d(f, 2 * f, 4, stride=2, padding=1)
            if normalization == "batch":
                self.norm = nn.BatchNorm2d(2 * f, eps=NORM_EPSILON, momentum=1 - BN_MOMENTUM)
            else:
                self.norm = nn.LayerNorm([2 * f, 7, 7], eps=NORM_EPSILON)
            self.logit = nn.Linear(7 * 7 * 2 * f, 1)

        def forward(self, x):
            x = nn.functional.leaky_relu(self.down0(x), 0.2)
            x = nn.functional.leaky_relu(self.norm(self.down1(x)), 0.2)
            return self.logit(x.flatten(1))

    return Generator, Discriminator


class TorchPureTrainer(_PureTrainer):
    """`torch.nn` + `torch.optim.Adam` on the default torch device (CUDA if any)."""

    framework = "torch"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        import torch

        self.torch = torch
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        torch.manual_seed(self.seed)
        normalization = "layer" if self.loss == "wgan_gp" else "batch"
        Generator, Discriminator = _torch_modules(torch, self.base_filters, self.latent_dim,
                                                  normalization)
        settings = ADAM_SETTINGS[self.loss]
        adam = dict(lr=settings["learning_rate"], betas=(settings["beta_1"], settings["beta_2"]),
                    eps=ADAM_EPSILON)
        self.D = Discriminator().to(self.device).train()
        self.d_optimizer = torch.optim.Adam(self.D.parameters(), **adam)
        if self.loss != "supervised":
            self.G = Generator().to(self.device).train()
            self.g_optimizer = torch.optim.Adam(self.G.parameters(), **adam)

    def parameter_counts(self):
        def count(module):
            trainable = sum(p.numel() for p in module.parameters())
            buffers = sum(b.numel() for name, b in module.named_buffers()
                          if not name.endswith("num_batches_tracked"))
            return (trainable, buffers)

        counts = {"discriminator": count(self.D)}
        if self.loss != "supervised":
            counts["generator"] = count(self.G)
        return counts

    def _to_device(self, images):
        # NHWC numpy -> NCHW tensor, as a torch user's data loader would give.
        return self.torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).to(
            self.device, non_blocking=True)

    def step(self, real, labels=None):
        torch = self.torch
        F = torch.nn.functional
        G, D = getattr(self, "G", None), self.D
        real = self._to_device(real)
        n = real.shape[0]
        if self.loss == "supervised":
            targets = torch.from_numpy(labels).to(self.device).view(-1, 1)
            self.d_optimizer.zero_grad(set_to_none=True)
            loss = F.binary_cross_entropy_with_logits(D(real), targets)
            loss.backward()
            self.d_optimizer.step()
            self._last = (loss.detach(),)
            return
        for _ in range(self.critic_steps):
            with torch.no_grad():
                fake = G(torch.randn(n, self.latent_dim, device=self.device))
            self.d_optimizer.zero_grad(set_to_none=True)
            real_logits = D(real)
            fake_logits = D(fake)
            if self.loss == "non_saturating":
                d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
            else:
                alpha = torch.rand(n, 1, 1, 1, device=self.device)
                x_hat = (alpha * real + (1.0 - alpha) * fake).requires_grad_(True)
                (grads,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
                norms = torch.sqrt(grads.square().sum(dim=(1, 2, 3)) + GP_EPSILON)
                penalty = (norms - 1.0).square().mean()
                d_loss = fake_logits.mean() - real_logits.mean() + self.gp_weight * penalty
            d_loss.backward()
            self.d_optimizer.step()
        self.g_optimizer.zero_grad(set_to_none=True)
        # Gradients reach D's parameters too but are cleared before D's next
        # update (zero_grad), as in the PyTorch DCGAN example.
        fake_logits = D(G(torch.randn(n, self.latent_dim, device=self.device)))
        if self.loss == "non_saturating":
            g_loss = F.softplus(-fake_logits).mean()
        else:
            g_loss = -fake_logits.mean()
        g_loss.backward()
        self.g_optimizer.step()
        self._last = (d_loss.detach(), g_loss.detach())

    def sync(self):
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()
        return tuple(float(x) for x in self._last)


# --- JAX -----------------------------------------------------------------------


def jax_adam_init(params):
    """Adam's state for a pytree: first and second moments, step count."""
    import jax
    import jax.numpy as jnp

    def zeros():
        return jax.tree_util.tree_map(jnp.zeros_like, params)

    return {"m": zeros(), "v": zeros(), "t": jnp.zeros((), "int32")}


def jax_adam_update(params, grads, opt, settings):
    """One Adam step on a pytree (optax.adam's update rule, written out: no optax
    needed); `settings` as in `ADAM_SETTINGS`. Returns `(params, opt)`."""
    import jax
    import jax.numpy as jnp

    tree_map = jax.tree_util.tree_map
    lr, b1, b2 = settings["learning_rate"], settings["beta_1"], settings["beta_2"]
    t = opt["t"] + 1
    m = tree_map(lambda m, g: b1 * m + (1 - b1) * g, opt["m"], grads)
    v = tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, opt["v"], grads)
    c1 = 1 - b1 ** t.astype("float32")
    c2 = 1 - b2 ** t.astype("float32")
    params = tree_map(
        lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + ADAM_EPSILON), params, m, v)
    return params, {"m": m, "v": v, "t": t}


class JaxPureTrainer(_PureTrainer):
    """A parameter pytree, `jax.lax` convolutions, hand-written Adam, `jax.jit`."""

    framework = "jax"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        key = jax.random.PRNGKey(self.seed)
        g_key, d_key, self._key = jax.random.split(key, 3)
        normalization = "layer" if self.loss == "wgan_gp" else "batch"
        self.normalization = normalization
        d_params, d_stats = self._init_discriminator(d_key, normalization)
        state = {"d": d_params, "d_stats": d_stats, "d_adam": self._adam_init(d_params)}
        if self.loss != "supervised":
            g_params, g_stats = self._init_generator(g_key)
            state.update({"g": g_params, "g_stats": g_stats, "g_adam": self._adam_init(g_params)})
        state["key"] = self._key
        self.state = state
        self._step = jax.jit(self._train_step, donate_argnums=(0,))

    # Model definitions ---------------------------------------------------------

    def _normal(self, key, shape):
        return 0.02 * self.jax.random.normal(key, shape, dtype="float32")

    def _init_generator(self, key):
        jnp = self.jnp
        f, z = self.base_filters, self.latent_dim
        k = self.jax.random.split(key, 3)
        units = 7 * 7 * 2 * f
        params = {
            "project": self._normal(k[0], (z, units)),
            "project_bn": {"scale": jnp.ones(units), "bias": jnp.zeros(units)},
            "upsample": self._normal(k[1], (4, 4, f, 2 * f)),  # HW, out, in (transpose)
            "upsample_bn": {"scale": jnp.ones(f), "bias": jnp.zeros(f)},
            "to_image": self._normal(k[2], (4, 4, 1, f)),
            "to_image_bias": jnp.zeros(1),
        }
        stats = {"project_bn": (jnp.zeros(units), jnp.ones(units)),
                 "upsample_bn": (jnp.zeros(f), jnp.ones(f))}
        return params, stats

    def _init_discriminator(self, key, normalization):
        jnp = self.jnp
        f = self.base_filters
        k = self.jax.random.split(key, 3)
        params = {
            "down0": self._normal(k[0], (4, 4, 1, f)), "down0_bias": jnp.zeros(f),
            "down1": self._normal(k[1], (4, 4, f, 2 * f)), "down1_bias": jnp.zeros(2 * f),
            "logit": self._normal(k[2], (7 * 7 * 2 * f, 1)), "logit_bias": jnp.zeros(1),
        }
        if normalization == "batch":
            params["norm"] = {"scale": jnp.ones(2 * f), "bias": jnp.zeros(2 * f)}
            stats = {"norm": (jnp.zeros(2 * f), jnp.ones(2 * f))}
        else:
            params["norm"] = {"scale": jnp.ones((7, 7, 2 * f)), "bias": jnp.zeros((7, 7, 2 * f))}
            stats = {}
        return params, stats

    def _batch_norm(self, x, params, stats, axes):
        jnp = self.jnp
        mean = jnp.mean(x, axis=axes)
        var = jnp.var(x, axis=axes)
        y = (x - mean) / jnp.sqrt(var + NORM_EPSILON) * params["scale"] + params["bias"]
        moving_mean, moving_var = stats
        new_stats = (BN_MOMENTUM * moving_mean + (1 - BN_MOMENTUM) * mean,
                     BN_MOMENTUM * moving_var + (1 - BN_MOMENTUM) * var)
        return y, new_stats

    def _conv(self, x, kernel, stride):
        return self.jax.lax.conv_general_dilated(
            x, kernel, (stride, stride), ((1, 1), (1, 1)),
            dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def _conv_transpose(self, x, kernel):
        # Kernel stored (H, W, out, in), as Keras's Conv2DTranspose; "SAME"
        # with stride 2 doubles the size.
        return self.jax.lax.conv_transpose(
            x, kernel, (2, 2), "SAME", dimension_numbers=("NHWC", "HWOI", "NHWC"))

    def _generator(self, params, stats, z):
        jnp, nn = self.jnp, self.jax.nn
        f = self.base_filters
        x, s0 = self._batch_norm(z @ params["project"], params["project_bn"],
                                 stats["project_bn"], (0,))
        x = nn.relu(x).reshape(-1, 7, 7, 2 * f)
        x, s1 = self._batch_norm(self._conv_transpose(x, params["upsample"]),
                                 params["upsample_bn"], stats["upsample_bn"], (0, 1, 2))
        x = nn.relu(x)
        x = self._conv_transpose(x, params["to_image"]) + params["to_image_bias"]
        return jnp.tanh(x), {"project_bn": s0, "upsample_bn": s1}

    def _discriminator(self, params, stats, x):
        jnp, nn = self.jnp, self.jax.nn
        x = nn.leaky_relu(self._conv(x, params["down0"], 2) + params["down0_bias"], 0.2)
        x = self._conv(x, params["down1"], 2) + params["down1_bias"]
        if self.normalization == "batch":
            x, s = self._batch_norm(x, params["norm"], stats["norm"], (0, 1, 2))
            new_stats = {"norm": s}
        else:
            mean = jnp.mean(x, axis=(1, 2, 3), keepdims=True)
            var = jnp.var(x, axis=(1, 2, 3), keepdims=True)
            x = (x - mean) / jnp.sqrt(var + NORM_EPSILON) * params["norm"]["scale"] + \
                params["norm"]["bias"]
            new_stats = {}
        x = nn.leaky_relu(x, 0.2)
        logits = x.reshape(x.shape[0], -1) @ params["logit"] + params["logit_bias"]
        return logits, new_stats

    def _adam_init(self, params):
        return jax_adam_init(params)

    def _adam_update(self, params, grads, opt):
        return jax_adam_update(params, grads, opt, ADAM_SETTINGS[self.loss])

    # The step -----------------------------------------------------------------

    def _train_step(self, state, real, labels=None):
        jax, jnp = self.jax, self.jnp
        state = dict(state)
        n = real.shape[0]
        if self.loss == "supervised":
            def sup_loss(d):
                logits, stats = self._discriminator(d, state["d_stats"], real)
                losses = jnp.maximum(logits, 0) - logits * labels[:, None] + \
                    jnp.log1p(jnp.exp(-jnp.abs(logits)))
                return jnp.mean(losses), stats

            (loss, state["d_stats"]), grads = jax.value_and_grad(sup_loss, has_aux=True)(
                state["d"])
            state["d"], state["d_adam"] = self._adam_update(state["d"], grads, state["d_adam"])
            return state, (loss,)
        key = state["key"]
        for _ in range(self.critic_steps):
            key, z_key, a_key = jax.random.split(key, 3)
            z = jax.random.normal(z_key, (n, self.latent_dim))
            fake, _ = self._generator(state["g"], state["g_stats"], z)
            fake = jax.lax.stop_gradient(fake)

            def d_loss_fn(d, fake=fake, a_key=a_key):
                real_logits, stats = self._discriminator(d, state["d_stats"], real)
                fake_logits, stats = self._discriminator(d, stats, fake)
                if self.loss == "non_saturating":
                    loss = jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(
                        jax.nn.softplus(fake_logits))
                    return loss, stats
                alpha = jax.random.uniform(a_key, (n, 1, 1, 1))
                x_hat = alpha * real + (1.0 - alpha) * fake
                grads = jax.grad(lambda x: jnp.sum(self._discriminator(d, stats, x)[0]))(x_hat)
                norms = jnp.sqrt(jnp.sum(jnp.square(grads), axis=(1, 2, 3)) + GP_EPSILON)
                penalty = jnp.mean(jnp.square(norms - 1.0))
                loss = jnp.mean(fake_logits) - jnp.mean(real_logits) + self.gp_weight * penalty
                return loss, stats

            (d_loss, state["d_stats"]), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
                state["d"])
            state["d"], state["d_adam"] = self._adam_update(state["d"], grads, state["d_adam"])
        key, z_key = jax.random.split(key)
        z = jax.random.normal(z_key, (n, self.latent_dim))

        def g_loss_fn(g):
            fake, stats = self._generator(g, state["g_stats"], z)
            fake_logits, _ = self._discriminator(state["d"], state["d_stats"], fake)
            if self.loss == "non_saturating":
                return jnp.mean(jax.nn.softplus(-fake_logits)), stats
            return -jnp.mean(fake_logits), stats

        (g_loss, state["g_stats"]), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(
            state["g"])
        state["g"], state["g_adam"] = self._adam_update(state["g"], grads, state["g_adam"])
        state["key"] = key
        return state, (d_loss, g_loss)

    def parameter_counts(self):
        def count(tree):
            return int(sum(int(np.prod(x.shape)) for x in self.jax.tree_util.tree_leaves(tree)))

        counts = {"discriminator": (count(self.state["d"]), count(self.state["d_stats"]))}
        if self.loss != "supervised":
            counts["generator"] = (count(self.state["g"]), count(self.state["g_stats"]))
        return counts

    def step(self, real, labels=None):
        real = self.jnp.asarray(real)
        if self.loss == "supervised":
            self.state, self._last = self._step(self.state, real, self.jnp.asarray(labels))
        else:
            self.state, self._last = self._step(self.state, real)

    def sync(self):
        self.jax.block_until_ready(self._last)
        return tuple(float(x) for x in self._last)


# --- TensorFlow ----------------------------------------------------------------


class TensorFlowPureTrainer(_PureTrainer):
    """`tf.Variable`s, `tf.nn` convolutions, hand-written Adam, `tf.function`."""

    framework = "tensorflow"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        import tensorflow as tf

        self.tf = tf
        tf.random.set_seed(self.seed)
        self.rng = tf.random.Generator.from_seed(self.seed)
        f, z = self.base_filters, self.latent_dim
        self.normalization = "layer" if self.loss == "wgan_gp" else "batch"
        units = 7 * 7 * 2 * f

        def normal(shape, name):
            return tf.Variable(tf.random.normal(shape, stddev=0.02), name=name)

        def const(value, shape, name, trainable=True):
            return tf.Variable(tf.fill(shape, value), name=name, trainable=trainable)

        self.d = {
            "down0": normal((4, 4, 1, f), "down0"), "down0_bias": const(0.0, (f,), "b0"),
            "down1": normal((4, 4, f, 2 * f), "down1"), "down1_bias": const(0.0, (2 * f,), "b1"),
            "logit": normal((units, 1), "logit"), "logit_bias": const(0.0, (1,), "bl"),
        }
        norm_shape = (2 * f,) if self.normalization == "batch" else (7, 7, 2 * f)
        self.d["norm_scale"] = const(1.0, norm_shape, "norm_scale")
        self.d["norm_bias"] = const(0.0, norm_shape, "norm_bias")
        self.d_stats = {}
        if self.normalization == "batch":
            self.d_stats = {"norm": (const(0.0, (2 * f,), "mm", False),
                                     const(1.0, (2 * f,), "mv", False))}
        self.d_adam = self._adam_init(self.d)
        self.d_vars = list(self.d.values())
        if self.loss != "supervised":
            self.g = {
                "project": normal((z, units), "project"),
                "project_scale": const(1.0, (units,), "ps"), "project_bias": const(0.0, (units,), "pb"),
                "upsample": normal((4, 4, f, 2 * f), "upsample"),
                "upsample_scale": const(1.0, (f,), "us"), "upsample_bias": const(0.0, (f,), "ub"),
                "to_image": normal((4, 4, 1, f), "to_image"),
                "to_image_bias": const(0.0, (1,), "tb"),
            }
            self.g_stats = {"project_bn": (const(0.0, (units,), "pm", False),
                                           const(1.0, (units,), "pv", False)),
                            "upsample_bn": (const(0.0, (f,), "um", False),
                                            const(1.0, (f,), "uv", False))}
            self.g_adam = self._adam_init(self.g)
            self.g_vars = list(self.g.values())
        self._step = tf.function(self._train_step)

    def _adam_init(self, params):
        tf = self.tf
        return {"m": [tf.Variable(tf.zeros_like(p), trainable=False) for p in params.values()],
                "v": [tf.Variable(tf.zeros_like(p), trainable=False) for p in params.values()],
                "t": tf.Variable(0.0, trainable=False)}

    def _adam_apply(self, variables, grads, opt):
        tf = self.tf
        s = ADAM_SETTINGS[self.loss]
        lr, b1, b2 = s["learning_rate"], s["beta_1"], s["beta_2"]
        t = opt["t"].assign_add(1.0)
        c1, c2 = 1 - tf.pow(b1, t), 1 - tf.pow(b2, t)
        for p, g, m, v in zip(variables, grads, opt["m"], opt["v"]):
            m.assign(b1 * m + (1 - b1) * g)
            v.assign(b2 * v + (1 - b2) * tf.square(g))
            p.assign_sub(lr * (m / c1) / (tf.sqrt(v / c2) + ADAM_EPSILON))

    def _batch_norm(self, x, scale, bias, stats, axes, update):
        tf = self.tf
        mean, var = tf.nn.moments(x, axes)
        if update:
            moving_mean, moving_var = stats
            moving_mean.assign(BN_MOMENTUM * moving_mean + (1 - BN_MOMENTUM) * mean)
            moving_var.assign(BN_MOMENTUM * moving_var + (1 - BN_MOMENTUM) * var)
        return tf.nn.batch_normalization(x, mean, var, bias, scale, NORM_EPSILON)

    def _generator(self, z, update_stats=True):
        tf, g, f = self.tf, self.g, self.base_filters
        n = tf.shape(z)[0]
        x = self._batch_norm(z @ g["project"], g["project_scale"], g["project_bias"],
                             self.g_stats["project_bn"], [0], update_stats)
        x = tf.reshape(tf.nn.relu(x), (-1, 7, 7, 2 * f))
        x = tf.nn.conv2d_transpose(x, g["upsample"], (n, 14, 14, f), 2, "SAME")
        x = tf.nn.relu(self._batch_norm(x, g["upsample_scale"], g["upsample_bias"],
                                        self.g_stats["upsample_bn"], [0, 1, 2], update_stats))
        x = tf.nn.conv2d_transpose(x, g["to_image"], (n, 28, 28, 1), 2, "SAME")
        return tf.tanh(x + g["to_image_bias"])

    def _discriminator(self, x, update_stats=True):
        tf, d = self.tf, self.d
        x = tf.nn.leaky_relu(tf.nn.conv2d(x, d["down0"], 2, "SAME") + d["down0_bias"], 0.2)
        x = tf.nn.conv2d(x, d["down1"], 2, "SAME") + d["down1_bias"]
        if self.normalization == "batch":
            x = self._batch_norm(x, d["norm_scale"], d["norm_bias"], self.d_stats["norm"],
                                 [0, 1, 2], update_stats)
        else:
            mean, var = tf.nn.moments(x, [1, 2, 3], keepdims=True)
            x = tf.nn.batch_normalization(x, mean, var, d["norm_bias"], d["norm_scale"],
                                          NORM_EPSILON)
        x = tf.nn.leaky_relu(x, 0.2)
        return tf.reshape(x, (tf.shape(x)[0], -1)) @ d["logit"] + d["logit_bias"]

    def _train_step(self, real, labels=None):
        tf = self.tf
        n = tf.shape(real)[0]
        if self.loss == "supervised":
            with tf.GradientTape() as tape:
                logits = self._discriminator(real)
                loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
                    labels=labels[:, None], logits=logits))
            self._adam_apply(self.d_vars, tape.gradient(loss, self.d_vars), self.d_adam)
            return (loss,)
        for _ in range(self.critic_steps):
            fake = self._generator(self.rng.normal((n, self.latent_dim)))
            with tf.GradientTape() as tape:
                real_logits = self._discriminator(real)
                fake_logits = self._discriminator(fake)
                if self.loss == "non_saturating":
                    d_loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(
                        tf.nn.softplus(fake_logits))
                else:
                    alpha = self.rng.uniform((n, 1, 1, 1))
                    x_hat = alpha * real + (1.0 - alpha) * fake
                    with tf.GradientTape() as gp_tape:
                        gp_tape.watch(x_hat)
                        critic = self._discriminator(x_hat)
                    grads = gp_tape.gradient(critic, x_hat)
                    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]) + GP_EPSILON)
                    d_loss = (tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
                              + self.gp_weight * tf.reduce_mean(tf.square(norms - 1.0)))
            self._adam_apply(self.d_vars, tape.gradient(d_loss, self.d_vars), self.d_adam)
        with tf.GradientTape() as tape:
            fake_logits = self._discriminator(self._generator(
                self.rng.normal((n, self.latent_dim))))
            if self.loss == "non_saturating":
                g_loss = tf.reduce_mean(tf.nn.softplus(-fake_logits))
            else:
                g_loss = -tf.reduce_mean(fake_logits)
        self._adam_apply(self.g_vars, tape.gradient(g_loss, self.g_vars), self.g_adam)
        return d_loss, g_loss

    def parameter_counts(self):
        def count(variables):
            return int(sum(int(np.prod(v.shape)) for v in variables))

        counts = {"discriminator": (count(self.d_vars),
                                    count([v for s in self.d_stats.values() for v in s]))}
        if self.loss != "supervised":
            counts["generator"] = (count(self.g_vars),
                                   count([v for s in self.g_stats.values() for v in s]))
        return counts

    def step(self, real, labels=None):
        tf = self.tf
        if self.loss == "supervised":
            self._last = self._step(tf.convert_to_tensor(real), tf.convert_to_tensor(labels))
        else:
            self._last = self._step(tf.convert_to_tensor(real))

    def sync(self):
        return tuple(float(x) for x in self._last)
