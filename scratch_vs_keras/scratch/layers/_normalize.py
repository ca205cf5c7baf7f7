r"""The arithmetic ``BatchNormalization`` and ``LayerNormalization`` share: moments along an axis,
the normalization in the order TensorFlow computes it, and its backward pass.

Both normalize :math:`X` (shape ``(B, n)``) with a mean :math:`\mu` and a biased variance
:math:`\sigma^2` taken along an axis (the batch for BatchNormalization, the features for
LayerNormalization), then scale by :math:`\gamma` and shift by :math:`\beta` (shape ``(n,)``):

.. math:: r = (\sigma^2 + \epsilon)^{-1/2}, \quad \hat X = (X - \mu)\, r, \quad
          Y = \gamma \odot \hat X + \beta.

TensorFlow (``tf.nn.batch_normalization``, Keras's ``ops.layer_normalization``) does not form
:math:`\hat X`; it folds the scale into :math:`s = r\gamma` and computes
:math:`Y = X s + (\beta - \mu s)`, and the NumPy side does the same, so the two agree to the last
bit on the same statistics.
"""

from collections import namedtuple

import numpy as np

from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .._validation import check_number
from .base import Layer

#: What a normalization layer remembers for backward: :math:`\hat X`, :math:`r` (shaped to
#: broadcast against ``x``), whether the statistics came from the batch itself (then they
#: depend on :math:`X` and backward passes through them), and ``x`` (rms_scaling only).
NormalizationCache = namedtuple("NormalizationCache", ["x_hat", "r", "batch_statistics", "x"])


def moments(x, axis):
    r"""``tf.nn.moments(x, [axis], keepdims=True)``: :math:`\mu` = the mean along ``axis`` and
    the biased variance :math:`\sigma^2 = \text{mean}((X - \mu)^2)` (divided by the count, not
    count - 1), both with ``axis`` kept as length 1."""
    mean = np.mean(x, axis=axis, keepdims=True)
    return mean, np.mean(np.square(x - mean), axis=axis, keepdims=True)


def normalize(x, mean, variance, gamma, beta, epsilon):
    r""":math:`Y = X s + (\beta - \mu s)` with :math:`s = r\gamma`, :math:`r = (\sigma^2 +
    \epsilon)^{-1/2}`; ``gamma``, ``beta`` may be ``None`` (Keras's ``scale=False``,
    ``center=False``). Returns ``(Y, r)``; ``mean``, ``variance`` broadcast against ``x``."""
    r = 1.0 / np.sqrt(variance + x.dtype.type(epsilon))
    s = r if gamma is None else r * gamma
    shift = -mean * s if beta is None else beta - mean * s
    return x * s + shift, r


def normalize_backward(grad, cache, gamma, axis):
    r"""``(dgamma, dbeta, dx)`` of :func:`normalize` from :math:`G = \partial J/\partial Y`
    (``(B, n)``), with :math:`\hat G = G \odot \gamma` and means :math:`\langle\cdot\rangle`
    taken along the statistics' ``axis``:

    .. math::
        \frac{\partial J}{\partial \gamma} = \textstyle\sum_{\text{rows}} G \odot \hat X, \quad
        \frac{\partial J}{\partial \beta} = \textstyle\sum_{\text{rows}} G, \quad
        \frac{\partial J}{\partial X} = r\,\big(\hat G - \langle \hat G\rangle
            - \hat X \langle \hat G \odot \hat X\rangle\big),

    the last because :math:`\mu` and :math:`\sigma^2` depend on :math:`X` (the mean term removes
    the shift every entry shares, the :math:`\hat X` term the change of scale). With statistics
    that do not depend on :math:`X` (moving averages at inference), :math:`\partial J/\partial X
    = \hat G\, r`. Shapes: ``dgamma``, ``dbeta`` ``(n,)``; ``dx`` as ``grad``.
    """
    x_hat, r = cache.x_hat, cache.r
    dgamma = np.sum(grad * x_hat, axis=0)
    dbeta = np.sum(grad, axis=0)
    g = grad if gamma is None else grad * gamma
    if not cache.batch_statistics:
        return dgamma, dbeta, g * r
    dx = r * (g - np.mean(g, axis=axis, keepdims=True)
              - x_hat * np.mean(g * x_hat, axis=axis, keepdims=True))
    return dgamma, dbeta, dx


def check_feature_axis(axis, layer):
    """``axis`` as Keras's int when it names the features of a ``(B, n)`` input (-1 or 1, or a
    one-element list of it), else a ValueError naming it."""
    if not isinstance(axis, (int, list, tuple)) or isinstance(axis, bool):
        raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis' of "
                        f"{layer}, but received: {axis!r}; use axis=-1 (the features).")
    value = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
    if isinstance(value, bool) or value not in (-1, 1):
        raise ValueError(
            f"{layer} normalizes the features of flat (batch, features) inputs: `axis` must be -1 "
            f"(or 1); received axis={axis!r}. The twin takes only tabular inputs."
        )
    return int(value)


class ScaleOffset(Layer):
    r"""What both normalization layers share around the arithmetic above: the trainable
    :math:`\gamma` (``scale``) and :math:`\beta` (``center``), each ``(n,)``, their names,
    regularizers and configuration, and how a backward pass hands its gradients back."""

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, name):
        super().__init__(name=name)
        self.axis = check_feature_axis(axis, type(self).__name__)
        self.epsilon = float(check_number(epsilon, "epsilon", low=0, closed="neither",
                                          what="a positive number (it keeps 1/sqrt(var + eps) finite)"))
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializers.get(beta_initializer, "beta_initializer")
        self.gamma_initializer = _initializers.get(gamma_initializer, "gamma_initializer")
        self.beta_regularizer = _regularizers.get(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = _regularizers.get(gamma_regularizer, "gamma_regularizer")

    def _scale_offset(self, shape, dtype, rng):
        return (([self.gamma_initializer(shape, dtype, rng)] if self.scale else [])
                + ([self.beta_initializer(shape, dtype, rng)] if self.center else []))

    @property
    def gamma(self):
        return self.weights[0] if self.scale else None

    @property
    def beta(self):
        return self.weights[-1] if self.center else None

    def weight_names(self):
        return ["gamma"] * self.scale + ["beta"] * self.center

    def weight_regularizers(self):
        return [self.gamma_regularizer] * self.scale + [self.beta_regularizer] * self.center

    def _returned(self, grads, dx, out, need_input_grad):
        """``(grads, dx)`` as ``backward`` returns them: the gradients written into ``out``
        when the caller gave buffers, ``dx`` only when it is needed."""
        if out is not None:
            for o, g in zip(out, grads):
                o[...] = g
            grads = out
        return grads, dx if need_input_grad else None

    def _scale_offset_config(self):
        def name(regularizer):
            return None if regularizer is None else repr(regularizer)

        return {"name": self.name, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": repr(self.beta_initializer),
                "gamma_initializer": repr(self.gamma_initializer),
                "beta_regularizer": name(self.beta_regularizer),
                "gamma_regularizer": name(self.gamma_regularizer)}
