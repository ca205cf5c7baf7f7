"""Solutions of lesson 3 (instructor copy); see solutions/01_backprop_equations.py."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def cross_entropy_gradients(W1, W2, X, Y):
    """Sigmoid hidden and output layers, summed cross-entropy: {"W1": ..., "W2": ...}."""
    A1 = np.vstack([np.ones(len(X)), X.T])
    Z1 = W1 @ A1
    A2 = np.vstack([np.ones(len(X)), sigmoid(Z1)])
    A3 = sigmoid(W2 @ A2)
    V2 = A3 - Y.T                                   # the a(1 - a) factor cancelled
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    return {"W1": V1[1:] @ A1.T, "W2": V2 @ A2.T}


def relu_gradients(W1, W2, X, Y):
    """ReLU hidden layer, sigmoid outputs, summed squared error: {"W1": ..., "W2": ...}."""
    A1 = np.vstack([np.ones(len(X)), X.T])
    Z1 = W1 @ A1
    A2 = np.vstack([np.ones(len(X)), np.maximum(Z1, 0)])
    A3 = sigmoid(W2 @ A2)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    V1 = (Z1 > 0) * (W2[:, 1:].T @ V2)               # the step: 1 where Z1 > 0
    return {"W1": V1 @ A1.T, "W2": V2 @ A2.T}
