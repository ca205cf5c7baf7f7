r"""Regression losses: each takes the mean over the :math:`k` outputs of a sample (the last axis),
except cosine similarity, which sums along its ``axis``. :math:`e = \hat y - y`."""

import numpy as np

from .. import activations as _activations
from .. import config
from .._scalar_math import float32_round
from .base import Loss


class MeanSquaredError(Loss):
    r""":math:`\ell = \frac1k\sum_i (y_i - \hat y_i)^2`, :math:`\partial\ell/\partial\hat y = -\frac2k (y - \hat y)`."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        diff = y_true - y_pred
        k = diff.shape[-1]
        return np.mean(diff * diff, axis=-1), (-2.0 / k) * diff


class MeanAbsoluteError(Loss):
    r""":math:`\ell = \frac1k\sum_i |y_i - \hat y_i|`, :math:`\partial\ell/\partial\hat y = \mathrm{sign}(\hat y - y)/k`."""

    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        diff = y_true - y_pred
        k = diff.shape[-1]
        return np.mean(np.abs(diff), axis=-1), -np.sign(diff) / k


class MeanAbsolutePercentageError(Loss):
    r""":math:`\ell = \frac{100}k\sum_i |u_i|`, :math:`u = (y - \hat y)/d`, :math:`d = \max(|y|, \varepsilon)`;
    :math:`\partial\ell/\partial\hat y = -\frac{100}{k}\,\mathrm{sign}(u)/d`."""

    name = "mean_absolute_percentage_error"

    def per_sample(self, y_true, y_pred):
        d = np.maximum(np.abs(y_true), config.epsilon())
        u = (y_true - y_pred) / d
        k = u.shape[-1]
        return 100.0 * np.mean(np.abs(u), axis=-1), (-100.0 / k) * np.sign(u) / d


class MeanSquaredLogarithmicError(Loss):
    r""":math:`\ell = \frac1k\sum_i (\log(\max(\hat y_i, \varepsilon) + 1) - \log(\max(y_i, \varepsilon) + 1))^2`.

    Keras converts :math:`\varepsilon` without a dtype, so it is ``float32(1e-7)`` here too.
    :math:`\partial\ell/\partial\hat y_i = \frac2k\,\delta_i / (\hat y_i + 1)` where
    :math:`\hat y_i \ge \varepsilon`, else 0 (:math:`\delta` the difference of the logs).
    """

    name = "mean_squared_logarithmic_error"

    def per_sample(self, y_true, y_pred):
        eps = float32_round(config.epsilon())
        p = np.maximum(y_pred, eps)
        delta = np.log(p + 1.0) - np.log(np.maximum(y_true, eps) + 1.0)
        k = delta.shape[-1]
        return np.mean(delta * delta, axis=-1), (2.0 / k) * delta / (p + 1.0) * (y_pred >= eps)


class Huber(Loss):
    r"""Quadratic inside :math:`|e| \le \delta`, linear outside:
    :math:`\ell = \frac1k\sum_i \tfrac12 e_i^2` or :math:`\delta|e_i| - \tfrac12\delta^2`;
    :math:`\partial\ell/\partial\hat y = e/k` or :math:`\delta\,\mathrm{sign}(e)/k`.

    Args:
        delta: where the loss turns from quadratic to linear (Keras's default 1.0).
    """

    name = "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name=None):
        super().__init__(reduction=reduction, name=name)
        self.delta = delta

    def per_sample(self, y_true, y_pred):
        e = y_pred - y_true
        a = np.abs(e)
        delta = self.delta
        quadratic = a <= delta
        values = np.where(quadratic, 0.5 * (e * e), delta * a - 0.5 * (delta * delta))
        k = e.shape[-1]
        return np.mean(values, axis=-1), np.where(quadratic, e, delta * np.sign(e)) / k


class LogCosh(Loss):
    r""":math:`\ell = \frac1k\sum_i \log\cosh e_i`, evaluated as Keras does,
    :math:`e + \mathrm{softplus}(-2e) - \log 2` (no overflow); :math:`\partial\ell/\partial\hat y = \tanh(e)/k`,
    evaluated as :math:`1 - 2\sigma(-2e)`."""

    name = "log_cosh"

    def per_sample(self, y_true, y_pred):
        e = y_pred - y_true
        k = e.shape[-1]
        values = e + _activations.softplus(e * -2.0) - float32_round(np.log(2.0))
        grad = (1.0 - 2.0 * _activations.sigmoid(e * -2.0)) / k
        return np.mean(values, axis=-1), grad


class Poisson(Loss):
    r""":math:`\ell = \frac1k\sum_i \hat y_i - y_i\log(\hat y_i + \varepsilon)`,
    :math:`\partial\ell/\partial\hat y = (1 - y/(\hat y + \varepsilon))/k`."""

    name = "poisson"

    def per_sample(self, y_true, y_pred):
        shifted = y_pred + config.epsilon()
        values = y_pred - y_true * np.log(shifted)
        k = values.shape[-1]
        return np.mean(values, axis=-1), (1.0 - y_true / shifted) / k


class CosineSimilarity(Loss):
    r""":math:`\ell = -\sum_i \bar y_i \bar p_i` along ``axis``, :math:`\bar x = x\,r(x)`,
    :math:`r(x) = \min(1/\lVert x\rVert, 1/\varepsilon)` (Keras's ``normalize``).

    :math:`\partial\ell/\partial\hat y = -r\,(\bar y - (\bar y\cdot\hat y)\,r^2\,\hat y)` where
    :math:`1/\lVert\hat y\rVert \le 1/\varepsilon`, else :math:`-r\bar y`.

    Args:
        axis: the axis along which the similarity is computed (Keras's default -1).
    """

    name = "cosine_similarity"

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name=None):
        super().__init__(reduction=reduction, name=name)
        self.axis = axis

    @staticmethod
    def _inverse_norm(x):
        r = 1.0 / np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
        cap = 1.0 / config.epsilon()
        return np.minimum(r, cap), r <= cap

    def per_sample(self, y_true, y_pred):
        r_true, _ = self._inverse_norm(y_true)
        r, free = self._inverse_norm(y_pred)
        y_bar = y_true * r_true
        dot = np.sum(y_bar * y_pred, axis=-1, keepdims=True)
        grad = -r * (y_bar - free * (dot * r * r) * y_pred)
        return -np.sum(y_bar * (y_pred * r), axis=-1), grad

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}
