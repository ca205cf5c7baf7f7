"""Global numeric settings of the NumPy side, named as in ``keras.config``.

Keras keeps one global float type (``keras.config.floatx()``, default ``"float32"``) and one fuzz
factor (``keras.config.epsilon()``, ``1e-7``) used by the cross-entropy clipping. The NumPy side
keeps the same two settings so that a script written for Keras reads the same here.
"""

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_ALLOWED_FLOATX = ("float32", "float64")


def floatx():
    """The default float type of new models: ``"float32"`` (Keras's default) or ``"float64"``."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type of models created afterwards (``"float32"`` or ``"float64"``)."""
    global _FLOATX
    _FLOATX = standardize_dtype(value, "value")


def epsilon():
    """The fuzz factor of Keras's cross-entropy clipping, ``clip(p, eps, 1 - eps)``."""
    return _EPSILON


def standardize_dtype(dtype, argument="dtype"):
    """Return ``"float32"`` or ``"float64"`` for ``dtype``, or raise a ValueError naming ``argument``."""
    if dtype is None:
        return _FLOATX
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in _ALLOWED_FLOATX:
        raise ValueError(
            f"`{argument}` must be one of {_ALLOWED_FLOATX}; received {argument}={dtype!r}. "
            "The NumPy twin computes in float32 (Keras's default) or float64 (for round-off-level "
            "comparisons)."
        )
    return name
