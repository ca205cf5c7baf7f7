"""Adamax (Kingma and Ba, 2014, section 7), as ``keras.optimizers.Adamax``."""

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from .base import Optimizer, check_fraction, SparseRows, dense


class Adamax(Optimizer):
    r"""Adam with the infinity norm. With :math:`t` = ``iterations + 1``:

    .. math::
        m &\leftarrow m + (g - m)(1 - \beta_1) \\
        u &\leftarrow \max(\beta_2 u, |g|) \\
        w &\leftarrow w - \eta m / \big((1 - \beta_1^t)(u + \epsilon)\big)

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        beta_1, beta_2: (defaults 0.9, 0.999); :math:`\beta_1` in the power is float32-rounded.
        epsilon: :math:`\epsilon` (default 1e-7).
    """

    name = "adamax"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_fraction(beta_1, "beta_1")
        check_fraction(beta_2, "beta_2")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        self.m = self._slots(variables)
        self.u = self._slots(variables)
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        dt = variable.dtype.type
        beta_1_power = _scalar_math.power(dt(float32_round(self.beta_1)), dt(self.iterations + 1))
        m, u = self.m[index], self.u[index]
        abs_g = gradient.map(np.abs).dense() if isinstance(gradient, SparseRows) else np.abs(gradient)
        m += (dense(gradient) - m) * (1 - self.beta_1)
        u[...] = np.maximum(self.beta_2 * u, abs_g)
        variable -= learning_rate * m / ((1 - beta_1_power) * (u + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
