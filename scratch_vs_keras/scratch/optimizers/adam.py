"""Adam (Kingma and Ba, 2014) and AMSGrad, as ``keras.optimizers.Adam``."""

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from .base import Optimizer, check_fraction, dense, squares


class Adam(Optimizer):
    r"""Adaptive moment estimation. With :math:`t` = ``iterations + 1``:

    .. math::
        \alpha_t &= \eta\, \sqrt{1 - \beta_2^t} / (1 - \beta_1^t) \\
        m &\leftarrow m + (g - m)(1 - \beta_1) \\
        v &\leftarrow v + (g^2 - v)(1 - \beta_2) \\
        \hat v &\leftarrow \max(\hat v, v) \quad\text{(amsgrad; then } v := \hat v) \\
        w &\leftarrow w - m\,\alpha_t / (\sqrt{v} + \epsilon)

    (the bias corrections folded into :math:`\alpha_t`, :math:`\epsilon` outside the square root).
    Keras casts :math:`\beta_1, \beta_2` with ``ops.cast`` inside the powers (float32 rounding)
    but uses the exact :math:`1 - \beta` in the moment updates.

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        beta_1, beta_2: decay rates of the moments (defaults 0.9, 0.999).
        epsilon: :math:`\epsilon` (default 1e-7).
        amsgrad: use the AMSGrad maximum of past :math:`v`.
    """

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_fraction(beta_1, "beta_1")
        check_fraction(beta_2, "beta_2")
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, variables):
        self.momentums = self._slots(variables)
        self.velocities = self._slots(variables)
        self.velocity_hats = self._slots(variables) if self.amsgrad else []
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        dt = variable.dtype.type  # scalar arithmetic in the model's dtype, as Keras's tensors
        t = dt(self.iterations + 1)
        beta_1_power = _scalar_math.power(dt(float32_round(self.beta_1)), t)
        beta_2_power = _scalar_math.power(dt(float32_round(self.beta_2)), t)
        alpha = learning_rate * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m, v = self.momentums[index], self.velocities[index]
        m += (dense(gradient) - m) * (1 - self.beta_1)
        v += (squares(gradient) - v) * (1 - self.beta_2)
        if self.amsgrad:
            v_hat = self.velocity_hats[index]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        variable -= m * alpha / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({
            "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        })
        return config
