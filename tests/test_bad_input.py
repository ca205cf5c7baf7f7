"""Every bad input raises ValueError/TypeError whose message names the argument and the fix."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from conftest import make_model

Dense = scratch.layers.Dense


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"activation": "relux"}, r"Unknown activation 'relux' for `activation`.*relu"),
        ({"kernel_initializer": "glorot"}, r"Unknown initializer 'glorot' for `kernel_initializer`.*glorot_uniform"),
        ({"bias_initializer": "zero"}, r"`bias_initializer`.*zeros"),
        ({"kernel_regularizer": "l3"}, r"Unknown regularizer 'l3' for `kernel_regularizer`.*l2"),
    ],
)
def test_unknown_names_in_dense(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Dense(3, **kwargs)


@pytest.mark.parametrize("units", [0, -2, 2.5, "3", True])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match=r"`units` must be a positive integer"):
        Dense(units)


def test_unknown_loss_lists_valid_names():
    model = make_model()
    with pytest.raises(ValueError, match=r"Unknown loss 'cross_entropy' for `loss`.*binary_crossentropy"):
        model.compile(loss="cross_entropy")


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"`shape` must be a one-element tuple"):
        scratch.Input(shape=(3, 4))
    with pytest.raises(ValueError, match=r"shape\[0\]"):
        scratch.Input(shape=(0,))


@pytest.mark.parametrize(
    "x, exc, match",
    [
        (np.ones((5, 3)), ValueError, r"`x` has 3 columns \(features\) but the model's Input expects 4"),
        (np.ones(4), ValueError, r"`x` must be 2-D.*reshape"),
        (np.ones((0, 4)), ValueError, r"`x` is empty"),
        (np.array([[1.0, np.nan, 0, 0]] * 5), ValueError, r"`x` contains NaN or inf \(first at index \(0, 1\)\)"),
        (np.array([[1.0, np.inf, 0, 0]] * 5), ValueError, r"`x` contains NaN or inf"),
        (np.array([["a", "b", "c", "d"]] * 5), TypeError, r"`x` must be numeric.*Encode categorical"),
        (np.array([[1, None, 2, 3]] * 5, dtype=object), TypeError, r"`x` must be numeric"),
    ],
)
def test_bad_x(x, exc, match):
    model = make_model()
    with pytest.raises(exc, match=match):
        model.loss_and_gradients(x, np.zeros(len(x)))


@pytest.mark.parametrize(
    "loss, units, out_act, y, match",
    [
        ("binary_crossentropy", 1, "sigmoid", np.zeros(4), r"`x` and `y` have different numbers of rows: 5 and 4"),
        ("binary_crossentropy", 1, "sigmoid", np.zeros((5, 2)), r"`y` has shape \(5, 2\) but the output layer has 1 units.*expects shape \(5, 1\)"),
        ("categorical_crossentropy", 3, "softmax", np.zeros(5), r"output layer has 3 units.*sparse_categorical_crossentropy"),
        ("binary_crossentropy", 1, "sigmoid", np.array([0, 1, 2, 0, 1]), r"expects targets in \[0, 1\]"),
        ("binary_crossentropy", 1, "sigmoid", np.array([0, 1, np.nan, 0, 1]), r"`y` contains NaN or inf"),
        ("sparse_categorical_crossentropy", 3, "softmax", np.array([0, 1, 3, 0, 1]), r"not integers in \[0, 2\].*found 3"),
        ("sparse_categorical_crossentropy", 3, "softmax", np.array([0, 1, -1, 0, 1]), r"not integers in \[0, 2\]"),
        ("sparse_categorical_crossentropy", 3, "softmax", np.array([0, 1, 1.5, 0, 1]), r"not integers in \[0, 2\].*1.5"),
        ("sparse_categorical_crossentropy", 3, "softmax", np.eye(3)[[0, 1, 2, 0, 1]], r"one integer class label per sample.*categorical_crossentropy"),
        ("categorical_crossentropy", 3, "softmax", np.array([[1, 1, 0]] * 5), r"row 0 sums to 2"),
        ("mean_squared_error", 2, "linear", np.array([["a", "b"]] * 5), r"`y` must be numeric"),
    ],
)
def test_bad_y(loss, units, out_act, y, match):
    model = make_model(out_units=units, out_activation=out_act, loss=loss)
    with pytest.raises((ValueError, TypeError), match=match):
        model.loss_and_gradients(np.ones((5, 4)), y)


def test_softmax_on_one_unit_with_binary_crossentropy():
    with pytest.warns(UserWarning, match="softmax over one unit"), \
            pytest.raises(ValueError, match=r"softmax over a single unit, which always outputs 1.*sigmoid"):
        make_model(out_units=1, out_activation="softmax", loss="binary_crossentropy")


def test_hidden_softmax_on_one_unit_warns_and_says_what_to_use():
    with pytest.warns(UserWarning, match=r"softmax over one unit: it outputs 1 for every input.*sigmoid"):
        scratch.layers.Dense(1, activation="softmax")


def test_categorical_crossentropy_needs_two_units():
    with pytest.raises(ValueError, match=r"categorical_crossentropy needs an output layer with at least 2 units"):
        make_model(out_units=1, out_activation="sigmoid", loss="categorical_crossentropy")


def test_no_loss_before_compile():
    model = scratch.Sequential([scratch.Input((2,)), Dense(1)])
    with pytest.raises(ValueError, match=r"call model.compile\(optimizer=..., loss=...\) first"):
        model.loss_and_gradients(np.ones((3, 2)), np.ones(3))


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda w: w[:-1], r"`weights` has 3 arrays but the model has 4: dense/kernel \(4, 5\)"),
        (lambda w: w + [np.ones(1)], r"`weights` has 5 arrays but the model has 4"),
        (lambda w: [w[0].T] + w[1:], r"`weights\[0\]` \(dense/kernel\) has shape \(5, 4\); expected \(4, 5\).*transpose"),
        (lambda w: w[:1] + [np.ones(4)] + w[2:], r"`weights\[1\]` \(dense/bias\) has shape \(4,\); expected \(5,\)"),
        (lambda w: w[:3] + [np.array([np.nan])], r"`weights\[3\] \(dense_1/bias\)` contains NaN"),
    ],
)
def test_set_weights_checks_count_and_shapes(mutate, match):
    model = make_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match=match):
        model.set_weights(mutate(model.get_weights()))
    for a, b in zip(before, model.get_weights()):  # nothing half-loaded
        np.testing.assert_array_equal(a, b)


def test_weights_before_build():
    model = scratch.Sequential([Dense(2)])
    with pytest.raises(ValueError, match=r"no weights yet.*scratch.Input"):
        model.get_weights()


@pytest.mark.parametrize("dtype", ["float16", "int32", "double-ish"])
def test_bad_dtype(dtype):
    with pytest.raises(ValueError, match=r"`dtype` must be one of \('float32', 'float64'\)"):
        scratch.Sequential(dtype=dtype)


@pytest.mark.parametrize("reduction", ["abc", "average", "SUM"])
def test_bad_reduction(reduction):
    with pytest.raises(ValueError, match=r"Invalid value for argument `reduction`"):
        scratch.losses.MeanSquaredError(reduction=reduction)


@pytest.mark.parametrize("reduction", [None, "none"])
def test_unreduced_loss_cannot_train_a_model(reduction):
    layers = [scratch.Input(shape=(3,)), scratch.layers.Dense(1)]
    model = scratch.Sequential(layers)
    with pytest.raises(ValueError, match=r"reduction=.* returns one loss per sample"):
        model.compile(loss=scratch.losses.MeanSquaredError(reduction=reduction))


@pytest.mark.parametrize("value", [-0.1, float("nan"), "0.1"])
def test_bad_regularization_factor(value):
    with pytest.raises(ValueError, match=r"`l2` must be a finite, non-negative number"):
        scratch.regularizers.L2(value)


def test_bad_seed():
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative integer"):
        scratch.Sequential(seed=-1)
