r"""Keras's L2 normalization of rows and its backward pass, shared by ``OrthogonalRegularizer`` and
the ``Dot`` layer's ``normalize=True``.

Keras (``ops.nn.normalize``) computes :math:`u = x \cdot \min(1/\sqrt{\sum_k x_k^2},\,
1/\epsilon)`, :math:`\epsilon = 10^{-7}`, per row. Where the norm is above :math:`\epsilon`,

.. math:: \frac{\partial J}{\partial x} = \frac{g - (u \cdot g)\,u}{\lVert x \rVert},
          \qquad g = \frac{\partial J}{\partial u},

(the part of :math:`g` along :math:`u` changes only the length, which the normalization
removes); where it is clipped, :math:`\partial J/\partial x = g/\epsilon`.
"""

from collections import namedtuple

import numpy as np

#: A normalization's result and what its backward pass needs, per row.
Normalized = namedtuple("Normalized", ["u", "inverse_norm", "clipped"])


def l2_normalize_rows(x):
    """``Normalized(u, inverse_norm, clipped)`` for the rows of ``x`` (shape ``(n, m)``)."""
    with np.errstate(divide="ignore"):  # a zero row: 1/0 = inf, then clipped to 1/eps
        inverse_norm = 1 / np.sqrt((x * x).sum(axis=1, keepdims=True))
    clipped = inverse_norm > 1e7
    inverse_norm = np.minimum(inverse_norm, x.dtype.type(1e7))
    return Normalized(x * inverse_norm, inverse_norm, clipped)


def l2_normalize_rows_backward(g, normalized):
    r""":math:`\partial J/\partial x` from :math:`g = \partial J/\partial u` (shapes ``(n, m)``)."""
    u, inverse_norm, clipped = normalized
    return inverse_norm * np.where(clipped, g, g - (u * g).sum(axis=1, keepdims=True) * u)
