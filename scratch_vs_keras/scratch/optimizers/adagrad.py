"""Adagrad (Duchi et al., 2011), as ``keras.optimizers.Adagrad``."""

import numpy as np

from .._scalar_math import float32_round
from .._validation import check_number
from .base import Optimizer, dense, squares


class Adagrad(Optimizer):
    r"""Per-parameter learning rates from the sum of all past squared gradients.

    .. math:: A \leftarrow A + g^2, \qquad w \leftarrow w - \eta g / \sqrt{A + \epsilon}

    :math:`A` starts at ``initial_accumulator_value`` (Keras's default 0.1, not 0; created by a
    ``Constant`` initializer, which casts it, so float32-rounded), and :math:`\epsilon` sits inside
    the square root. (The course's decayed variant differs: see the course module.)

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        initial_accumulator_value: :math:`A_0` (default 0.1).
        epsilon: :math:`\epsilon` (default 1e-7).
    """

    name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", low=0)
        self.epsilon = epsilon

    def build(self, variables):
        self.accumulators = self._slots(variables, float32_round(self.initial_accumulator_value))
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        A = self.accumulators[index]
        A += squares(gradient)
        variable -= learning_rate * dense(gradient) / np.sqrt(A + self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({
            "initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon,
        })
        return config
