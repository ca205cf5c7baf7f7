"""Muon (Jordan et al., 2024; Moonlight's step scaling, Liu et al., 2025), as ``keras.optimizers.Muon``."""

import numpy as np

from .. import _scalar_math
from .._scalar_math import float32_round
from .._validation import check_number
from ._whole_tensor import WholeTensorSteps, dense_gradient
from .base import Optimizer, check_fraction


class Muon(WholeTensorSteps, Optimizer):
    r"""Momentum, orthogonalized: a kernel steps along an approximation of :math:`UV^\top` of its
    momentum :math:`M = U\Sigma V^\top`; every other tensor steps with AdamW.

    For a kernel :math:`w` (:math:`n \times k`) and its gradient :math:`g`, with momentum :math:`m`:

    .. math::
        m &\leftarrow m + (g + m(\mu - 1)), \qquad
        G = g + \mu m \ \text{(Nesterov; else } G = m) \\
        X_0 &= G / (\|G\|_F + 10^{-7}), \qquad
        A = X X^\top,\ X \leftarrow aX + (bA + (cA)A)X \ \text{(ns\_steps times)} \\
        w &\leftarrow w - \eta\, X \sqrt{\max(n, k)}\; r

    (:math:`X` worked on as :math:`k \times n` when :math:`n > k`; :math:`r` = ``rms_rate``,
    none if ``rms_rate=None``). A bias or any tensor of rank != 2 takes Keras's Adam step with
    :math:`\eta` times ``adam_lr_ratio`` and its own ``adam_beta_1``, ``adam_beta_2``,
    ``epsilon``. Decoupled weight decay uses ``weight_decay`` on kernels and
    ``adam_weight_decay`` on the rest. The Frobenius norm and the matrix products need whole
    tensors, so Muon steps tensor by tensor (:class:`WholeTensorSteps`).

    Args:
        learning_rate: :math:`\eta` (default 0.001) or a schedule.
        adam_beta_1, adam_beta_2: the Adam step's moment decays (defaults 0.9, 0.999).
        adam_weight_decay: weight decay of the Adam-stepped tensors (default 0.004).
        epsilon: the Adam step's :math:`\epsilon` (default 1e-7).
        weight_decay: weight decay of the kernels (default 0.004).
        exclude_layers: Keras matches these patterns against variable paths, which the NumPy
            optimizer does not see: only the default (none) is accepted.
        exclude_embeddings: Keras steps Embedding tables with Adam (default True); the NumPy
            Muon refuses an Embedding's row-wise gradient either way.
        muon_a, muon_b, muon_c: :math:`a, b, c`, the quintic Newton-Schulz coefficients.
        adam_lr_ratio: the Adam step's learning-rate factor (default 1).
        momentum: :math:`\mu` (default 0.95).
        ns_steps: Newton-Schulz iterations (default 5).
        nesterov: Nesterov momentum (default True).
        rms_rate: :math:`r`, Moonlight's step scale (default 0.2; None: unscaled).
    """

    name = "muon"

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)
        if exclude_layers:
            raise ValueError(
                "`exclude_layers` matches variable paths, which the NumPy Muon does not see; "
                f"received exclude_layers={exclude_layers!r}. Leave it None (every kernel steps "
                "with Muon, every other tensor with Adam)."
            )
        check_fraction(adam_beta_1, "adam_beta_1")
        check_fraction(adam_beta_2, "adam_beta_2")
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.adam_weight_decay = check_number(adam_weight_decay, "adam_weight_decay", low=0,
                                              allow_none=True)
        self.exclude_layers, self.exclude_embeddings = [], bool(exclude_embeddings)
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = check_number(adam_lr_ratio, "adam_lr_ratio", low=0, closed="neither")
        self.momentum = check_fraction(momentum, "momentum")
        self.ns_steps = check_number(ns_steps, "ns_steps", low=1, integer=True)
        self.nesterov = bool(nesterov)
        self.rms_rate = check_number(rms_rate, "rms_rate", low=0, closed="neither",
                                     allow_none=True)

    def build(self, variables):
        self.momentums = self._slots(variables)
        self.velocities = [None if v.ndim == 2 else np.zeros_like(v) for v in variables]
        super().build(variables)

    def _apply_weight_decay(self, variables, lr):
        for w, decays in zip(variables, self._decay_mask(variables)):  # as Keras's, exclusions hold
            wd = self.weight_decay if w.ndim == 2 else self.adam_weight_decay
            if wd is not None and decays:
                w -= w * float32_round(wd) * lr

    def update_step(self, gradient, variable, learning_rate, index):
        g, m = dense_gradient(gradient, self), self.momentums[index]
        if variable.ndim != 2:
            return self._adam_step(g, variable, learning_rate * self.adam_lr_ratio, m,
                                   self.velocities[index])
        m += g + m * (self.momentum - 1)
        update = self.orthogonalized(g + self.momentum * m if self.nesterov else m)
        variable -= self.lr_adjust(learning_rate * update)

    def lr_adjust(self, x):
        r"""Moonlight's scaling of a kernel's step :math:`x` (:math:`n \times k`):
        :math:`x \sqrt{\max(n, k)}\, r`, or :math:`x` itself when ``rms_rate`` is None."""
        if self.rms_rate is None:
            return x
        return x * np.sqrt(x.dtype.type(max(x.shape))) * self.rms_rate

    def orthogonalized(self, G):
        """The quintic Newton-Schulz iteration (Keras's ``zeropower_via_newtonschulz5``)."""
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = G.shape[0] > G.shape[1]
        X = G.T if tall else G
        X = X / (np.sqrt(np.sum(X * X)) + 1e-7)
        for _ in range(self.ns_steps):
            A = X @ X.T
            X = a * X + (b * A + (c * A) @ A) @ X
        return X.T if tall else X

    def _adam_step(self, g, variable, learning_rate, m, v):
        dt = variable.dtype.type
        t = dt(self.iterations + 1)
        beta_1_power = _scalar_math.power(dt(float32_round(self.adam_beta_1)), t)
        beta_2_power = _scalar_math.power(dt(float32_round(self.adam_beta_2)), t)
        alpha = learning_rate * np.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m += (g - m) * (1 - self.adam_beta_1)
        v += (g * g - v) * (1 - self.adam_beta_2)
        variable -= m * alpha / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon, "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
            "muon_b": self.muon_b, "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum, "ns_steps": self.ns_steps, "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate,
        })
        return config
