"""``Concatenate``: inputs side by side, as ``keras.layers.Concatenate``."""

from collections import namedtuple

import numpy as np

from .base import Layer

#: What a Concatenate layer remembers: the widths of its inputs.
ConcatenateCache = namedtuple("ConcatenateCache", ["widths"])


class Concatenate(Layer):
    r"""Joins its inputs side by side: :math:`[X_1, X_2, \dots]` along the features; backward
    splits the gradient into the same widths."""

    def _check_inputs(self, nodes):
        if len(nodes) < 2 or any(n.dtype != "float" or len(n.shape) != 1 for n in nodes):
            raise ValueError(
                f"Concatenate takes a list of at least two inputs of shape (None, n); received {nodes}."
            )

    def compute_output_shape(self, input_shape):
        return (sum(s[-1] for s in input_shape),)

    def forward(self, inputs):
        return np.concatenate(inputs, axis=1), ConcatenateCache([a.shape[1] for a in inputs])

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; the gradient split back into the inputs' widths."""
        edges = np.cumsum(cache.widths)[:-1]
        return [], np.split(grad, edges, axis=1)

    def __repr__(self):
        return f"Concatenate(name={self.name!r})"
