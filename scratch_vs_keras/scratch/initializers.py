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
both are ``out``, as in Keras.
"""

import numpy as np

from ._validation import check_number, lookup


def compute_fans(shape):
    """``(fan_in, fan_out)`` of a weight shape, as ``keras.src.initializers.compute_fans``."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


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
    """Every entry equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def sample(self, shape, rng):
        return np.full(shape, float(self.value))

    def get_config(self):
        return {"value": self.value}


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


class VarianceScaling(Initializer):
    """Keras's VarianceScaling: ``scale``, ``mode`` (fan_in/fan_out/fan_avg), ``distribution``."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"`mode` must be 'fan_in', 'fan_out' or 'fan_avg'; received {mode!r}.")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                "`distribution` must be 'truncated_normal', 'untruncated_normal' or 'uniform'; "
                f"received {distribution!r}."
            )
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def sample(self, shape, rng):
        fan_in, fan_out = compute_fans(shape)
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
        }


def _preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

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
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
}
_CLASS_NAMES = {cls.__name__.lower(): cls for cls in ALL.values()}


def get(identifier, argument="kernel_initializer"):
    """Return an Initializer for a Keras name (``"he_uniform"``), a class name or an instance."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    return lookup(identifier, {**ALL, **_CLASS_NAMES}, "initializer", argument)()


def serialize(initializer):
    """The Keras identifier (snake-case name) of ``initializer``'s class."""
    inverse = {cls: name for name, cls in ALL.items()}
    return inverse[type(initializer)]
