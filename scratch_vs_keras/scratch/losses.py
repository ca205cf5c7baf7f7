r"""Losses with Keras's names, semantics, clipping and reductions, and their gradients.

A loss first reduces each sample to one number (Keras's ``fn(y_true, y_pred)``, shape ``(B,)``),
then reduces the batch:

* ``reduction="sum_over_batch_size"`` (Keras's default): :math:`J = \frac1B \sum_s \ell_s`;
* ``reduction="sum"``: :math:`J = \sum_s \ell_s` (the lecture's summed cost, up to the per-sample mean
  over the :math:`k` outputs that Keras's mean squared error takes).

Per sample, with :math:`k` output units:

* mean_squared_error :math:`\ell = \frac1k \sum_i (y_i - \hat y_i)^2`;
* mean_absolute_error :math:`\ell = \frac1k \sum_i |y_i - \hat y_i|`;
* binary_crossentropy :math:`\ell = -\frac1k \sum_i [y_i \log p_i + (1-y_i)\log(1-p_i)]`,
  :math:`p = \mathrm{clip}(\hat y, \varepsilon, 1-\varepsilon)`, :math:`\varepsilon = 10^{-7}`;
* categorical_crossentropy :math:`\ell = -\sum_i y_i \log p_i`,
  :math:`p = \mathrm{clip}(\hat y / \sum_j \hat y_j, \varepsilon, 1-\varepsilon)`;
* sparse_categorical_crossentropy: the same with an integer label :math:`c`,
  :math:`\ell = \log\sum_j p_j - \log p_c`.

**The logits shortcut.** When the model's output layer has a sigmoid or softmax activation, Keras
does not use the clipped probabilities at all: it takes the pre-activation :math:`z` that it
cached on the output tensor and evaluates the cross-entropy *from logits*, without clipping:

* binary: :math:`\ell = \frac1k \sum_i \max(z_i, 0) - z_i y_i + \log(1 + e^{-|z_i|})`,
  :math:`\partial \ell/\partial z_i = (\sigma(z_i) - y_i)/k`;
* categorical: :math:`\ell = \log\sum_j e^{z_j} - \sum_i y_i z_i`,
  :math:`\partial \ell/\partial z = \mathrm{softmax}(z) - y`.

It does so whichever of the two activations produced the output (categorical cross-entropy after
a sigmoid layer applies softmax-cross-entropy to the sigmoid's logits) and also when
``from_logits=False``. The model code here does exactly the same (:meth:`Loss.uses_logits_of`);
calling a loss on a plain array (as on ``predict`` output) takes the clipping path, as in Keras.
"""

import warnings

import numpy as np

from . import activations as _activations
from . import config
from ._validation import describe, lookup


def _match_rank(y_true, y_pred):
    """Keras's ``squeeze_or_expand_to_same_rank``: labels of shape (B,) meet outputs of shape (B, 1)."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true, y_pred


class Loss:
    """Base class. Subclasses define ``per_sample(y_true, y_pred) -> (values, dvalues/dy_pred)``.

    Args:
        reduction: ``"sum_over_batch_size"`` (default, the batch mean) or ``"sum"``.
        name: the loss's name (defaults to Keras's snake-case name).
    """

    name = "loss"
    from_logits = False
    #: the fewest output units the loss makes sense for (a categorical loss needs two classes)
    min_output_units = 1

    def __init__(self, reduction="sum_over_batch_size", name=None):
        if reduction not in ("sum_over_batch_size", "sum"):
            raise ValueError(
                f"`reduction` must be 'sum_over_batch_size' (the batch mean, Keras's default) or "
                f"'sum'; received reduction={reduction!r}."
            )
        self.reduction = reduction
        if name is not None:
            self.name = name

    # -- the two building blocks -------------------------------------------------------------
    def per_sample(self, y_true, y_pred):
        """Per-sample losses ``(B,)`` and their derivative w.r.t. ``y_pred`` ``(B, k)``."""
        raise NotImplementedError

    def per_sample_from_logits(self, y_true, z):
        """Per-sample losses and their derivative w.r.t. the logits ``z`` (cross-entropies only)."""
        raise NotImplementedError(f"{self.name} has no logits form")

    def uses_logits_of(self, activation):
        """Whether Keras evaluates this loss from the pre-activation of an output layer with
        ``activation`` (the logits shortcut described in the module docstring)."""
        return False

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
        """Refuse an output layer the loss cannot train (too few units for its classes); warn
        where ``from_logits=True`` meets an output that is not logits."""
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

    # -- reduction ----------------------------------------------------------------------------
    def _reduce(self, values, dvalues):
        total = np.add.reduce(values, axis=None)
        if self.reduction == "sum":
            return total, dvalues
        n = values.shape[0]
        dvalues *= 1.0 / n  # a fresh array from per_sample: scaled in place
        return total / n, dvalues

    def value_and_gradient(self, y_true, y_pred):
        """The reduced loss :math:`J` and :math:`\\partial J / \\partial \\hat y` (clipping path)."""
        y_true, y_pred = _match_rank(np.asarray(y_true, dtype=y_pred.dtype), y_pred)
        if self.from_logits:
            return self._reduce(*self.per_sample_from_logits(y_true, y_pred))
        return self._reduce(*self.per_sample(y_true, y_pred))

    def value_and_gradient_from_logits(self, y_true, z):
        """The reduced loss :math:`J` and :math:`\\partial J / \\partial z` from the logits ``z``."""
        if y_true.shape != z.shape or y_true.dtype != z.dtype:
            y_true, z = _match_rank(np.asarray(y_true, dtype=z.dtype), z)
        return self._reduce(*self.per_sample_from_logits(y_true, z))

    def __call__(self, y_true, y_pred):
        """The reduced loss of plain arrays, as ``keras.losses.X()(y_true, y_pred)`` computes it."""
        y_pred = np.asarray(y_pred)
        if not np.issubdtype(y_pred.dtype, np.floating):
            y_pred = y_pred.astype(config.floatx())
        return float(self.value_and_gradient(y_true, y_pred)[0])

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class MeanSquaredError(Loss):
    r""":math:`\ell = \frac1k\sum_i (y_i - \hat y_i)^2`, :math:`\partial\ell/\partial\hat y = -\frac2k (y - \hat y)`."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        diff = y_true - y_pred
        k = y_pred.shape[-1]
        return np.mean(diff * diff, axis=-1), (-2.0 / k) * diff


class MeanAbsoluteError(Loss):
    r""":math:`\ell = \frac1k\sum_i |y_i - \hat y_i|`, :math:`\partial\ell/\partial\hat y = \mathrm{sign}(\hat y - y)/k`."""

    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        diff = y_true - y_pred
        k = y_pred.shape[-1]
        return np.mean(np.abs(diff), axis=-1), -np.sign(diff) / k


class _CrossEntropy(Loss):
    _shortcut_activations = ("sigmoid", "softmax")

    def __init__(self, from_logits=False, reduction="sum_over_batch_size", name=None):
        super().__init__(reduction=reduction, name=name)
        self.from_logits = bool(from_logits)

    def uses_logits_of(self, activation):
        return activation.name in self._shortcut_activations or self.from_logits

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits}


def _check_probabilities(y, name, loss_name):
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            f"{loss_name} expects targets in [0, 1]; `{name}` ranges over "
            f"[{float(y.min()):g}, {float(y.max()):g}]. Encode the classes as 0/1 (one-hot for several)."
        )


def _clip(p):
    eps = config.epsilon()
    inside = (p >= eps) & (p <= 1 - eps)  # where tf.clip_by_value lets the gradient through
    return np.clip(p, eps, 1 - eps), inside


class BinaryCrossentropy(_CrossEntropy):
    r"""Binary cross-entropy per output unit, averaged over the :math:`k` units of a sample.

    Clipping path: :math:`\partial\ell/\partial\hat y_i = -\frac1k\left(\frac{y_i}{p_i} -
    \frac{1-y_i}{1-p_i}\right)` where :math:`\hat y_i` lies inside the clip range, else 0.
    Logits path: :math:`\partial\ell/\partial z_i = (\sigma(z_i) - y_i)/k`.
    """

    name = "binary_crossentropy"

    def check_targets(self, y, units, name="y"):
        """Targets of shape ``(n, units)`` with values in [0, 1]."""
        y = super().check_targets(y, units, name)
        _check_probabilities(y, name, self.name)
        return y

    def per_sample(self, y_true, y_pred):
        p, inside = _clip(y_pred)
        k = y_pred.shape[-1]
        values = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
        grad = -(y_true / p - (1 - y_true) / (1 - p)) * inside / k
        return values.mean(axis=-1), grad

    def per_sample_from_logits(self, y_true, z):
        # TensorFlow's sigmoid_cross_entropy_with_logits, term by term: (max(z, 0) - z y) +
        # log(1 + e^{-|z|}). The shorter logaddexp(0, z) - z y is the same function but cancels
        # for a confident right answer (z = 30, y = 1: 30.000...0937 - 30 keeps two digits), and
        # so does its derivative sigmoid(z) - y (1 - 9.4e-14, minus 1). The derivative of TF's
        # terms, [z >= 0] - y -+ sigmoid(-|z|) (minus for z >= 0), keeps every digit, as Keras's
        # gradient does.
        k = z.shape[-1]
        neg_abs = -np.abs(z)
        values = (np.maximum(z, 0) - z * y_true) + np.log1p(np.exp(neg_abs))
        positive = z >= 0
        small = _activations._expit()(neg_abs)
        grad = (positive - y_true) - np.where(positive, small, -small)
        if k == 1:
            return values[:, 0], grad
        return values.sum(axis=-1) / k, grad / k


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class CategoricalCrossentropy(_CrossEntropy):
    r"""Categorical cross-entropy with one-hot (or soft) labels :math:`y` of shape ``(B, k)``.

    Clipping path: :math:`q = \hat y / s`, :math:`s = \sum_j \hat y_j`, :math:`p = \mathrm{clip}(q)`,
    :math:`\ell = -\sum_i y_i \log p_i`; :math:`\partial\ell/\partial\hat y_i = (g_i - \sum_j g_j q_j)/s`
    with :math:`g_i = -y_i/p_i` inside the clip range (else 0).
    Logits path: :math:`\partial\ell/\partial z = \mathrm{softmax}(z) - y`.
    """

    name = "categorical_crossentropy"
    min_output_units = 2

    def check_targets(self, y, units, name="y"):
        """One-hot (or soft) rows of shape ``(n, units)``: values in [0, 1], each row summing to 1."""
        y = super().check_targets(y, units, name)
        _check_probabilities(y, name, self.name)
        sums = y.sum(axis=1)
        if np.any(np.abs(sums - 1) > 1e-6):
            i = int(np.argmax(np.abs(sums - 1)))
            raise ValueError(
                f"categorical_crossentropy expects each row of `{name}` to be one-hot (sum 1); "
                f"row {i} sums to {float(sums[i]):g}. For integer labels use "
                "sparse_categorical_crossentropy."
            )
        return y

    def per_sample(self, y_true, y_pred):
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        p, inside = _clip(q)
        values = -(y_true * np.log(p)).sum(axis=-1)
        g = -y_true / p * inside
        grad = (g - (g * q).sum(axis=-1, keepdims=True)) / s
        return values, grad

    def per_sample_from_logits(self, y_true, z):
        # The derivative of sum(y) logsumexp(z) - y.z, as TensorFlow computes it with op
        # determinism on (the comparisons' setting): softmax(z) sum(y) - y. Its fused kernel
        # (determinism off) returns softmax(z) - y, which differs only for rows that do not sum
        # to one, such as an all-zero row (tensorflow#60314); the model refuses those targets.
        log_p = _log_softmax(z)
        values = -(y_true * log_p).sum(axis=-1)
        return values, np.exp(log_p) * y_true.sum(axis=-1, keepdims=True) - y_true


class SparseCategoricalCrossentropy(_CrossEntropy):
    r"""Categorical cross-entropy with integer labels :math:`c \in \{0, \dots, k-1\}` of shape ``(B,)``.

    Clipping path (as Keras: clip, take the log, then softmax-cross-entropy of those logs):
    :math:`\ell = \log\sum_j p_j - \log p_c`, :math:`\partial\ell/\partial\hat y_i =
    (p_i/\sum_j p_j - [i = c]) / p_i` inside the clip range.
    Logits path: :math:`\partial\ell/\partial z = \mathrm{softmax}(z) - \mathrm{onehot}(c)`.
    """

    name = "sparse_categorical_crossentropy"
    min_output_units = 2

    def check_targets(self, y, units, name="y"):
        """One integer class label in ``[0, units)`` per sample, returned with shape ``(n,)``."""
        if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
            raise ValueError(
                f"sparse_categorical_crossentropy expects `{name}` to hold one integer class "
                f"label per sample, shape ({y.shape[0]},); received {describe(y)}. For one-hot "
                "targets use categorical_crossentropy."
            )
        y = y.reshape(-1)
        k = units
        if np.any(y != np.round(y)) or y.min() < 0 or y.max() > k - 1:
            bad = y[(y != np.round(y)) | (y < 0) | (y > k - 1)][0]
            raise ValueError(
                f"`{name}` holds class labels that are not integers in [0, {k - 1}] (the output "
                f"layer has {k} units); found {float(bad):g}. Encode the classes as 0..{k - 1}."
            )
        return y

    @staticmethod
    def _one_hot(y_true, like):
        labels = np.asarray(y_true).reshape(-1).astype(np.int64)
        onehot = np.zeros_like(like)
        onehot[np.arange(labels.size), labels] = 1
        return onehot

    def value_and_gradient(self, y_true, y_pred):
        onehot = self._one_hot(y_true, y_pred)
        if self.from_logits:
            return self._reduce(*self.per_sample_from_logits(onehot, y_pred))
        return self._reduce(*self.per_sample(onehot, y_pred))

    def value_and_gradient_from_logits(self, y_true, z):
        return self._reduce(*self.per_sample_from_logits(self._one_hot(y_true, z), z))

    def per_sample(self, onehot, y_pred):
        p, inside = _clip(y_pred)
        s = p.sum(axis=-1, keepdims=True)
        values = np.log(s[:, 0]) - np.log((p * onehot).sum(axis=-1))
        grad = (p / s - onehot) / p * inside
        return values, grad

    def per_sample_from_logits(self, onehot, z):
        return CategoricalCrossentropy.per_sample_from_logits(self, onehot, z)


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, shape ``(B,)`` (Keras's ``keras.losses.mean_squared_error``)."""
    return _per_sample_values(MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error, shape ``(B,)``."""
    return _per_sample_values(MeanAbsoluteError(), y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample binary cross-entropy, shape ``(B,)``."""
    return _per_sample_values(BinaryCrossentropy(from_logits=from_logits), y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample categorical cross-entropy, shape ``(B,)``."""
    return _per_sample_values(CategoricalCrossentropy(from_logits=from_logits), y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample sparse categorical cross-entropy, shape ``(B,)``."""
    loss = SparseCategoricalCrossentropy(from_logits=from_logits)
    y_pred = np.asarray(y_pred, dtype=np.result_type(np.asarray(y_pred).dtype, np.float32))
    onehot = loss._one_hot(y_true, y_pred)
    fn = loss.per_sample_from_logits if from_logits else loss.per_sample
    return fn(onehot, y_pred)[0]


def _per_sample_values(loss, y_true, y_pred):
    y_pred = np.asarray(y_pred, dtype=np.result_type(np.asarray(y_pred).dtype, np.float32))
    y_true, y_pred = _match_rank(np.asarray(y_true, dtype=y_pred.dtype), y_pred)
    fn = loss.per_sample_from_logits if loss.from_logits else loss.per_sample
    return fn(y_true, y_pred)[0]


ALL = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
_CLASS_NAMES = {cls.__name__.lower(): cls for cls in set(ALL.values())}


def get(identifier):
    """Return a Loss for a Keras name (``"mse"``, ``"binary_crossentropy"``...) or a Loss instance."""
    if isinstance(identifier, Loss):
        return identifier
    if identifier is None:
        raise ValueError(
            "`loss` is None: pass a loss to compile(), e.g. loss='binary_crossentropy'."
        )
    table = {**ALL, **_CLASS_NAMES}
    return lookup(identifier, table, "loss", "loss")()
