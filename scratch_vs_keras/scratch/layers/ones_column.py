"""``OnesColumn``: the lecture's bias row as a layer (the course estimator's ``bias="row"``)."""

import numpy as np

from .base import Layer


class OnesColumn(Layer):
    r"""The lecture's bias row, in samples-as-rows layout: :math:`X \mapsto [\mathbf 1, X]`.

    Followed by ``Dense(..., use_bias=False)``, whose kernel row 0 then plays the bias:
    :math:`[\mathbf 1, A] W = A W_{1:} + \mathbf 1 W_0` (the lecture's
    :math:`\mathbf W \cdot \mathbf a_{bias}` with :math:`\mathbf W` absorbing the bias column).
    No weights; backward drops the gradient of the constant column.
    """

    def compute_output_shape(self, input_shape):
        return (input_shape[-1] + 1,)

    def forward(self, x):
        ones = np.ones((x.shape[0], 1), dtype=x.dtype)
        return np.concatenate([ones, x], axis=1), None

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; the gradient of the constant column is dropped."""
        return [], grad[:, 1:]

    def __repr__(self):
        return f"OnesColumn(name={self.name!r})"
