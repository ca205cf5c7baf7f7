r"""Learning-rate schedules, as ``keras.optimizers.schedules``: :math:`\eta_t` from the step count :math:`t`.

:math:`t` is the optimizer's ``iterations`` *before* the step (0 for the first step). Keras
computes a schedule in the dtype of ``initial_learning_rate`` converted to a tensor: a Python
float becomes float32, so the schedule is evaluated in float32 arithmetic even in a float64
model, and the optimizer then casts the float32 value up. The schedules here do the same
(a NumPy float64 ``initial_learning_rate`` makes them compute in float64, as in Keras).

* ExponentialDecay: :math:`\eta_0\, r^{t/s}` (with ``staircase``: :math:`r^{\lfloor t/s\rfloor}`);
* InverseTimeDecay: :math:`\eta_0 / (1 + r\, t/s)` (the course's :math:`\eta/(1 + d\cdot\text{epoch})`
  with :math:`s` = steps per epoch and ``staircase=True``);
* PiecewiseConstantDecay: ``values[i]`` for :math:`b_{i-1} < t \le b_i`;
* PolynomialDecay: :math:`(\eta_0 - \eta_{end})(1 - \min(t, s)/s)^p + \eta_{end}`;
* CosineDecay: :math:`\eta_0\,[(1-\alpha)\tfrac12(1 + \cos(\pi \min(t, s)/s)) + \alpha]`, optionally
  after a linear warm-up;
* CosineDecayRestarts: the cosine restarted, each period :math:`T` times longer and starting
  :math:`M` times lower.

``model.fit`` evaluates the schedule inside a ``tf.function``, whose graph optimizer (Grappler)
rewrites the arithmetic before it runs: a division by a constant becomes a multiplication by the
constant's float32 reciprocal (:math:`t/s \to t \cdot \mathrm{fl}(1/s)`), and a product of two
constants around a variable is folded (:math:`c_1 (t\,c_2) \to (c_1 c_2)\, t`). In float32 these
change the last bit of about one learning rate in three, enough to move a 1,000-step run by 1e-8;
so the code below evaluates the rewritten expressions, which equal what ``fit`` computes bit for
bit (the comments mark each rewrite).
"""

import math

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from .._validation import check_number, check_positive_int, lookup


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate`` (a NumPy scalar of the schedule's dtype)."""

    @staticmethod
    def _reciprocal(dt, c):
        """Grappler's division-by-constant rewrite: ``x / c`` runs as ``x * fl(1 / c)``."""
        return dt(1) / dt(c)

    def _dtype(self, initial_learning_rate):
        return np.asarray(initial_learning_rate).dtype.type if isinstance(
            initial_learning_rate, np.floating) else np.float32

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        """Every constructor argument: ``keras.optimizers.schedules.<Name>(**config)`` is the twin."""
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def serialize(schedule):
    """``{"class_name": ..., "config": ...}``, as Keras serializes a schedule inside an optimizer's config."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def _check_lr(value, name="initial_learning_rate"):
    return check_number(value, name, low=0, closed="neither")


class ExponentialDecay(LearningRateSchedule):
    r""":math:`\eta_t = \eta_0\, r^{t / s}` (or :math:`r^{\lfloor t/s \rfloor}` with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate = _check_lr(initial_learning_rate)
        self.decay_steps = check_positive_int(decay_steps, "decay_steps")
        self.decay_rate = check_number(decay_rate, "decay_rate", low=0, closed="neither")
        self.staircase = staircase

    def __call__(self, step):
        dt = self._dtype(self.initial_learning_rate)
        p = dt(step) * self._reciprocal(dt, self.decay_steps)  # t / s, rewritten
        if self.staircase:
            p = np.floor(p)
        return _scalar_math.flush(dt(self.initial_learning_rate) * _scalar_math.power(dt(self.decay_rate), p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}


class InverseTimeDecay(LearningRateSchedule):
    r""":math:`\eta_t = \eta_0 / (1 + r\, t/s)` (:math:`\lfloor t/s\rfloor` with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        self.initial_learning_rate = _check_lr(initial_learning_rate)
        self.decay_steps = check_positive_int(decay_steps, "decay_steps")
        self.decay_rate = check_number(decay_rate, "decay_rate", low=0)
        self.staircase = staircase

    def __call__(self, step):
        dt = self._dtype(self.initial_learning_rate)
        r = self._reciprocal(dt, self.decay_steps)  # t / s, rewritten
        if self.staircase:
            rate_p = dt(self.decay_rate) * np.floor(dt(step) * r)
        else:
            rate_p = (dt(self.decay_rate) * r) * dt(step)  # r_d * (t * 1/s), constants folded
        return dt(self.initial_learning_rate) / (dt(1) + rate_p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}


class PiecewiseConstantDecay(LearningRateSchedule):
    r""":math:`\eta_t` = ``values[0]`` for :math:`t \le b_0`, ``values[i]`` for :math:`b_{i-1} < t \le b_i`,
    ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "`values` must have one more entry than `boundaries`; received "
                f"{len(boundaries)} boundaries and {len(values)} values."
            )
        if any(b2 <= b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"`boundaries` must increase; received {boundaries!r}.")
        for v in values:
            _check_lr(v, "values")
        self.boundaries, self.values = boundaries, values

    def __call__(self, step):
        dt = self._dtype(self.values[0])
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return dt(v)
        return dt(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}


class PolynomialDecay(LearningRateSchedule):
    r""":math:`\eta_t = (\eta_0 - \eta_{end})(1 - \min(t, s)/s)^p + \eta_{end}` (``cycle`` restarts with
    :math:`s \lceil t/s \rceil`)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False):
        self.initial_learning_rate = _check_lr(initial_learning_rate)
        self.decay_steps = check_positive_int(decay_steps, "decay_steps")
        self.end_learning_rate, self.power, self.cycle = end_learning_rate, power, cycle

    def __call__(self, step):
        dt = self._dtype(self.initial_learning_rate)
        t, s = dt(step), dt(self.decay_steps)
        r = self._reciprocal(dt, self.decay_steps)
        if self.cycle:
            s = s * (dt(1.0) if t == 0 else np.ceil(t * r))  # t / s, rewritten
            p = t / s
        else:
            p = np.minimum(t, s) * r  # t / s, rewritten
        eta0, end = dt(self.initial_learning_rate), dt(self.end_learning_rate)
        return _scalar_math.flush((eta0 - end) * _scalar_math.power_constant(dt(1) - p, self.power) + end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle}


class CosineDecay(LearningRateSchedule):
    r"""Cosine decay from :math:`\eta_0` to :math:`\alpha\eta_0` over :math:`s` steps, after an optional
    linear warm-up of :math:`w` steps from :math:`\eta_0` to :math:`\eta_w` (``warmup_target``):

    .. math::
        \eta_t = \begin{cases}
            \eta_0 + (\eta_w - \eta_0)\, t / w & t < w \text{ (warm-up)} \\
            \hat\eta\, [(1 - \alpha)\tfrac12(1 + \cos(\pi \tau / s)) + \alpha],
                \ \tau = \min(t, w + s) - w & \text{else}
        \end{cases}

    with :math:`\hat\eta = \eta_w` after a warm-up and :math:`\hat\eta = \eta_0`, :math:`w = 0`
    without one (``warmup_target=None``).

    Args:
        initial_learning_rate: :math:`\eta_0` (> 0; with a warm-up it may be 0).
        decay_steps: :math:`s`, the length of the cosine (> 0).
        alpha: the final rate as a fraction of :math:`\hat\eta`, in [0, 1] (default 0).
        warmup_target: :math:`\eta_w` (> 0), the rate reached after the warm-up; None for no warm-up.
        warmup_steps: :math:`w` (>= 0), the warm-up's length (default 0).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None,
                 warmup_steps=0):
        self.warmup_target = check_number(warmup_target, "warmup_target", low=0, closed="neither",
                                          allow_none=True)
        self.warmup_steps = check_number(warmup_steps, "warmup_steps", low=0, integer=True)
        # Keras's own test warms up from 0
        self.initial_learning_rate = (_check_lr(initial_learning_rate) if warmup_target is None
                                      else check_number(initial_learning_rate,
                                                        "initial_learning_rate", low=0))
        self.decay_steps = check_positive_int(decay_steps, "decay_steps")
        self.alpha = check_number(alpha, "alpha", low=0, high=1)

    def __call__(self, step):
        dt = self._dtype(self.initial_learning_rate)
        t, s = dt(step), dt(self.decay_steps)
        if self.warmup_target is None:
            # pi * (min(t, s) / s): the division rewritten, then the two constants folded
            angle = (dt(math.pi) * self._reciprocal(dt, self.decay_steps)) * np.minimum(t, s)
            # (1 - alpha) * (0.5 * (1 + cos)): the two constants folded
            decayed = (dt(1 - self.alpha) * dt(0.5)) * (dt(1.0) + _scalar_math.cos(angle)) + dt(self.alpha)
            return _scalar_math.flush(dt(self.initial_learning_rate) * decayed)
        # With a warm-up Keras picks the phase with a ``cond``; the graph rewrites do not reach
        # inside its branches, so both phases are computed as written.
        w, eta_0 = dt(self.warmup_steps), dt(self.initial_learning_rate)
        eta_w = dt(float32_round(self.warmup_target))  # ops.cast: float32 first, also in float64
        t = np.minimum(t, s + w)
        if t < w:
            return (eta_w - eta_0) * (t / w) + eta_0
        cosine = dt(0.5) * (dt(1.0) + _scalar_math.cos(dt(math.pi) * ((t - w) / s)))
        return _scalar_math.flush(eta_w * (dt(1 - self.alpha) * cosine + dt(self.alpha)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    r"""Cosine decay with warm restarts (SGDR, Loshchilov and Hutter, 2017): period :math:`i`
    lasts :math:`s\,T^i` steps and starts at :math:`\eta_0 M^i`.

    With :math:`f = t/s` (``first_decay_steps`` :math:`s`), the period :math:`i` and the fraction
    :math:`\phi \in [0, 1)` of it done are

    .. math::
        i = \lfloor \log(1 - f(1 - T)) / \log T \rfloor, \quad
        \phi = \frac{f - (1 - T^i)/(1 - T)}{T^i} \qquad (i = \lfloor f\rfloor,\ \phi = f - i
        \text{ for } T = 1),

    and :math:`\eta_t = \eta_0\,[(1 - \alpha)\,\tfrac12 M^i (1 + \cos \pi\phi) + \alpha]`.

    Args:
        initial_learning_rate: :math:`\eta_0` (> 0).
        first_decay_steps: :math:`s`, the first period's length (> 0).
        t_mul: :math:`T` (> 0), each period's length over the previous one's (default 2).
        m_mul: :math:`M` (>= 0), each period's starting rate over the previous one's (default 1).
        alpha: the rate at the end of a period, as a fraction of its start, in [0, 1] (default 0).
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
        self.initial_learning_rate = _check_lr(initial_learning_rate)
        self.first_decay_steps = check_positive_int(first_decay_steps, "first_decay_steps")
        self.t_mul = check_number(t_mul, "t_mul", low=0, closed="neither")
        self.m_mul = check_number(m_mul, "m_mul", low=0)
        self.alpha = check_number(alpha, "alpha", low=0, high=1)

    def __call__(self, step):
        dt = self._dtype(self.initial_learning_rate)
        T = dt(float32_round(self.t_mul))  # ops.cast, as m_mul and alpha: float32 first
        f = dt(step) * self._reciprocal(dt, self.first_decay_steps)  # t / s, rewritten
        # i and phi come out of a ``cond`` in Keras: computed as written (no graph rewrites)
        if T == 1:
            i = np.floor(f)
            phi = f - i
        else:
            remaining = dt(1.0) - f * (dt(1.0) - T)
            if remaining <= 0:
                raise ValueError(
                    f"CosineDecayRestarts with t_mul={self.t_mul} < 1 has no learning rate from step "
                    f"first_decay_steps / (1 - t_mul) = {self.first_decay_steps / (1 - self.t_mul):g} "
                    f"on (Keras returns NaN there); received step {step}. Use t_mul >= 1."
                )
            i = np.floor(_scalar_math.log(remaining) / _scalar_math.log(T))
            T_i = _scalar_math.power(T, i)
            phi = (f - (dt(1.0) - T_i) / (dt(1.0) - T)) / T_i
        alpha = dt(float32_round(self.alpha))  # cast first, then 1 - alpha in the schedule's dtype
        m_factor = _scalar_math.power(dt(float32_round(self.m_mul)), i)
        # (1 - alpha) * ((0.5 * M^i) * (1 + cos)): the two constants folded
        decayed = (((dt(1) - alpha) * dt(0.5)) * m_factor) * (
            dt(1.0) + _scalar_math.cos(dt(math.pi) * phi)) + alpha
        return _scalar_math.flush(dt(self.initial_learning_rate) * decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha}


ALL = {
    "exponential_decay": ExponentialDecay,
    "inverse_time_decay": InverseTimeDecay,
    "piecewise_constant_decay": PiecewiseConstantDecay,
    "polynomial_decay": PolynomialDecay,
    "cosine_decay": CosineDecay,
    "cosine_decay_restarts": CosineDecayRestarts,
}


def get(identifier, **kwargs):
    """A schedule by snake-case name (with its arguments) or a schedule instance."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    return lookup(identifier, {**ALL, **{c.__name__.lower(): c for c in ALL.values()}},
                  "learning-rate schedule", "schedule")(**kwargs)
