"""RMSprop (Hinton's lecture 6e), centered and with momentum, as ``keras.optimizers.RMSprop``."""

import numpy as np

from .base import Optimizer, check_fraction, dense, squares

class RMSprop(Optimizer):
    r"""Divide the gradient by a running RMS of its recent magnitude.

    .. math::
        v &\leftarrow \rho v + (1 - \rho) g^2 \\
        a &\leftarrow \rho a + (1 - \rho) g \quad\text{(centered only)} \\
        d &= v - a^2 + \epsilon \ \text{(centered)}, \quad d = v + \epsilon \ \text{(else)} \\
        \Delta &= \eta g / \sqrt{d} \quad (\epsilon \text{ inside the square root, as Keras}) \\
        M &\leftarrow \mu M + \Delta,\; w \leftarrow w - M \ \text{(momentum)}, \quad
        w \leftarrow w - \Delta \ \text{(else)}.

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        rho: :math:`\rho` (default 0.9).
        momentum: :math:`\mu` (default 0).
        epsilon: :math:`\epsilon` (default 1e-7).
        centered: subtract the squared running mean of the gradient.
    """

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_fraction(momentum, "momentum")
        check_fraction(rho, "rho")
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, variables):
        self.velocities = self._slots(variables)
        self.momentums = self._slots(variables) if self.momentum > 0 else []
        self.average_gradients = self._slots(variables) if self.centered else []
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        rho = self.rho
        v = self.velocities[index]
        v[...] = rho * v + (1 - rho) * squares(gradient)
        gradient = dense(gradient)
        if self.centered:
            a = self.average_gradients[index]
            a[...] = rho * a + (1 - rho) * gradient
            denominator = v - a * a + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = learning_rate * gradient / np.sqrt(denominator)
        if self.momentum > 0:
            m = self.momentums[index]
            m[...] = self.momentum * m + increment
            variable -= m
        else:
            variable -= increment

    def get_config(self):
        config = super().get_config()
        config.update({
            "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
            "centered": self.centered,
        })
        return config
