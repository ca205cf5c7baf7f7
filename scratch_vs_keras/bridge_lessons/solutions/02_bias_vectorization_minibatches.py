"""Solutions of lesson 2 (instructor copy); see solutions/01_backprop_equations.py."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def one_sample(W1, b1, W2, b2, x, y):
    """One sample's gradients, form B: (grad_W1 (h, d), grad_b1 (h,), grad_W2 (k, h), grad_b2 (k,))."""
    a2 = sigmoid(W1 @ x + b1)
    a3 = sigmoid(W2 @ a2 + b2)
    v2 = -2 * (y - a3) * a3 * (1 - a3)
    v1 = a2 * (1 - a2) * (W2.T @ v2)
    return np.outer(v1, x), v1, np.outer(v2, a2), v2
