"""Stochastic gradient descent, with momentum and Nesterov momentum, as ``keras.optimizers.SGD``."""

from .._scalar_math import float32_round
from .base import Optimizer, check_fraction, dense


class SGD(Optimizer):
    r"""Gradient descent with optional momentum.

    * no momentum: :math:`w \leftarrow w - \eta g`;
    * momentum :math:`\mu`: :math:`m \leftarrow \mu m - \eta g`, :math:`w \leftarrow w + m`;
    * Nesterov: :math:`m \leftarrow \mu m - \eta g`, :math:`w \leftarrow w + \mu m - \eta g`.

    :math:`m` starts at 0. Keras casts :math:`\mu` with ``ops.cast`` (float32 rounding).

    Args:
        learning_rate: :math:`\eta` (Keras's default 0.01) or a schedule.
        momentum: :math:`\mu \in [0, 1)` (default 0).
        nesterov: use Nesterov momentum.
    """

    name = "SGD"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = float(check_fraction(momentum, "momentum"))
        self.nesterov = bool(nesterov)

    def build(self, variables):
        self.momentums = self._slots(variables) if self.momentum != 0 else []
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        gradient = dense(gradient)
        if self.momentum == 0:
            variable -= gradient * learning_rate
            return
        m = self.momentums[index]
        mu = float32_round(self.momentum)
        m[...] = m * mu - gradient * learning_rate
        if self.nesterov:
            variable += m * mu - gradient * learning_rate
        else:
            variable += m

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
