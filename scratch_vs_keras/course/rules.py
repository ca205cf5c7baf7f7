r"""The course notebooks' training rules on the NumPy side: the learning-rate decrease, the L2
gradient, the update rules (momentum, AdaGrad, the biases' plain step) and the cost each notebook
records. One place for each formula; :mod:`.estimator` composes them, :mod:`.keras` translates them.

Update rules, per weight tensor, with :math:`g` its gradient and :math:`\eta_k` epoch :math:`k`'s
rate (the notebooks' names):

* ``momentum="none"``: :math:`W \leftarrow W - \eta_k g`.
* ``"lookback"`` (07, 08, 08a): :math:`\rho = \eta_k g`, :math:`W \leftarrow W - (\rho + \alpha
  \rho_{prev})`: only the previous step is looked back at; not heavy-ball momentum.
* ``"heavy_ball"`` (07a's code): :math:`\rho = \eta_k g + \alpha \rho_{prev}`, :math:`W \leftarrow
  W - \rho`: the velocity carries each past step at the rate it was taken with, which is exactly
  Keras's ``SGD(momentum=alpha)`` (:math:`m = \mu m - \eta g`, :math:`W \leftarrow W + m`,
  :math:`m = -\rho`). 07a's markdown writes :math:`W \leftarrow W - \eta_k(g + \alpha c)` instead;
  the two differ only when :math:`\eta` decreases.
* ``adagrad=True`` (08a) first rescales the gradient, :math:`G = g \odot g + \gamma G_{prev} +
  10^{-7}`, :math:`g \leftarrow g / \sqrt G`, then applies the momentum rule above (08a uses one
  ``alpha`` as both :math:`\gamma` and the momentum).
* ``bias_update="plain"`` (07a, 08a: "no need for momentum in bias"): the biases take
  :math:`b \leftarrow b - \eta_k g_b`, outside momentum and AdaGrad.
"""

import numpy as np

from ..scratch.optimizers.base import Optimizer
from ..scratch.regularizers import Regularizer
from ..scratch.sparse import dense

DECREASE_RULES = ("none", "inverse_time", "power", "step", "inverse_time_compound")
MOMENTUM_RULES = ("none", "lookback", "heavy_ball")


def course_learning_rate(eta, epoch, decrease="none", decrease_const=0.0, decrease_step=10):
    r"""The course's learning rate :math:`\eta_k` for epoch :math:`k` = ``epoch`` (0-based).

    ``"inverse_time"`` (08) :math:`\eta/(1 + d k)`; ``"power"`` (07, 07a) :math:`\max(\eta^{1 + d k},
    \eta/1000)`; ``"step"`` (08a) :math:`\eta\, d^{\lfloor k/s \rfloor}`; ``"inverse_time_compound"``
    (08's Dropout class divides its own rate every epoch) :math:`\eta / \prod_{i=0}^{k}(1 + d i)`.
    """
    if decrease == "none":
        return eta
    if decrease == "inverse_time":
        return eta / (1 + decrease_const * epoch)
    if decrease == "power":
        return max(eta ** (1 + decrease_const * epoch), eta / 1000)
    if decrease == "step":
        return eta * decrease_const ** (epoch // decrease_step)
    if decrease == "inverse_time_compound":
        for i in range(epoch + 1):  # divided one epoch at a time, as the notebook does
            eta = eta / (1 + decrease_const * i)
        return eta
    raise ValueError(f"Unknown `decrease` rule {decrease!r}; valid: {', '.join(DECREASE_RULES)}.")


class CourseL2(Regularizer):
    r""":math:`\Omega = \tfrac{fC}2 \sum w^2`, :math:`\nabla\Omega = fC\,w`, on the weights only.

    ``factor`` :math:`f` is 1 in 07, 08 and 08a (gradient :math:`C W`) and 2 in 07a
    (``gradW += W * C * 2``). With ``skip_first_row`` the kernel's row 0 (the bias row of the
    ``bias="row"`` form) is left out. The factor stays in float64 (Keras's own L2 would round it
    through float32).
    """

    def __init__(self, C, skip_first_row=False, factor=1):
        self.C = float(C)
        self.skip_first_row = bool(skip_first_row)
        self.factor = factor

    def _weights(self, w):
        return w[1:] if self.skip_first_row else w

    def penalty(self, w):
        v = self._weights(w)
        return (self.factor * self.C / 2) * np.sum(v * v)

    def gradient(self, w):
        # (w * C) * 2, in the notebooks' order, so that 07a's gradient is the same float
        grad = w * self.C * 2 if self.factor == 2 else self.C * w
        if self.skip_first_row:
            grad[0] = 0.0
        return grad

    def get_config(self):
        return {"C": self.C, "skip_first_row": self.skip_first_row, "factor": self.factor}


class CourseSGD(Optimizer):
    r"""The course's update rules (see the module docstring) with the per-epoch learning rate.

    Args:
        eta: the initial learning rate :math:`\eta`.
        steps_per_epoch: mini-batches per epoch (the epoch is ``iterations // steps_per_epoch``).
        decrease, decrease_const, decrease_step: the learning-rate rule (:func:`course_learning_rate`).
        momentum: ``"none"``, ``"lookback"`` or ``"heavy_ball"``; ``alpha`` its coefficient.
        adagrad: rescale the gradient by the course's decayed AdaGrad first; ``adagrad_decay`` is
            :math:`\gamma`.
        plain: per variable, ``None`` (the rule above), ``True`` (the whole variable is a bias:
            :math:`b \leftarrow b - \eta g`) or a boolean mask of its plain entries (the bias row
            of a ``bias="row"`` kernel).
    """

    name = "course_sgd"

    def __init__(self, eta, steps_per_epoch, decrease="none", decrease_const=0.0, decrease_step=10,
                 momentum="none", alpha=0.0, adagrad=False, adagrad_decay=0.9, plain=None):
        super().__init__(eta)
        self.eta, self.steps_per_epoch = eta, int(steps_per_epoch)
        self.decrease, self.decrease_const, self.decrease_step = decrease, decrease_const, decrease_step
        self.momentum, self.alpha = momentum, alpha
        self.adagrad, self.adagrad_decay = adagrad, adagrad_decay
        self.plain = plain

    @property
    def learning_rate(self):
        epoch = self.iterations // self.steps_per_epoch
        return course_learning_rate(self.eta, epoch, self.decrease, self.decrease_const,
                                    self.decrease_step)

    def build(self, variables):
        self.rho_prev = self._slots(variables)  # the previous step (look-back) or the velocity
        self.G = self._slots(variables)  # AdaGrad's decayed sum of squares
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        g = dense(gradient)
        plain = None if self.plain is None else self.plain[index]
        if plain is True:
            variable -= learning_rate * g
            return
        step_g = g
        if self.adagrad:
            G = g * g + self.adagrad_decay * self.G[index] + 1e-7
            step_g = g / np.sqrt(G)
            self.G[index] = G
        if self.momentum == "lookback":
            rho = learning_rate * step_g
            step = rho + self.alpha * self.rho_prev[index]
        elif self.momentum == "heavy_ball":
            rho = step = learning_rate * step_g + self.alpha * self.rho_prev[index]
        else:
            rho = step = learning_rate * step_g
        self.rho_prev[index] = rho
        if plain is not None:
            step = np.where(plain, learning_rate * g, step)
        variable -= step


def recorded_cost(notebook, cost, Y, A, weights, C, bias_vector):
    r"""The cost as notebook ``notebook`` records it for one mini-batch (its ``_cost``).

    Args:
        notebook: ``"07"``, ``"07a"``, ``"08"`` or ``"08a"``.
        cost: ``"quadratic"`` or ``"cross_entropy"``.
        Y, A: the one-hot targets and the output activations, ``(B, k)``.
        weights: the lecture matrices ``W_l`` ``(out, in + 1)``, bias in column 0, pre-update.
        C: the L2 strength.
        bias_vector: whether the notebook keeps W without its bias column (07a, 08a).

    Data term: :math:`\mathrm{mean}(Y - A)^2`, or the cross-entropy
    :math:`-\mathrm{mean}[Y\log A + (1 - Y)\log(1 - A)]` (08a adds :math:`10^{-7}` inside each log).
    Penalty: :math:`c\,C\sqrt{\sum_l \mathrm{mean}(W_l^2)}`, :math:`c = 1` (07, 07a) or
    :math:`\tfrac12` (08, 08a), over the weights without the bias; 08a slices ``W[:, 1:]`` of its
    bias-free W, so its penalty also leaves out each layer's first input column.
    It is neither the objective the gradients descend (:math:`\sum\|Y - A\|^2 + \tfrac{C}2\sum W^2`)
    nor its mean: a per-mini-batch figure to plot, as the notebooks do.
    """
    if cost == "quadratic":
        data = np.mean((Y - A) ** 2)
    else:
        eps = 1e-7 if notebook == "08a" else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            data = -np.mean(np.nan_to_num(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps)))
    return data + recorded_penalty(notebook, [W[:, 1:] for W in weights], C, bias_vector)


def recorded_penalty(notebook, coefs, C, bias_vector):
    r"""The notebook's ``_L2_reg``: :math:`c\,C\sqrt{\sum_l \mathrm{mean}(W_l^2)}` over ``coefs``,
    the weight matrices without their bias column (``(out, in)``; 08a slices once more)."""
    if notebook == "08a" and bias_vector:
        coefs = [w[:, 1:] for w in coefs]
    factor = C if notebook in ("07", "07a") else C / 2.0
    return factor * np.sqrt(sum(np.mean(w ** 2) for w in coefs))


def bfgs_value(notebook, Y, A, coefs, C, bias_vector):
    r"""The function value the notebooks' ``TLPVectorizedBFGS`` hands to SciPy:
    :math:`\sum (Y - A)^2` plus the notebook's recorded penalty (not the penalty its gradient
    descends: the line search sees one function and another one's gradient). ``Y, A`` as the
    notebook holds them, ``(k, N)``; ``coefs`` as for :func:`recorded_penalty`."""
    return np.sum((Y - A) ** 2) + recorded_penalty(notebook, coefs, C, bias_vector)
