"""Keras 3.15.1's own regularizer tests (regularizers/regularizers_test.py: ``RegularizersTest``
and ``ValidateFloatArgTest``), run against the NumPy side, each named after its Keras test; plus
OrthogonalRegularizer's penalty and gradient against Keras. Keras tests that are not here are
listed in docs/keras_tests.md.

Keras draws its weights with ``np.random.random((4, 4)).astype(np.float32)``; here a seeded
generator draws the same kind of values, and the expected numbers are Keras's formulas on them,
within Keras's default ``assertAllClose`` tolerance (1e-6 relative and absolute).
"""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch, to_keras

R = scratch.regularizers
T = "regularizers_test.py::RegularizersTest::"
V = "regularizers_test.py::ValidateFloatArgTest::"
KERAS_CLOSE = {"rtol": 1e-6, "atol": 1e-6}  # keras.src.testing's assertAllClose defaults


@pytest.fixture
def value():
    return np.random.default_rng(0).random((4, 4)).astype(np.float32)


@pytest.mark.parametrize("reg", [R.L1(0.1), R.L2(0.1), R.L1L2(l1=0.1, l2=0.2),
                                 R.OrthogonalRegularizer(factor=0.1, mode="rows")],
                         ids=lambda r: T + "test_config-" + type(r).__name__)
def test_keras_config(reg, value):
    """The config rebuilds a regularizer with the same config and the same penalty."""
    again = type(reg).from_config(reg.get_config())
    assert again.get_config() == reg.get_config()
    assert again(value) == reg(value)


@pytest.mark.parametrize("reg, expected", [
    pytest.param(R.L1(0.1), lambda v: 0.1 * np.sum(np.abs(v)), id=T + "test_l1"),
    pytest.param(R.L2(0.1), lambda v: 0.1 * np.sum(np.square(v)), id=T + "test_l2"),
    pytest.param(R.L1L2(l1=0.1, l2=0.2),
                 lambda v: 0.1 * np.sum(np.abs(v)) + 0.2 * np.sum(np.square(v)),
                 id=T + "test_l1_l2"),
])
def test_keras_penalty_values(reg, expected, value):
    np.testing.assert_allclose(reg(value), expected(value), **KERAS_CLOSE)


def test_keras_orthogonal_regularizer(value):
    """regularizers_test.py::RegularizersTest::test_orthogonal_regularizer"""
    unit_rows = value / np.linalg.norm(value, axis=1, keepdims=True)
    expected = (0.1 * 0.5 * np.sum(np.abs(unit_rows @ unit_rows.T * (1.0 - np.eye(4))))
                / (4.0 * (4.0 - 1.0) / 2.0))
    y = R.OrthogonalRegularizer(factor=0.1, mode="rows")(value)
    np.testing.assert_allclose(y, expected, **KERAS_CLOSE)


def test_keras_get_method():
    """regularizers_test.py::RegularizersTest::test_get_method"""
    assert isinstance(R.get("l1l2"), R.L1L2)
    assert isinstance(R.get("l1"), R.L1)
    assert isinstance(R.get("l2"), R.L2)
    assert isinstance(R.get("orthogonal_regularizer"), R.OrthogonalRegularizer)
    assert R.get(None) is None
    with pytest.raises(ValueError, match="Unknown regularizer 'typo'"):
        R.get("typo")


def test_keras_l1l2_get_config():
    """regularizers_test.py::RegularizersTest::test_l1l2_get_config"""
    config = R.L1L2(l1=0.01, l2=0.02).get_config()
    assert config == {"l1": 0.01, "l2": 0.02}
    again = R.L1L2.from_config(config)
    assert again.get_config() == config and (again.l1, again.l2) == (0.01, 0.02)


def test_keras_orthogonal_regularizer_mode_validation():
    """regularizers_test.py::RegularizersTest::test_orthogonal_regularizer_mode_validation"""
    with pytest.raises(ValueError, match=r'`mode` must be "rows" or "columns"; received '
                                         r"mode='invalid_mode'"):
        R.OrthogonalRegularizer(factor=0.01, mode="invalid_mode")


def test_keras_orthogonal_regularizer_input_rank_validation():
    """regularizers_test.py::RegularizersTest::test_orthogonal_regularizer_input_rank_validation"""
    value = np.random.default_rng(0).random((4, 4, 4)).astype(np.float32)
    with pytest.raises(ValueError, match=r"rank-2 weight .* of shape \(4, 4, 4\)"):
        R.OrthogonalRegularizer(factor=0.1)(value)


def test_keras_orthogonal_regularizer_get_config():
    """regularizers_test.py::RegularizersTest::test_orthogonal_regularizer_get_config"""
    config = R.OrthogonalRegularizer(factor=0.01, mode="columns").get_config()
    assert config["factor"] == pytest.approx(0.01, abs=1e-7) and config["mode"] == "columns"
    again = R.OrthogonalRegularizer.from_config(config).get_config()
    assert again["factor"] == pytest.approx(0.01, abs=1e-7) and again["mode"] == "columns"


ZEROS, ONES = np.zeros((4, 4), np.float32), np.ones((4, 4), np.float32)


@pytest.mark.parametrize("reg, weights", [
    pytest.param(R.L1(0.1), ZEROS, id=T + "test_l1_with_zero_weights"),
    pytest.param(R.L1(0.0), None, id=T + "test_l1_zero_coefficient"),
    pytest.param(R.L2(0.1), ZEROS, id=T + "test_l2_with_zero_weights"),
    pytest.param(R.L2(0.0), None, id=T + "test_l2_zero_coefficient"),
    pytest.param(R.L1L2(l1=0.0, l2=0.0), None, id=T + "test_l1l2_zero_coefficients"),
    pytest.param(R.L1L2(l1=0.1, l2=0.2), ZEROS, id=T + "test_l1l2_with_zero_weights"),
])
def test_keras_zero_penalties(reg, weights, value):
    np.testing.assert_allclose(reg(value if weights is None else weights), 0.0, **KERAS_CLOSE)


def test_keras_l1_with_negative_weights():
    """regularizers_test.py::RegularizersTest::test_l1_with_negative_weights"""
    np.testing.assert_allclose(R.L1(0.1)(ONES), R.L1(0.1)(-ONES), **KERAS_CLOSE)
    assert R.L1(0.1)(-ONES) > 0  # (a sum of w, not of |w|, would make the two opposite)


@pytest.mark.parametrize("scale, l2_wins", [
    pytest.param(10.0, True, id=T + "test_l2_is_larger_than_l1_for_large_weights"),
    pytest.param(0.1, False, id=T + "test_l2_is_smaller_than_l1_for_small_weights"),
])
def test_keras_l1_against_l2(scale, l2_wins):
    w = ONES * np.float32(scale)
    l1, l2 = float(R.L1(1.0)(w)), float(R.L2(1.0)(w))
    assert (l2 > l1) if l2_wins else (l2 < l1)


@pytest.mark.parametrize("mixed, alone", [
    pytest.param(R.L1L2(l1=0.1, l2=0.0), R.L1(0.1), id=T + "test_l1l2_only_l1"),
    pytest.param(R.L1L2(l1=0.0, l2=0.1), R.L2(0.1), id=T + "test_l1l2_only_l2"),
])
def test_keras_l1l2_reduces_to_one_penalty(mixed, alone, value):
    np.testing.assert_allclose(mixed(value), alone(value), **KERAS_CLOSE)
    np.testing.assert_allclose(mixed.gradient(value), alone.gradient(value), **KERAS_CLOSE)


# Keras's validate_float_arg checks every penalty factor; OrthogonalRegularizer's `factor` goes
# straight to it in Keras (L1/L2/L1L2 first map None to a default), so the NumPy side's check is
# exercised through the same argument.
@pytest.mark.parametrize("factor, expected", [
    pytest.param(1, 1.0, id=V + "test_validate_float_with_valid_args-int"),
    pytest.param(1.0, 1.0, id=V + "test_validate_float_with_valid_args-float"),
    pytest.param(0, 0.0, id=V + "test_validate_float_with_zero-int"),
    pytest.param(0.0, 0.0, id=V + "test_validate_float_with_zero-float"),
    pytest.param(1e-10, 1e-10, id=V + "test_validate_float_with_very_small_positive"),
    pytest.param(1e6, 1e6, id=V + "test_validate_float_with_large_positive"),
])
def test_keras_validate_float_accepts(factor, expected):
    checked = R.OrthogonalRegularizer(factor=factor).factor
    assert checked == pytest.approx(expected, rel=1e-15) and type(checked) is float


def test_keras_validate_float_returns_float_type():
    """regularizers_test.py::ValidateFloatArgTest::test_validate_float_returns_float_type"""
    assert type(R.OrthogonalRegularizer(factor=1).factor) is float
    assert type(R.L1L2(l1=1, l2=2).l2) is float


@pytest.mark.parametrize("factor", [
    pytest.param("not_a_number", id=V + "test_validate_float_with_invalid_types"),
    pytest.param(float("nan"), id=V + "test_validate_float_with_nan"),
    pytest.param(float("inf"), id=V + "test_validate_float_with_inf-pos"),
    pytest.param(-float("inf"), id=V + "test_validate_float_with_inf-neg"),
    pytest.param(-1, id=V + "test_validate_float_with_negative_number"),
    pytest.param(-0.001, id=V + "test_validate_float_with_negative_float"),
    pytest.param(None, id=V + "test_validate_float_with_none"),
    pytest.param([0.1], id=V + "test_validate_float_with_list"),
])
def test_keras_validate_float_refuses(factor):
    with pytest.raises(ValueError, match="`factor` must be a finite, non-negative number"):
        R.OrthogonalRegularizer(factor=factor)


def test_none_means_the_default_factor_as_in_keras():
    """Keras's L1(None)/L2(None) use 0.01 and L1L2(None, None) no penalty (its constructors)."""
    assert R.L1(None).l1 == 0.01 and R.L2(None).l2 == 0.01
    assert (R.L1L2(l1=None, l2=None).l1, R.L1L2(l1=None, l2=None).l2) == (0.0, 0.0)


# -- OrthogonalRegularizer against Keras --------------------------------------------------------

@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_penalty_and_gradient_equal_keras_code_in_float64(mode):
    """Keras's own ``__call__`` under a GradientTape, with its factor made a float64 tensor (Keras
    3.15.1 keeps it float32, which cannot multiply a float64 weight): penalty and gradient
    <= 1e-12 relative, a zero row included (its norm clipped at 1e-7, as Keras's)."""
    import keras
    import tensorflow as tf

    w = np.random.default_rng(3).normal(size=(6, 4))
    w[2] = 0.0
    ours = R.OrthogonalRegularizer(0.1, mode)
    theirs = keras.regularizers.OrthogonalRegularizer(0.1, mode)
    theirs.factor = tf.constant(float(np.float32(0.1)), tf.float64)
    v = tf.Variable(w)
    with tf.GradientTape() as tape:
        penalty = theirs(v)
    grad = tape.gradient(penalty, v).numpy()
    assert abs(ours(w) - penalty.numpy()) <= 1e-12 * abs(penalty.numpy())
    assert np.abs(ours.gradient(w) - grad).max() <= 1e-12 * np.abs(grad).max()


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer_in_a_model_matches_keras_in_float32(mode):
    """Through to_keras and the gradient comparison (float32 contract: 1e-5 relative; the NumPy
    gradient also against float64 central differences)."""
    rng = np.random.default_rng(1)
    model = scratch.Sequential([
        scratch.Input(shape=(5,)),
        scratch.layers.Dense(4, activation="tanh",
                             kernel_regularizer=R.OrthogonalRegularizer(0.3, mode)),
        scratch.layers.Dense(1, activation="sigmoid"),
    ], seed=0, dtype="float32")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = rng.normal(size=(12, 5)), rng.integers(0, 2, 12)
    result = compare_gradients(model, x, y)
    assert result.ok, str(result)
    # the penalty is really in the loss being compared
    assert model.penalty() > 1e-3


def test_orthogonal_regularizer_refused_by_to_keras_in_float64():
    model = scratch.Sequential([
        scratch.Input(shape=(3,)),
        scratch.layers.Dense(2, kernel_regularizer=R.OrthogonalRegularizer()),
        scratch.layers.Dense(1),
    ], seed=0, dtype="float64")
    with pytest.raises(ValueError, match="fails in a float64 model.*dtype='float32'"):
        to_keras(model, compile=False)


def test_orthogonal_regularizer_refuses_a_single_vector():
    """Keras divides by the number of pairs, n(n-1)/2 = 0, and returns NaN; refused here."""
    with pytest.raises(ValueError, match=r"needs at least 2 columns .* shape \(4, 1\) has 1"):
        R.OrthogonalRegularizer(mode="columns")(np.ones((4, 1)))
