"""Top-k generator updates: train the generator on its best fakes only.

Sinha et al. 2020, "Top-k Training of GANs: Improving GAN Performance by
Throwing Away Bad Samples" (NeurIPS): the generator's loss keeps only the k
fakes of the batch that the discriminator scores as most real; the others,
which D already rejects, would pull G towards the mean of the modes. k starts
at the batch size B and decays once per epoch to a floor:

```
f_0 = 1,    f_{e+1} = max(nu, gamma * f_e)         (gamma = 0.99, nu = 0.5)
k   = clip(ceil(f_e * B), 1, B)
L_G = (1/k) sum_{i in top-k of D(G(z_i))} l_G(D(G(z_i)))
```

where `l_G` is the game's per-example generator loss. The fraction `f` lives
in a variable of the GAN (saved with it, so a resumed run goes on with the
same k) and k is computed inside the step from the static batch size: the
step is traced once, whatever k is, on every backend.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import hyperparameters
from keras_gans.serialization import Configurable


def top_k_mask(scores, k):
    """1.0 for the `k` highest of `scores` (shape `(B,)`), 0.0 elsewhere; ties by position.

    `k` may be a tensor: the mask is built from ranks, not from a slice, so
    its shape does not depend on k.

    Example:

    >>> ops.convert_to_numpy(top_k_mask(ops.array([0.1, 3.0, -1.0, 2.0]), 2)).tolist()
    [0.0, 1.0, 0.0, 1.0]
    """
    ranks = ops.argsort(ops.argsort(-scores))
    return ops.cast(ops.less(ranks, ops.cast(k, ranks.dtype)), "float32")


@keras.saving.register_keras_serializable(package="keras_gans")
class TopK(Configurable):
    """Top-k generator updates (Sinha et al. 2020); see the module docstring.

    Pass it to any GAN class with a game whose generator loss is a mean over
    the fakes (every built-in game): `NonSaturatingGAN(..., top_k=TopK())`.
    The logged `g_loss` is the top-k loss.

    Args:
        decay: float in (0, 1]. gamma: the fraction of the batch kept is
            multiplied by it after every epoch. Defaults to 0.99.
        min_fraction: float in (0, 1]. nu: the floor of that fraction.
            Defaults to 0.5.

    Example:

    ```python
    gan = keras_gans.NonSaturatingGAN(G, D, latent_dim=64,
                                      top_k=keras_gans.TopK(decay=0.99, min_fraction=0.5))
    gan.compile()
    gan.fit(images, epochs=20, batch_size=64)   # k: 64, 64, 63, ... down to 32
    ```
    """

    def __init__(self, decay=0.99, min_fraction=0.5):
        for name, value in (("decay", decay), ("min_fraction", min_fraction)):
            value = hyperparameters.non_negative(name, value)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"`{name}` must lie in (0, 1]; received {value!r}.")
        self.decay = float(decay)
        self.min_fraction = float(min_fraction)

    def next_fraction(self, fraction):
        """The fraction kept in the next epoch: `max(min_fraction, decay * fraction)`."""
        return max(self.min_fraction, self.decay * float(fraction))

    def fraction_after(self, epochs):
        """The fraction kept after `epochs` epochs (as the GAN's schedule computes it)."""
        fraction = 1.0
        for _ in range(int(epochs)):
            fraction = float(np.float32(self.next_fraction(fraction)))
        return fraction

    @staticmethod
    def count(fraction, batch_size):
        """k for a batch: `clip(ceil(fraction * batch_size), 1, batch_size)` (a tensor)."""
        batch = ops.cast(batch_size, "float32")
        return ops.clip(ops.ceil(ops.cast(fraction, "float32") * batch), 1.0, batch)

    def loss(self, per_example_losses, scores, fraction):
        """Mean of `per_example_losses` over the k fakes with the highest `scores`."""
        scores = ops.reshape(scores, (-1,))
        per_example_losses = ops.reshape(per_example_losses, (-1,))
        k = self.count(fraction, ops.shape(scores)[0])
        mask = ops.cast(top_k_mask(ops.cast(scores, "float32"), k), per_example_losses.dtype)
        return ops.sum(per_example_losses * mask) / ops.cast(k, per_example_losses.dtype)

    def get_config(self):
        return {"decay": self.decay, "min_fraction": self.min_fraction}


def get(identifier):
    """Resolves a `TopK` from an instance, True (defaults), a dict or None.

    >>> get(True)
    TopK(decay=0.99, min_fraction=0.5)
    """
    if identifier is None or identifier is False or isinstance(identifier, TopK):
        return None if identifier is False else identifier
    if identifier is True:
        return TopK()
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            resolved = keras.saving.deserialize_keras_object(identifier)
            if isinstance(resolved, TopK):
                return resolved
        else:
            return TopK(**identifier)
    raise ValueError(
        f"`top_k` must be a keras_gans.TopK, True (its defaults), a dict of its arguments or None; "
        f"received {identifier!r}."
    )


class TopKSchedule(keras.callbacks.Callback):
    """Decays the GAN's top-k fraction after every epoch (added by `GAN.fit`)."""

    def __init__(self, gan):
        super().__init__()
        self._gan = gan

    def on_epoch_end(self, epoch, logs=None):
        gan = self._gan
        variable = gan.top_k_fraction
        # On JAX `fit` re-reads the variables after epoch-end callbacks.
        variable.assign(gan.top_k.next_fraction(ops.convert_to_numpy(variable.value)))
