"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"), as ``keras.optimizers.Lion``."""

import numpy as np

from .._scalar_math import float32_round
from .._validation import check_number
from ._whole_tensor import dense_gradient
from .base import Optimizer, check_fraction


class Lion(Optimizer):
    r"""Evolved sign momentum: every weight moves by exactly :math:`\pm\eta` (or 0) per step.

    For a weight tensor :math:`w` and its gradient :math:`g` (same shape), with momentum :math:`m`
    (zeros at first):

    .. math::
        c &= \beta_1 m + (1 - \beta_1)\, g \\
        w &\leftarrow w - \eta\, \mathrm{sign}(c) \\
        m &\leftarrow \beta_2 m + (1 - \beta_2)\, g

    The step interpolates with :math:`\beta_1`, the momentum tracks with :math:`\beta_2`. Keras
    casts both betas with ``ops.cast`` (float32 rounding) and forms :math:`1 - \beta` from the
    rounded value. Since the step has a fixed size, a good :math:`\eta` is 3-10x smaller than
    AdamW's, and ``weight_decay`` 3-10x larger.

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        beta_1: :math:`\beta_1 \in (0, 1]`, the interpolation of the step (default 0.9);
            0 would make it sign-SGD, which Keras refuses.
        beta_2: :math:`\beta_2 \in [0, 1)`, the decay of the momentum (default 0.99).
    """

    name = "lion"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = check_number(beta_1, "beta_1", low=0, high=1, closed="right",
                                   what="a number in (0, 1] (0 makes Lion sign-SGD)")
        self.beta_2 = check_fraction(beta_2, "beta_2")

    def build(self, variables):
        self.momentums = self._slots(variables)
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        g = dense_gradient(gradient, self)
        dt = variable.dtype.type
        beta_1, beta_2 = dt(float32_round(self.beta_1)), dt(float32_round(self.beta_2))
        m = self.momentums[index]
        variable -= learning_rate * np.sign(m * beta_1 + g * (1 - beta_1))
        m[...] = m * beta_2 + g * (1 - beta_2)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
