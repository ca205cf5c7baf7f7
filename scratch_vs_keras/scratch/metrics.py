r"""Accuracy metrics as Keras computes them, and the running (batch-size-weighted) mean.

Per sample, averaged over the output units where there are several:

* binary_accuracy: :math:`[\,y = (\hat y > 0.5)\,]`;
* categorical_accuracy: :math:`[\arg\max y = \arg\max \hat y]`;
* sparse_categorical_accuracy: :math:`[\,y = \arg\max \hat y\,]`.

``metrics=["accuracy"]`` picks one of them from the shapes, as Keras does: one output unit means
binary, integer labels of shape ``(B,)`` sparse categorical, otherwise categorical.
"""

import numpy as np

from ._validation import lookup


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true = y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true
    return np.mean(y_true == (y_pred > threshold), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    return (y_true.reshape(-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


_BY_NAME = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
}


def check_name(name):
    """``name`` if it is a metric this package computes, else a ValueError listing them."""
    lookup(name, {**_BY_NAME, "accuracy": None, "acc": None}, "metric", "metrics")
    return name


def resolve(name, y_true, units):
    """The Keras name a metric identifier stands for, given the targets and the output units."""
    if name in ("accuracy", "acc"):
        if units == 1:
            return "binary_accuracy"
        if y_true.ndim == 1:
            return "sparse_categorical_accuracy"
        return "categorical_accuracy"
    return name


def compute(name, y_true, y_pred):
    """Per-sample values of the metric ``name`` (a resolved Keras name)."""
    return _BY_NAME[name](y_true, y_pred)


class Mean:
    """Keras's ``Mean`` tracker: ``total += value * weight``, ``count += weight``, result ``total / count``."""

    def __init__(self):
        self.total = 0.0
        self.count = 0.0

    def update(self, value, weight):
        self.total += float(value) * weight
        self.count += weight

    def result(self):
        return self.total / self.count if self.count else 0.0
