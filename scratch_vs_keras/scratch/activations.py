r"""Activation functions and their derivatives, by Keras's names and with Keras's exact arithmetic.

Each activation is an object that is called like Keras's function, ``a = sigmoid(z)``, and also
knows its backward step: given the pre-activation ``z``, the output ``a`` and the upstream gradient
:math:`\partial J/\partial a` (all of shape ``(batch, units)``) it returns

.. math:: \frac{\partial J}{\partial z} = \frac{\partial J}{\partial a} \odot g'(z)

(softmax, whose Jacobian is not diagonal, returns the full vector-Jacobian product). In the
lecture's notation this is the factor :math:`A^{(l)} * (1 - A^{(l)})` of
:math:`V^{(1)} = A^{(2)} * (1 - A^{(2)}) * [W^{(2)}]^T V^{(2)}` for a sigmoid layer.

Where TensorFlow computes with a constant rounded to float32 (leaky_relu's slope is a float32
op attribute; gelu casts :math:`1/\sqrt{2}` from a Python float, which goes through float32),
the same rounded constant is used here, so float64 results agree to round-off.
"""

import math

import numpy as np

from ._scalar_math import float32_round
from ._validation import lookup


_EXPIT = []


def _expit():
    """SciPy's logistic function, imported on first use (SciPy ships with scikit-learn)."""
    if not _EXPIT:
        from scipy.special import expit

        _EXPIT.append(expit)
    return _EXPIT[0]


class Activation:
    """Base class: ``__call__(z) -> a`` and ``backward(z, a, grad_a) -> grad_z``."""

    name = "activation"

    def __call__(self, z):
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        raise NotImplementedError

    def __repr__(self):
        return f"<activation {self.name}>"


class Linear(Activation):
    r""":math:`a = z`, :math:`g'(z) = 1`."""

    name = "linear"

    def __call__(self, z):
        return z

    def backward(self, z, a, grad_a):
        return grad_a


class Sigmoid(Activation):
    r""":math:`a = 1 / (1 + e^{-z})`, :math:`g'(z) = a (1 - a)`."""

    name = "sigmoid"

    def __call__(self, z):
        # SciPy's expit is 1 / (1 + e^{-z}) evaluated without overflow, in one pass.
        return _expit()(z)

    def backward(self, z, a, grad_a):
        return grad_a * a * (1 - a)


class Tanh(Activation):
    r""":math:`a = \tanh z`, :math:`g'(z) = 1 - a^2`."""

    name = "tanh"

    def __call__(self, z):
        return np.tanh(z)

    def backward(self, z, a, grad_a):
        return grad_a * (1 - a * a)


class ReLU(Activation):
    r""":math:`a = \max(z, 0)`, :math:`g'(z) = [z > 0]` (0 at the kink, as TensorFlow)."""

    name = "relu"

    def __call__(self, z):
        if z.dtype == np.float32:
            # the same numbers (0 for z <= 0), and with NumPy 2.4 on float32 twice as fast as
            # np.maximum on a 256 x 256 batch (18 vs 38 microseconds measured)
            return z * (z > 0)
        return np.maximum(z, 0)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    r""":math:`a = z` for :math:`z > 0`, else :math:`\alpha z`; Keras's default :math:`\alpha = 0.2`.

    TensorFlow passes :math:`\alpha` as a float32 op attribute, so the slope is
    ``float32(0.2) = 0.20000000298...`` even in a float64 model; it is used here too.
    """

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = negative_slope

    def __call__(self, z):
        return np.where(z > 0, z, float32_round(self.negative_slope) * z)

    def backward(self, z, a, grad_a):
        return np.where(z > 0, grad_a, float32_round(self.negative_slope) * grad_a)


class ELU(Activation):
    r""":math:`a = z` for :math:`z > 0`, else :math:`e^z - 1`; :math:`g'(z) = a + 1` for :math:`z < 0`."""

    name = "elu"

    def __call__(self, z):
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))

    def backward(self, z, a, grad_a):
        return np.where(a < 0, grad_a * (a + 1), grad_a)


class SELU(Activation):
    r""":math:`a = \lambda z` for :math:`z > 0`, else :math:`\lambda\alpha(e^z - 1)`.

    :math:`\lambda = 1.0507009873554805`, :math:`\lambda\alpha = 1.7580993408473766` (Klambauer et
    al.; TensorFlow's kernel constants). :math:`g'(z) = a + \lambda\alpha` for :math:`z < 0`.
    """

    name = "selu"
    scale = 1.0507009873554804934193349852946
    scale_alpha = 1.7580993408473768599402175208123

    def __call__(self, z):
        return np.where(z > 0, self.scale * z, self.scale_alpha * np.expm1(np.minimum(z, 0)))

    def backward(self, z, a, grad_a):
        return np.where(a < 0, grad_a * (a + self.scale_alpha), grad_a * self.scale)


class GELU(Activation):
    r"""Exact (erf) GELU, Keras's default: :math:`a = \tfrac12 z\,\mathrm{erfc}(-z c)`, :math:`c = 1/\sqrt2`.

    :math:`g'(z) = \tfrac12 \mathrm{erfc}(-zc) + z c\, e^{-(zc)^2}/\sqrt{\pi}`. TensorFlow casts the
    Python float :math:`c` through float32, so :math:`c` here is ``float32(0.7071067811865476)``.
    """

    name = "gelu"

    def __init__(self, approximate=False):
        if approximate:
            raise ValueError(
                "`approximate=True` (the tanh form of gelu) is not implemented; use the default "
                "exact form, activation='gelu'."
            )
        self.approximate = approximate

    c = float32_round(0.7071067811865476)

    @staticmethod
    def _erfc(x):
        # SciPy ships with scikit-learn; NumPy has no vectorized erfc.
        from scipy.special import erfc

        return erfc(x).astype(x.dtype, copy=False)

    def __call__(self, z):
        return 0.5 * z * self._erfc(-z * self.c)

    def backward(self, z, a, grad_a):
        zc = z * self.c
        dz = 0.5 * self._erfc(-zc) + 0.5 * z * (2 / math.sqrt(math.pi)) * np.exp(-zc * zc) * self.c
        return grad_a * dz


class SiLU(Activation):
    r""":math:`a = z\,\sigma(z)`, :math:`g'(z) = \sigma(z)(1 + z(1 - \sigma(z)))` (also called swish)."""

    name = "silu"

    def __call__(self, z):
        return z * sigmoid(z)

    def backward(self, z, a, grad_a):
        s = sigmoid(z)
        return grad_a * (s * (1 + z * (1 - s)))


class Softplus(Activation):
    r""":math:`a = \log(1 + e^z)`, :math:`g'(z) = \sigma(z)`.

    Like TensorFlow's kernel, returns :math:`z` for large :math:`z` and :math:`e^z` for very negative
    :math:`z` (threshold :math:`\log \varepsilon_{\text{machine}} + 2`), where both are exact to round-off.
    """

    name = "softplus"

    def __call__(self, z):
        threshold = float(np.log(np.finfo(z.dtype).eps) + 2)
        mid = np.log1p(np.exp(np.clip(z, threshold, -threshold)))
        return np.where(z > -threshold, z, np.where(z < threshold, np.exp(z), mid))

    def backward(self, z, a, grad_a):
        return grad_a / (np.exp(-z) + 1)


class Softmax(Activation):
    r""":math:`a_i = e^{z_i} / \sum_j e^{z_j}` over the units of each sample.

    Backward (vector-Jacobian product): :math:`\partial J/\partial z = (g - \sum_j g_j a_j)\, a`
    with :math:`g = \partial J/\partial a`.
    """

    name = "softmax"

    def __call__(self, z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, z, a, grad_a):
        return (grad_a - (grad_a * a).sum(axis=-1, keepdims=True)) * a


linear = Linear()
sigmoid = Sigmoid()
tanh = Tanh()
relu = ReLU()
leaky_relu = LeakyReLU()
elu = ELU()
selu = SELU()
gelu = GELU()
silu = SiLU()
softplus = Softplus()
softmax = Softmax()

ALL = {
    f.name: f
    for f in (linear, sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, silu, softplus, softmax)
}
ALL["swish"] = silu


def get(identifier):
    """Return the activation for a Keras name (``"relu"``), ``None`` (linear) or an Activation."""
    if identifier is None:
        return linear
    if isinstance(identifier, Activation):
        return identifier
    return lookup(identifier, ALL, "activation", "activation")


def serialize(activation):
    """Keras's name for ``activation``."""
    return get(activation).name
