r"""How "match" is measured, in one place (DESIGN section 2).

For a tensor computed by both sides, the max absolute difference
:math:`\max|s - k|` and the relative difference :math:`\max|s - k| / \max|k|`, scaled by the
reference tensor's *largest* magnitude so that tiny entries do not blow it up. An all-zero
reference must be matched exactly (relative difference 0, or infinity). A sum whose terms cancel
is measured against the terms' summed magnitude instead (the ``floor`` of :func:`rel_diff`; see
:func:`scratch_vs_keras.compare.gradients.summed_magnitudes`).
"""

import numpy as np

#: The equivalence contract's bounds on the relative difference.
TOLERANCES = {
    # forward activations, the loss and per-layer gradients of one batch
    ("step", "float64"): 1e-12,
    ("step", "float32"): 1e-5,
    # backprop against central finite differences (always evaluated in float64)
    ("finite_difference", "float64"): 1e-6,
    # weights and losses after a whole training run
    ("run", "float64"): 1e-10,
}


def tolerance(kind, dtype):
    """The bound for ``kind`` (``"step"``, ``"finite_difference"``, ``"run"``) in ``dtype``."""
    return TOLERANCES[(kind, str(np.dtype(dtype)))]


def max_abs_diff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare tensors of shapes {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def rel_diff(value, reference, floor=0.0):
    """:math:`\\max|value - reference| / \\max(\\max|reference|, floor)` (0 for equal, inf for a
    nonzero gap to an all-zero reference when ``floor`` is 0)."""
    gap = max_abs_diff(value, reference)
    scale = float(np.max(np.abs(np.asarray(reference, dtype=np.float64)))) if np.size(reference) else 0.0
    scale = max(scale, floor)
    if gap == 0.0:
        return 0.0
    if scale == 0.0 or not np.isfinite(gap):
        return float("inf")
    return gap / scale


def rel_diff_in_context(value, reference, context_scale, dtype):
    """:func:`rel_diff`, except for a reference that is zero up to round-off.

    A tensor whose entries are all within ``64 * eps(dtype) * context_scale`` of zero (a bias that
    two updates cancelled, a gradient summed from +1/B and -1/B terms) has no digits of its own to
    compare relative to itself; its gap is then measured relative to ``context_scale`` (the
    largest entry of the whole model's weights, or gradients). Returns ``(rel, zero_level_used)``.
    """
    top = float(np.max(np.abs(np.asarray(reference, dtype=np.float64)))) if np.size(reference) else 0.0
    if context_scale > 0 and top <= 64 * np.finfo(dtype).eps * context_scale:
        gap = max_abs_diff(value, reference)
        return (gap / context_scale if gap else 0.0), True
    return rel_diff(value, reference), False
