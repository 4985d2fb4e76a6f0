"""An exponential moving average (EMA) of the generator's weights.

Karras et al. 2018 (ProGAN, §A.1) and Yazici et al. 2019 ("The Unusual
Effectiveness of Averaging in GAN Training") sample from a running average of
the generator's weights: its images are usually cleaner than the raw
generator's. After every generator update:

```
ema_w <- decay * ema_w + (1 - decay) * w     for trainable weights
ema_s <- s                                   for non-trainable ones (BatchNorm statistics)
```

With a warm-up (`ema_start_step = S`, as in StyleGAN's `ema_rampup` idea and
Karras et al. 2018's averaging "after a burn-in"), the copy tracks the
generator exactly for the first S generator updates and averages after:

```
d_t = 0 if t <= S else decay        t: generator updates done, 1-based
```

so the average does not carry the random initial weights for thousands of
steps.

This is a separate model, never written back into the generator; Keras's
optimizer `use_ema` is not used, because it copies the averages into the
trained model at the end of `fit` (a resumed run would train from them).
"""

import keras
from keras import ops


def clone_generator(generator):
    """A non-trainable copy of `generator` with the same weights.

    Example:

    ```python
    ema = clone_generator(G)
    ema.trainable    # False: its weights are not trained, only averaged
    ```
    """
    try:
        clone = keras.models.clone_model(generator)
    except Exception:  # subclassed models: rebuild from their config
        clone = generator.__class__.from_config(generator.get_config())
    if not clone.built:
        clone.build(generator.inputs[0].shape if getattr(generator, "inputs", None) else None)
    clone.set_weights(generator.get_weights())
    clone.trainable = False
    return clone


def warmup_decay(decay, step, start_step):
    """The EMA decay of generator update `step` (1-based): 0 up to `start_step`, then `decay`.

    Example:

    >>> [round(float(warmup_decay(0.5, t, start_step=2)), 6) for t in (1, 2, 3)]
    [0.0, 0.0, 0.5]
    """
    if not start_step:
        return decay
    return ops.where(ops.greater(step, start_step), decay, 0.0)


def update_ema(ema_model, model, decay):
    """Moves `ema_model`'s weights one EMA step towards `model`'s.

    Trainable weights become `decay * ema + (1 - decay) * w`; non-trainable
    ones are copied. `ema_model` must be a clone of `model` (same weight
    order), such as `clone_generator(model)`.

    Example:

    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    >>> ema = clone_generator(model)
    >>> _ = model.layers[0].kernel.assign([[1.0]])
    >>> _ = ema.layers[0].kernel.assign([[0.0]])
    >>> update_ema(ema, model, decay=0.75)
    >>> float(ops.convert_to_numpy(ema.layers[0].kernel.value)[0, 0])
    0.25
    """
    sources, targets = model.weights, ema_model.weights
    if len(sources) != len(targets):
        raise ValueError(
            f"The EMA model has {len(targets)} weights but the model it averages has "
            f"{len(sources)}: build it with clone_generator(model)."
        )
    # Same structure, so `weights` pair up in order (as `set_weights` assumes).
    for source, target in zip(sources, targets):
        value = ops.stop_gradient(source.value)
        if source.trainable:
            target.assign(decay * target.value + (1.0 - decay) * value)
        else:
            target.assign(value)
