"""FTRL-Proximal (McMahan et al., 2013, "Ad Click Prediction: a View from the Trenches"), as
``keras.optimizers.Ftrl``."""

import numpy as np

from .._scalar_math import float32_round
from .._validation import check_number
from ._whole_tensor import dense_gradient
from .base import Optimizer


def _power(x, p):
    """``x ** p`` element-wise for the constant ``p``, as it runs inside ``fit``: TensorFlow's graph
    optimizer replaces ``Pow`` by the exact ``Sqrt`` for p = 0.5 (Keras's default) and drops p = 1."""
    if p == 0.5:
        return np.sqrt(x)
    if p == 1:
        return x
    return np.power(x, p)


class Ftrl(Optimizer):
    r"""Follow the regularized leader: each weight solved in closed form from a running sum.

    For a weight tensor :math:`w` and its gradient :math:`g` (same shape), with :math:`p` =
    ``-learning_rate_power``, the accumulator :math:`n` (starting at ``initial_accumulator_value``)
    and the linear term :math:`z` (zeros at first):

    .. math::
        \tilde g &= g + 2\lambda_s w \\
        n' &= n + g^2 \\
        z &\leftarrow z + \tilde g - \frac{n'^{\,p} - n^p}{\eta}\, w \\
        w &\leftarrow \frac{\mathrm{clip}(z, -\lambda_1, \lambda_1) - z}
                           {n'^{\,p} / \eta + 2(\lambda_2 + \beta / (2\eta))}, \qquad n \leftarrow n'

    (:math:`w = 0` wherever :math:`|z| \le \lambda_1`: the L1 term makes weights exactly zero.)
    :math:`n` starts float32-rounded, as Keras's ``Constant`` initializer makes it.

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        learning_rate_power: :math:`-p \le 0`, how fast the per-weight rate falls with :math:`n`
            (default -0.5, AdaGrad-like; 0 keeps it fixed).
        initial_accumulator_value: :math:`n_0 \ge 0` (default 0.1).
        l1_regularization_strength: :math:`\lambda_1 \ge 0` (default 0).
        l2_regularization_strength: :math:`\lambda_2 \ge 0`, the stabilizing L2 (default 0).
        l2_shrinkage_regularization_strength: :math:`\lambda_s \ge 0`, an L2 penalty on the
            magnitude, added to the gradient (default 0).
        beta: :math:`\beta \ge 0`, the paper's beta (default 0).
    """

    name = "ftrl"

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.learning_rate_power = check_number(learning_rate_power, "learning_rate_power", high=0)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", low=0)
        self.l1_regularization_strength = check_number(
            l1_regularization_strength, "l1_regularization_strength", low=0)
        self.l2_regularization_strength = check_number(
            l2_regularization_strength, "l2_regularization_strength", low=0)
        self.l2_shrinkage_regularization_strength = check_number(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", low=0)
        self.beta = check_number(beta, "beta", low=0)

    def build(self, variables):
        self.accumulators = self._slots(variables, float32_round(self.initial_accumulator_value))
        self.linears = self._slots(variables)
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        g, lr = dense_gradient(gradient, self), learning_rate
        p, l1 = -self.learning_rate_power, self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        n, z = self.accumulators[index], self.linears[index]
        n_new = n + g * g
        z += (g + 2 * self.l2_shrinkage_regularization_strength * variable) - (
            (_power(n_new, p) - _power(n, p)) / lr) * variable
        quadratic = _power(n_new, p) / lr + 2 * l2
        variable[...] = (np.clip(z, -l1, l1) - z) / quadratic
        n[...] = n_new

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config
