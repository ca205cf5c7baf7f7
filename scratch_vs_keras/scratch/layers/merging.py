r"""Merge layers, as ``keras.layers.Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``,
``Minimum`` (element-wise: :math:`k \ge 2` inputs :math:`X_1, \dots, X_k` of one shape ``(B, n)``
in, one ``(B, n)`` out) and ``Dot`` (two ``(B, n)`` in, ``(B, 1)`` out); no weights.

Keras folds the inputs from the left (``out = op(out, X_i)``); the NumPy side folds in the same
order, so the rounding is the same. Backward, with :math:`G = \partial J/\partial Y`:

.. math::
    \text{Add: } \frac{\partial J}{\partial X_i} = G, \quad
    \text{Subtract: } G,\; -G, \quad
    \text{Average: } \frac{G}{k}, \quad
    \text{Multiply: } G \odot \prod_{j \ne i} X_j, \quad
    \text{Maximum/Minimum: } G \odot [X_i \text{ is the first extreme}].

``Dot`` gives each sample's :math:`y = x_1 \cdot x_2` (with ``normalize=True``, of the
L2-normalized rows: the cosine similarity), so :math:`\partial J/\partial x_1 = G\,x_2` and
:math:`\partial J/\partial x_2 = G\,x_1`, taken back through the normalization where there is one.

The first input wins a tie in ``Maximum``/``Minimum``, as TensorFlow's gradient of
``maximum(x, y)`` goes to ``x`` where ``x >= y``.
"""

from collections import namedtuple
from functools import reduce

import numpy as np

from .._l2_normalize import l2_normalize_rows, l2_normalize_rows_backward
from .base import Layer

#: What a merge layer remembers: its inputs (``Multiply``, ``Maximum`` and ``Minimum`` need them).
MergeCache = namedtuple("MergeCache", ["inputs"])
#: What a Dot layer remembers: the rows it multiplied, and their normalizations (or ``None``).
DotCache = namedtuple("DotCache", ["rows", "normalized"])


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


class _Extreme(Merge):
    """Maximum and Minimum: ``fold`` folds the inputs from the left, ``pick`` finds the first
    input that holds the extreme (the one the left fold's ties keep)."""

    fold = pick = None

    def merge(self, inputs):
        return reduce(self.fold, inputs)

    def input_gradients(self, grad, inputs):
        winner = self.pick(np.stack(inputs), axis=0)
        return [np.where(winner == i, grad, 0) for i in range(len(inputs))]


class Maximum(_Extreme):
    r""":math:`Y = \max(X_1, \dots, X_k)` element-wise."""

    fold, pick = staticmethod(np.maximum), staticmethod(np.argmax)


class Minimum(_Extreme):
    r""":math:`Y = \min(X_1, \dots, X_k)` element-wise."""

    fold, pick = staticmethod(np.minimum), staticmethod(np.argmin)


class Dot(Merge):
    r"""Each sample's dot product :math:`y_s = x_{1s} \cdot x_{2s}`, shape ``(B, 1)``.

    Args:
        axes: the axis of the product, as in Keras; the twin's inputs are ``(B, n)``, so it is
            the features' axis, ``1`` or ``-1`` (or a pair of them).
        normalize: L2-normalize each sample first (Keras's ``normalize``), which makes
            :math:`y` the cosine similarity of the two rows.
        name: optional name.
    """

    n_inputs = 2

    def __init__(self, axes, normalize=False, name=None):
        super().__init__(name=name)
        pair = tuple(axes) if isinstance(axes, (list, tuple)) else (axes, axes)
        if len(pair) != 2 or any(type(a) is not int or a not in (1, -1) for a in pair):
            raise ValueError(
                f"`axes` must be the features' axis, 1 or -1 (or a pair of them): the twin's "
                f"inputs are (batch, features); received axes={axes!r}."
            )
        self.axes, self.normalize = axes, bool(normalize)

    def compute_output_shape(self, input_shape):
        return (1,)

    def forward(self, inputs):
        normalized = [l2_normalize_rows(x) for x in inputs] if self.normalize else None
        rows = [n.u for n in normalized] if self.normalize else inputs
        return (rows[0] * rows[1]).sum(axis=1, keepdims=True), DotCache(rows, normalized)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; :math:`G x_2` and :math:`G x_1`, through the normalization if any."""
        x1, x2 = cache.rows
        grads = [grad * x2, grad * x1]
        if self.normalize:
            grads = [l2_normalize_rows_backward(g, n) for g, n in zip(grads, cache.normalized)]
        return [], grads

    def __repr__(self):
        return f"Dot(axes={self.axes!r}, normalize={self.normalize}, name={self.name!r})"
