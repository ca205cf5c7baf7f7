"""Adafactor (Shazeer and Stern, 2018, "Adaptive Learning Rates with Sublinear Memory Cost"), as
``keras.optimizers.Adafactor``."""

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from .._validation import check_number
from ._whole_tensor import WholeTensorSteps, dense_gradient
from .base import Optimizer, check_positive


def _rms(x):
    return np.sqrt(np.mean(x * x))


class Adafactor(WholeTensorSteps, Optimizer):
    r"""Adam-like steps whose second moment of a kernel is stored as row and column means only.

    For a weight tensor :math:`w` and its gradient :math:`g` (same shape), with :math:`t` =
    ``iterations + 1`` and :math:`\mathrm{RMS}(x) = \sqrt{\mathrm{mean}(x^2)}` over a whole tensor:

    .. math::
        \rho_t &= \min(\eta, 1/\sqrt t), \qquad
        \alpha_t = \max(\epsilon_2, \mathrm{RMS}(w))\, \rho_t, \qquad
        \hat\beta_{2,t} = 1 - t^{d} \\
        G &= g^2 + \epsilon_1 \\
        \text{kernel } (n \times k):\ R &\leftarrow \hat\beta_{2,t} R + (1 - \hat\beta_{2,t})\,
            \mathrm{mean}_{\text{cols}}(G) \ (n), \quad
            C \leftarrow \hat\beta_{2,t} C + (1 - \hat\beta_{2,t})\, \mathrm{mean}_{\text{rows}}(G) \ (k), \\
        v &= \frac{R}{\mathrm{mean}(R)}\, C^\top \ (n \times k); \qquad
        \text{bias (1-D): } v \leftarrow \hat\beta_{2,t} v + (1 - \hat\beta_{2,t})\, G \\
        u &= g / \sqrt v, \qquad
        w \leftarrow w - \alpha_t\, u / \max\big(1, \mathrm{RMS}(u) / c\big)

    with :math:`d` = ``beta_2_decay`` and :math:`c` = ``clip_threshold``. Memory for a kernel's
    second moment is :math:`n + k` numbers instead of :math:`nk`; a tensor of rank > 2 is factored
    over its last two axes. The RMS and the factoring need the whole tensor, so Adafactor steps
    tensor by tensor (:class:`WholeTensorSteps`). Keras casts :math:`\epsilon_2` (float32 rounding).

    In Keras 3.15.1 the learning rate enters only through :math:`\rho_t`, which caps it at
    :math:`1/\sqrt t` whatever ``relative_step`` says; the argument is kept, as Keras keeps it.

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        beta_2_decay: :math:`d < 0`, the decay of :math:`\hat\beta_{2,t}` (default -0.8).
        epsilon_1: :math:`\epsilon_1`, added to the squared gradient (default 1e-30).
        epsilon_2: :math:`\epsilon_2`, the floor of the weight RMS in the step size (default 1e-3).
        clip_threshold: :math:`c > 0`, the update's RMS cap (default 1.0; independent of
            ``clipnorm``, ``clipvalue``, ``global_clipnorm``).
        relative_step: cap a constant learning rate at :math:`1/\sqrt t` (default True).
    """

    name = "adafactor"

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = check_number(beta_2_decay, "beta_2_decay", high=0, closed="neither")
        self.epsilon_1 = check_number(epsilon_1, "epsilon_1", low=0)
        self.epsilon_2 = check_number(epsilon_2, "epsilon_2", low=0)
        self.clip_threshold = check_positive(clip_threshold, "clip_threshold")
        self.relative_step = bool(relative_step)

    def build(self, variables):
        factored = [v.ndim >= 2 for v in variables]
        self.row_means = [np.zeros(v.shape[:-1], v.dtype) if f else None
                          for v, f in zip(variables, factored)]
        self.column_means = [np.zeros(v.shape[:-2] + v.shape[-1:], v.dtype) if f else None
                             for v, f in zip(variables, factored)]
        self.velocities = self._slots(variables)
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        g = dense_gradient(gradient, self)
        dt = variable.dtype.type
        t = dt(self.iterations + 1)
        rho = min(learning_rate, dt(1) / np.sqrt(t))
        alpha = max(dt(float32_round(self.epsilon_2)), _rms(variable)) * rho
        G = g * g + self.epsilon_1
        beta_2 = 1 - _scalar_math.power(t, dt(self.beta_2_decay))
        v = self.velocities[index]
        if variable.ndim >= 2:
            R, C = self.row_means[index], self.column_means[index]
            R[...] = beta_2 * R + (1 - beta_2) * np.mean(G, axis=-1)
            C[...] = beta_2 * C + (1 - beta_2) * np.mean(G, axis=-2)
            v[...] = (R / np.mean(R, axis=-1, keepdims=True))[..., None] * C[..., None, :]
        else:
            v[...] = beta_2 * v + (1 - beta_2) * G
        u = g / np.sqrt(v)
        variable -= alpha * (u / max(dt(1), _rms(u) / self.clip_threshold))

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        })
        return config
