r"""``Dense``: a fully connected layer, as ``keras.layers.Dense``, with Keras's weight layout.

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

import warnings
from collections import namedtuple

import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .._validation import check_positive_int
from .base import Layer

#: What a Dense layer remembers from its forward pass for the backward pass.
DenseCache = namedtuple("DenseCache", ["x", "z", "a"])


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

    has_preactivation = True

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
        if self.activation.output_units(self.units) != self.units:
            raise ValueError(
                f"activation={self.activation.name!r} changes the layer's width ({self.units} "
                f"units in, {self.activation.output_units(self.units)} out), but Keras's Dense "
                "reports `units` outputs, so Keras builds the next layer for the wrong width and "
                "fails at the first call. Use another activation in Dense."
            )
        if self.units == 1 and self.activation.name == "softmax":
            # Keras warns too, when the layer first runs
            warnings.warn(
                "Dense(1, activation='softmax') is a softmax over one unit: it outputs 1 for every "
                "input and passes back no gradient. For one output use activation='sigmoid'; for "
                "k classes use Dense(k, activation='softmax').",
                stacklevel=2,
            )

    # -- weights ------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        return (self.units,)

    def build(self, input_shape, dtype, rng):
        """Create ``kernel`` (in, units) and ``bias`` (units,) from the initializers."""
        self.input_dim = int(input_shape[-1])
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

    def weight_regularizers(self):
        return [self.kernel_regularizer, self.bias_regularizer][: len(self.weights)]

    # -- forward / backward -------------------------------------------------------------------
    def forward(self, x):
        r""":math:`Z = X W + b`, :math:`A = g(Z)`; returns ``A`` and the cache ``(X, Z, A)``."""
        z = np.dot(x, self.weights[0])
        if self.use_bias:
            z += self.weights[1]
        a = self.activation(z)
        return a, DenseCache(x, z, a)

    def sensitivity(self, grad, cache):
        r"""The sensitivity :math:`\delta = \partial J/\partial Z = \partial J/\partial A \odot g'(Z)`
        (softmax: its vector-Jacobian product), the lecture's :math:`\mathbf V^{(l)}` transposed."""
        return self.activation.backward(cache.z, cache.a, grad)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        r"""Gradients of the data loss w.r.t. ``kernel``, ``bias`` and the layer's input.

        ``grad`` is :math:`\partial J/\partial A`, or with ``grad_is_preactivation=True`` already
        :math:`\delta = \partial J/\partial Z` (as the cross-entropy logits shortcut gives it):

        .. math:: \delta = \frac{\partial J}{\partial A} \odot g'(Z), \quad
                  \frac{\partial J}{\partial W} = X^T\delta, \quad
                  \frac{\partial J}{\partial b} = \mathbf 1^T \delta, \quad
                  \frac{\partial J}{\partial X} = \delta W^T.

        Returns ``(weight_gradients, grad_x)``; ``weight_gradients`` follows ``self.weights``. With
        ``out`` (arrays shaped like the weights) the gradients are written there instead of into
        new arrays; ``need_input_grad=False`` skips :math:`\partial J/\partial X` (the first layer).
        """
        # (sensitivity() inline: this runs every training step)
        delta = grad if grad_is_preactivation else self.activation.backward(cache.z, cache.a, grad)
        if out is None:
            out = [np.empty_like(w) for w in self.weights]
        np.dot(cache.x.T, delta, out=out[0])
        if self.use_bias:
            # 1^T delta as a column sum over the batch. Any summation order is round-off away from
            # TensorFlow's; where +1/B and -1/B terms cancel, the comparison measures the gap
            # against the terms (compare.gradients.summed_magnitudes), not the near-zero result
            np.add.reduce(delta, axis=0, out=out[1])
        grad_x = np.dot(delta, self.weights[0].T) if need_input_grad else None
        return out, grad_x

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
