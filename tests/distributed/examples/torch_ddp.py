"""PyTorch: torch.distributed data parallelism, one process per device.

    torchrun --nproc_per_node=2 torch_ddp.py

Each process fits its shard of the data at GLOBAL_BATCH / N images per step;
keras-gans all-reduces (averages) the gradients and the logged losses.
"""

import os

os.environ["KERAS_BACKEND"] = "torch"

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

# torchrun sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and LOCAL_RANK).
if torch.cuda.is_available():
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group("nccl")
else:
    torch.set_num_threads(1)  # N processes share the CPU
    dist.init_process_group("gloo")

import keras  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans import distributed  # noqa: E402
from keras_gans.architectures import mlp_discriminator, mlp_generator  # noqa: E402

GLOBAL_BATCH = 64
images, _ = keras_gans.data.load_dataset("digits")
x = distributed.shard_for_this_process(images, global_batch_size=GLOBAL_BATCH)

gan = keras_gans.WGANGP(mlp_generator(latent_dim=16), mlp_discriminator(), latent_dim=16, seed=0)
gan.compile()
distributed.broadcast_weights(gan)  # every process starts from rank 0's weights
gan.fit(
    x,
    batch_size=distributed.per_process_batch_size(GLOBAL_BATCH),
    epochs=2,
    shuffle=False,
    verbose=2 if distributed.is_primary_process() else 0,
)
if distributed.is_primary_process():  # only one process writes files
    gan.save("wgan_gp_digits.keras")
dist.destroy_process_group()
