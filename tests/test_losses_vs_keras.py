"""Every loss with the output activations it is used with, both reductions, against Keras.

Includes Keras's logits shortcut (a sigmoid/softmax output layer's pre-activation is used, also
with from_logits=False, also for categorical cross-entropy after a sigmoid), from_logits=True on
a linear output, and the clipping path (an output that is not sigmoid/softmax).
"""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from conftest import make_model, targets

L = scratch.losses

CASES = [
    # loss class, kwargs, output activation, output units, target kind
    (L.MeanSquaredError, {}, "linear", 3, "regression"),
    (L.MeanSquaredError, {}, "sigmoid", 1, "binary"),
    (L.MeanAbsoluteError, {}, "linear", 2, "regression"),
    (L.MeanAbsoluteError, {}, "tanh", 1, "regression"),
    (L.BinaryCrossentropy, {}, "sigmoid", 1, "binary"),
    (L.BinaryCrossentropy, {}, "sigmoid", 3, "multilabel"),
    (L.BinaryCrossentropy, {"from_logits": True}, "linear", 1, "binary"),
    (L.BinaryCrossentropy, {}, "relu", 1, "binary"),  # clipping path, outputs above 1 clipped
    (L.BinaryCrossentropy, {}, "softmax", 3, "multilabel"),  # shortcut with softmax logits
    (L.CategoricalCrossentropy, {}, "softmax", 3, "onehot"),
    (L.CategoricalCrossentropy, {}, "sigmoid", 3, "onehot"),  # shortcut with sigmoid logits
    (L.CategoricalCrossentropy, {"from_logits": True}, "linear", 4, "onehot"),
    (L.CategoricalCrossentropy, {}, "softplus", 3, "onehot"),  # normalize + clip path
    (L.SparseCategoricalCrossentropy, {}, "softmax", 3, "sparse"),
    (L.SparseCategoricalCrossentropy, {"from_logits": True}, "linear", 3, "sparse"),
    (L.SparseCategoricalCrossentropy, {}, "softplus", 3, "sparse"),  # clip + log path
]


def _id(case):
    cls, kw, act, k, _ = case
    return f"{cls.__name__}-{act}{k}" + ("-logits" if kw else "")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_loss_matches_keras(case, reduction, dtype, rng):
    cls, kwargs, act, k, kind = case
    x = rng.normal(size=(11, 4))
    y = targets(kind, 11, k, rng)
    loss = cls(reduction=reduction, **kwargs)
    model = make_model(hidden=(6,), activation="tanh", out_units=k, out_activation=act,
                       loss=loss, dtype=dtype, seed=7)
    result = compare_gradients(model, x, y)
    assert result.ok, str(result)
    assert np.isfinite(result.scratch_loss) and result.scratch_loss > 0


@pytest.mark.parametrize(
    "name, y_pred, y_true",
    [
        ("binary_crossentropy", [[0.0], [1.0], [0.3], [0.9999999999]], [[1.0], [0.0], [1.0], [1.0]]),
        ("categorical_crossentropy", [[0.2, 0.8, 0.0], [1.0, 0.0, 0.0]], [[0, 0, 1], [1, 0, 0]]),
        ("sparse_categorical_crossentropy", [[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]], [2, 0]),
        ("mean_squared_error", [[0.5, -1.0], [2.0, 0.0]], [[0.0, 1.0], [1.0, 1.0]]),
        ("mean_absolute_error", [[0.5, -1.0], [2.0, 0.0]], [[0.0, 1.0], [1.0, 1.0]]),
    ],
)
def test_loss_on_plain_arrays_takes_the_clipping_path_like_keras(name, y_pred, y_true):
    """As on predict() output: a plain array has no cached logits, so Keras clips."""
    import keras

    y_pred = np.array(y_pred, dtype=np.float64)
    y_true = np.array(y_true, dtype=np.float64)
    keras.config.set_floatx("float64")
    loss = scratch.losses.get(name)
    expected = float(getattr(keras.losses, type(loss).__name__)()(y_true, y_pred))
    ours = loss(y_true, y_pred)
    assert abs(ours - expected) <= 1e-12 * abs(expected)
    per_sample = getattr(scratch.losses, name)(y_true, y_pred)
    keras_per_sample = getattr(keras.losses, name)(y_true, y_pred).numpy()
    np.testing.assert_allclose(per_sample, keras_per_sample, rtol=1e-12, atol=0)


def test_predict_output_and_model_loss_differ_where_keras_does(rng):
    """The model's loss (logits) and the loss of predict() output (clipped) part ways, as in Keras,
    once the sigmoid saturates: the NumPy side reproduces both numbers."""
    import keras

    model = make_model(hidden=(4,), out_activation="sigmoid", loss="binary_crossentropy")
    w = model.get_weights()
    w[0][:] = 1.0  # tanh(>= 12) = 1 for the positive inputs below
    w[-2][:] = 10.0  # z = 40: the sigmoid rounds to exactly 1 in float64
    model.set_weights(w)
    x = np.abs(rng.normal(size=(6, 4))) + 3
    y = np.zeros(6)
    twin = __import__("scratch_vs_keras").to_keras(model)
    model_loss = model.compute_loss(x, y)
    keras_model_loss = float(twin.compute_loss(x, y.reshape(-1, 1), twin(x)))
    clipped = scratch.losses.BinaryCrossentropy()(y, model.predict(x))
    keras_clipped = float(keras.losses.BinaryCrossentropy()(y.reshape(-1, 1), twin.predict(x, verbose=0)))
    assert abs(model_loss - keras_model_loss) <= 1e-12 * keras_model_loss
    assert abs(clipped - keras_clipped) <= 1e-12 * keras_clipped
    assert model_loss == pytest.approx(40.0, rel=1e-12)  # log(1 + e^40) from the logits
    assert clipped == pytest.approx(-np.log(1e-7), rel=1e-9)  # clipping caps it at -log(eps)


@pytest.mark.parametrize("z", [30.0, -30.0, 12.5])
def test_binary_crossentropy_of_a_confident_right_answer_keeps_its_digits(z, rng):
    """TensorFlow evaluates (max(z, 0) - z y) + log1p(e^{-|z|}): for a right answer the first
    term is exactly 0 and the loss e^{-|z|} (~1e-13 at |z| = 30) keeps all its digits, where
    logaddexp(0, z) - z y would subtract 30 from 30.0000000000000937."""
    model = make_model(hidden=(3,), out_activation="sigmoid", loss="binary_crossentropy")
    w = model.get_weights()
    w[-2][:] = 0.0
    w[-1][:] = z  # every row's logit is z
    model.set_weights(w)
    y = np.full(5, 1.0 if z > 0 else 0.0)
    result = compare_gradients(model, rng.normal(size=(5, 4)), y)
    assert result.ok, str(result)
    assert result.scratch_loss == pytest.approx(np.log1p(np.exp(-abs(z))), rel=1e-14)
