"""Host reads, new torch.Generators and Python-scalar-to-tensor copies per PyTorch train_step.

Around one `gan.train_step(batch)` after a warm-up step (tiny MLP GANs of
tests/helpers.py, batch 8, CPU), counts:
- host reads: `int/float/bool/index(tensor)`, `.item()`, `.tolist()`, `.numpy()`, `.cpu()`;
- `torch.Generator` constructions;
- tensors made from Python or NumPy data (`torch.as_tensor`, `torch.tensor`, ...):
  on CUDA each is a blocking host-to-device copy.
Each event is listed with the innermost keras-gans line and Keras line that led to it.

    PYTHONPATH=. python benchmarks/results/anchor_speed_cpu/torch_sync_free_step/count_host_syncs.py
"""

import collections
import os
import sys
import traceback

os.environ["KERAS_BACKEND"] = "torch"
sys.path.insert(0, os.getcwd())

import keras  # noqa: E402
import torch  # noqa: E402
from torch.overrides import TorchFunctionMode  # noqa: E402

import keras_gans  # noqa: E402
from tests.helpers import digits, make_gan  # noqa: E402

READS = {torch.Tensor.__int__, torch.Tensor.__float__, torch.Tensor.__bool__, torch.Tensor.__index__,
         torch.Tensor.item, torch.Tensor.tolist, torch.Tensor.numpy, torch.Tensor.cpu}
COPIES = {torch.as_tensor, torch.tensor, torch.asarray, torch.from_numpy, torch.scalar_tensor}
KERAS_PLUMBING = ("backend/torch/core.py", "backend/torch/numpy.py", "ops/numpy.py", "ops/core.py",
                  "backend/common/variables.py", "backend/torch/random.py")


def where():
    frames = [f for f in traceback.extract_stack()[:-2] if "site-packages/torch" not in f.filename]
    ours = [f for f in frames if "keras_gans" in f.filename]
    theirs = [f for f in frames if "keras/src" in f.filename and not any(p in f.filename for p in KERAS_PLUMBING)]
    a = f"keras_gans/{ours[-1].filename.split('keras_gans/')[-1]}:{ours[-1].lineno}" if ours else "-"
    b = f"keras/src/{theirs[-1].filename.split('keras/src/')[-1]}:{theirs[-1].lineno}" if theirs else "-"
    return f"{a} <- {b}"


class Counter(TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.events = collections.Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in READS:
            self.events[("host read", func.__name__, where())] += 1
        if func in COPIES and not (args and isinstance(args[0], torch.Tensor)):
            self.events[("scalar/array -> tensor", func.__name__, where())] += 1
        return func(*args, **(kwargs or {}))


generators = []
RealGenerator = torch.Generator


class CountingGenerator(RealGenerator):
    def __new__(cls, *args, **kwargs):
        generators.append(where())
        return RealGenerator.__new__(cls, *args, **kwargs)


torch.Generator = CountingGenerator

CASES = {
    "NonSaturatingGAN": dict(kind="nonsaturating"),
    "WGANGP (5 critic steps)": dict(kind="wgan_gp", critic_steps=5),
    "NS + R1 + EMA + DiffAugment": dict(kind="nonsaturating", r1_penalty_weight=1.0, ema_decay=0.99,
                                        augmentation=keras_gans.augment.DiffAugment("color,translation,cutout")),
    "NS + lazy R1 (interval 4)": dict(kind="nonsaturating", r1_penalty_weight=1.0, r1_interval=4),
    "conditional NS": dict(kind="nonsaturating", conditional=True),
}

x, y = digits(16)
for name, kwargs in CASES.items():
    gan = make_gan(**kwargs)
    gan.compile()
    images = keras.ops.convert_to_tensor(x[:8])
    batch = (images, keras.ops.convert_to_tensor(y[:8])) if kwargs.get("conditional") else images
    gan.train_step(batch)
    generators.clear()
    with Counter() as counter:
        gan.train_step(batch)
    reads = sum(v for k, v in counter.events.items() if k[0] == "host read")
    copies = sum(v for k, v in counter.events.items() if k[0] != "host read")
    print(f"{name}: host reads {reads}, new torch.Generator {len(generators)}, Python/NumPy -> tensor {copies}")
    for (kind, func, place), count in sorted(counter.events.items()):
        print(f"    {count} x {kind} ({func}) at {place}")
