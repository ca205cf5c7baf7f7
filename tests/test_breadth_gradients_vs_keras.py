"""Every loss and activation added for issue 16, through the gradient comparison against real
Keras (``compare_gradients``: forward, loss and every gradient, float64, <= 1e-12 relative).

One small model and one batch per case; the losses sit on the output layer (with the output
activation Keras users pair them with, including the logits shortcut and the clipping path), the
activations on the hidden layer under a sigmoid + binary cross-entropy output.
"""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from conftest import make_model

L, A = scratch.losses, scratch.activations
N = 9


def _targets(kind, k, rng):
    if kind == "regression":
        return rng.normal(size=(N, k)) + np.sign(rng.normal(size=(N, k)))  # away from 0 (MAPE)
    if kind == "positive":
        return np.abs(rng.normal(size=(N, k)))
    if kind == "counts":
        return rng.integers(0, 5, size=(N, k)).astype(float)
    if kind == "binary":
        return rng.integers(0, 2, size=(N, k)).astype(float)
    if kind == "signs":
        return 2.0 * rng.integers(0, 2, size=(N, k)) - 1.0
    if kind == "onehot":
        return np.eye(k)[rng.integers(0, k, size=N)]
    if kind == "soft":
        return rng.dirichlet(np.ones(k), size=N)
    if kind == "sparse_ignored":
        y = rng.integers(0, k, size=N)
        y[::3] = -1
        return y
    if kind == "sparse":
        return rng.integers(0, k, size=N)
    raise ValueError(kind)


LOSS_CASES = [
    # loss, output activation, output units, target kind
    (L.MeanAbsolutePercentageError(), "linear", 2, "regression"),
    (L.MeanSquaredLogarithmicError(), "softplus", 2, "positive"),
    (L.Huber(delta=0.5), "linear", 2, "regression"),
    (L.LogCosh(), "linear", 2, "regression"),
    (L.Poisson(), "softplus", 2, "counts"),
    (L.CosineSimilarity(), "linear", 3, "regression"),
    (L.Hinge(), "tanh", 1, "binary"),
    (L.SquaredHinge(), "linear", 2, "signs"),
    (L.CategoricalHinge(), "linear", 3, "onehot"),
    (L.KLDivergence(), "softmax", 3, "soft"),
    (L.BinaryFocalCrossentropy(), "sigmoid", 1, "binary"),  # logits shortcut
    (L.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0, label_smoothing=0.2), "sigmoid", 3, "binary"),
    (L.BinaryFocalCrossentropy(from_logits=True), "linear", 2, "binary"),
    (L.BinaryFocalCrossentropy(), "relu", 1, "binary"),  # clipping path
    (L.CategoricalFocalCrossentropy(), "softmax", 3, "onehot"),
    (L.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1), "linear", 3, "onehot"),
    (L.BinaryCrossentropy(label_smoothing=0.2), "sigmoid", 2, "binary"),
    (L.CategoricalCrossentropy(label_smoothing=0.1), "softmax", 3, "onehot"),
    (L.CategoricalCrossentropy(label_smoothing=0.1), "softplus", 3, "onehot"),  # clipping path
    (L.SparseCategoricalCrossentropy(ignore_class=-1), "softmax", 3, "sparse_ignored"),
    (L.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1), "linear", 3, "sparse_ignored"),
    (L.MeanSquaredError(reduction="mean_with_sample_weight"), "linear", 2, "regression"),
    (L.MeanAbsoluteError(reduction="mean"), "linear", 2, "regression"),
]

ACTIVATION_CASES = [name for name in sorted(A.ALL) if name not in (
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "glu",
    "softplus", "softmax")] + [
    A.ReLU(negative_slope=0.1, max_value=1.5, threshold=0.2), A.ReLU(max_value=1.0),
    A.ReLU(threshold=0.3), A.ReLU(negative_slope=0.3), A.ELU(alpha=0.5), A.CELU(alpha=0.5),
    A.GELU(approximate=True), A.Squareplus(b=2), A.SoftShrink(threshold=0.2),
    A.HardShrink(threshold=0.2), A.Threshold(0.1, -0.5), A.Softmax(axis=0),
    A.LogSoftmax(axis=0), A.Sparsemax(axis=0), A.LeakyReLU(negative_slope=0.1),
]


def _name(case):
    if isinstance(case, tuple):
        loss, act, k, _ = case
        args = {k_: v for k_, v in loss.get_config().items() if k_ != "name"}
        return f"{type(loss).__name__}-{act}{k}-" + ",".join(f"{a}={v}" for a, v in args.items())
    return case if isinstance(case, str) else repr(case)


CASES = [("loss", c) for c in LOSS_CASES] + [("activation", c) for c in ACTIVATION_CASES]


@pytest.mark.parametrize("kind, case", CASES, ids=[_name(c) for _, c in CASES])
def test_new_loss_or_activation_gradients_match_keras(kind, case, rng):
    x = rng.normal(scale=1.5, size=(N, 3))
    if kind == "loss":
        loss, act, k, target = case
        model = make_model(n_in=3, hidden=(4,), activation="tanh", out_units=k, out_activation=act,
                           loss=loss, seed=5)
        y = _targets(target, k, rng)
    else:
        model = make_model(n_in=3, hidden=(6,), activation=case, seed=5)
        y = rng.integers(0, 2, size=N).astype(float)
    result = compare_gradients(model, x, y, finite_differences=False)
    table = result.table
    assert result.ok, str(result)
    assert len(table) >= 5 and (table.rel_diff <= 1e-12).all(), str(result)


def _call_data(rng, B=6, k=3):
    reg_t, reg_p = rng.normal(size=(B, k)) + 1.5, rng.normal(size=(B, k))
    pos_t, pos_p = np.abs(rng.normal(size=(B, k))), np.abs(rng.normal(size=(B, k))) + 0.1
    bin_t, prob_p = rng.integers(0, 2, size=(B, k)).astype(float), rng.uniform(0.05, 0.95, size=(B, k))
    onehot, soft = np.eye(k)[rng.integers(0, k, B)], rng.dirichlet(np.ones(k), size=B)
    labels = rng.integers(0, k, B).astype(float)
    labels[::3] = -1
    return {
        "MeanSquaredError": (reg_t, reg_p, {}), "MeanAbsoluteError": (reg_t, reg_p, {}),
        "MeanAbsolutePercentageError": (reg_t, reg_p, {}),
        "MeanSquaredLogarithmicError": (pos_t, pos_p, {}), "Huber": (reg_t, reg_p, {"delta": 0.7}),
        "LogCosh": (reg_t, reg_p, {}), "Poisson": (pos_t, pos_p, {}), "CosineSimilarity": (reg_t, reg_p, {}),
        "Hinge": (bin_t, reg_p, {}), "SquaredHinge": (2 * bin_t - 1, reg_p, {}),
        "CategoricalHinge": (onehot, reg_p, {}), "KLDivergence": (soft[::-1], soft, {}),
        "BinaryCrossentropy": (bin_t, prob_p, {"label_smoothing": 0.1}),
        "BinaryFocalCrossentropy": (bin_t, reg_p, {"from_logits": True, "apply_class_balancing": True, "gamma": 1.5}),
        "CategoricalCrossentropy": (onehot, soft, {"label_smoothing": 0.2}),
        "CategoricalFocalCrossentropy": (onehot, reg_p, {"from_logits": True, "label_smoothing": 0.1}),
        "SparseCategoricalCrossentropy": (labels, reg_p, {"from_logits": True, "ignore_class": -1}),
    }


@pytest.mark.parametrize("name", sorted(_call_data(np.random.default_rng(0))))
def test_loss_call_with_every_reduction_and_sample_weight_matches_keras(name):
    """``loss(y_true, y_pred, sample_weight)`` on plain float64 arrays, for each reduction and
    no weight, one number, one weight per sample and a column of them, against real Keras."""
    import keras

    keras.config.set_floatx("float64")
    rng = np.random.default_rng(3)
    y_true, y_pred, kwargs = _call_data(rng)[name]
    for reduction in ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]:
        for weight in [None, 0.7, rng.uniform(0, 2, 6), rng.uniform(0, 2, (6, 1))]:
            ours = getattr(L, name)(reduction=reduction, **kwargs)(y_true, y_pred, sample_weight=weight)
            theirs = np.asarray(getattr(keras.losses, name)(reduction=reduction, **kwargs)(
                y_true, y_pred, sample_weight=weight))
            assert np.shape(ours) == theirs.shape
            assert np.max(np.abs(ours - theirs)) <= 1e-13 * np.max(np.abs(theirs)), (reduction, weight)


def test_sample_weight_that_does_not_fit_names_the_argument():
    with pytest.raises(ValueError, match=r"`sample_weight` of shape \(4,\) does not broadcast"):
        L.MeanSquaredError()(np.ones((3, 2)), np.zeros((3, 2)), sample_weight=np.ones(4))


@pytest.mark.parametrize("activation", ACTIVATION_CASES + ["glu", A.GLU(axis=0)],
                         ids=[_name(c) for c in ACTIVATION_CASES] + ["glu", "glu-axis0"])
def test_new_activation_and_derivative_match_tensorflow_at_every_point_and_kink(activation):
    """Value and derivative against TensorFlow's autodiff on [-8, 8], with the kinks (0, +-1,
    -3, 3, 6, the thresholds) hit exactly: there TensorFlow's choice of one-sided slope is used."""
    import keras
    import tensorflow as tf

    act = A.get(activation)
    z = np.linspace(-8, 8, 1920).reshape(-1, 4)
    z[::7] = 0.0
    z[1::11] = [-1.0, 1.0, 6.0, -3.0]
    z[2::13] = [3.0, 0.3, -0.3, 0.5]
    a = act(z)
    g = np.cos(np.arange(a.size)).reshape(a.shape)
    zt = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(zt)
        at = getattr(keras.activations, act.name)(zt, **act.non_default_arguments())
    dzt = tape.gradient(at, zt, output_gradients=tf.constant(g)).numpy()
    at = at.numpy()
    assert np.max(np.abs(a - at)) <= 1e-12 * np.max(np.abs(at))
    assert np.max(np.abs(act.backward(z, a, g) - dzt)) <= 1e-12 * np.max(np.abs(dzt))
