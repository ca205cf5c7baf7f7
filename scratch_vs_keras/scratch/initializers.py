r"""Weight initializers with Keras's names, arguments and distributions, drawn from NumPy.

Keras's own random streams are stateless and depend on the dtype and backend, so the two sides do
not share a generator: the NumPy side draws the weights (from a seed, bit for bit reproducible) and
the Keras twin receives them with ``set_weights``. The distributions are Keras's:

* variance scaling with :math:`n` = fan_in, fan_out or their mean, and
  ``uniform``: :math:`U(-L, L)`, :math:`L = \sqrt{3\,\text{scale}/n}`;
  ``truncated_normal``: :math:`N(0, \sigma^2)` cut at :math:`\pm 2\sigma`,
  :math:`\sigma = \sqrt{\text{scale}/n}\,/\,0.87962566103423978` (the cut's variance correction);
* glorot_* : scale 1, :math:`n = (\text{fan\_in} + \text{fan\_out})/2`
  (so glorot_uniform's limit is :math:`\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`);
  he_* : scale 2, :math:`n` = fan_in; lecun_* : scale 1, :math:`n` = fan_in.

For a kernel of shape ``(in, out)``, fan_in = in and fan_out = out; for a bias of shape ``(out,)``
both are ``out``; for more dimensions see :func:`compute_fans`, as in Keras. Also: ``Orthogonal``,
``Identity``, ``TruncatedNormal`` and ``Constant`` with an array value.
"""

import numpy as np

from ._validation import check_number, lookup


def compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a weight shape, as ``keras.src.initializers.compute_fans``.

    With ``input_axes`` and ``output_axes`` (both given): the products of those dimensions.
    Otherwise, by rank: ``()`` -> (1, 1); ``(n,)`` -> (n, n); ``(in, out)`` -> (in, out); and for
    more dimensions a convolution kernel ``(..., in, out)``, each fan multiplied by the receptive
    field (the product of the leading dimensions): ``(32, 4, 16)`` -> (128, 512).
    """
    shape = tuple(int(n) for n in shape)
    if input_axes is not None and output_axes is not None:
        fan_in, fan_out = (int(np.prod([shape[a] for a in axes])) for axes in (input_axes, output_axes))
        return fan_in, fan_out
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = int(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    """Base class: ``initializer(shape, dtype, rng) -> array``.

    ``rng`` is the :class:`numpy.random.Generator` the model hands over; an initializer made with
    its own ``seed`` ignores it and always returns the same values (as a seeded Keras initializer).
    """

    seed = None

    def __call__(self, shape, dtype="float64", rng=None):
        if self.seed is not None:
            rng = np.random.default_rng(self.seed)
        elif rng is None:
            rng = np.random.default_rng()
        # Drawn in float64 and then rounded, so a float32 and a float64 model built from the same
        # seed start from the same weights up to float32 rounding.
        return np.asarray(self.sample(tuple(shape), rng), dtype=np.float64).astype(dtype)

    def sample(self, shape, rng):
        raise NotImplementedError

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros (Keras's default bias initializer)."""

    def sample(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    """All ones."""

    def sample(self, shape, rng):
        return np.ones(shape)


class Constant(Initializer):
    """Every entry equal to ``value``, a number or an array broadcast to the weight's shape."""

    def __init__(self, value=0.0):
        self.value = value

    def sample(self, shape, rng):
        value = np.asarray(self.value, dtype=np.float64)
        try:
            return np.broadcast_to(value, shape).copy()
        except ValueError:
            raise ValueError(
                f"Constant(value=...) holds an array of shape {value.shape}, which does not "
                f"broadcast to the weight's shape {shape}; give a number or an array of that shape."
            ) from None

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    """``gain`` times the identity matrix (ones on the main diagonal of a 2-D shape)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def sample(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}


class RandomUniform(Initializer):
    """:math:`U(\\text{minval}, \\text{maxval})`, Keras's defaults ``-0.05`` and ``0.05``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        check_number(minval, "minval")
        check_number(maxval, "maxval", low=minval, closed="neither",
                     what=f"a number greater than minval={minval!r}")
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def sample(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """:math:`N(\\text{mean}, \\text{stddev}^2)`, Keras's defaults 0 and 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        check_number(mean, "mean")
        check_number(stddev, "stddev", low=0, closed="neither")
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def sample(self, shape, rng):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _truncated_normal(rng, stddev, shape):
    """:math:`N(0, \\sigma^2)` restricted to :math:`[-2\\sigma, 2\\sigma]`, by redrawing the rest."""
    out = rng.normal(0.0, 1.0, size=shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, size=int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


class TruncatedNormal(Initializer):
    r""":math:`N(\text{mean}, \text{stddev}^2)` cut at two standard deviations from the mean."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        check_number(mean, "mean")
        check_number(stddev, "stddev", low=0, closed="neither")
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def sample(self, shape, rng):
        return self.mean + _truncated_normal(rng, self.stddev, shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class Orthogonal(Initializer):
    r"""``gain`` times a random orthogonal matrix (Saxe et al. 2014), as Keras builds it: the
    QR factors of an :math:`N(0, 1)` matrix of shape ``(max(r, c), min(r, c))``
    (:math:`r` = the product of all but the last dimension, :math:`c` the last),
    :math:`Q \operatorname{diag}(\operatorname{sign} R)` (transposed when :math:`r < c`), reshaped.

    Orthonormal columns (rows when :math:`r < c`), and Haar-distributed like Keras's. The draw
    itself differs: Keras's stateless TensorFlow generator cannot be reproduced in NumPy, so the
    twin receives these weights with ``set_weights``.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def sample(self, shape, rng):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={shape} of rank {len(shape)}."
            )
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        q, r = np.linalg.qr(rng.normal(size=(max(rows, cols), min(rows, cols))))
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class VarianceScaling(Initializer):
    """Keras's VarianceScaling: ``scale``, ``mode`` (fan_in/fan_out/fan_avg), ``distribution``
    (truncated_normal, alias "normal"; untruncated_normal; uniform), and optionally the axes that
    count as inputs and outputs (``input_axes``/``output_axes``, see :func:`compute_fans`)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if not scale > 0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Use 'fan_in', 'fan_out' or 'fan_avg'.")
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Use 'truncated_normal', "
                "'untruncated_normal' or 'uniform'."
            )
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.input_axes, self.output_axes = input_axes, output_axes

    def sample(self, shape, rng):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, np.sqrt(variance), size=shape)
        return _truncated_normal(rng, np.sqrt(variance) / 0.87962566103423978, shape)

    def get_config(self):
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "U(-L, L), L = sqrt(6 / (fan_in + fan_out)); Keras's default kernel initializer.")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796...")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "U(-L, L), L = sqrt(6 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal, stddev = sqrt(2 / fan_in) / 0.8796...")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform", "U(-L, L), L = sqrt(3 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal, stddev = sqrt(1 / fan_in) / 0.8796...")

ALL = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_uniform": RandomUniform,
    "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "orthogonal": Orthogonal,
    "identity": Identity,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
}
_CLASS_NAMES = {cls.__name__.lower(): cls for cls in ALL.values()}
_CLASS_NAMES.update(orthogonalinitializer=Orthogonal, identityinitializer=Identity)


class _Given(Constant):
    """An array given as the initializer (Keras's ``initializers.get(array)``): exactly its shape."""

    def sample(self, shape, rng):
        if tuple(shape) != np.shape(self.value):
            raise ValueError(
                f"Expected `shape` to be {np.shape(self.value)} for the initializer given as an "
                f"array; received shape={shape}. Pass an array of the weight's shape."
            )
        return np.array(self.value, dtype=np.float64)


def get(identifier, argument="kernel_initializer"):
    """Return an Initializer for a Keras name (``"he_uniform"``), a class name, an instance or an
    array (the weight's values)."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, np.ndarray):
        return _Given(identifier)
    return lookup(identifier, {**ALL, **_CLASS_NAMES}, "initializer", argument)()


def serialize(initializer):
    """The Keras identifier (snake-case name) of ``initializer``'s class."""
    inverse = {cls: name for name, cls in ALL.items()}
    return inverse[type(initializer)]
