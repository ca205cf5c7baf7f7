"""Nadam (Dozat, 2016): Adam with Nesterov momentum, as ``keras.optimizers.Nadam``."""

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from .base import Optimizer, check_fraction, dense, squares


class Nadam(Optimizer):
    r"""Adam with a Nesterov look-ahead and Dozat's momentum schedule. With :math:`t` = ``iterations + 1``:

    .. math::
        \mu_t &= \beta_1 (1 - \tfrac12\, 0.96^{t}), \quad \mu_{t+1} = \beta_1 (1 - \tfrac12\, 0.96^{t+1}) \\
        \Pi_t &= \textstyle\prod_{s \le t} \mu_s \quad\text{(updated once per step, before the variables)} \\
        m &\leftarrow m + (g - m)(1 - \beta_1), \quad v \leftarrow v + (g^2 - v)(1 - \beta_2) \\
        \hat m &= \frac{\mu_{t+1} m}{1 - \Pi_t \mu_{t+1}} + \frac{(1 - \mu_t) g}{1 - \Pi_t}, \quad
        \hat v = \frac{v}{1 - \beta_2^t} \\
        w &\leftarrow w - \eta \hat m / (\sqrt{\hat v} + \epsilon)

    Keras casts :math:`\beta_1`, :math:`\beta_2` and 0.96 with ``ops.cast`` (float32 rounding).

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        beta_1, beta_2: (defaults 0.9, 0.999).
        epsilon: :math:`\epsilon` (default 1e-7).
    """

    name = "nadam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_fraction(beta_1, "beta_1")
        check_fraction(beta_2, "beta_2")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        self.momentums = self._slots(variables)
        self.velocities = self._slots(variables)
        self.u_product = (variables[0].dtype.type if variables else np.float64)(1.0)
        super().build(variables)

    def _update_all(self, grads, variables, lr):
        dt = type(self.u_product)
        t = dt(self.iterations + 1)
        self.u_product = self.u_product * self.beta_1 * (1.0 - 0.5 * _scalar_math.power(dt(0.96), t))
        super()._update_all(grads, variables, lr)

    def update_step(self, gradient, variable, learning_rate, index):
        dt = variable.dtype.type
        t = dt(self.iterations + 1)
        decay = dt(float32_round(0.96))
        beta_1, beta_2 = dt(float32_round(self.beta_1)), dt(float32_round(self.beta_2))
        u_t = beta_1 * (1.0 - 0.5 * _scalar_math.power(decay, t))
        u_t_1 = beta_1 * (1.0 - 0.5 * _scalar_math.power(decay, t + 1))
        u_product_t = self.u_product
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = _scalar_math.power(beta_2, t)
        m, v = self.momentums[index], self.velocities[index]
        v += (squares(gradient) - v) * (1 - beta_2)
        gradient = dense(gradient)
        m += (gradient - m) * (1 - beta_1)
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable -= m_hat * learning_rate / (np.sqrt(v_hat) + self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
