r"""Weight penalties L1, L2 and L1L2, as Keras adds them to the loss.

Keras adds, once per batch and at the pre-update weights,

.. math:: \Omega(W) = \lambda_1 \sum |w| + \lambda_2 \sum w^2

to the batch loss: no :math:`\tfrac12`, and no division by the batch size, whatever the loss's
reduction. The gradient is :math:`\lambda_1\,\mathrm{sign}(W) + 2\lambda_2 W`. (The course's
:math:`C\,W` gradient is therefore Keras's ``L2(C / 2)``.)

Under float64 Keras casts the Python float :math:`\lambda` to the weight's dtype through float32
(``ops.cast`` of a Python number makes a float32 tensor first), so ``L2(0.01)`` penalizes with
``float32(0.01) = 0.009999999776...``. The factors used here are rounded the same way, so that
float64 losses agree to round-off; the arguments you pass are kept unchanged.
"""

import numpy as np

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

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    r""":math:`\Omega = \lambda_1 \sum|w| + \lambda_2 \sum w^2`, :math:`\nabla\Omega = \lambda_1 \mathrm{sign}(w) + 2\lambda_2 w`."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = check_non_negative_float(l1, "l1")
        self.l2 = check_non_negative_float(l2, "l2")

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
        super().__init__(l1=l1, l2=0.0)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    r""":math:`\Omega = \lambda_2 \sum w^2` (Keras's default ``l2=0.01``)."""

    def __init__(self, l2=0.01):
        super().__init__(l1=0.0, l2=l2)

    def get_config(self):
        return {"l2": self.l2}


ALL = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier, argument="kernel_regularizer"):
    """Return a Regularizer for ``None``, a Keras name (``"l2"``) or an instance."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    return lookup(identifier, ALL, "regularizer", argument)()
