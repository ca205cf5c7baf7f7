r"""The loss base class: per-element values and their derivative, then Keras's reduction.

A loss ``L`` turns ``(y_true, y_pred)`` into per-element values :math:`\ell` (``y_pred``'s shape
without the reduced axis; one value per sample for a 2-D batch) with
:math:`\partial\ell/\partial\hat y`, then reduces them as ``keras.losses.Loss.__call__`` does.
With weights :math:`w` (``sample_weight``, times the mask of ignored labels) and :math:`N` the
number of weighted values:

* ``"sum_over_batch_size"`` / ``"mean"`` (Keras's default): :math:`J = \frac1N \sum w\ell`;
* ``"sum"``: :math:`J = \sum w\ell`;
* ``"mean_with_sample_weight"``: :math:`J = \sum w\ell / \sum w` (:math:`N` without weights);
* ``None`` / ``"none"``: the weighted values :math:`w\ell` themselves.

A division by zero gives 0 (Keras's ``divide_no_nan``). The gradient is
:math:`\partial J/\partial\hat y = (w / N)\,\partial\ell/\partial\hat y`.
"""

import warnings

import numpy as np

from .. import config

REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", None, "none")
_MEANS = ("sum_over_batch_size", "mean")
_PLAIN = _MEANS + ("sum",)  # reductions with a shortcut when nothing is weighted or masked


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rule: where the ranks differ by one and the longer array ends in a 1, that 1 is
    dropped, or (``expand_rank_1``, the shorter one of rank 1) added to the shorter one."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            return x1, x2[..., None]
        return x1[..., 0], x2
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            return x1[..., None], x2
        return x1, x2[..., 0]
    return x1, x2


def sum_to_shape(a, shape):
    """Sum ``a`` over the axes along which an array of ``shape`` was broadcast to ``a.shape``."""
    if a.shape == tuple(shape):
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and a.shape[i + lead] != 1)
    return a.sum(axis=axes, keepdims=True).reshape(shape)


def check_same_shape(y_true, y_pred, loss_name):
    """Keras's cross-entropies take targets of exactly the output's shape (no broadcasting)."""
    if y_true.shape == y_pred.shape:
        return
    what = "rank (ndim)" if y_true.ndim != y_pred.ndim else "shape"
    raise ValueError(
        f"Arguments `target` and `output` must have the same {what}. Received: "
        f"target.shape={y_true.shape}, output.shape={y_pred.shape}. {loss_name} needs `y_true` "
        "with one entry per output unit: one-hot encode integer class labels, or use "
        "SparseCategoricalCrossentropy for them."
    )


def clip_probabilities(p, high=None):
    """``clip(p, eps, 1 - eps)`` and where ``tf.clip_by_value`` lets the gradient through."""
    eps = config.epsilon()
    high = 1 - eps if high is None else high
    return np.clip(p, eps, high), (p >= eps) & (p <= high)


class Loss:
    """Base class. Subclasses define ``per_sample(y_true, y_pred) -> (values, dvalues/dy_pred)``.

    Args:
        reduction: ``"sum_over_batch_size"`` (default, the mean over the loss values),
            ``"mean"`` (the same), ``"sum"``, ``"mean_with_sample_weight"``, or ``None``/``"none"``
            (no reduction; not for training a model).
        name: the loss's name (defaults to Keras's snake-case name).
    """

    name = "loss"
    from_logits = False
    #: the axis a loss value is taken over (moved last before ``per_sample``)
    axis = -1
    #: the fewest output units the loss makes sense for (a categorical loss needs two classes)
    min_output_units = 1

    def __init__(self, reduction="sum_over_batch_size", name=None):
        if reduction not in REDUCTIONS:
            raise ValueError(
                "Invalid value for argument `reduction`: expected 'sum_over_batch_size' (the mean, "
                "Keras's default), 'mean', 'sum', 'mean_with_sample_weight' or None; received "
                f"reduction={reduction!r}."
            )
        self.reduction = reduction
        if name is not None:
            self.name = name

    # -- the two building blocks -------------------------------------------------------------
    def per_sample(self, y_true, y_pred):
        """Per-element losses (``y_pred``'s shape without the last axis) and their derivative
        w.r.t. ``y_pred`` (``y_pred``'s shape)."""
        raise NotImplementedError

    def per_sample_from_logits(self, y_true, z):
        """Per-element losses and their derivative w.r.t. the logits ``z`` (cross-entropies)."""
        raise NotImplementedError(f"{self.name} has no logits form")

    def uses_logits_of(self, activation):
        """Whether Keras evaluates this loss from the pre-activation of an output layer with
        ``activation`` (the logits shortcut described in :mod:`scratch.losses`)."""
        return False

    def prepare_targets(self, y_true, y_pred):
        """``(y_true, mask)`` as the loss uses them (label smoothing, hinge labels, ignored
        classes); ``mask`` marks the loss values that count (``None``: all)."""
        return y_true, None

    # -- what the loss accepts ----------------------------------------------------------------
    def check_targets(self, y, units, name="y"):
        """The targets ``y`` (a numeric array, one row per sample) in the shape this loss takes for
        an output layer of ``units`` units: ``(n, units)``, a 1-D ``y`` read as one column.

        Raises ValueError, naming ``name``, the shape or values received and the fix."""
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != units:
            hint = ""
            if units > 1 and y.shape[1] == 1:
                hint = (
                    " For integer class labels use loss='sparse_categorical_crossentropy', or "
                    "one-hot encode them."
                )
            raise ValueError(
                f"`{name}` has shape {y.shape} but the output layer has {units} units, so the loss "
                f"{self.name} expects shape ({y.shape[0]}, {units}).{hint}"
            )
        return y

    def check_output_layer(self, units, activation, layer_name):
        """Refuse an output layer the loss cannot train (too few units for its classes) and a
        loss that does not reduce to one number; warn where ``from_logits=True`` meets an output
        that is not logits."""
        if self.reduction in (None, "none"):
            raise ValueError(
                f"{self.name} has reduction={self.reduction!r}, which returns one loss per "
                "sample, but a model trains on one number: compile with reduction="
                "'sum_over_batch_size' (the default) or 'sum'."
            )
        if units < self.min_output_units:
            raise ValueError(
                f"{self.name} needs an output layer with at least {self.min_output_units} units "
                f"(one per class); {layer_name!r} has {units}. For two classes use "
                "binary_crossentropy with one sigmoid unit."
            )
        if self.from_logits and activation in ("sigmoid", "softmax"):
            warnings.warn(
                f"{self.name} received from_logits=True, but the output layer has a {activation} "
                "activation, so it does not produce logits. As Keras, the loss is computed from "
                "the layer's pre-activation anyway.",
                stacklevel=4,
            )

    # -- values, gradient, reduction --------------------------------------------------------
    def value_and_gradient(self, y_true, y_pred, sample_weight=None):
        r"""The reduced loss :math:`J` and :math:`\partial J / \partial \hat y` (clipping path)."""
        y_true, y_pred = squeeze_or_expand_to_same_rank(np.asarray(y_true, dtype=y_pred.dtype),
                                                        y_pred)
        return self._value_and_gradient(y_true, y_pred, self.from_logits, sample_weight)

    def value_and_gradient_from_logits(self, y_true, z, sample_weight=None):
        r"""The reduced loss :math:`J` and :math:`\partial J / \partial z` from the logits ``z``."""
        if y_true.shape != z.shape or y_true.dtype != z.dtype:
            y_true, z = squeeze_or_expand_to_same_rank(np.asarray(y_true, dtype=z.dtype), z)
        return self._value_and_gradient(y_true, z, True, sample_weight)

    def _value_and_gradient(self, y_true, y_pred, from_logits, sample_weight):
        y_true, mask = self.prepare_targets(y_true, y_pred)
        fn = self.per_sample_from_logits if from_logits else self.per_sample
        axis = self.axis
        if axis in (-1, y_pred.ndim - 1):
            values, grad = fn(y_true, y_pred)
        else:
            values, grad = fn(np.moveaxis(y_true, axis, -1), np.moveaxis(y_pred, axis, -1))
            grad = np.moveaxis(grad, -1, axis)
        if grad.shape != y_pred.shape:  # y_true broadcast y_pred (as in Keras's MSE)
            grad = sum_to_shape(grad, y_pred.shape)
        return self._reduce(values, grad, sample_weight, mask)

    def _reduce(self, values, grad, sample_weight=None, mask=None):
        """Keras's ``reduce_weighted_values`` and its derivative: ``(J, dJ/dy_pred)``."""
        if sample_weight is None and mask is None and self.reduction in _PLAIN:
            total = np.add.reduce(values, axis=None)
            if self.reduction == "sum":
                return total, grad
            n = values.size
            grad *= 1.0 / n  # a fresh array from per_sample: scaled in place
            return total / n, grad
        weight = _merge_mask(sample_weight, mask, values.dtype, self.reduction)
        weighted, dweighted = values, np.ones_like(values)
        if weight is not None:
            v, weight = squeeze_or_expand_to_same_rank(values, weight)
            try:
                weighted = v * weight
            except ValueError:
                raise ValueError(
                    f"`sample_weight` of shape {np.shape(sample_weight)} does not broadcast to "
                    f"the {values.shape} loss values of {self.name}: give one weight per sample, "
                    f"shape ({values.shape[0] if values.ndim else 1},), or one number."
                ) from None
            dweighted = sum_to_shape(np.broadcast_to(weight, weighted.shape), v.shape)
            dweighted = dweighted.reshape(values.shape)
        if dweighted.ndim < grad.ndim:  # the reduced axis comes back
            dweighted = np.expand_dims(dweighted, self.axis)
        if self.reduction in (None, "none") or weighted.shape in ((), (0,)):
            return weighted, grad * dweighted
        total = np.add.reduce(weighted, axis=None)
        if self.reduction == "sum":
            return total, grad * dweighted
        if self.reduction == "mean_with_sample_weight" and weight is not None:  # mask included
            divisor = np.add.reduce(weight, axis=None)
        else:
            divisor = weighted.size
        if divisor == 0:
            return total * 0.0, grad * 0.0
        return total / divisor, grad * (dweighted * (1.0 / divisor))

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss of plain arrays, as ``keras.losses.X()(y_true, y_pred,
        sample_weight)`` computes it: a float, or an array for ``reduction=None``."""
        y_pred = np.asarray(y_pred)
        if not np.issubdtype(y_pred.dtype, np.floating):
            y_pred = y_pred.astype(config.floatx())
        value = self.value_and_gradient(y_true, y_pred, sample_weight)[0]
        return float(value) if np.ndim(value) == 0 else np.asarray(value)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


def _merge_mask(sample_weight, mask, dtype, reduction):
    """Keras's ``apply_mask``: for a mean, the kept values weigh total/kept (so the mean is over
    the kept values only); otherwise 0/1."""
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=dtype)
    if mask is None:
        return weight
    if reduction in _MEANS:
        kept = int(mask.sum())
        float_mask = np.where(mask, mask.size / kept if kept else 0.0, 0.0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if weight is None:
        return float_mask
    float_mask, weight = squeeze_or_expand_to_same_rank(float_mask, weight)
    return weight * float_mask
