"""Range checks for constructor hyperparameters, with errors that say the fix.

Every check runs in a constructor, so a bad value is rejected before any
model is trained or any weight changes.
"""

import math
import numbers


def _as_real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number; received {value!r}.")
    return float(value)


def non_negative(name, value):
    """Returns `float(value)`; raises unless `value >= 0`.

    >>> non_negative("r1_penalty_weight", 10)
    10.0
    """
    value = _as_real(name, value)
    if value < 0:
        raise ValueError(f"`{name}` must be >= 0 (0 turns it off); received {value!r}.")
    return value


def unit_interval(name, value):
    """Returns `float(value)`; raises unless `0 <= value < 1`.

    >>> unit_interval("label_smoothing", 0.1)
    0.1
    """
    value = _as_real(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"`{name}` must lie in [0, 1); received {value!r}.")
    return value


def positive_int(name, value):
    """Returns `int(value)`; raises unless `value` is an integer >= 1.

    >>> positive_int("critic_steps", 5)
    5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be an integer >= 1; received {value!r}.")
    return int(value)
