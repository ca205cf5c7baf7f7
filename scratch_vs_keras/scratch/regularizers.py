r"""Weight penalties L1, L2, L1L2 and OrthogonalRegularizer, as Keras adds them to the loss.

Keras adds, once per batch and at the pre-update weights,

.. math:: \Omega(W) = \lambda_1 \sum |w| + \lambda_2 \sum w^2

to the batch loss: no :math:`\tfrac12`, and no division by the batch size, whatever the loss's
reduction. The gradient is :math:`\lambda_1\,\mathrm{sign}(W) + 2\lambda_2 W`. (The course's
:math:`C\,W` gradient is therefore Keras's ``L2(C / 2)``.)

Under float64 Keras casts the Python float :math:`\lambda` to the weight's dtype through float32
(``ops.cast`` of a Python number makes a float32 tensor first), so ``L2(0.01)`` penalizes with
``float32(0.01) = 0.009999999776...``. The factors used here are rounded the same way, so that
float64 losses agree to round-off; the arguments you pass are kept unchanged. As in Keras,
``None`` stands for a factor's default (``L1(None)`` is ``L1(0.01)``, ``L1L2(None)`` has no L1).
"""

import numpy as np

from ._l2_normalize import l2_normalize_rows, l2_normalize_rows_backward
from ._scalar_math import float32_round
from ._validation import check_non_negative_float, lookup


class Regularizer:
    """Base class: ``penalty(w)`` is the term added to the loss, ``gradient(w)`` its derivative."""

    def __call__(self, w):
        return self.penalty(w)

    def penalty(self, w):
        raise NotImplementedError

    def gradient(self, w):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        """The regularizer with ``config``'s arguments (Keras's ``from_config``)."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    r""":math:`\Omega = \lambda_1 \sum|w| + \lambda_2 \sum w^2`, :math:`\nabla\Omega = \lambda_1 \mathrm{sign}(w) + 2\lambda_2 w`."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = check_non_negative_float(0.0 if l1 is None else l1, "l1")
        self.l2 = check_non_negative_float(0.0 if l2 is None else l2, "l2")

    def penalty(self, w):
        total = w.dtype.type(0)
        if self.l1:
            total = total + float32_round(self.l1) * np.abs(w).sum()
        if self.l2:
            total = total + float32_round(self.l2) * (w * w).sum()
        return total

    def gradient(self, w):
        grad = np.zeros_like(w)
        if self.l1:
            grad += float32_round(self.l1) * np.sign(w)
        if self.l2:
            grad += 2 * float32_round(self.l2) * w
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    r""":math:`\Omega = \lambda_1 \sum |w|` (Keras's default ``l1=0.01``)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=0.01 if l1 is None else l1, l2=0.0)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    r""":math:`\Omega = \lambda_2 \sum w^2` (Keras's default ``l2=0.01``)."""

    def __init__(self, l2=0.01):
        super().__init__(l1=0.0, l2=0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    r"""Pushes the rows (``mode="rows"``) or columns of a 2-D kernel towards orthogonality:

    .. math:: \Omega = \frac{\lambda}{2} \cdot \frac{\sum_{i \ne j} |u_i \cdot u_j|}{n(n-1)/2},
              \qquad u_i = \frac{w_i}{\max(\lVert w_i \rVert, \epsilon)},

    over the :math:`n` rows :math:`w_i` of :math:`W` (``(n, m)``; columns: the rows of
    :math:`W^T`), :math:`\epsilon = 10^{-7}`. With :math:`S = \mathrm{sign}(U U^T)`, zero on the
    diagonal, and :math:`c = \lambda / (n(n-1))`, the gradient is

    .. math:: \frac{\partial\Omega}{\partial U} = 2c\,S U,

    taken back through the normalization by :func:`._l2_normalize.l2_normalize_rows_backward`.

    Args:
        factor: :math:`\lambda`, a non-negative number (Keras's default 0.01).
        mode: ``"rows"`` or ``"columns"``, the vectors made orthogonal.

    Keras 3.15.1 keeps ``factor`` as a float32 tensor and multiplies it by the weight's dtype,
    so its regularizer fails in a float64 model; the NumPy side computes in either dtype, and
    ``to_keras`` refuses a float64 model that uses it.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = check_non_negative_float(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(f'`mode` must be "rows" or "columns"; received mode={mode!r}.')
        self.mode = mode

    def _vectors(self, w):
        if w.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer takes a rank-2 weight (a Dense kernel); received a weight "
                f"of shape {w.shape}."
            )
        vectors = w if self.mode == "rows" else w.T
        if vectors.shape[0] < 2:
            # Keras divides by the number of pairs, 0 here, and returns NaN
            raise ValueError(
                f"OrthogonalRegularizer(mode={self.mode!r}) needs at least 2 {self.mode} to make "
                f"orthogonal; the weight of shape {w.shape} has {vectors.shape[0]}. Use the other "
                "mode or no regularizer on this weight."
            )
        return vectors

    def penalty(self, w):
        u = l2_normalize_rows(self._vectors(w)).u
        n = u.shape[0]
        off_diagonal = np.abs(u @ u.T) * (1 - np.eye(n, dtype=u.dtype))
        return float32_round(self.factor) * 0.5 * off_diagonal.sum() / (n * (n - 1.0) / 2.0)

    def gradient(self, w):
        normalized = l2_normalize_rows(self._vectors(w))
        u, n = normalized.u, normalized.u.shape[0]
        signs = np.sign(u @ u.T) * (1 - np.eye(n, dtype=u.dtype))
        g = (2 * float32_round(self.factor) * 0.5 / (n * (n - 1.0) / 2.0)) * (signs @ u)
        grad = l2_normalize_rows_backward(g, normalized)
        return grad if self.mode == "rows" else grad.T

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


ALL = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2,
       "orthogonal_regularizer": OrthogonalRegularizer}


def get(identifier, argument="kernel_regularizer"):
    """Return a Regularizer for ``None``, a Keras name (``"l2"``) or an instance."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    return lookup(identifier, ALL, "regularizer", argument)()
