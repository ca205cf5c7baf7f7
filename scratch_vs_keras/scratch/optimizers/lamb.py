"""LAMB (You et al., 2019, "Large Batch Optimization for Deep Learning"), as ``keras.optimizers.Lamb``."""

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from ._whole_tensor import WholeTensorSteps, dense_gradient
from .base import Optimizer, check_fraction


class Lamb(WholeTensorSteps, Optimizer):
    r"""Adam's direction, rescaled per tensor by the trust ratio :math:`\|w\| / \|u\|`.

    For a weight tensor :math:`w` and its gradient :math:`g` (same shape), with :math:`t` =
    ``iterations + 1`` and the moments :math:`m, v` (zeros at first):

    .. math::
        m &\leftarrow m + (g - m)(1 - \beta_1), \qquad v \leftarrow v + (g^2 - v)(1 - \beta_2) \\
        u &= \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon} \\
        r &= \|w\|_2 / \|u\|_2 \ \text{(both norms over the whole tensor; 1 if either is 0)} \\
        w &\leftarrow w - r\,\eta\, u

    The norm makes the step depend on the whole tensor, so Lamb steps tensor by tensor
    (:class:`WholeTensorSteps`). As in Adam, Keras casts :math:`\beta_1, \beta_2` (float32
    rounding) inside the powers only.

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        beta_1, beta_2: decay rates of the moments (defaults 0.9, 0.999).
        epsilon: :math:`\epsilon`, added outside the square root (default 1e-7).
    """

    name = "lamb"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_fraction(beta_1, "beta_1")
        check_fraction(beta_2, "beta_2")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        self.momentums = self._slots(variables)
        self.velocities = self._slots(variables)
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        g = dense_gradient(gradient, self)
        dt = variable.dtype.type
        t = dt(self.iterations + 1)
        beta_1_power = _scalar_math.power(dt(float32_round(self.beta_1)), t)
        beta_2_power = _scalar_math.power(dt(float32_round(self.beta_2)), t)
        m, v = self.momentums[index], self.velocities[index]
        m += (g - m) * (1 - self.beta_1)
        v += (g * g - v) * (1 - self.beta_2)
        u = (m / (1 - beta_1_power)) / (np.sqrt(v / (1 - beta_2_power)) + self.epsilon)
        w_norm, u_norm = np.sqrt(np.sum(variable * variable)), np.sqrt(np.sum(u * u))
        ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else dt(1)
        variable -= ratio * learning_rate * u

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
