"""The lessons' gradient checker names the layer and the tensor of planted student errors."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.lessons import check_gradients, check_lecture_gradients


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def student_gradients(W1, W2, X, Y, C=0.0, mistake=None):
    """A student's two-layer sigmoid network with the summed squared error, in the lecture's
    layout (samples as columns, bias as a row of ones), with an optional planted mistake."""
    A1 = np.vstack([np.ones(len(X)), X.T])
    A2 = np.vstack([np.ones(len(X)), _sigmoid(W1 @ A1)])
    A3 = _sigmoid(W2 @ A2)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    if mistake == "missing_derivative":
        V1 = W2.T @ V2  # forgot A2 * (1 - A2)
    else:
        V1 = A2 * (1 - A2) * (W2.T @ V2)
    grad1 = V1[1:] @ A1.T
    grad2 = V2 @ A2.T
    if mistake == "bias_regularized":
        grad1 += C * W1
        grad2 += C * W2
    else:
        grad1[:, 1:] += C * W1[:, 1:]
        grad2[:, 1:] += C * W2[:, 1:]
    if mistake == "transposed":
        grad1 = grad1.T
    if mistake == "mean_not_sum":
        grad1, grad2 = grad1 / len(X), grad2 / len(X)
    return {"W1": grad1, "W2": grad2}


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 4))
    Y = np.eye(3)[rng.integers(0, 3, 16)]
    W1 = rng.uniform(-1, 1, size=(5, 5))
    W2 = rng.uniform(-1, 1, size=(3, 6))
    return W1, W2, X, Y


def test_right_gradients_pass(problem):
    W1, W2, X, Y = problem
    fb = check_lecture_gradients(student_gradients(W1, W2, X, Y, C=0.1), [W1, W2], X, Y, C=0.1)
    assert fb.ok and "All 2 gradients are right." in str(fb)


def test_missing_activation_derivative_is_named(problem):
    W1, W2, X, Y = problem
    fb = check_lecture_gradients(student_gradients(W1, W2, X, Y, mistake="missing_derivative"),
                                 [W1, W2], X, Y)
    first = fb.first_wrong()
    assert first.tensor == "W1" and first.layer == 1
    assert "Layer 1's activation derivative is missing" in first.hint
    assert fb.table.set_index("tensor").loc["W2", "ok"]  # the output layer is right
    assert "Start with layer 1: the mistake that fits is there (W1)" in str(fb)


def test_transposed_gradient_is_named(problem):
    W1, W2, X, Y = problem
    fb = check_lecture_gradients(student_gradients(W1, W2, X, Y, mistake="transposed"), [W1, W2], X, Y)
    first = fb.first_wrong()
    assert first.tensor == "W1" and "transposed back it is right" in first.hint


def test_transposed_non_square_gradient_is_named(problem):
    W1, W2, X, Y = problem
    g = student_gradients(W1, W2, X, Y)
    g["W2"] = g["W2"].T
    fb = check_lecture_gradients(g, [W1, W2], X, Y)
    first = fb.first_wrong()
    assert first.tensor == "W2" and "It has shape (6, 3) but (3, 6) is expected: it is transposed" in first.hint


def test_bias_regularized_is_named(problem):
    W1, W2, X, Y = problem
    fb = check_lecture_gradients(student_gradients(W1, W2, X, Y, C=0.3, mistake="bias_regularized"),
                                 [W1, W2], X, Y, C=0.3)
    assert not fb.ok
    assert fb.first_wrong().tensor == "W2" and fb.first_wrong().layer == 2
    assert all("The bias is regularized" in h for h in fb.table.hint)


def test_extra_one_over_n_is_named(problem):
    W1, W2, X, Y = problem
    fb = check_lecture_gradients(student_gradients(W1, W2, X, Y, mistake="mean_not_sum"), [W1, W2], X, Y)
    assert "an extra 1/N" in fb.first_wrong().hint and "times 0.0625" in fb.first_wrong().hint


def test_bias_vector_layout(problem):
    W1, W2, X, Y = problem
    g = student_gradients(W1, W2, X, Y)
    vec = {"W1": g["W1"][:, 1:], "b1": g["W1"][:, 0], "W2": g["W2"][:, 1:], "b2": g["W2"][:, 0]}
    assert check_lecture_gradients(vec, [W1, W2], X, Y, bias="vector").ok


def test_keras_layout_missing_one_over_n_and_missing_derivative():
    rng = np.random.default_rng(1)
    model = scratch.Sequential([scratch.Input((4,)), scratch.layers.Dense(5, activation="tanh"),
                                scratch.layers.Dense(2)], seed=0, dtype="float64")
    model.compile(loss="mean_squared_error")
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 2))
    _, grads = model.loss_and_gradients(x, y)
    assert check_gradients(grads, model, x, y).ok
    forgot = [g * 10 for g in grads]  # the mean's 1/N left out
    fb = check_gradients(forgot, model, x, y)
    assert "a missing 1/N" in fb.first_wrong().hint and fb.first_wrong().layer == 2
    dense = model.layers[0]
    original = dense.activation
    try:
        dense.activation = type("NoDerivative", (type(original),), {"backward": lambda self, z, a, g: g})()
        wrong = model.loss_and_gradients(x, y)[1]
    finally:
        dense.activation = original
    fb = check_gradients(wrong, model, x, y)
    assert fb.first_wrong().tensor.startswith("dense/") and fb.first_wrong().layer == 1
    assert "dense's activation derivative (tanh') is missing" in fb.first_wrong().hint
