"""A PyTorch train step that never waits for the device.

On CUDA, reading a tensor's value back to Python (`int(t)`, `float(t)`,
`bool(t)`, `.item()`, `.tolist()`, `.numpy()`, `.cpu()`) waits until every
kernel queued so far has run, so the CPU cannot run ahead of the GPU. Keras
3.15's torch `keras.random` did one such read per draw (seeding a new
`torch.Generator` with `int(first_seed + second_seed)`), and a lazy penalty
one more (`ops.cond` on the step count). These tests count both kinds of
event around `gan.train_step(batch)`, after a warm-up step, on the CPU
(where the reads are cheap but still happen), for every GAN class and
toolkit option; any read or new generator fails.

`draw_random` must still give exactly `keras.random`'s numbers, on every
backend, and follow a seed state that something else assigned.
"""

import collections
import traceback

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans import architectures
from keras_gans.backend import gradients

ON_TORCH = keras.backend.backend() == "torch"
needs_torch = pytest.mark.skipif(
    not ON_TORCH,
    reason="host reads and torch.Generator are PyTorch notions: JAX and TensorFlow trace the "
    "whole step into one program that reads nothing back to Python while it runs",
)

BATCH = 8
LATENT = 4


def _players(conditional=False, seed=0):
    num_classes = 3 if conditional else None
    G = architectures.mlp_generator(LATENT, image_shape=(8, 8, 1), num_classes=num_classes, hidden_units=(8,), seed=seed)
    D = architectures.mlp_discriminator(image_shape=(8, 8, 1), num_classes=num_classes, hidden_units=(8,), seed=seed + 1)
    return G, D


def _gan(cls=keras_gans.NonSaturatingGAN, conditional=False, **kwargs):
    G, D = _players(conditional)
    return cls(G, D, latent_dim=LATENT, num_classes=3 if conditional else None, seed=0, **kwargs)


def _augment():
    return keras_gans.augment.DiffAugment("color,translation,cutout")


# Every GAN class and toolkit option, combined into few GANs to keep this fast.
CASES = {
    "non_saturating": lambda: _gan(),
    "minimax_conditional_label_smoothing": lambda: _gan(keras_gans.MinimaxGAN, conditional=True, label_smoothing=0.1),
    "wgan_gp_critic_loop": lambda: _gan(keras_gans.WGANGP, critic_steps=3),
    "hinge_gradient_penalty_ema": lambda: _gan(keras_gans.HingeGAN, gradient_penalty_weight=1.0, ema_decay=0.9),
    "least_squares_lazy_r1": lambda: _gan(
        keras_gans.LeastSquaresGAN, r1_penalty_weight=1.0, r1_interval=2, discriminator_steps=3
    ),
    "conditional_toolkit": lambda: _gan(
        conditional=True, label_smoothing=0.1, r1_penalty_weight=1.0, ema_decay=0.9, augmentation=_augment()
    ),
}


class HostSyncCounter:
    """Counts, while open, host reads of tensor values and new `torch.Generator`s.

    Reads are caught by a `torch.overrides.TorchFunctionMode`; generators by
    replacing `torch.Generator` with a counting subclass (Keras looks it up
    on the `torch` module at every draw). `events` lists `(kind, where)`,
    `where` the innermost keras-gans and Keras source lines.
    """

    def __init__(self):
        import torch
        from torch.overrides import TorchFunctionMode

        tensor = torch.Tensor
        reads = {
            tensor.__int__, tensor.__float__, tensor.__bool__, tensor.__index__,
            tensor.item, tensor.tolist, tensor.numpy, tensor.cpu,
        }
        counter = self

        class ReadMode(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                if func in reads:
                    counter.events.append((func.__name__, _where()))
                return func(*args, **(kwargs or {}))

        real_generator = torch.Generator

        class CountingGenerator(real_generator):
            def __new__(cls, *args, **kwargs):
                counter.events.append(("torch.Generator()", _where()))
                return real_generator.__new__(cls, *args, **kwargs)

        self._torch, self._mode = torch, ReadMode()
        self._real_generator, self._counting_generator = real_generator, CountingGenerator
        self.events = []

    def __enter__(self):
        self._torch.Generator = self._counting_generator
        self._mode.__enter__()
        return self

    def __exit__(self, *exc):
        self._mode.__exit__(*exc)
        self._torch.Generator = self._real_generator


def _where():
    frames = [f for f in traceback.extract_stack()[:-2] if "/torch/" not in f.filename]
    ours = [f"{f.filename.split('keras_gans/')[-1]}:{f.lineno}" for f in frames if "keras_gans/" in f.filename]
    keras_frames = [f"{f.filename.split('keras/src/')[-1]}:{f.lineno}" for f in frames if "keras/src/" in f.filename]
    return (ours[-1] if ours else "-") + " / " + (keras_frames[-1] if keras_frames else "-")


def _batch(gan, rng):
    images = keras.ops.convert_to_tensor(rng.uniform(-1, 1, (BATCH,) + gan.image_shape).astype("float32"))
    if gan.num_classes is None:
        return images
    return images, keras.ops.convert_to_tensor(rng.integers(0, gan.num_classes, BATCH).astype("int32"))


@needs_torch
@pytest.mark.parametrize("case", sorted(CASES))
def test_train_step_reads_nothing_back_and_makes_no_generator(case):
    gan = CASES[case]()
    gan.compile()
    rng = np.random.default_rng(0)
    gan.train_step(_batch(gan, rng))  # warm-up: host copies of the counters are made once
    batches = [_batch(gan, rng) for _ in range(2)]  # two steps: lazy R1 both applied and skipped
    with HostSyncCounter() as counter:
        for batch in batches:
            gan.train_step(batch)
    summary = collections.Counter(counter.events)
    assert not summary, f"{case}: host reads / new generators per 2 steps: {dict(summary)}"
    # The steps ran: both optimizers moved on each of them.
    assert int(gan.generator_optimizer.iterations.value) == 3
    assert int(gan.discriminator_optimizer.iterations.value) == 3 * gan.discriminator_steps


@needs_torch
def test_counter_sees_every_kind_of_host_read():
    # The guard can fail: each kind of read and Keras's own seeded draw is counted.
    import torch

    t = torch.ones(())
    seed = keras.random.SeedGenerator(0)
    with HostSyncCounter() as counter:
        int(t), float(t), bool(t), t.item(), t.tolist(), t.numpy(), t.cpu()
        keras.random.normal((2,), seed=seed)
    kinds = collections.Counter(kind for kind, _ in counter.events)
    for kind in ("__int__", "__float__", "__bool__", "item", "tolist", "numpy", "cpu"):
        assert kinds[kind] >= 1, kind
    assert kinds["torch.Generator()"] == 1


@pytest.mark.parametrize("sampler", ["normal", "uniform"])
def test_draw_random_gives_keras_random_numbers(sampler):
    sample = getattr(keras.random, sampler)
    ours, theirs = keras.random.SeedGenerator(7), keras.random.SeedGenerator(7)
    for shape in [(5, 3), (4, 1, 1, 1), (6,)]:
        expected = keras.ops.convert_to_numpy(sample(shape, seed=theirs))
        drawn = keras.ops.convert_to_numpy(gradients.draw_random(sample, shape, ours))
        np.testing.assert_array_equal(drawn, expected)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(ours.state.value), keras.ops.convert_to_numpy(theirs.state.value)
    )
    # Another writer of the state (a checkpoint being loaded): the next draws follow it.
    ours.state.assign(np.array([123, 4], dtype="int32"))
    theirs.state.assign(np.array([123, 4], dtype="int32"))
    for _ in range(2):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(gradients.draw_random(sample, (3, 2), ours)),
            keras.ops.convert_to_numpy(sample((3, 2), seed=theirs)),
        )


def test_every_nth_step_follows_the_optimizer():
    variable = keras.Variable(np.zeros(3, "float32"))
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.build([variable])
    seen = []
    for _ in range(5):
        seen.append(bool(keras.ops.convert_to_numpy(gradients.every_nth_step(optimizer.iterations, 2))))
        gradients.apply_gradients(optimizer, [keras.ops.ones(3)], [variable])
    optimizer.iterations.assign(7)  # written by someone else (a loaded checkpoint)
    seen.append(bool(keras.ops.convert_to_numpy(gradients.every_nth_step(optimizer.iterations, 2))))
    assert seen == [True, False, True, False, True, False]
