"""Keras 3.15.1's own activation tests (activations/activations_test.py), run against the NumPy
side: the same inputs (drawn here from a seeded generator where Keras draws from np.random), the
same reference formulas and Keras's tolerance (``assertAllClose``: rtol as given, atol 1e-6).

Each case is named ``activations_test.py::ActivationsTest::test_x`` (a suffix for the several
checks of one Keras test). Keras tests that are not here are listed in docs/keras_tests.md.
"""

import numpy as np
import pytest
from scipy.stats import norm

from scratch_vs_keras import scratch

A = scratch.activations
R = np.random.default_rng(20260)
T = "activations_test.py::ActivationsTest::"


def U(low, high, shape):
    return R.uniform(low, high, shape)


def _softmax(v, axis=None):
    e = np.exp(v - np.max(v, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(v, axis=None):
    s = v - np.max(v, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def _softplus(x):
    return np.log(1 + np.exp(x))


def _sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def _hard_sigmoid(x):
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0)


def _relu6(x):
    return np.minimum(np.maximum(0, x), 6)


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * np.power(x, 3))))


def _glu(x, axis=-1):
    x1, x2 = np.split(x, 2, axis)
    return x1 * (1 / (1 + np.exp(-x2)))


def c(source, call, x, reference, rtol=1e-5, atol=1e-6):
    return pytest.param(call, x, reference, rtol, atol, id=T + source)


def _ranges(name, fn, ref, ranges, rtol=1e-5):
    return [c(f"test_{name}[{i}]", fn, U(lo, hi, shape), ref, rtol) for i, (lo, hi, shape) in enumerate(ranges)]


WIDE = [(0, 1, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (-1e-7, 1e-7, (2, 5)), (10, 100, (2, 5)), (-100, -10, (2, 5))]
SOFTMAX_SHAPES = [
    ("test_softmax", lambda x: A.softmax(x[None])[0], (2, 5), lambda x: _softmax(x, -1)),
    ("test_softmax_2d_axis_0", lambda x: A.softmax(x[None], axis=1)[0], (2, 5), lambda x: _softmax(x, 0)),
    ("test_softmax_3d_axis_tuple", lambda x: A.softmax(x, axis=(1, 2)), (2, 3, 5), lambda x: _softmax(x, (1, 2))),
    ("test_softmax_1d", lambda x: A.softmax(x), (5,), lambda x: _softmax(x)),
    ("test_softmax_higher_dim", lambda x: A.softmax(x, axis=(2, 3)), (2, 3, 4, 5), lambda x: _softmax(x, (2, 3))),
    ("test_softmax_higher_dim_multiple_axes", lambda x: A.softmax(x, axis=(2, 3, 4)), (2, 3, 4, 5, 6), lambda x: _softmax(x, (2, 3, 4))),
    ("test_softmax_negative_axis", lambda x: A.softmax(x, axis=-1), (2, 5), lambda x: _softmax(x, -1)),
    ("test_temporal_softmax", lambda x: A.softmax(10 * x[None])[0], (2, 2, 3), lambda x: _softmax(10 * x, -1)),
    ("test_log_softmax_2d_axis_0", lambda x: A.log_softmax(x[None], axis=1)[0], (2, 5), lambda x: _log_softmax(x, 0)),
    ("test_log_softmax_3d_axis_tuple", lambda x: A.log_softmax(x, axis=(1, 2)), (2, 3, 5), lambda x: _log_softmax(x, (1, 2))),
    ("test_log_softmax_1d", lambda x: A.log_softmax(x), (5,), lambda x: _log_softmax(x)),
    ("test_log_softmax_higher_dim", lambda x: A.log_softmax(x, axis=(2, 3)), (2, 3, 4, 5), lambda x: _log_softmax(x, (2, 3))),
    ("test_log_softmax_higher_dim_multiple_axes", lambda x: A.log_softmax(x, axis=(2, 3, 4)), (2, 3, 4, 5, 6), lambda x: _log_softmax(x, (2, 3, 4))),
    ("test_log_softmax_negative_axis", lambda x: A.log_softmax(x, axis=-1), (2, 5), lambda x: _log_softmax(x, -1)),
    ("test_temporal_log_softmax", lambda x: A.log_softmax(10 * x[None])[0], (2, 2, 3), lambda x: _log_softmax(10 * x, -1)),
]
X5 = np.array([-10, -5, 0.0, 5, 10])
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

CASES = (
    [c(name, fn, R.random(shape), ref) for name, fn, shape, ref in SOFTMAX_SHAPES]
    + [c("test_selu[positive]", A.selu, np.array([[1.0, 2.0]]), lambda x: x * SELU_SCALE),
       c("test_selu[negative]", A.selu, np.array([[-1.0, -2.0]]), lambda x: (np.exp(x) - 1) * SELU_SCALE * SELU_ALPHA)]
    + _ranges("softplus", A.softplus, _softplus, WIDE)
    + _ranges("softsign", A.softsign, lambda x: x / (1 + np.abs(x)), WIDE)
    + _ranges("sigmoid", A.sigmoid, _sigmoid, WIDE)
    + _ranges("hard_sigmoid", A.hard_sigmoid, _hard_sigmoid, [(0, 1, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (5, 10, (2, 5))])
    + _ranges("sparse_sigmoid", A.sparse_sigmoid, lambda x: np.where(x <= -1, 0, np.where(x >= 1, 1, 0.5 * (x + 1))), [(0, 1, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (10, 100, (2, 5)), (-100, -10, (2, 5))])
    + _ranges("log_sigmoid", A.log_sigmoid, lambda x: -_softplus(-x), [(0, 1, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (10, 100, (2, 5)), (-100, -10, (2, 5))])
    + [c(f"test_hard_silu[{i}]", A.hard_silu, U(lo, hi, shape).astype("float32"), lambda x: x * np.minimum(np.maximum(0.0, x + 3.0), 6.0) * (1.0 / 6.0))
       for i, (lo, hi, shape) in enumerate([(-3, 3, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (5, 10, (2, 5)), (-10, -5, (2, 5))])]
    + [c("test_relu_negative_slope", lambda x: A.relu(x, negative_slope=0.5), X5, lambda x: np.array([-5.0, -2.5, 0.0, 5.0, 10.0])),
       c("test_relu_max_value", lambda x: A.relu(x, max_value=5.0), X5,
         lambda x: np.array([0.0, 0.0, 0.0, 5.0, 5.0])),
       c("test_relu_threshold", lambda x: A.relu(x, threshold=5.0), X5,
         lambda x: np.array([0.0, 0.0, 0.0, 0.0, 10.0])),
       c("test_relu_combined_threshold_and_max_value",
         lambda x: A.relu(x, threshold=5.0, max_value=5.0), X5,
         lambda x: np.array([0.0, 0.0, 0.0, 0.0, 5.0])),
       c("test_relu_combined_all_parameters",
         lambda x: A.relu(x, negative_slope=0.5, max_value=5.0, threshold=5.0), X5,
         lambda x: np.array([-7.5, -5.0, -2.5, 0.0, 5.0])),
       c("test_relu_to_trigger_relu6", lambda x: A.relu(x, max_value=6.0),
         np.array([-10, -5, 0.0, 5, 10, 12]), lambda x: np.array([0.0, 0.0, 0.0, 5.0, 6.0, 6.0])),
       c("test_relu_to_trigger_leaky", lambda x: A.relu(x, negative_slope=0.5), X5, lambda x: np.array([-5.0, -2.5, 0.0, 5.0, 10.0]))]
    + _ranges("relu", A.relu, lambda x: np.maximum(0, x), [(0.1, 10, (2, 5)), (-10, -0.1, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (-1e-7, 1e-7, (2, 5)), (1e4, 1e5, (2, 5)), (-1e5, -1e4, (2, 5))])
    + [c(f"test_leaky_relu[{s}-{sign}]", lambda x, s=s: A.leaky_relu(x, negative_slope=s), U(lo, hi, (2, 5)), lambda x, s=s: np.where(x > 0, x, s * x))
       for s in (0.01, 0.3) for sign, (lo, hi) in (("positive", (0, 1)), ("negative", (-1, 0)))]
    + _ranges("relu6", A.relu6, _relu6, [(0, 5.9, (2, 5)), (6.1, 10, (2, 5)), (-1, 0, (2, 5))])
    + _ranges("silu", A.silu, lambda x: x / (1 + np.exp(-x)), [(0, 5.9, (2, 5)), (-1, 1, (2, 5)), (-5.9, 0, (2, 5))])
    + [c("test_gelu", A.gelu, R.random((2, 5)), lambda x: x * norm.cdf(x)),
       c("test_gelu[approximate]", lambda x: A.gelu(x, approximate=True), R.random((2, 5)),
         _gelu_tanh),
       c("test_celu", A.celu, R.random((2, 5)),
         lambda x: np.maximum(x, 0.0) + np.expm1(np.minimum(x, 0.0))),
       c("test_celu[alpha]", lambda x: A.celu(x, alpha=0.5), R.random((2, 5)),
         lambda x: np.maximum(x, 0.0) + 0.5 * np.expm1(np.minimum(x, 0.0) / 0.5)),
       c("test_glu", lambda x: A.glu(x[None])[0], R.random((2, 4)), _glu),
       c("test_glu[axis]", lambda x: A.glu(x[None], axis=-2)[0], R.random((2, 4)),
         lambda x: _glu(x, -2)),
       c("test_tanh_shrink", A.tanh_shrink, R.random((2, 5)), lambda x: x - np.tanh(x)),
       c("test_hard_tanh", A.hard_tanh, R.random((2, 5)), lambda x: np.clip(x, -1.0, 1.0)),
       c("test_hard_shrink", A.hard_shrink, R.random((2, 5)),
         lambda x: np.where(np.abs(x) > 0.5, x, 0.0)),
       c("test_threshold", lambda x: A.threshold(x, 0, 0), R.random((2, 5)),
         lambda x: np.where(x > 0, x, 0.0)),
       c("test_squareplus", A.squareplus, R.random((2, 5)),
         lambda x: (x + np.sqrt(x ** 2 + 4)) / 2),
       c("test_soft_shrink", A.soft_shrink, R.random((2, 5)),
         lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0))),
       c("test_sparse_plus", A.sparse_plus, R.random((2, 5)),
         lambda x: np.where(x <= -1, 0.0, np.where(x < 1, 0.25 * (x + 1) ** 2, x))),
       c("test_elu", A.elu, R.random((2, 5)), lambda x: x),
       c("test_elu[negative]", A.elu, np.array([[-1.0, -2.0]]), lambda x: np.exp(x) - 1)]
    + _ranges("tanh", A.tanh, np.tanh, [(0, 1, (2, 5)), (-10, 10, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (0, 10, (2, 5)), (-10, 0, (2, 5)), (-1e-7, 1e-7, (2, 5)), (1e4, 1e5, (2, 5))])
    + _ranges("exponential", A.exponential, np.exp, [(0, 1, (2, 5)), (-10, 10, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (0, 10, (2, 5)), (-10, 0, (2, 5)), (-1e-7, 1e-7, (2, 5))])
    + _ranges("mish", A.mish, lambda x: x * np.tanh(_softplus(x)), [(0, 1, (2, 5)), (-10, 10, (2, 5)), (-10, 10, 5), (-10, 10, (3, 3, 3)), (0, 10, (2, 5)), (-10, 0, (2, 5)), (-1e-7, 1e-7, (2, 5))])
    + _ranges("linear", A.linear, lambda x: x, [(0, 1, (10, 5)), (-10, 10, 5), (-10, 10, (10, 5)), (-10, 10, (5, 5, 5))])
    + [c("test_linear[int32]", A.linear, R.integers(-10, 10, (10, 5)).astype(np.int32), lambda x: x)]
)


def _one_hot_last(shape, axis):
    out = np.zeros(shape)
    index = [slice(None)] * len(shape)
    index[axis] = -1
    out[tuple(index)] = 1.0
    return out


SPARSEMAX = [
    c("test_sparsemax[1d]", A.sparsemax, np.linspace(1, 12, num=12),
      lambda x: _one_hot_last(x.shape, -1)),
    c("test_sparsemax[2d]", A.sparsemax, np.linspace(1, 12, num=12).reshape(-1, 2),
      lambda x: _one_hot_last(x.shape, -1)),
    c("test_sparsemax[3d]", A.sparsemax, np.linspace(1, 12, num=12).reshape(-1, 1, 3),
      lambda x: _one_hot_last(x.shape, -1)),
    c("test_sparsemax[axis=-2,2d]", lambda x: A.sparsemax(x, axis=-2),
      np.linspace(1, 12, num=12).reshape(-1, 2), lambda x: _one_hot_last(x.shape, -2)),
    c("test_sparsemax[axis=-2,3d]", lambda x: A.sparsemax(x, axis=-2),
      np.linspace(1, 12, num=12).reshape(-1, 1, 3), np.ones_like),
    c("test_sparsemax[axis=-3,3d]", lambda x: A.sparsemax(x, axis=-3),
      np.linspace(1, 12, num=12).reshape(-1, 1, 3), lambda x: _one_hot_last(x.shape, -3)),
    c("test_sparsemax[axis=-3,4d]", lambda x: A.sparsemax(x, axis=-3),
      np.linspace(1, 12, num=12).reshape(-1, 1, 1, 2), np.ones_like),
]


@pytest.mark.parametrize("call, x, reference, rtol, atol", CASES + SPARSEMAX)
def test_keras_activation_case(call, x, reference, rtol, atol):
    result = call(x)
    expected = reference(x)
    assert np.shape(result) == np.shape(expected)
    np.testing.assert_allclose(result, expected, rtol=rtol, atol=atol)


def test_keras_get_method():
    """activations_test.py::ActivationsTest::test_get_method"""
    assert A.get("relu") is A.relu
    assert A.get(None) is A.linear
    with pytest.raises(ValueError):
        A.get("typo")


def test_glu_in_dense_is_refused_with_the_reason():
    """Keras's Dense reports ``units`` outputs even with glu, so the next layer breaks; the
    scratch Dense says so instead of failing inside NumPy."""
    with pytest.raises(ValueError, match="changes the layer's width"):
        scratch.layers.Dense(4, activation="glu")
