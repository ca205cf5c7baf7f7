r"""Element-wise merge layers, as ``keras.layers.Add``, ``Subtract``, ``Multiply``, ``Average``,
``Maximum`` and ``Minimum``: :math:`k \ge 2` inputs :math:`X_1, \dots, X_k` of one shape
``(B, n)`` in, one ``(B, n)`` out, no weights.

Keras folds the inputs from the left (``out = op(out, X_i)``); the NumPy side folds in the same
order, so the rounding is the same. Backward, with :math:`G = \partial J/\partial Y`:

.. math::
    \text{Add: } \frac{\partial J}{\partial X_i} = G, \quad
    \text{Subtract: } G,\; -G, \quad
    \text{Average: } \frac{G}{k}, \quad
    \text{Multiply: } G \odot \prod_{j \ne i} X_j, \quad
    \text{Maximum/Minimum: } G \odot [X_i \text{ is the first extreme}].

The first input wins a tie in ``Maximum``/``Minimum``, as TensorFlow's gradient of
``maximum(x, y)`` goes to ``x`` where ``x >= y``.
"""

from collections import namedtuple
from functools import reduce

import numpy as np

from .base import Layer

#: What a merge layer remembers: its inputs (``Multiply``, ``Maximum`` and ``Minimum`` need them).
MergeCache = namedtuple("MergeCache", ["inputs"])


class Merge(Layer):
    """Base class: ``merge(inputs)`` computes the output, ``input_gradients(grad, inputs)`` the
    gradient of each input; ``n_inputs`` fixes the number of inputs (``None``: two or more)."""

    n_inputs = None

    def _check_inputs(self, nodes):
        kind = type(self).__name__
        count = "exactly 2" if self.n_inputs == 2 else "a list of at least 2"
        if (len(nodes) < 2 or (self.n_inputs is not None and len(nodes) != self.n_inputs)
                or any(n.dtype != "float" or len(n.shape) != 1 for n in nodes)):
            raise ValueError(
                f"A `{kind}` layer should be called on {count} inputs of shape (None, n); "
                f"received {nodes}."
            )
        if len({n.shape for n in nodes}) != 1:
            raise ValueError(
                f"`{kind}` merges inputs element by element, so they need one shape; received "
                f"shapes {[(None, *n.shape) for n in nodes]}. Give each branch the same number of "
                "units (or use Concatenate to put them side by side)."
            )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def forward(self, inputs):
        return self.merge(inputs), MergeCache(inputs)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; one gradient per input."""
        return [], self.input_gradients(grad, cache.inputs)

    def merge(self, inputs):
        raise NotImplementedError

    def input_gradients(self, grad, inputs):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Add(Merge):
    r""":math:`Y = X_1 + X_2 + \dots + X_k`."""

    def merge(self, inputs):
        return reduce(np.add, inputs)

    def input_gradients(self, grad, inputs):
        return [grad] * len(inputs)


class Subtract(Merge):
    r""":math:`Y = X_1 - X_2` (exactly two inputs)."""

    n_inputs = 2

    def merge(self, inputs):
        return inputs[0] - inputs[1]

    def input_gradients(self, grad, inputs):
        return [grad, -grad]


class Average(Merge):
    r""":math:`Y = (X_1 + \dots + X_k) / k`."""

    def merge(self, inputs):
        return reduce(np.add, inputs) / len(inputs)

    def input_gradients(self, grad, inputs):
        return [grad / len(inputs)] * len(inputs)


class Multiply(Merge):
    r""":math:`Y = X_1 \odot X_2 \odot \dots \odot X_k`."""

    def merge(self, inputs):
        return reduce(np.multiply, inputs)

    def input_gradients(self, grad, inputs):
        # the product of the others, not Y / X_i: an input may hold zeros
        return [reduce(np.multiply, [x for j, x in enumerate(inputs) if j != i], grad)
                for i in range(len(inputs))]


class Maximum(Merge):
    r""":math:`Y = \max(X_1, \dots, X_k)` element-wise."""

    pick = staticmethod(np.argmax)  # the first extreme, as the left fold's ties resolve

    def merge(self, inputs):
        return reduce(np.maximum, inputs)

    def input_gradients(self, grad, inputs):
        winner = self.pick(np.stack(inputs), axis=0)
        return [np.where(winner == i, grad, 0) for i in range(len(inputs))]


class Minimum(Maximum):
    r""":math:`Y = \min(X_1, \dots, X_k)` element-wise."""

    pick = staticmethod(np.argmin)

    def merge(self, inputs):
        return reduce(np.minimum, inputs)
