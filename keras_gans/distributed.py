"""Helpers for training one GAN with several processes (torch.distributed).

Which engine splits the work depends on the backend:

- JAX: `keras.distribution` (`DataParallel`, `ModelParallel`). One process
  drives every device and Keras shards each global batch; `fit` as usual.
- TensorFlow: `tf.distribute.MirroredStrategy`. Build and compile inside
  `strategy.scope()`; one process, Keras splits each global batch.
- PyTorch: `torch.distributed`, one process per device (`torchrun
  --nproc_per_node=N`). Keras does not split anything: each process must fit
  its own shard of the data at `global_batch_size / N` images per step. The
  gradient module averages gradients (and logged losses) over processes.

The functions here are what a torch.distributed script needs. They also run
unchanged on one process and on the other backends, where every process is
the primary one and the shard is the whole data set.

Batch and shard arithmetic. With `N` processes and a global batch of `B`
images, each process fits `b = B // N` images per step. The GAN draws the
latents (and WGAN-GP's interpolation weights) for all `B` rows from its seed
and process `r` keeps rows `r*b ... (r+1)*b - 1` of them. So that process `r`
also holds rows `r*b ... (r+1)*b - 1` of every global batch,
`shard_for_this_process` cuts the data into global batches of `B` and gives
process `r` the `r`-th block of `b` rows of each::

    x = [ 0  1  2  3 | 4  5  6  7 | 8 ...]      B = 4, N = 2, b = 2
    process 0: [0 1 | 4 5 | 8 9 ...]
    process 1: [2 3 | 6 7 | 10 11 ...]

Then `fit(shard, batch_size=b, shuffle=False)` on `N` processes makes the
same updates as `fit(x[:num_steps * B], batch_size=B, shuffle=False)` on
one device: real images, latents and interpolation weights meet in the same
pairs. A strided shard (`x[rank::N]`, as torch's `DistributedSampler` does)
puts the same images in each global batch but pairs them with other latents:
fine for an unconditional non-saturating or minimax loss, which only
averages over the batch, but not equal to one device for WGAN-GP (whose
interpolates pair real and fake rows) or a conditional GAN (whose labels
pair with latents). Rows beyond the last full global batch are dropped, so
every process makes the same number of steps (a collective would hang
otherwise).
"""

import numpy as np

from keras_gans.backend import gradients


def process_info():
    """Returns `(process_index, num_processes)` of this Python process.

    `(rank, world_size)` under torch.distributed; `(0, 1)` for single-process
    training (including `MirroredStrategy` and single-host `keras.distribution`,
    where one process drives all devices).

    Example:

    >>> process_info()
    (0, 1)
    """
    index, count = gradients.process_context()
    return int(index), int(count)


def is_primary_process():
    """True in the one process that should write files (checkpoints, images, logs).

    Example:

    ```python
    callbacks = [keras.callbacks.ModelCheckpoint("gan.keras")] if is_primary_process() else []
    ```
    """
    return process_info()[0] == 0


def broadcast_weights(model):
    """Gives every process the primary process's weights (and seed state).

    Call it once after building (and compiling) the model, before `fit`, unless
    every process builds its models from the same seeds: with torch.distributed
    each process initialises its own copy, and the averaged gradients keep
    copies that start apart apart. It copies `model.variables`, which for a
    GAN include the generator's and discriminator's weights and the training
    seed's state. A no-op on one process and on JAX/TensorFlow.

    Example:

    ```python
    gan = keras_gans.WGANGP(generator, discriminator, latent_dim=64, seed=0)
    gan.compile()
    broadcast_weights(gan)
    ```
    """
    gradients.broadcast_from_primary(model.variables)


def per_process_batch_size(global_batch_size):
    """The batch size each process passes to `fit`: `global_batch_size // num_processes`.

    Raises:
        ValueError: if the global batch does not split evenly over processes
            (the gradient average assumes equal shards).

    Example:

    >>> per_process_batch_size(64)   # on one process
    64
    """
    global_batch_size = int(global_batch_size)
    _, num_processes = process_info()
    if global_batch_size < num_processes or global_batch_size % num_processes:
        raise ValueError(
            f"`global_batch_size`={global_batch_size} must be a positive multiple of "
            f"the number of processes ({num_processes}): each process fits an equal "
            "share of every global batch. Pick a multiple, e.g. "
            f"{max(1, global_batch_size // num_processes) * num_processes}."
        )
    return global_batch_size // num_processes


def shard_for_this_process(x, y=None, *, global_batch_size):
    """This process's rows of `x` (and `y`), laid out as the GAN expects.

    See the module docstring for the arithmetic: process `r` of `N` gets
    block `r` of `global_batch_size // N` rows from every global batch, and
    rows after the last full global batch are dropped.

    Args:
        x: array-like `(num_examples, ...)`: the whole training set, identical
            in every process.
        y: optional array-like `(num_examples, ...)`, e.g. class labels.
        global_batch_size: int. Images per optimizer step over all processes.

    Returns:
        The shard of `x` (NumPy), or `(x_shard, y_shard)` when `y` is given.
        Fit it with `batch_size=per_process_batch_size(global_batch_size)`
        and `shuffle=False`.

    Example:

    ```python
    # torchrun --nproc_per_node=2 train.py
    torch.distributed.init_process_group("gloo")
    images, labels = keras_gans.data.load_dataset("digits")
    x = shard_for_this_process(images, global_batch_size=64)
    gan.fit(x, batch_size=per_process_batch_size(64), shuffle=False, epochs=5)
    ```
    """
    batch = per_process_batch_size(global_batch_size)
    rank, num_processes = process_info()
    x = np.asarray(x)
    num_steps = len(x) // int(global_batch_size)
    if num_steps == 0:
        raise ValueError(
            f"{len(x)} examples make no full global batch of {global_batch_size}; "
            "lower `global_batch_size`."
        )

    def shard(array):
        array = np.asarray(array)
        if len(array) != len(x):
            raise ValueError(
                f"`x` and `y` must have the same length; received {len(x)} and {len(array)}."
            )
        used = array[: num_steps * int(global_batch_size)]
        blocks = used.reshape((num_steps, num_processes, batch) + array.shape[1:])
        return blocks[:, rank].reshape((num_steps * batch,) + array.shape[1:])

    if y is None:
        return shard(x)
    return shard(x), shard(y)
