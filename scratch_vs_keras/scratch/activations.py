r"""Activation functions and their derivatives, by Keras's names and with Keras's exact arithmetic.

Each activation is an object that is called like Keras's function, ``a = sigmoid(z)`` (with
Keras's keyword arguments, ``relu(z, max_value=6.0)``), and also knows its backward step: given
the pre-activation ``z``, the output ``a`` and the upstream gradient :math:`\partial J/\partial a`
(all of shape ``(batch, units)``) it returns

.. math:: \frac{\partial J}{\partial z} = \frac{\partial J}{\partial a} \odot g'(z)

(softmax, log_softmax, sparsemax and glu, which mix units, return the full vector-Jacobian
product). In the lecture's notation this is the factor :math:`A^{(l)} * (1 - A^{(l)})` of
:math:`V^{(1)} = A^{(2)} * (1 - A^{(2)}) * [W^{(2)}]^T V^{(2)}` for a sigmoid layer.

At a kink the derivative is the one TensorFlow's gradient takes there (stated per class).
Where TensorFlow computes with a constant rounded to float32 (leaky_relu's slope is a float32
op attribute; gelu casts :math:`1/\sqrt{2}` and :math:`0.044715` from Python floats, which go
through float32; relu casts ``max_value`` and ``threshold``), the same rounded constant is used
here, so float64 results agree to round-off.
"""

import inspect
import math

import numpy as np

from ._scalar_math import float32_round
from ._validation import lookup

_SCIPY = {}


def _scipy(name):
    """SciPy's ``expit``/``erfc``, imported on first use (SciPy ships with scikit-learn)."""
    if name not in _SCIPY:
        from scipy import special

        _SCIPY[name] = getattr(special, name)
    return _SCIPY[name]


def _expit():
    return _scipy("expit")


class Activation:
    """Base class: ``call(z) -> a`` and ``backward(z, a, grad_a) -> grad_z``; the arguments a
    subclass declares in ``__init__`` are its Keras arguments (``get_config``)."""

    name = "activation"

    def __call__(self, z, **arguments):
        """``g(z)``; keyword arguments override this activation's own, as in Keras's function."""
        if arguments:
            return type(self)(**{**self.get_config(), **arguments})(z)
        return self.call(np.asarray(z))

    def call(self, z):
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        raise NotImplementedError

    def output_units(self, units):
        """The width of the output for ``units`` inputs along the activation's axis."""
        return units

    def _parameters(self):
        if type(self).__init__ is object.__init__:
            return []
        return list(inspect.signature(type(self).__init__).parameters.values())[1:]

    def get_config(self):
        """The Keras arguments of this activation, by name."""
        return {p.name: getattr(self, p.name) for p in self._parameters()}

    def non_default_arguments(self):
        """The arguments that differ from Keras's defaults (what a Keras twin must be told)."""
        return {p.name: getattr(self, p.name) for p in self._parameters()
                if p.default is inspect.Parameter.empty or getattr(self, p.name) != p.default}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.non_default_arguments().items())
        return f"<activation {self.name}{'(' + args + ')' if args else ''}>"


def _elementwise(cls_name, name, value, derivative, doc):
    """An activation class without arguments: ``g(z)`` and ``g'(z, a)`` (times the upstream)."""
    def call(self, z):
        return value(z)

    def backward(self, z, a, grad_a):
        return derivative(z, a, grad_a)

    return type(cls_name, (Activation,), {"name": name, "call": call, "backward": backward,
                                          "__doc__": doc})


def _hard_sigmoid(z):
    return np.clip(z + 3.0, 0.0, 6.0) / 6.0


def _hard_sigmoid_slope(z):
    return ((z + 3.0 > 0) & (z + 3.0 < 6)) / 6.0


def _softplus(z):
    # TensorFlow's kernel: z for large z and e^z for very negative z (threshold
    # log(machine eps) + 2), where both are exact to round-off
    threshold = float(np.log(np.finfo(z.dtype).eps) + 2)
    mid = np.log1p(np.exp(np.clip(z, threshold, -threshold)))
    return np.where(z > -threshold, z, np.where(z < threshold, np.exp(z), mid))


def _mish_slope(z):
    t = np.tanh(_softplus(z))
    return t, (1 - t * t) / (np.exp(-z) + 1)


Linear = _elementwise(
    "Linear", "linear", lambda z: z, lambda z, a, g: g,
    r":math:`a = z`, :math:`g'(z) = 1`.")
Sigmoid = _elementwise(
    "Sigmoid", "sigmoid", lambda z: _expit()(z), lambda z, a, g: g * a * (1 - a),
    r":math:`a = 1 / (1 + e^{-z})` (SciPy's overflow-free expit), :math:`g'(z) = a (1 - a)`.")
Tanh = _elementwise(
    "Tanh", "tanh", np.tanh, lambda z, a, g: g * (1 - a * a),
    r":math:`a = \tanh z`, :math:`g'(z) = 1 - a^2`.")
Exponential = _elementwise(
    "Exponential", "exponential", np.exp, lambda z, a, g: g * a,
    r":math:`a = e^z`, :math:`g'(z) = a`.")
Softsign = _elementwise(
    "Softsign", "softsign", lambda z: z / (1 + np.abs(z)),
    lambda z, a, g: g / np.square(1 + np.abs(z)),
    r":math:`a = z/(1 + |z|)`, :math:`g'(z) = 1/(1 + |z|)^2`.")
TanhShrink = _elementwise(
    "TanhShrink", "tanh_shrink", lambda z: z - np.tanh(z),
    lambda z, a, g: g - g * (1 - np.square(np.tanh(z))),
    r":math:`a = z - \tanh z`, :math:`g'(z) = \tanh^2 z` (as TensorFlow: :math:`1 - (1 - \tanh^2 z)`).")
HardTanh = _elementwise(
    "HardTanh", "hard_tanh", lambda z: np.clip(z, -1.0, 1.0),
    lambda z, a, g: g * ((z >= -1) & (z <= 1)),
    r":math:`a = \mathrm{clip}(z, -1, 1)`, :math:`g'(z) = [-1 \le z \le 1]` (ends included).")
ReLU6 = _elementwise(
    "ReLU6", "relu6", lambda z: np.clip(z, 0.0, 6.0), lambda z, a, g: g * ((z > 0) & (z < 6)),
    r":math:`a = \min(\max(z, 0), 6)`, :math:`g'(z) = [0 < z < 6]`.")
HardSigmoid = _elementwise(
    "HardSigmoid", "hard_sigmoid", _hard_sigmoid, lambda z, a, g: g * _hard_sigmoid_slope(z),
    r":math:`a = \mathrm{relu6}(z + 3)/6`, :math:`g'(z) = [-3 < z < 3]/6`.")
HardSiLU = _elementwise(
    "HardSiLU", "hard_silu", lambda z: z * _hard_sigmoid(z),
    lambda z, a, g: g * _hard_sigmoid(z) + g * z * _hard_sigmoid_slope(z),
    r":math:`a = z\,\mathrm{hard\_sigmoid}(z)`, "
    r":math:`g'(z) = \mathrm{hard\_sigmoid}(z) + z[-3 < z < 3]/6`.")
SparseSigmoid = _elementwise(
    "SparseSigmoid", "sparse_sigmoid",
    lambda z: np.where(z <= -1, 0.0, np.where(z >= 1, 1.0, 0.5 * (z + 1))),
    lambda z, a, g: g * 0.5 * ((z > -1) & (z < 1)),
    r":math:`a = 0,\ \tfrac12(z+1),\ 1` for :math:`z \le -1`, between, :math:`z \ge 1`; "
    r":math:`g'(z) = \tfrac12[-1 < z < 1]`.")
SparsePlus = _elementwise(
    "SparsePlus", "sparse_plus",
    lambda z: np.where(z <= -1, 0.0, np.where(z < 1, 0.25 * np.square(z + 1), z)),
    lambda z, a, g: g * np.where(z <= -1, 0.0, np.where(z < 1, 0.5 * (z + 1), 1.0)),
    r":math:`a = 0,\ \tfrac14(z+1)^2,\ z` for :math:`z \le -1`, between, :math:`z \ge 1`; "
    r":math:`g'(z) = 0,\ \tfrac12(z+1),\ 1`.")
Softplus = _elementwise(
    "Softplus", "softplus", _softplus, lambda z, a, g: g / (np.exp(-z) + 1),
    r":math:`a = \log(1 + e^z)` (as TensorFlow's kernel, exact also for large :math:`|z|`), "
    r":math:`g'(z) = \sigma(z)`.")
LogSigmoid = _elementwise(
    "LogSigmoid", "log_sigmoid", lambda z: -_softplus(-z), lambda z, a, g: g / (np.exp(z) + 1),
    r":math:`a = -\mathrm{softplus}(-z)`, :math:`g'(z) = \sigma(-z)`.")
SiLU = _elementwise(
    "SiLU", "silu", lambda z: z * _expit()(z),
    lambda z, a, g: g * (_expit()(z) * (1 + z * (1 - _expit()(z)))),
    r":math:`a = z\,\sigma(z)`, :math:`g'(z) = \sigma(z)(1 + z(1 - \sigma(z)))` (also called swish).")
Mish = _elementwise(
    "Mish", "mish", lambda z: z * np.tanh(_softplus(z)),
    lambda z, a, g: (lambda t, dt: g * t + g * z * dt)(*_mish_slope(z)),
    r":math:`a = z\tanh(\mathrm{softplus}(z))`, :math:`g'(z) = t + z(1 - t^2)\sigma(z)`, "
    r":math:`t = \tanh(\mathrm{softplus}(z))`.")

class ReLU(Activation):
    r""":math:`a = \max(z, 0)`, :math:`g'(z) = [z > 0]` (0 at the kink, as TensorFlow); with Keras's
    arguments, as ``keras.activations.relu`` composes them:

    * ``threshold`` :math:`t`: :math:`a = z[z > t]` (a step at :math:`t`);
    * ``max_value`` :math:`m`: :math:`a` clipped to :math:`[0, m]` (gradient kept at both ends);
    * ``negative_slope`` :math:`s`: :math:`a \mathrel{-}= s\max(t - z, 0)` below the threshold
      (without the other two it is leaky_relu, slope rounded to float32).

    Keras casts :math:`t` and :math:`m` to the model's dtype through float32.
    """

    name = "relu"

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope, self.max_value, self.threshold = negative_slope, max_value, threshold
        self._plain = negative_slope == 0 and max_value is None and threshold == 0
        self._leaky = negative_slope != 0 and max_value is None and threshold == 0

    def call(self, z):
        if self._plain:
            if z.dtype == np.float32:
                # the same numbers (0 for z <= 0), and with NumPy 2.4 on float32 twice as fast as
                # np.maximum on a 256 x 256 batch (18 vs 38 microseconds measured)
                return z * (z > 0)
            return np.maximum(z, 0)
        if self._leaky:
            return LeakyReLU(self.negative_slope).call(z)
        a = self._positive_part(z)
        if self.max_value is not None and not self._uses_relu6():
            a = np.clip(a, 0.0, float32_round(self.max_value))
        if self.negative_slope != 0:
            a = a - self.negative_slope * np.maximum(self.threshold - z, 0.0)
        return a

    def _uses_relu6(self):
        return self.threshold == 0 and self.max_value == 6

    def _positive_part(self, z):
        if self.threshold != 0:
            return np.where(z > float32_round(self.threshold), z, 0.0)
        if self._uses_relu6():
            return np.clip(z, 0.0, 6.0)
        return np.maximum(z, 0.0)

    def backward(self, z, a, grad_a):
        if self._plain:
            return grad_a * (z > 0)
        if self._leaky:
            return LeakyReLU(self.negative_slope).backward(z, a, grad_a)
        if self.threshold != 0:
            slope = z > float32_round(self.threshold)
        elif self._uses_relu6():
            slope = (z > 0) & (z < 6)
        else:
            slope = z > 0
        if self.max_value is not None and not self._uses_relu6():
            pre = self._positive_part(z)
            slope = slope & (pre >= 0) & (pre <= float32_round(self.max_value))
        dz = grad_a * slope
        if self.negative_slope != 0:
            dz = dz + grad_a * self.negative_slope * (self.threshold - z > 0)
        return dz


class LeakyReLU(Activation):
    r""":math:`a = z` for :math:`z > 0`, else :math:`\alpha z`; Keras's default :math:`\alpha = 0.2`.

    TensorFlow passes :math:`\alpha` as a float32 op attribute, so the slope is
    ``float32(0.2) = 0.20000000298...`` even in a float64 model; it is used here too.
    """

    name = "leaky_relu"

    def __init__(self, negative_slope=0.2):
        self.negative_slope = negative_slope

    def call(self, z):
        return np.where(z > 0, z, float32_round(self.negative_slope) * z)

    def backward(self, z, a, grad_a):
        return np.where(z > 0, grad_a, float32_round(self.negative_slope) * grad_a)


class ELU(Activation):
    r""":math:`a = z` for :math:`z > 0`, else :math:`\alpha(e^z - 1)`;
    :math:`g'(z) = \alpha e^z` for :math:`z \le 0` (TensorFlow: :math:`\alpha((e^z - 1) + 1)`)."""

    name = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def call(self, z):
        res = np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
        return res if self.alpha == 1 else np.where(z > 0, res, self.alpha * res)

    def backward(self, z, a, grad_a):
        res = a if self.alpha == 1 else np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
        g = grad_a if self.alpha == 1 else np.where(z > 0, grad_a, self.alpha * grad_a)
        return np.where(res < 0, g * (res + 1), g)


class CELU(Activation):
    r""":math:`a = \max(z, 0) + \alpha(e^{\min(z, 0)/\alpha} - 1)`;
    :math:`g'(z) = [z \ge 0] + [z \le 0]\,e^{\min(z,0)/\alpha}` (2 at :math:`z = 0`, as TensorFlow)."""

    name = "celu"

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def call(self, z):
        return np.maximum(z, 0.0) + self.alpha * np.expm1(np.minimum(z, 0.0) / self.alpha)

    def backward(self, z, a, grad_a):
        return grad_a * (z >= 0) + grad_a * (z <= 0) * np.exp(np.minimum(z, 0.0) / self.alpha)


class SELU(Activation):
    r""":math:`a = \lambda z` for :math:`z > 0`, else :math:`\lambda\alpha(e^z - 1)`.

    :math:`\lambda = 1.0507009873554805`, :math:`\lambda\alpha = 1.7580993408473766` (Klambauer et
    al.; TensorFlow's kernel constants). :math:`g'(z) = a + \lambda\alpha` for :math:`z < 0`.
    """

    name = "selu"
    scale = 1.0507009873554804934193349852946
    scale_alpha = 1.7580993408473768599402175208123

    def call(self, z):
        return np.where(z > 0, self.scale * z, self.scale_alpha * np.expm1(np.minimum(z, 0)))

    def backward(self, z, a, grad_a):
        return np.where(a < 0, grad_a * (a + self.scale_alpha), grad_a * self.scale)


class GELU(Activation):
    r"""Exact (erf) GELU, Keras's default: :math:`a = \tfrac12 z\,\mathrm{erfc}(-z c)`, :math:`c = 1/\sqrt2`,
    :math:`g'(z) = \tfrac12 \mathrm{erfc}(-zc) + z c\, e^{-(zc)^2}/\sqrt{\pi}`.

    ``approximate=True``: :math:`a = \tfrac12 z(1 + \tanh u)`, :math:`u = s(z + \kappa z^3)`,
    :math:`s = \sqrt{2/\pi}`, :math:`\kappa = 0.044715`;
    :math:`g'(z) = \tfrac12(1 + \tanh u) + \tfrac12 z(1 - \tanh^2 u)\,s(1 + 3\kappa z^2)`.
    TensorFlow casts :math:`c` and :math:`\kappa` through float32; the same rounded values are used.
    """

    name = "gelu"
    c = float32_round(0.7071067811865476)
    s = 0.7978845608028654
    kappa = float32_round(0.044715)

    def __init__(self, approximate=False):
        self.approximate = bool(approximate)

    @staticmethod
    def _erfc(x):
        return _scipy("erfc")(x).astype(x.dtype, copy=False)

    def call(self, z):
        if self.approximate:
            return 0.5 * z * (1.0 + np.tanh(self.s * (z + self.kappa * np.power(z, 3))))
        return 0.5 * z * self._erfc(-z * self.c)

    def backward(self, z, a, grad_a):
        if self.approximate:
            t = np.tanh(self.s * (z + self.kappa * np.power(z, 3)))
            du = self.s * (1.0 + 3.0 * self.kappa * z * z)
            return grad_a * (0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * du)
        zc = z * self.c
        dz = 0.5 * self._erfc(-zc) + 0.5 * z * (2 / math.sqrt(math.pi)) * np.exp(-zc * zc) * self.c
        return grad_a * dz


class Squareplus(Activation):
    r""":math:`a = (z + \sqrt{z^2 + b})/2`, :math:`g'(z) = (1 + z/\sqrt{z^2 + b})/2`; Keras's :math:`b = 4`."""

    name = "squareplus"

    def __init__(self, b=4):
        self.b = b

    def call(self, z):
        return (z + np.sqrt(z * z + self.b)) / 2

    def backward(self, z, a, grad_a):
        return grad_a * 0.5 * (1.0 + z / np.sqrt(z * z + self.b))


class SoftShrink(Activation):
    r""":math:`a = z - t` above :math:`t`, :math:`z + t` below :math:`-t`, else 0; :math:`g'(z) = [|z| > t]`."""

    name = "soft_shrink"

    def __init__(self, threshold=0.5):
        self.threshold = threshold

    def call(self, z):
        t = self.threshold
        return np.where(z > t, z - t, np.where(z < -t, z + t, 0.0))

    def backward(self, z, a, grad_a):
        return grad_a * ((z > self.threshold) | (z < -self.threshold))


class HardShrink(SoftShrink):
    r""":math:`a = z` where :math:`|z| > t`, else 0; :math:`g'(z) = [|z| > t]`."""

    name = "hard_shrink"

    def call(self, z):
        return np.where(np.abs(z) > self.threshold, z, 0.0)

    def backward(self, z, a, grad_a):
        return grad_a * (np.abs(z) > self.threshold)


class Threshold(Activation):
    r""":math:`a = z` where :math:`z > t`, else ``default_value``; :math:`g'(z) = [z > t]`.
    Both arguments are required (as in Keras), so it has no name to pass as a string."""

    name = "threshold"

    def __init__(self, threshold, default_value):
        self.threshold, self.default_value = threshold, default_value

    def call(self, z):
        return np.where(z > self.threshold, z, self.default_value).astype(z.dtype, copy=False)

    def backward(self, z, a, grad_a):
        return grad_a * (z > self.threshold)


class _AlongAxis(Activation):
    """An activation that mixes the entries along ``axis`` (an int or a tuple of ints)."""

    def __init__(self, axis=-1):
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis

    def _sum(self, x):
        return x.sum(axis=self.axis, keepdims=True)


class Softmax(_AlongAxis):
    r""":math:`a_i = e^{z_i} / \sum_j e^{z_j}` along ``axis`` (Keras's default, the last: the units).

    Backward (vector-Jacobian product): :math:`\partial J/\partial z = (g - \sum_j g_j a_j)\, a`
    with :math:`g = \partial J/\partial a`.
    """

    name = "softmax"

    def call(self, z):
        e = np.exp(z - z.max(axis=self.axis, keepdims=True))
        return e / self._sum(e)

    def backward(self, z, a, grad_a):
        return (grad_a - self._sum(grad_a * a)) * a


class LogSoftmax(_AlongAxis):
    r""":math:`a = z - m - \log\sum_j e^{z_j - m}`, :math:`m = \max_j z_j`;
    :math:`\partial J/\partial z = g - e^{a}\sum_j g_j`."""

    name = "log_softmax"

    def call(self, z):
        shifted = z - z.max(axis=self.axis, keepdims=True)
        return shifted - np.log(self._sum(np.exp(shifted)))

    def backward(self, z, a, grad_a):
        return grad_a - np.exp(a) * self._sum(grad_a)


class Sparsemax(_AlongAxis):
    r"""Keras 3.15.1's sparsemax: :math:`a = \max(z - \tau, 0)` with the support size :math:`k`
    from the sorted :math:`z_{(1)} \ge z_{(2)} \ge \dots` and cumulative sums :math:`c_r`
    (:math:`k` = the number of :math:`r` with :math:`z_{(r)} > (c_r - 1)/r`), and
    :math:`\tau = (\sum_{r \le k} c_r - 1)/k`.

    This :math:`\tau` is Keras's, not Martins & Astudillo's :math:`(c_k - 1)/k`: the two agree
    when :math:`k = 1` only, so Keras's outputs need not sum to 1 (``[0.3, 0.2]`` gives
    ``[0.4, 0.3]``); the twin reproduces Keras. Gradient, as TensorFlow differentiates it:
    :math:`\partial J/\partial z = h - \partial\tau`, :math:`h = g[z \ge \tau]`, and
    :math:`z_{(r)}` receives :math:`-\frac{k - r + 1}{k}\sum h` for :math:`r \le k`.
    """

    name = "sparsemax"

    def _moved(self, x):
        return np.moveaxis(x, self.axis, -1)

    def _support(self, z):
        order = np.argsort(-z, axis=-1, kind="stable")
        s = np.take_along_axis(z, order, axis=-1)
        c = np.cumsum(s, axis=-1)
        r = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
        support = s - (c - 1) / r > 0
        k = support.sum(axis=-1, keepdims=True).astype(z.dtype)
        tau = (np.where(support, c, 0.0).sum(axis=-1, keepdims=True) - 1) / k
        return order, r, k, tau

    def call(self, z):
        zm = self._moved(z)
        _, _, _, tau = self._support(zm)
        return np.moveaxis(np.maximum(zm - tau, 0.0), -1, self.axis)

    def backward(self, z, a, grad_a):
        zm, g = self._moved(z), self._moved(grad_a)
        order, r, k, tau = self._support(zm)
        h = g * (zm - tau >= 0)
        share = np.where(r <= k, (k - r + 1) / k, 0.0) * -h.sum(axis=-1, keepdims=True)
        dz = h.copy()
        np.put_along_axis(dz, order, np.take_along_axis(dz, order, axis=-1) + share, axis=-1)
        return np.moveaxis(dz, -1, self.axis)


class GLU(Activation):
    r"""Gated linear unit: ``z`` split in halves :math:`(u, v)` along ``axis``,
    :math:`a = u\,\sigma(v)` (half as wide as :math:`z`); :math:`\partial J/\partial u = g\sigma(v)`,
    :math:`\partial J/\partial v = g\,u\,\sigma(v)(1 - \sigma(v))`.

    A function for arrays only: Keras's Dense reports ``units`` outputs whatever the activation,
    so a Dense layer with glu breaks the next layer (in Keras at the first call); the scratch
    Dense refuses it with that explanation."""

    name = "glu"

    def __init__(self, axis=-1):
        self.axis = axis

    def output_units(self, units):
        return units // 2

    def _halves(self, z):
        if z.shape[self.axis] % 2:
            raise ValueError(
                f"glu splits its input in two halves along axis={self.axis}, so that axis needs "
                f"an even size; received shape {z.shape}. Give the layer an even number of units."
            )
        return np.split(z, 2, axis=self.axis)

    def call(self, z):
        u, v = self._halves(z)
        return u * _expit()(v)

    def backward(self, z, a, grad_a):
        u, v = self._halves(z)
        sv = _expit()(v)
        return np.concatenate([grad_a * sv, grad_a * u * (sv * (1 - sv))], axis=self.axis)


linear, sigmoid, tanh, relu, relu6 = Linear(), Sigmoid(), Tanh(), ReLU(), ReLU6()
leaky_relu, elu, celu, selu, gelu = LeakyReLU(), ELU(), CELU(), SELU(), GELU()
silu, softplus, softsign, mish, exponential = SiLU(), Softplus(), Softsign(), Mish(), Exponential()
softmax, log_softmax, sparsemax, glu = Softmax(), LogSoftmax(), Sparsemax(), GLU()
hard_sigmoid, hard_silu, hard_tanh = HardSigmoid(), HardSiLU(), HardTanh()
sparse_sigmoid, sparse_plus, log_sigmoid = SparseSigmoid(), SparsePlus(), LogSigmoid()
soft_shrink, hard_shrink, tanh_shrink, squareplus = SoftShrink(), HardShrink(), TanhShrink(), Squareplus()


def threshold(x, threshold, default_value):
    """Keras's ``threshold(x, threshold, default_value)``: ``x`` where above, else the default."""
    return Threshold(threshold, default_value)(x)


ALL = {
    f.name: f
    for f in (linear, sigmoid, tanh, relu, relu6, leaky_relu, elu, celu, selu, gelu, silu,
              softplus, softsign, mish, exponential, softmax, log_softmax, sparsemax, glu,
              hard_sigmoid, hard_silu, hard_tanh, sparse_sigmoid, sparse_plus, log_sigmoid,
              soft_shrink, hard_shrink, tanh_shrink, squareplus)
}
ALL["swish"] = silu
ALL["hard_swish"] = hard_silu


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
