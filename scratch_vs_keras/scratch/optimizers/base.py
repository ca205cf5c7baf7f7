r"""The optimizer base class: Keras's order of work for one step.

For every call of Keras's ``optimizer.apply(grads, variables)``, in this order:

1. with ``gradient_accumulation_steps`` :math:`k`: unless this call is the :math:`k`-th since the
   last update, add the gradients to the accumulators and skip to 5; on the :math:`k`-th, use
   :math:`(g + \sum \text{accumulated})/k` and empty the accumulators;
2. clip the gradients (``clipnorm``, else ``global_clipnorm``, else ``clipvalue``);
3. read the learning rate :math:`\eta_t` (a schedule sees the count of *calls* before this one);
4. decoupled weight decay, if ``weight_decay`` is set, on every variable not excluded
   (:meth:`Optimizer.exclude_from_weight_decay`): :math:`w \leftarrow w - w\,\lambda\,\eta_t`;
   then the optimizer's own ``update_step`` for each variable;
5. with ``use_ema``: the moving average :math:`\bar w \leftarrow \mu \bar w + (1 - \mu) w`
   (:math:`\bar w = w` at the first update), and every ``ema_overwrite_frequency`` updates
   :math:`w \leftarrow \bar w`;
6. one more call counted. ``iterations`` counts *updates* (calls // :math:`k`): the :math:`t` of
   Adam's bias correction and of the EMA.

At the end of ``fit`` the model calls :meth:`Optimizer.finalize_variable_values`, which with
``use_ema`` sets the weights to their moving averages, as Keras's ``fit`` does.

Float64 and Keras's float32 rounding: wherever Keras turns a Python number into a tensor with
``ops.cast`` (or ``convert_to_tensor`` without a dtype), the number passes through float32 first,
even when the model computes in float64. :func:`.._scalar_math.float32_round` reproduces that; a
constant that Keras multiplies in directly (``ops.multiply(rho, v)``, the EMA momentum) stays a
float64 here too. Each optimizer marks which of its constants are cast. With that, one update
computed here and one computed by Keras from the same gradient are identical, bit for bit.
"""

import copy
import re

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


def _check_learning_rate(learning_rate):
    """A schedule, a callable of no arguments (Keras calls it at every read) or a number > 0."""
    if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
        return learning_rate
    return check_positive(learning_rate, "learning_rate")


def _check_exclusions(var_list, var_names):
    if var_list is not None and (isinstance(var_list, np.ndarray) or not all(
            isinstance(v, np.ndarray) for v in var_list)):
        raise ValueError(
            "`var_list` must be a list of the model's weight arrays (model.weights[i] or "
            f"layer.weights[j]), e.g. var_list=[model.layers[0].weights[1]]; received {var_list!r}."
        )
    if var_names is not None and (isinstance(var_names, str) or not all(
            isinstance(n, str) for n in var_names)):
        raise ValueError(
            "`var_names` must be a list of strings, e.g. var_names=['bias'] (a bare string "
            f"would be read letter by letter); received var_names={var_names!r}."
        )


#: The base arguments' defaults (``__repr__`` shows only those set otherwise).
_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "clipvalue": None,
                  "global_clipnorm": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "gradient_accumulation_steps": None}


class Optimizer:
    """Base class of the NumPy optimizers (Keras's ``keras.optimizers.Optimizer``).

    Args:
        learning_rate: a positive float, a ``schedules.LearningRateSchedule``, or a callable of
            no arguments returning the rate (called at every step; Keras's ``fit`` compiles its
            step and so reads a Python callable once, when it traces it: the two agree when the
            callable returns the same value each time).
        weight_decay: if set, decoupled weight decay :math:`w \\leftarrow w - w\\lambda\\eta`.
        clipnorm: clip each gradient tensor to this L2 norm.
        clipvalue: clip each gradient entry to :math:`[-c, c]`.
        global_clipnorm: clip all gradients together to this global L2 norm.
        use_ema: keep an exponential moving average :math:`\\bar w` of the weights.
        ema_momentum: :math:`\\mu \\in [0, 1]` of the average (default 0.99).
        ema_overwrite_frequency: with ``use_ema``, set :math:`w \\leftarrow \\bar w` every this
            many updates (an integer >= 1); ``None``: only at the end of ``fit``.
        gradient_accumulation_steps: update every this many calls (an integer >= 2) with the
            mean gradient of the calls since the last update.
        name: the optimizer's name.
    """

    name = "optimizer"

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, gradient_accumulation_steps=None, name=None):
        self._learning_rate = _check_learning_rate(learning_rate)
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
        if not isinstance(use_ema, (bool, np.bool_)):
            raise ValueError(f"`use_ema` must be True or False; received use_ema={use_ema!r}.")
        self.use_ema = bool(use_ema)
        self.ema_momentum = check_number(ema_momentum, "ema_momentum", low=0, high=1)
        self.ema_overwrite_frequency = check_number(
            ema_overwrite_frequency, "ema_overwrite_frequency", low=1, integer=True,
            allow_none=True, what="a positive integer (updates between overwrites)")
        self.gradient_accumulation_steps = check_number(
            gradient_accumulation_steps, "gradient_accumulation_steps", low=2, integer=True,
            allow_none=True, what="an integer >= 2 (None to update at every step)")
        if name is not None:
            self.name = name
        self._iterations = 0
        self._exclude_var_list, self._exclude_pattern = [], None
        self._variable_names = None
        self.built = False

    # -- state --------------------------------------------------------------------------------
    def build(self, variables):
        """Create the per-variable state: the subclasses' slots, and here the moving averages
        (``use_ema``), the gradient accumulators and which variables weight decay skips."""
        if self.use_ema:
            self._model_variables_moving_average = self._slots(variables)
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self._slots(variables)
        self._decays = self._weight_decay_mask(variables)
        self.built = True

    def _slots(self, variables, fill=0.0):
        return [np.full_like(v, fill) for v in variables]

    @property
    def iterations(self):
        """Updates done so far: calls of :meth:`apply` // ``gradient_accumulation_steps``."""
        return self._iterations // (self.gradient_accumulation_steps or 1)

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value) * (self.gradient_accumulation_steps or 1)

    @property
    def learning_rate(self):
        """The learning rate of the coming step, :math:`\\eta_t` (a schedule at the number of
        calls so far, a callable's value now)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return float(lr(self._iterations))
        if callable(lr):
            return check_number(lr(), "learning_rate()", low=0, closed="neither",
                                what="a positive number (the callable learning rate's value)")
        return lr

    def _learning_rate_in(self, dtype):
        """:math:`\\eta_t` as Keras's ``ops.cast(learning_rate, variable.dtype)`` gives it: a
        Python float (a callable's value) passes through float32 on its way."""
        lr = self.learning_rate
        called = callable(self._learning_rate) and not isinstance(self._learning_rate,
                                                                  LearningRateSchedule)
        return dtype.type(float32_round(lr) if called and type(lr) is float else lr)

    # -- weight decay exclusions ----------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leave some variables out of weight decay (call before the first step), as Keras.

        Args:
            var_list: the model's own weight arrays to leave out (``model.weights[i]``,
                ``layer.weights[j]``; matched by identity, so not the copies ``get_weights``
                returns, nor the arrays of another copy of the model).
            var_names: strings; a variable whose name contains one of them (a regular-expression
                search, Keras's ``re.search``) is left out. The name searched is Keras's
                ``variable.name``, the weight's own name (``"kernel"``, ``"bias"``), not its
                path ``"dense/kernel"``: ``var_names=["bias"]`` leaves out every bias.

        Each call replaces the previous exclusions, as in Keras.
        """
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` must be called before the optimizer's first step "
                "(Keras reads the exclusions when it builds); call it before fit, or on "
                "optimizer.fresh()."
            )
        _check_exclusions(var_list, var_names)
        self._exclude_var_list = list(var_list or [])
        self._exclude_pattern = "|".join(sorted(set(var_names))) if var_names else None

    def weight_decay_exclusions(self):
        """The arguments of the last :meth:`exclude_from_weight_decay` call, as a dict."""
        names = self._exclude_pattern.split("|") if self._exclude_pattern else None
        return {"var_list": list(self._exclude_var_list) or None, "var_names": names}

    def set_variable_names(self, names):
        """The names of the variables :meth:`apply` will get, in order (``"dense/kernel"``, as a
        model's ``weight_names()``): NumPy arrays carry no names, and ``var_names`` needs them."""
        self._variable_names = list(names)

    @property
    def steps_tensor_by_tensor(self):
        """Whether :meth:`apply` needs a model's weights tensor by tensor (not one flat buffer):
        per-tensor clipping, or weight decay that leaves some tensors out."""
        return bool(self.clipnorm) or bool(self._exclude_var_list) or bool(self._exclude_pattern)

    def _weight_decay_mask(self, variables):
        """Per variable, whether weight decay applies to it."""
        if not (self._exclude_var_list or self._exclude_pattern):
            return [True] * len(variables)
        names = self._variable_names
        if self._exclude_pattern and (names is None or len(names) != len(variables)):
            raise ValueError(
                "`exclude_from_weight_decay(var_names=...)` needs the variables' names: NumPy "
                "arrays carry none. model.fit passes them; with optimizer.apply, call "
                "optimizer.set_variable_names([...]) first, one name per variable."
            )
        stray = [i for i, v in enumerate(self._exclude_var_list)
                 if not any(v is w for w in variables)]
        if stray:
            raise ValueError(
                f"`exclude_from_weight_decay(var_list=...)`: entries {stray} are not among the "
                "arrays this optimizer updates (a copy of the model, from get_weights, astype "
                "or train_side_by_side, has arrays of its own); pass the model's own arrays, or "
                "exclude by name with var_names=['bias']."
            )
        return [not (any(v is w for v in self._exclude_var_list) or (
            self._exclude_pattern is not None
            and re.search(self._exclude_pattern, names[i].rsplit("/", 1)[-1]) is not None))
            for i, w in enumerate(variables)]

    @learning_rate.setter
    def learning_rate(self, value):
        """Set the learning rate from the next step on (Keras's setter, used by callbacks such as
        ``ReduceLROnPlateau``): a schedule or a callable replaces the rate; a number replaces a
        number."""
        if isinstance(value, LearningRateSchedule) or callable(value):
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
        steps = self.gradient_accumulation_steps
        if not steps:
            self._step(grads, variables, tensors)
        elif (self._iterations + 1) % steps:
            for acc, g in zip(self._accumulated_gradients, grads):
                acc += dense(g)
        else:
            grads = [(dense(g) + acc) / steps for g, acc in zip(grads, self._accumulated_gradients)]
            self._step(grads, variables, _views_like(grads, tensors))
            for acc in self._accumulated_gradients:
                acc[...] = 0
        if self.use_ema:
            self._update_moving_average(variables)
        self._iterations += 1

    def _step(self, grads, variables, tensors):
        """Clip, weight decay and the update rule: one update of ``variables``."""
        grads = self._clip_gradients(grads, tensors)
        lr = self._learning_rate_in(variables[0].dtype)
        self._apply_weight_decay(variables, lr)
        self._update_all(grads, variables, lr)

    def _apply_weight_decay(self, variables, lr):
        r""":math:`w \leftarrow w - w\,\lambda\,\eta_t` on every variable not excluded."""
        if self.weight_decay is not None:
            wd = float32_round(self.weight_decay)
            for w, decays in zip(variables, self._decay_mask(variables)):
                if decays:
                    w -= w * wd * lr

    def _decay_mask(self, variables):
        """Per variable, whether weight decay applies (fixed when built; computed before)."""
        return self._decays if self.built else self._weight_decay_mask(variables)

    def _update_all(self, grads, variables, lr):
        for i, (g, w) in enumerate(zip(grads, variables)):
            self.update_step(g, w, lr, i)

    def update_step(self, gradient, variable, learning_rate, index):
        """Update ``variable`` in place; ``index`` selects its optimizer state."""
        raise NotImplementedError

    def _update_moving_average(self, variables):
        r""":math:`\bar w \leftarrow \mu \bar w + (1 - \mu) w` with :math:`\mu = 0` before the
        first update is counted (so :math:`\bar w` starts at the updated :math:`w`); then every
        ``ema_overwrite_frequency`` updates :math:`w \leftarrow \bar w`."""
        for w, average in zip(variables, self._model_variables_moving_average):
            momentum = w.dtype.type(self.ema_momentum if self.iterations != 0 else 0.0)
            average[...] = momentum * average + (1 - momentum) * w
        every = self.ema_overwrite_frequency
        if every and (self.iterations + 1) % every == 0:
            self.finalize_variable_values(variables)

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, set ``var_list`` (the variables the optimizer updates, in order) to
        their moving averages; ``fit`` calls this once at its end, as Keras's ``fit`` does."""
        if not (self.use_ema and self.built):
            return
        averages = self._model_variables_moving_average
        if len(var_list) != len(averages) and len(var_list) != 1:
            raise ValueError(
                f"`var_list` has {len(var_list)} variables but the optimizer averages "
                f"{len(averages)}: pass the variables it was built on, in the same order."
            )
        if len(var_list) == 1 and len(averages) > 1:  # a flat buffer, averaged tensor by tensor
            var_list = _views_like(var_list, averages)
        for w, average in zip(var_list, averages):
            w[...] = average.reshape(w.shape)

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
        """A copy with the same arguments and no state: ``iterations`` 0, slots rebuilt on first
        use; ``exclude_from_weight_decay``'s arrays stay the same arrays (they are matched by
        identity)."""
        clone = copy.deepcopy(self, memo={id(v): v for v in self._exclude_var_list})
        clone._iterations = 0
        clone.built = False
        return clone

    # -- configuration ------------------------------------------------------------------------
    def get_config(self):
        """Every constructor argument, under Keras's names: what ``keras.optimizers.<Name>(**config)``
        takes (a schedule as ``{"class_name": ..., "config": ...}``, a callable as itself).
        Subclasses extend it as Keras's do: ``config = super().get_config(); config.update({...})``.
        The weight decay exclusions are no argument (:meth:`weight_decay_exclusions`)."""
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": serialize(lr) if isinstance(lr, LearningRateSchedule) else lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    def __repr__(self):
        config = self.get_config() | {"learning_rate": self._learning_rate}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items()
                         if k != "name" and v is not None and _BASE_DEFAULTS.get(k, ...) != v)
        return f"{type(self).__name__}({args})"


def _views_like(grads, tensors):
    """The per-tensor views of a flat gradient, shaped as ``tensors`` (None without them)."""
    if tensors is None or len(grads) != 1:
        return None
    flat, views, start = grads[0].reshape(-1), [], 0
    for t in tensors:
        views.append(flat[start:start + t.size].reshape(t.shape))
        start += t.size
    return views
