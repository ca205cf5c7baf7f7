r"""The optimizer base class: Keras's order of work for one step.

For every training step Keras's ``optimizer.apply(grads, variables)`` does, in this order:

1. clip the gradients (``clipnorm``, else ``global_clipnorm``, else ``clipvalue``);
2. read the learning rate :math:`\eta_t` (a schedule sees the step count *before* this step);
3. decoupled weight decay, if ``weight_decay`` is set: :math:`w \leftarrow w - w\,\lambda\,\eta_t`;
4. the optimizer's own ``update_step`` for each variable;
5. ``iterations += 1``.

Float64 and Keras's float32 rounding: wherever Keras turns a Python number into a tensor with
``ops.cast`` (or ``convert_to_tensor`` without a dtype), the number passes through float32 first,
even when the model computes in float64. :func:`.._scalar_math.float32_round` reproduces that; a
constant that Keras multiplies in directly (``ops.multiply(rho, v)``) stays a float64 here too. Each optimizer
marks which of its constants are cast. With that, one update computed here and one computed by Keras
from the same gradient are identical, bit for bit.
"""

import numpy as np

from .._scalar_math import float32_round
from .._validation import check_number
from ..sparse import SparseRows, dense, squares  # noqa: F401 (the optimizers import them from here)
from .schedules import LearningRateSchedule, serialize


def check_fraction(value, name):
    """``value`` if it is a number in [0, 1) (a decay rate or a momentum), else a ValueError."""
    return check_number(value, name, low=0, high=1, closed="left")


def check_positive(value, name, allow_none=False):
    """``value`` if it is a finite number > 0 (or ``None`` with ``allow_none``), else a ValueError."""
    return check_number(value, name, low=0, closed="neither", allow_none=allow_none)


class Optimizer:
    """Base class of the NumPy optimizers (Keras's ``keras.optimizers.Optimizer``).

    Args:
        learning_rate: a positive float or a ``schedules.LearningRateSchedule``.
        weight_decay: if set, decoupled weight decay :math:`w \\leftarrow w - w\\lambda\\eta`.
        clipnorm: clip each gradient tensor to this L2 norm.
        clipvalue: clip each gradient entry to :math:`[-c, c]`.
        global_clipnorm: clip all gradients together to this global L2 norm.
        name: the optimizer's name.
    """

    name = "optimizer"

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        if not isinstance(learning_rate, LearningRateSchedule):
            check_positive(learning_rate, "learning_rate")
        self._learning_rate = learning_rate
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0, allow_none=True)
        given = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(given) > 1:
            raise ValueError(
                f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set (Keras "
                f"refuses this too); received {', '.join(given)}."
            )
        self.clipnorm = check_positive(clipnorm, "clipnorm", allow_none=True)
        self.clipvalue = check_positive(clipvalue, "clipvalue", allow_none=True)
        self.global_clipnorm = check_positive(global_clipnorm, "global_clipnorm", allow_none=True)
        if name is not None:
            self.name = name
        self.iterations = 0
        self.built = False

    # -- state --------------------------------------------------------------------------------
    def build(self, variables):
        """Create the optimizer's per-variable state (zeros shaped like each variable)."""
        self.built = True

    def _slots(self, variables, fill=0.0):
        return [np.full_like(v, fill) for v in variables]

    @property
    def learning_rate(self):
        """The learning rate of the coming step, :math:`\\eta_t` (a schedule at ``iterations``)."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        """Set the learning rate from the next step on (Keras's setter, used by callbacks such as
        ``ReduceLROnPlateau``): a schedule replaces the rate; a number replaces a number."""
        if isinstance(value, LearningRateSchedule):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        # Keras assigns the number to its float variable, so 0 is allowed (min_lr=0)
        self._learning_rate = float(check_number(value, "learning_rate", low=0))

    # -- one step -----------------------------------------------------------------------------
    def apply(self, grads, variables, tensors=None):
        """Update ``variables`` (NumPy arrays, in place) with ``grads``, as Keras's ``apply``.

        ``tensors``: when ``grads`` and ``variables`` are a model's whole flat buffers, the
        per-tensor views of the gradient (global_clipnorm sums the tensors one by one, as Keras).
        """
        if not self.built:
            self.build(variables)
        grads = self._clip_gradients(grads, tensors)
        lr = variables[0].dtype.type(self.learning_rate)  # Keras: ops.cast(lr, variable.dtype)
        self._apply_weight_decay(variables, lr)
        self._update_all(grads, variables, lr)
        self.iterations += 1

    def _apply_weight_decay(self, variables, lr):
        if self.weight_decay is not None:
            wd = float32_round(self.weight_decay)
            for w in variables:
                w -= w * wd * lr

    def _update_all(self, grads, variables, lr):
        for i, (g, w) in enumerate(zip(grads, variables)):
            self.update_step(g, w, lr, i)

    def update_step(self, gradient, variable, learning_rate, index):
        """Update ``variable`` in place; ``index`` selects its optimizer state."""
        raise NotImplementedError

    def _clip_gradients(self, grads, tensors=None):
        r"""clipnorm: :math:`g\,c / \max(\|g\|, c)` per tensor; global_clipnorm: every :math:`g` times
        :math:`c \min(1/N, 1/c)` with :math:`N` the global norm; clipvalue: :math:`\mathrm{clip}(g, -c, c)`.

        As in Keras, a :class:`SparseRows` gradient is clipped row by row: its norm counts a
        repeated row once per occurrence (and global_clipnorm returns it densified)."""
        if not (self.clipnorm or self.global_clipnorm or self.clipvalue):
            return grads

        def values(g):
            return g.values if isinstance(g, SparseRows) else g

        def scaled(g, f):
            return g.map(f) if isinstance(g, SparseRows) else f(g)

        if self.clipnorm:
            c = self.clipnorm
            return [scaled(g, lambda v, g=g: v * c / np.maximum(np.sqrt(np.sum(values(g) ** 2)), c))
                    for g in grads]
        if self.global_clipnorm:
            dt = grads[0].dtype.type
            c = self.global_clipnorm
            norm = np.sqrt(np.sum(np.stack([np.sum(values(g) * values(g)) for g in tensors or grads])))
            scale = c * np.minimum(1.0 / norm, dt(float32_round(1.0 / c)))
            # Keras multiplies each gradient by a tensor, which densifies an IndexedSlices: from
            # here on the optimizer sees summed rows.
            return [dense(g) * scale for g in grads]
        if self.clipvalue:
            c = self.clipvalue
            return [scaled(g, lambda v: np.clip(v, -c, c)) for g in grads]
        return grads

    def fresh(self):
        """A copy with the same arguments and no state: ``iterations`` 0, slots rebuilt on first use."""
        import copy

        clone = copy.deepcopy(self)
        clone.iterations = 0
        clone.built = False
        return clone

    # -- configuration ------------------------------------------------------------------------
    def get_config(self):
        """Every constructor argument, under Keras's names: what ``keras.optimizers.<Name>(**config)``
        takes (a schedule as ``{"class_name": ..., "config": ...}``). Subclasses extend it as
        Keras's do: ``config = super().get_config(); config.update({...})``."""
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": serialize(lr) if isinstance(lr, LearningRateSchedule) else lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
        }

    def __repr__(self):
        lr = self._learning_rate
        config = self.get_config() | {"learning_rate": lr}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items()
                         if k != "name" and (v is not None or k == "learning_rate"))
        return f"{type(self).__name__}({args})"
