r"""Hinge losses (maximum-margin classifiers): labels :math:`y \in \{-1, 1\}`; labels that are all
0 or 1 (over the whole batch, as Keras checks) are mapped to :math:`2y - 1` first.

Where a margin is exactly 0, the gradient is the active side's, as TensorFlow's ``maximum``."""

import numpy as np

from .base import Loss


def _hinge_labels(y_true):
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(Loss):
    r""":math:`\ell = \frac1k\sum_i \max(1 - y_i\hat y_i, 0)`,
    :math:`\partial\ell/\partial\hat y_i = -y_i\,[1 - y_i\hat y_i \ge 0]/k`."""

    name = "hinge"

    def prepare_targets(self, y_true, y_pred):
        return _hinge_labels(y_true), None

    def per_sample(self, y_true, y_pred):
        margin = 1.0 - y_true * y_pred
        k = margin.shape[-1]
        return np.mean(np.maximum(margin, 0.0), axis=-1), -y_true * (margin >= 0) / k


class SquaredHinge(Hinge):
    r""":math:`\ell = \frac1k\sum_i \max(1 - y_i\hat y_i, 0)^2`,
    :math:`\partial\ell/\partial\hat y_i = -2y_i\max(1 - y_i\hat y_i, 0)/k`."""

    name = "squared_hinge"

    def per_sample(self, y_true, y_pred):
        m = np.maximum(1.0 - y_true * y_pred, 0.0)
        k = m.shape[-1]
        return np.mean(m * m, axis=-1), (-2.0 / k) * y_true * m


class CategoricalHinge(Loss):
    r""":math:`\ell = \max(n - p + 1, 0)` with :math:`p = \sum_i y_i\hat y_i` (the true class's
    score) and :math:`n = \max_i (1 - y_i)\hat y_i` (the best wrong one).

    :math:`\partial\ell/\partial\hat y = [n - p + 1 \ge 0]\,((1 - y)\odot t - y)`, :math:`t` the
    indicator of the maximum, shared equally among ties (as TensorFlow's ``reduce_max``)."""

    name = "categorical_hinge"

    def per_sample(self, y_true, y_pred):
        pos = np.sum(y_true * y_pred, axis=-1)
        wrong = (1.0 - y_true) * y_pred
        neg = np.max(wrong, axis=-1)
        v = neg - pos + 1.0
        ties = wrong == neg[..., None]
        t = ties / ties.sum(axis=-1, keepdims=True)
        grad = (v >= 0)[..., None] * ((1.0 - y_true) * t - y_true)
        return np.maximum(v, 0.0), grad
