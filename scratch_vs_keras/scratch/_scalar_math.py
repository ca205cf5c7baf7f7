"""Scalar math as TensorFlow computes it: constants rounded through float32 (:func:`float32_round`),
and ``pow`` and ``cos`` as its CPU kernels compute them on one number.

Keras turns a Python float constant into a tensor through float32 (``ops.cast(c, "float64")`` and
``convert_to_tensor(c)`` make a float32 tensor first), so a float64 model computes with
``float(np.float32(c))``: ``L2(0.01)`` penalizes with 0.009999999776..., Adam's :math:`\beta_1`
enters its power as 0.8999999761...; :func:`float32_round` is that rounding, the package's one
spelling of it.

On a scalar, TensorFlow calls the C library's ``powf``/``cosf``/``logf`` (float32) and
``pow``/``cos``/``log`` (float64), and flushes float32 subnormal results to zero. NumPy's own
float32 ``power`` differs from ``powf`` in the last bit for about one argument in five, which is
enough to move a learning-rate schedule (Keras evaluates schedules in float32) and so a whole
training run by more than 1e-10. These helpers call the C library directly; where it cannot be
loaded they fall back to double precision rounded to float32, which agrees except in rare
double-rounding cases.
"""

import ctypes
import ctypes.util
import math

import numpy as np

_TINY32 = np.finfo(np.float32).tiny


def float32_round(c):
    """The float64 value of the Python number ``c`` after a trip through float32, as Keras casts
    a constant (``float(np.float32(c))``)."""
    return float(np.float32(c))


def _load_libm():
    for name in (ctypes.util.find_library("m"), "libm.so.6", "libm.dylib", "ucrtbase", "msvcrt"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            powf, cosf, logf = lib.powf, lib.cosf, lib.logf
        except (OSError, AttributeError):
            continue
        powf.restype, powf.argtypes = ctypes.c_float, [ctypes.c_float, ctypes.c_float]
        for f in (cosf, logf):
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
        return powf, cosf, logf
    return None, None, None


_powf, _cosf, _logf = _load_libm()


def _flush32(v):
    v = np.float32(v)
    return np.float32(0.0) if abs(v) < _TINY32 else v


def flush(v):
    """TensorFlow runs with flush-to-zero: a float32 subnormal result becomes 0."""
    return _flush32(v) if isinstance(v, np.float32) else v


def power(x, y):
    """``x ** y`` for two scalars of one NumPy float type, as TensorFlow's scalar ``Pow``."""
    if isinstance(x, np.float32):
        if _powf is not None:
            return _flush32(_powf(x, y))
        return _flush32(math.pow(float(x), float(y)))
    return np.float64(math.pow(float(x), float(y)))


def power_constant(x, c):
    """``x ** c`` for a *constant* exponent, as it runs inside ``fit``: TensorFlow's graph optimizer
    replaces ``Pow`` by a cheaper exact op for c in {0, 0.5, 1, 2, 3, -0.5, -1}."""
    dt = type(x)
    c = float(c)
    if c == 0:
        return dt(1)
    if c == 0.5:
        return dt(np.sqrt(x))
    if c == 1:
        return x
    if c == 2:
        return x * x
    if c == 3:
        return x * (x * x)
    if c == -0.5:
        return dt(1) / dt(np.sqrt(x))
    if c == -1:
        return dt(1) / x
    return power(x, dt(c))


def cos(x):
    """``cos(x)`` for a NumPy float scalar, as TensorFlow's scalar ``Cos``."""
    if isinstance(x, np.float32):
        if _cosf is not None:
            return _flush32(_cosf(x))
        return _flush32(math.cos(float(x)))
    return np.float64(math.cos(float(x)))


def log(x):
    """``log(x)`` for a NumPy float scalar, as TensorFlow's scalar ``Log``."""
    if isinstance(x, np.float32):
        if _logf is not None:
            return _flush32(_logf(x))
        return _flush32(math.log(float(x)))
    return np.float64(math.log(float(x)))
