"""Adadelta (Zeiler, 2012), as ``keras.optimizers.Adadelta``."""

import numpy as np

from .base import Optimizer, check_fraction, SparseRows, squares


class Adadelta(Optimizer):
    r"""Step sizes from running averages of squared gradients and squared updates.

    .. math::
        G &\leftarrow \rho G + (1-\rho) g^2 \\
        \Delta &= -\frac{\sqrt{D + \epsilon}}{\sqrt{G + \epsilon}}\, g \\
        D &\leftarrow \rho D + (1-\rho) \Delta^2 \\
        w &\leftarrow w + \eta \Delta

    Args:
        learning_rate: :math:`\eta` (Keras's default 0.001) or a schedule.
        rho: :math:`\rho` (default 0.95).
        epsilon: :math:`\epsilon` (default 1e-7).
    """

    name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_fraction(rho, "rho")
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables):
        self.accumulated_grads = self._slots(variables)
        self.accumulated_delta_vars = self._slots(variables)
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        rho, eps = self.rho, self.epsilon
        G = self.accumulated_grads[index]
        D = self.accumulated_delta_vars[index]
        G[...] = rho * G + (1 - rho) * squares(gradient)
        if isinstance(gradient, SparseRows):  # per row, as Keras on an IndexedSlices gradient
            i = gradient.indices
            rows = gradient.map(lambda g: -(np.sqrt(D[i] + eps) * g / np.sqrt(G[i] + eps)))
            delta, delta_squared = rows.dense(), squares(rows)
        else:
            # Written as a product with 1/sqrt: inside fit, TensorFlow's graph optimizer rewrites
            # x / sqrt(y) into x * rsqrt(y), which rounds differently in the last bit.
            delta = -(np.sqrt(D + eps) * gradient * (1 / np.sqrt(G + eps)))
            delta_squared = delta * delta
        D[...] = rho * D + (1 - rho) * delta_squared
        variable += learning_rate * delta

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
