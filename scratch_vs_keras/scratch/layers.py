r"""Layers of the NumPy twin: ``Input`` and ``Dense``, with Keras's arguments and weight layout.

Keras stores a Dense layer as ``kernel`` of shape ``(in, out)`` and ``bias`` of shape ``(out,)``
and keeps samples as **rows**:

.. math:: Z = X W + b, \qquad A = g(Z), \qquad X: (B, \text{in}),\; Z, A: (B, \text{out}).

The lecture writes the same layer with samples as **columns** and :math:`\mathbf W` as
``(out, in)``: :math:`\mathbf Z^{(l)} = \mathbf W^{(l)} \mathbf A^{(l)} + \mathbf b`. The two are
transposes of each other: ``kernel == W.T``, ``Z == Z_lecture.T``. Backward, with the sensitivity
:math:`\delta = \partial J/\partial Z` (the lecture's :math:`\mathbf V^{(l)}`, transposed):

.. math::
    \frac{\partial J}{\partial W} = X^T \delta \;(\text{the lecture's } \nabla^{(l)} = \mathbf V^{(l)} [\mathbf A^{(l)}]^T),
    \qquad \frac{\partial J}{\partial b} = \textstyle\sum_{\text{rows}} \delta,
    \qquad \frac{\partial J}{\partial X} = \delta\, W^T \;(= [\mathbf W^{(l)}]^T \mathbf V^{(l)}).
"""

from collections import namedtuple

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import regularizers as _regularizers
from ._validation import check_positive_int

#: What a Dense layer remembers from its forward pass for the backward pass.
DenseCache = namedtuple("DenseCache", ["x", "z", "a"])


class Input:
    """The model's input: ``Input(shape=(n_features,))``, as ``keras.Input``.

    Args:
        shape: a one-element tuple, the number of features of a sample (tabular data).
        name: optional name.
    """

    def __init__(self, shape, name=None):
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = (shape,)
        try:
            shape = tuple(shape)
        except TypeError:
            shape = None
        if shape is None or len(shape) != 1:
            raise ValueError(
                "`shape` must be a one-element tuple, the number of features, e.g. "
                f"Input(shape=(30,)); received shape={shape!r}. Only flat tabular inputs are "
                "supported."
            )
        check_positive_int(shape[0], "shape[0]")
        self.shape = (int(shape[0]),)
        self.name = name

    def __repr__(self):
        return f"Input(shape={self.shape})"


class Layer:
    """Base class of the NumPy layers. Weights live in ``self.weights`` in Keras's order."""

    def __init__(self, name=None):
        self.name = name
        self.built = False
        self.weights = []

    def build(self, input_dim, dtype, rng):
        raise NotImplementedError

    def output_dim(self, input_dim):
        """The width of the layer's output for an input of width ``input_dim``."""
        raise NotImplementedError

    def weight_names(self):
        return []

    def penalty(self):
        return 0.0

    def penalty_gradients(self):
        return []

    def count_params(self):
        return int(sum(w.size for w in self.weights))


class OnesColumn(Layer):
    r"""The lecture's bias row, in samples-as-rows layout: :math:`X \mapsto [\mathbf 1, X]`.

    Followed by ``Dense(..., use_bias=False)``, whose kernel row 0 then plays the bias:
    :math:`[\mathbf 1, A] W = A W_{1:} + \mathbf 1 W_0` (the lecture's
    :math:`\mathbf W \cdot \mathbf a_{bias}` with :math:`\mathbf W` absorbing the bias column).
    No weights; backward drops the gradient of the constant column.
    """

    def build(self, input_dim, dtype, rng):
        self.built = True

    def output_dim(self, input_dim):
        return input_dim + 1

    def forward(self, x):
        ones = np.ones((x.shape[0], 1), dtype=x.dtype)
        return np.concatenate([ones, x], axis=1), None

    def backward(self, grad, cache, grad_is_preactivation=False):
        return [], grad[:, 1:]

    def __repr__(self):
        return f"OnesColumn(name={self.name!r})"


class Dense(Layer):
    r"""A fully connected layer, ``A = activation(X @ kernel + bias)``.

    Args:
        units: number of output units.
        activation: a Keras activation name (``"relu"``, ``"sigmoid"`` ...) or ``None`` (linear).
        use_bias: whether the layer has a bias vector.
        kernel_initializer: initializer name or object (Keras's default ``"glorot_uniform"``).
        bias_initializer: initializer name or object (default ``"zeros"``).
        kernel_regularizer: ``None`` or a regularizer (``L1``, ``L2``, ``L1L2``) on the kernel.
        bias_regularizer: ``None`` or a regularizer on the bias.
        name: optional name (``"dense"``, ``"dense_1"``, ... by default).
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        name=None,
    ):
        super().__init__(name=name)
        self.units = check_positive_int(units, "units")
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _initializers.get(bias_initializer, "bias_initializer")
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = _regularizers.get(bias_regularizer, "bias_regularizer")

    # -- weights ------------------------------------------------------------------------------
    def output_dim(self, input_dim):
        return self.units

    def build(self, input_dim, dtype, rng):
        """Create ``kernel`` (input_dim, units) and ``bias`` (units,) from the initializers."""
        self.input_dim = int(input_dim)
        kernel = self.kernel_initializer((self.input_dim, self.units), dtype, rng)
        self.weights = [kernel]
        if self.use_bias:
            self.weights.append(self.bias_initializer((self.units,), dtype, rng))
        self.built = True

    @property
    def kernel(self):
        return self.weights[0]

    @property
    def bias(self):
        return self.weights[1] if self.use_bias else None

    def weight_names(self):
        return ["kernel", "bias"] if self.use_bias else ["kernel"]

    def _regularizers(self):
        return [self.kernel_regularizer, self.bias_regularizer][: len(self.weights)]

    def penalty(self):
        """The layer's regularization term :math:`\\Omega` (added to the loss once per batch)."""
        total = 0.0
        for w, reg in zip(self.weights, self._regularizers()):
            if reg is not None:
                total = total + reg.penalty(w)
        return total

    def penalty_gradients(self):
        """:math:`\\partial\\Omega/\\partial w` for each weight (zeros where unregularized)."""
        return [
            reg.gradient(w) if reg is not None else np.zeros_like(w)
            for w, reg in zip(self.weights, self._regularizers())
        ]

    # -- forward / backward -------------------------------------------------------------------
    def forward(self, x):
        r""":math:`Z = X W + b`, :math:`A = g(Z)`; returns ``A`` and the cache ``(X, Z, A)``."""
        z = x @ self.weights[0]
        if self.use_bias:
            z += self.weights[1]
        a = self.activation(z)
        return a, DenseCache(x, z, a)

    def backward(self, grad, cache, grad_is_preactivation=False):
        r"""Gradients of the data loss w.r.t. ``kernel``, ``bias`` and the layer's input.

        ``grad`` is :math:`\partial J/\partial A` (or, with ``grad_is_preactivation=True``, already
        :math:`\delta = \partial J/\partial Z`, as the cross-entropy logits shortcut gives it).

        .. math:: \delta = \frac{\partial J}{\partial A} \odot g'(Z), \quad
                  \frac{\partial J}{\partial W} = X^T\delta, \quad
                  \frac{\partial J}{\partial b} = \mathbf 1^T \delta, \quad
                  \frac{\partial J}{\partial X} = \delta W^T.

        Returns ``(weight_gradients, grad_x)``; ``weight_gradients`` follows ``self.weights``.
        """
        delta = grad if grad_is_preactivation else self.activation.backward(cache.z, cache.a, grad)
        grads = [cache.x.T @ delta]
        if self.use_bias:
            grads.append(delta.sum(axis=0))
        grad_x = delta @ self.weights[0].T
        return grads, grad_x

    def get_config(self):
        def name_of(obj):
            return None if obj is None else repr(obj)

        return {
            "name": self.name,
            "units": self.units,
            "activation": self.activation.name,
            "use_bias": self.use_bias,
            "kernel_initializer": repr(self.kernel_initializer),
            "bias_initializer": repr(self.bias_initializer),
            "kernel_regularizer": name_of(self.kernel_regularizer),
            "bias_regularizer": name_of(self.bias_regularizer),
        }

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r}, name={self.name!r})"
