"""``Identity``: passes its input through unchanged, as ``keras.layers.Identity``.

A layer with no weights and no activation: forward :math:`A = X`, backward
:math:`\\partial J/\\partial X = \\partial J/\\partial A`. (It also shows what a new layer takes: this
one class, and one entry in ``keras_side.twin.KERAS_LAYERS``.)
"""

from .base import Layer


class Identity(Layer):
    """:math:`A = X`; the gradient passes back unchanged."""

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, x):
        return x, None

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        return [], grad

    def __repr__(self):
        return f"Identity(name={self.name!r})"
