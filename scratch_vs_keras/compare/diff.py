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

#: float32 whole runs: round-off differences (eps = 1.19e-7 per operation) compound with every
#: step, so the bound grows with the run's length, ``FLOAT32_RUN_MARGIN * eps * steps``, capped at
#: ``FLOAT32_RUN_CAP``. The margin is stated, not fitted: the worst drift measured over 1,024 steps
#: (``benchmarks/training_drift.py``, every optimizer) is 9.6e-4 on a weight tensor at some step,
#: 1.0e-4 on the final weights and 2.1e-5 on a batch loss, against a bound of 1.2e-2 there. A
#: twin with other weights (a relative difference of order 1) is a mismatch at any length.
FLOAT32_RUN_MARGIN = 100
FLOAT32_RUN_CAP = 0.05

#: Finite differences: the range of steps h where a central difference can check six digits
#: (larger h: truncation error ~h^2; smaller: round-off ~eps/h), and the share of a tensor's
#: examined entries that must be compared (not skipped at a kink) for the tensor to count as
#: checked.
FD_STEP_RANGE = (1e-8, 1e-3)
FD_MIN_COMPARED = 0.5


def tolerance(kind, dtype):
    """The bound for ``kind`` (``"step"``, ``"finite_difference"``, ``"run"``) in ``dtype``
    (a float32 ``"run"`` depends on its length: see :func:`float32_run_tolerance`)."""
    return TOLERANCES[(kind, str(np.dtype(dtype)))]


def float32_run_tolerance(steps):
    """The bound on a float32 whole run of ``steps`` optimizer steps (see ``FLOAT32_RUN_MARGIN``)."""
    eps = float(np.finfo(np.float32).eps)
    return float(min(FLOAT32_RUN_CAP, FLOAT32_RUN_MARGIN * eps * max(int(steps), 1)))


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
