"""The checker cannot be fooled: for each mistake students make, a student-like function with that
mistake (written here from the lecture's equations, not from the package) is never called right,
the right layer is named, and the hint names the mistake; right answers, float64 and float32,
are never called wrong."""

import numpy as np
import pytest

from scratch_vs_keras.lessons import check_gradients, check_lecture_gradients
from scratch_vs_keras import scratch

ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a, z: a * (1 - a)),
    "tanh": (np.tanh, lambda a, z: 1 - a ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda a, z: (z > 0).astype(z.dtype)),
}


def student(activation="sigmoid", cost="quadratic", C=0.0, mistake=None, forward=False):
    """A student's two-layer network in the lecture's layout (samples as columns, a row of ones
    on top), gradients(W1, W2, X, Y) -> (grad1, grad2), with one planted ``mistake``."""
    g, dg = ACT[activation]
    sig, dsig = ACT["sigmoid"]

    def gradients(W1, W2, X, Y):
        ones = np.ones((1, len(X)), dtype=X.dtype)
        stack = (lambda a: np.vstack([a, ones])) if mistake == "ones_at_bottom" else (
            lambda a: np.vstack([ones, a]))
        A1 = stack(X.T)
        Z1 = W1 @ A1
        A2 = stack(Z1 if mistake == "no_hidden_activation" else g(Z1))
        Z2 = W2 @ A2
        A3 = sig(Z2)
        if cost == "quadratic":
            V2 = -2 * (Y.T - A3)
            if mistake == "output_derivative_missing":
                pass
            elif mistake == "output_derivative_from_z":
                V2 = V2 * Z2 * (1 - Z2)
            else:
                V2 = V2 * dsig(A3, Z2)
        else:
            V2 = A3 - Y.T
        factors = {"over_n": 1 / len(X), "over_k": 1 / Y.shape[1], "np_mean": 1 / Y.size,
                   "times_2": 2.0, "sign": -1.0}
        V2 = V2 * factors.get(mistake, 1.0)
        Z1_full = np.vstack([np.ones((1, len(X)), dtype=X.dtype), Z1])
        if mistake == "hidden_derivative_missing":
            V1 = W2.T @ V2
        elif mistake == "hidden_derivative_from_z":
            V1 = dg(Z1_full, Z1_full) * (W2.T @ V2)
        else:
            V1 = dg(A2, Z1_full) * (W2.T @ V2)
        V1 = V1[:-1] if mistake in ("rows_shifted", "ones_at_bottom") else V1[1:]
        grad2 = V2 @ (A1 if mistake == "wrong_activations_2" else A2).T
        grad1 = V1 @ (A2 if mistake == "wrong_activations_1" else A1).T
        if mistake == "bias_last":  # the row of ones put last when forming the gradient
            grad1 = V1 @ np.vstack([X.T, ones]).T
        if C:
            c1 = {"penalty_missing": 0, "penalty_doubled": 2 * C, "penalty_layer_2_only": 0}.get(mistake, C)
            c2 = {"penalty_missing": 0, "penalty_doubled": 2 * C}.get(mistake, C)
            if mistake == "penalty_on_bias":
                grad1, grad2 = grad1 + C * W1, grad2 + C * W2
            else:  # a wrong-shaped gradient would make `+=` fail: that student left it out there
                if grad1.shape == W1.shape:
                    grad1[:, 1:] += c1 * W1[:, 1:]
                if grad2.shape == W2.shape:
                    grad2[:, 1:] += c2 * W2[:, 1:]
        if mistake == "bias_missing":
            grad1[:, 0] = 0
        if mistake == "transposed":
            grad1 = grad1.T
        if forward:
            return {"W1": grad1, "W2": grad2, "A1": A1, "A2": A2, "A3": A3}
        return grad1, grad2

    return gradients


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost, C", [("quadratic", 0.0), ("quadratic", 0.1), ("cross_entropy", 0.1)])
def test_right_answers_are_right_in_float64_and_float32(activation, cost, C):
    fb = check_lecture_gradients(student(activation, cost, C), C=C, cost=cost, activation=activation)
    assert fb.ok, str(fb)
    assert {"float64", "float32"} <= {p.split(", ")[1] for p in fb.probes}
    assert len(fb.probes) == 6  # three random points, each in both dtypes


def test_a_float32_answer_is_right_to_float32_round_off_and_says_so():
    rng = np.random.default_rng(3)
    W1, W2 = rng.uniform(-1, 1, (5, 4)), rng.uniform(-1, 1, (2, 6))
    X, Y = rng.normal(size=(8, 3)), np.eye(2)[rng.integers(0, 2, 8)]
    f32 = [a.astype(np.float32) for a in (W1, W2, X, Y)]
    g1, g2 = student()(*f32)
    assert g1.dtype == np.float32
    fb = check_lecture_gradients({"W1": g1, "W2": g2}, [f32[0], f32[1]], f32[2], f32[3])
    assert fb.ok and "right to float32 round-off" in str(fb)
    assert fb.table.rel_diff.max() > 1e-9  # it is not right to float64 round-off: the dtype matters


# (mistake, activation, cost, C, the layer to start with, words the hint must hold)
MISTAKES = [
    ("hidden_derivative_missing", "sigmoid", "quadratic", 0.0, 1, "sigmoid's derivative A * (1 - A)"),
    ("hidden_derivative_missing", "tanh", "quadratic", 0.0, 1, "tanh's derivative 1 - A**2"),
    ("hidden_derivative_missing", "relu", "quadratic", 0.0, 1, "ReLU's step"),
    ("output_derivative_missing", "relu", "quadratic", 0.0, 2, "sigmoid's derivative A * (1 - A)"),
    ("hidden_derivative_from_z", "sigmoid", "quadratic", 0.0, 1, "computed from Z1, not from A2"),
    ("hidden_derivative_from_z", "tanh", "cross_entropy", 0.0, 1, "computed from Z1, not from A2"),
    ("output_derivative_from_z", "sigmoid", "quadratic", 0.0, 2, "computed from Z2, not from A3"),
    ("wrong_activations_1", "sigmoid", "quadratic", 0.1, 1, "wrong layer's activations"),
    ("wrong_activations_2", "tanh", "quadratic", 0.0, 2, "wrong layer's activations"),
    ("transposed", "sigmoid", "quadratic", 0.1, 1, "transposed"),
    ("over_n", "sigmoid", "quadratic", 0.1, 2, "extra 1/N"),
    ("over_k", "sigmoid", "quadratic", 0.1, 2, "extra 1/k"),
    ("np_mean", "relu", "quadratic", 0.1, 2, "extra 1/(N k)"),
    ("times_2", "sigmoid", "cross_entropy", 0.1, 2, "an extra factor 2"),
    ("sign", "tanh", "quadratic", 0.1, 2, "sign flipped"),
    ("penalty_missing", "sigmoid", "quadratic", 0.1, 2, "penalty C * W is missing"),
    ("penalty_doubled", "sigmoid", "quadratic", 0.1, 2, "doubled (2C * W)"),
    ("penalty_on_bias", "relu", "quadratic", 0.1, 2, "bias is regularized"),
    ("penalty_layer_2_only", "sigmoid", "quadratic", 0.1, 1, "on layer 2 only"),
    ("bias_missing", "sigmoid", "quadratic", 0.1, 1, "column 0 (the bias)"),
    ("rows_shifted", "tanh", "quadratic", 0.0, 1, "rows are shifted by one"),
    ("bias_last", "sigmoid", "quadratic", 0.0, 1, "in the last column, not column 0"),
    ("ones_at_bottom", "sigmoid", "quadratic", 0.0, 1, "row of ones is at the bottom"),
    ("no_hidden_activation", "sigmoid", "quadratic", 0.0, 1, "activation is missing in the forward pass"),
]


@pytest.mark.parametrize("mistake, activation, cost, C, layer, words", MISTAKES,
                         ids=[f"{m[0]}-{m[1]}" for m in MISTAKES])
def test_each_mistake_is_caught_named_and_placed(mistake, activation, cost, C, layer, words):
    fb = check_lecture_gradients(student(activation, cost, C, mistake), C=C, cost=cost,
                                 activation=activation)
    assert not fb.ok and fb.status == "wrong"
    first = fb.first_wrong()
    start = int(first.layer) if first.blame is None or first.blame != first.blame else int(first.blame)
    assert start == layer, str(fb)
    assert words in first.hint, str(fb)
    assert "Next:" in first.hint
    assert f"Start with layer {layer}" in str(fb) or f"(layer {layer}): the wrong one" in str(fb), str(fb)
    assert all(not r.ok for r in fb.table.itertuples() if r.mistake), "a right tensor has a mistake"


@pytest.mark.parametrize("mistake", ["ones_at_bottom", "no_hidden_activation"])
def test_a_forward_slip_with_the_forward_pass_given_is_blamed_on_layer_1(mistake):
    fb = check_lecture_gradients(student(mistake=mistake, forward=True))
    first = fb.first_wrong()
    assert first.tensor in ("A1", "A2") and int(first.blame) == 1
    assert "Layer 1's forward pass is wrong" in first.hint
    w2 = fb.table.set_index("tensor").loc["W2"]
    assert not w2.ok and "fix layer 1's forward pass first" in w2.hint
    assert "Start with layer 1" in str(fb)


def test_the_bias_hint_names_column_0():
    fb = check_lecture_gradients(student(C=0.1, mistake="bias_missing"), C=0.1)
    row = fb.table.set_index("tensor").loc["W1"]
    assert "column 0 (the bias)" in row.hint and fb.table.set_index("tensor").loc["W2"].ok


def test_a_regularized_bias_at_a_zero_bias_point_is_not_called_right_when_probed():
    rng = np.random.default_rng(0)
    W1, W2 = rng.uniform(-1, 1, (5, 4)), rng.uniform(-1, 1, (2, 6))
    W1[:, 0] = W2[:, 0] = 0.0  # the course's Glorot start: zero biases
    X, Y = rng.normal(size=(8, 3)), np.eye(2)[rng.integers(0, 2, 8)]
    wrong = student(C=0.1, mistake="penalty_on_bias")
    g1, g2 = wrong(W1, W2, X, Y)
    numbers = check_lecture_gradients({"W1": g1, "W2": g2}, [W1, W2], X, Y, C=0.1)
    assert numbers.ok and "zero biases" in str(numbers)  # cannot tell at that point, and says so
    probed = check_lecture_gradients(wrong, [W1, W2], X, Y, C=0.1)
    assert not probed.ok and "bias is regularized" in probed.first_wrong().hint


def test_missing_and_unknown_keys_are_a_message_naming_the_expected_keys():
    good = student()
    fb = check_lecture_gradients(lambda *a: {"W1": good(*a)[0], "W_2": good(*a)[1]})
    assert fb.status == "bad answer" and not fb.ok
    assert "unknown key 'W_2' (did you mean 'W2'?)" in str(fb) and "missing 'W2'" in str(fb)
    assert "'W1', 'W2'" in str(fb)
    fb = check_lecture_gradients(lambda *a: good(*a)[:1])
    assert fb.status == "bad answer" and "expected 2: (W1, W2)" in str(fb)


def test_a_skeleton_is_not_done_and_a_crash_is_reported_with_its_line():
    def gradients(W1, W2, X, Y):
        raise NotImplementedError

    fb = check_lecture_gradients(gradients)
    assert fb.status == "not done" and "Not done yet" in str(fb)

    def broken(W1, W2, X, Y):
        return W1 @ X, W2  # (5, 4) @ (8, 3)

    fb = check_lecture_gradients(broken)
    assert fb.status == "error" and "ValueError" in str(fb) and "return W1 @ X" in str(fb)


def test_bad_settings_name_the_argument():
    with pytest.raises(ValueError, match="`activation` must be one of"):
        check_lecture_gradients(student(), activation="softsign")
    with pytest.raises(ValueError, match="`C` must be"):
        check_lecture_gradients(student(), C=-1)
    with pytest.raises(ValueError, match="pass W"):
        check_lecture_gradients({"W1": 0, "W2": 0})


def _keras_model(activation):
    model = scratch.Sequential([scratch.Input((4,)), scratch.layers.Dense(5, activation=activation),
                                scratch.layers.Dense(2)], seed=0, dtype="float64")
    model.compile(loss="mean_squared_error")
    return model


def test_keras_layout_function_is_probed_and_a_typo_key_is_not_a_silent_pass():
    model = _keras_model("relu")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 2))

    def mine(weights, x, y):  # the student's Keras-layout backprop, from the equations
        K1, b1, K2, b2 = weights
        Z1 = x @ K1 + b1
        A1 = np.maximum(Z1, 0)
        out = A1 @ K2 + b2
        d2 = 2 * (out - y) / y.size
        d1 = (d2 @ K2.T) * (Z1 > 0)
        return {"dense/kernel": x.T @ d1, "dense/bias": d1.sum(0), "dense_1/kernel": A1.T @ d2,
                "dense_1/bias": d2.sum(0)}

    fb = check_gradients(mine, model, x, y)
    assert fb.ok and len(fb.probes) == 6, str(fb)
    typo = check_gradients(lambda w, x, y: {**mine(w, x, y), "dense_1/kernal": 0}, model, x, y)
    assert typo.status == "bad answer" and "'dense_1/kernel'" in str(typo)

    def forgot(weights, x, y):
        g = mine(weights, x, y)
        K1, b1, K2, b2 = weights
        d2 = 2 * ((x @ K1 + b1).clip(0) @ K2 + b2 - y) / y.size
        d1 = d2 @ K2.T  # ReLU's step left out
        g["dense/kernel"], g["dense/bias"] = x.T @ d1, d1.sum(0)
        return g

    first = check_gradients(forgot, model, x, y).first_wrong()
    assert first.layer == 1 and "ReLU's step" in first.hint


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_the_model_of_mistakes_without_a_slip_is_the_engine(activation, cost):
    """The slips are variations of a pass that, slip-free, gives the engine's (Keras's) numbers."""
    from scratch_vs_keras.lessons.lecture import random_point, reference
    from scratch_vs_keras.lessons.mistakes import slipped_pass

    W, X, Y = random_point(np.random.default_rng(5))
    mine, ref = slipped_pass(W, X, Y, activation, cost, 0.1), reference(W, X, Y, activation, cost, 0.1)
    for name in ref:
        np.testing.assert_allclose(mine[name], ref[name], rtol=1e-12, atol=1e-13, err_msg=name)


def test_bias_vector_layout_right_and_a_regularized_bias_vector():
    sig = ACT["sigmoid"][0]

    def vector(penalize_b):
        def gradients(W1, b1, W2, b2, X, Y):  # Z = W A + b, cross-entropy: V2 = A3 - Y
            A2 = sig(W1 @ X.T + b1[:, None])
            A3 = sig(W2 @ A2 + b2[:, None])
            V2 = A3 - Y.T
            V1 = A2 * (1 - A2) * (W2.T @ V2)
            p = 0.2 if penalize_b else 0.0
            return V1 @ X + 0.2 * W1, V1.sum(1) + p * b1, V2 @ A2.T + 0.2 * W2, V2.sum(1) + p * b2
        return gradients

    assert check_lecture_gradients(vector(False), cost="cross_entropy", bias="vector", C=0.2).ok
    fb = check_lecture_gradients(vector(True), cost="cross_entropy", bias="vector", C=0.2)
    bad = fb.table[~fb.table.ok]
    assert list(bad.tensor) == ["b1", "b2"] and fb.first_wrong().tensor == "b2"
    assert all("bias is regularized" in h and "leaves b out" in h for h in bad.hint)
