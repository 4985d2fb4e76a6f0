"""What `keras-gans evaluate` prints: a table for people, JSON for scripts.

Both take the dicts of `keras_gans.evaluation.evaluate_generator` (the
scores and "protocol") and, when known, `real_data_floor` (the same metrics
between real train and real test images, under the same protocol).
"""

import json
import math

import numpy as np

# Score key (or the stem of a `<stem>_mean`/`<stem>_std` pair) -> row label.
METRIC_LABELS = {"fid": "FID", "kid": "KID"}  # other metrics show their key (precision, density, ...)
NO_FLOOR = "-"


def _number(value):
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return f"{value:.1f}" if abs(value) >= 1000 else f"{value:.4f}"


def _scores(result):
    return {k: v for k, v in (result or {}).items() if k != "protocol" and np.isscalar(v)}


def metric_rows(result, floor=None):
    """The table's rows: `(metric, value, real floor)` as text, in the result's order.

    A `<name>_mean` and `<name>_std` pair (KID) is one row, "mean ± std".
    The floor column is `"-"` when there is no floor.

    Example:

    >>> metric_rows({"fid": 12.849, "kid_mean": 0.59, "kid_std": 0.16, "protocol": {}}, {"fid": 5.92})
    [('FID', '12.8490', '5.9200'), ('KID', '0.5900 ± 0.1600', '-')]
    """
    scores, floor_scores = _scores(result), _scores(floor)

    def shown(values, key):
        if key.endswith("_mean") and key[:-5] + "_std" in values:
            return f"{_number(values[key])} ± {_number(values[key[:-5] + '_std'])}"
        return _number(values[key]) if key in values else NO_FLOOR

    rows = []
    for key in scores:
        stem = key[:-5] if key.endswith("_mean") and key[:-5] + "_std" in scores else None
        if key.endswith("_std") and key[:-4] + "_mean" in scores:
            continue  # shown with its mean
        name = stem or key
        rows.append((METRIC_LABELS.get(name, name), shown(scores, key), shown(floor_scores, key)))
    return rows


def protocol_summary(protocol, floor=None):
    """One sentence on what was compared with what (the table's footnote).

    Example:

    >>> protocol_summary({"dataset": "digits", "feature_extractor": "digits_classifier",
    ...                   "num_samples": 100, "real_selection": "first 297 images of the test split", "seed": 0})
    'digits_classifier features of 100 generated images vs the first 297 images of the test split of digits (seed 0).'
    """
    text = (
        f"{protocol['feature_extractor']} features of {protocol['num_samples']} generated images vs the "
        f"{protocol['real_selection']} of {protocol['dataset']} (seed {protocol['seed']})."
    )
    if floor and "samples" in floor.get("protocol", {}):
        text += f" Real floor: the {floor['protocol']['samples']} in place of generated ones."
    return text


def evaluation_table(result, floor=None):
    """The result as an aligned text table (metric, value, real floor) and its protocol.

    Example:

    >>> print(evaluation_table({"fid": 12.849, "precision": 0.76, "protocol": {
    ...     "dataset": "digits", "feature_extractor": "digits_classifier", "num_samples": 100,
    ...     "real_selection": "first 297 images of the test split", "seed": 0}}))
    metric     value    real floor
    FID        12.8490  -
    precision  0.7600   -
    digits_classifier features of 100 generated images vs the first 297 images of the test split of digits (seed 0).
    """
    rows = [("metric", "value", "real floor")] + metric_rows(result, floor)
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a.ljust(widths[0])}  {b.ljust(widths[1])}  {c}".rstrip() for a, b, c in rows]
    lines.append(protocol_summary(result["protocol"], floor))
    return "\n".join(lines)


def _plain(value):
    """JSON-ready: NumPy scalars to Python, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def evaluation_json(result, floor=None, source=None):
    """The result as JSON: the scores, "protocol", "floor" (scores and protocol, or null) and "source".

    Non-finite numbers are written as null (strict JSON).

    Example:

    >>> evaluation_json({"fid": np.float64(12.5), "protocol": {"seed": 0}}, source={"preset": "p"})
    '{"fid": 12.5, "protocol": {"seed": 0}, "floor": null, "source": {"preset": "p"}}'
    """
    document = {**result, "floor": floor, "source": source}
    return json.dumps(_plain(document), allow_nan=False)
