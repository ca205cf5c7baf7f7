r"""Cross-entropies (binary, categorical, sparse, and their focal forms) and the KL divergence.

Each has Keras's clipping path (probabilities clipped to :math:`[\varepsilon, 1-\varepsilon]`) and,
where Keras has one, the logits path that the model takes after a sigmoid/softmax output layer
(see :mod:`scratch.losses`). ``label_smoothing`` :math:`s` moves binary targets to
:math:`y(1-s) + s/2` and categorical ones to :math:`y(1-s) + s/k`.
"""

import numpy as np

from .. import activations as _activations
from .._validation import describe
from .base import Loss, check_same_shape, clip_probabilities

_clip = clip_probabilities


def _check_probabilities(y, name, loss_name):
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            f"{loss_name} expects targets in [0, 1]; `{name}` ranges over "
            f"[{float(y.min()):g}, {float(y.max()):g}]. Encode the classes as 0/1 (one-hot for several)."
        )


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _sigmoid_cross_entropy(y, z):
    """TensorFlow's ``sigmoid_cross_entropy_with_logits`` and its derivative w.r.t. ``z``.

    Term by term, (max(z, 0) - z y) + log(1 + e^{-|z|}): the shorter logaddexp(0, z) - z y is the
    same function but cancels for a confident right answer (z = 30, y = 1: 30.000...0937 - 30
    keeps two digits), and so does its derivative sigmoid(z) - y. The derivative of TF's terms,
    [z >= 0] - y -+ sigmoid(-|z|) (minus for z >= 0), keeps every digit, as Keras's gradient does.
    """
    neg_abs = -np.abs(z)
    values = (np.maximum(z, 0) - z * y) + np.log1p(np.exp(neg_abs))
    positive = z >= 0
    small = _activations.sigmoid(neg_abs)
    return values, (positive - y) - np.where(positive, small, -small)


def _clipped_binary_cross_entropy(y, a):
    """``-(y log p + (1-y) log(1-p))``, ``p = clip(a)``, and its derivative w.r.t. ``a``."""
    p, inside = _clip(a)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)), -(y / p - (1 - y) / (1 - p)) * inside


class _CrossEntropy(Loss):
    _shortcut_activations = ("sigmoid", "softmax")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None):
        super().__init__(reduction=reduction, name=name)
        self.from_logits = bool(from_logits)
        self.label_smoothing = label_smoothing
        self.axis = axis

    def uses_logits_of(self, activation):
        return activation.name in self._shortcut_activations or self.from_logits

    def prepare_targets(self, y_true, y_pred):
        check_same_shape(y_true, y_pred, self.name)
        s = self.label_smoothing
        if s:
            y_true = y_true * (1.0 - s) + self._smoothing_offset(y_true, s)
        return y_true, None

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class BinaryCrossentropy(_CrossEntropy):
    r"""Binary cross-entropy per output unit, averaged over the :math:`k` units of a sample.

    Clipping path: :math:`\partial\ell/\partial\hat y_i = -\frac1k\left(\frac{y_i}{p_i} -
    \frac{1-y_i}{1-p_i}\right)` where :math:`\hat y_i` lies inside the clip range, else 0.
    Logits path: :math:`\partial\ell/\partial z_i = (\sigma(z_i) - y_i)/k`.

    Args:
        from_logits: ``y_pred`` holds logits rather than probabilities.
        label_smoothing: :math:`s \in [0, 1]`, targets become :math:`y(1-s) + s/2`.
        axis: the axis averaged over (the output units).
    """

    name = "binary_crossentropy"

    @staticmethod
    def _smoothing_offset(y_true, s):
        return 0.5 * s

    def check_targets(self, y, units, name="y"):
        """Targets of shape ``(n, units)`` with values in [0, 1]."""
        y = super().check_targets(y, units, name)
        _check_probabilities(y, name, self.name)
        return y

    def per_sample(self, y_true, y_pred):
        values, grad = _clipped_binary_cross_entropy(y_true, y_pred)
        return values.mean(axis=-1), grad / y_pred.shape[-1]

    def per_sample_from_logits(self, y_true, z):
        values, grad = _sigmoid_cross_entropy(y_true, z)
        k = z.shape[-1]
        if k == 1:
            return values[..., 0], grad
        return values.sum(axis=-1) / k, grad / k


class CategoricalCrossentropy(_CrossEntropy):
    r"""Categorical cross-entropy with one-hot (or soft) labels :math:`y` of shape ``(B, k)``.

    Clipping path: :math:`q = \hat y / s`, :math:`s = \sum_j \hat y_j`, :math:`p = \mathrm{clip}(q)`,
    :math:`\ell = -\sum_i y_i \log p_i`; :math:`\partial\ell/\partial\hat y_i = (g_i - \sum_j g_j q_j)/s`
    with :math:`g_i = -y_i/p_i` inside the clip range (else 0).
    Logits path: :math:`\partial\ell/\partial z = \mathrm{softmax}(z) - y`.

    Args:
        from_logits: ``y_pred`` holds logits rather than probabilities.
        label_smoothing: :math:`s \in [0, 1]`, targets become :math:`y(1-s) + s/k`.
        axis: the class axis.
    """

    name = "categorical_crossentropy"
    min_output_units = 2

    @staticmethod
    def _smoothing_offset(y_true, s):
        return s / y_true.shape[-1]  # Keras counts the classes on the last axis, whatever `axis`

    def check_targets(self, y, units, name="y"):
        """One-hot (or soft) rows of shape ``(n, units)``: values in [0, 1], each row summing to 1."""
        y = super().check_targets(y, units, name)
        _check_probabilities(y, name, self.name)
        sums = y.sum(axis=1)
        if np.any(np.abs(sums - 1) > 1e-6):
            i = int(np.argmax(np.abs(sums - 1)))
            raise ValueError(
                f"{self.name} expects each row of `{name}` to be one-hot (sum 1); "
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

    Args:
        from_logits: ``y_pred`` holds logits rather than probabilities.
        ignore_class: a label whose samples do not count (loss and gradient 0, left out of the
            mean). Keras then evaluates even a softmax output by the clipping path.
        axis: the class axis; TensorFlow supports only the last.
    """

    name = "sparse_categorical_crossentropy"
    min_output_units = 2

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name=None):
        super().__init__(from_logits=from_logits, reduction=reduction, name=name)
        self.ignore_class = ignore_class
        self.axis = axis

    def uses_logits_of(self, activation):
        # with ignore_class Keras replaces the output by where(valid, y_pred, 0), which drops the
        # cached logits
        return self.from_logits or (self.ignore_class is None
                                    and activation.name in self._shortcut_activations)

    def check_targets(self, y, units, name="y"):
        """One integer class label in ``[0, units)`` (or ``ignore_class``) per sample, returned
        with shape ``(n,)``."""
        if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
            raise ValueError(
                f"{self.name} expects `{name}` to hold one integer class "
                f"label per sample, shape ({y.shape[0]},); received {describe(y)}. For one-hot "
                "targets use categorical_crossentropy."
            )
        y = y.reshape(-1)
        k = units
        ok = (y == np.round(y)) & (y >= 0) & (y <= k - 1)
        if self.ignore_class is not None:
            ok |= y == self.ignore_class
        if not ok.all():
            raise ValueError(
                f"`{name}` holds class labels that are not integers in [0, {k - 1}] (the output "
                f"layer has {k} units); found {float(y[~ok][0]):g}. Encode the classes as 0..{k - 1}."
            )
        return y

    def prepare_targets(self, y_true, y_pred):
        if self.axis not in (-1, y_pred.ndim - 1):
            raise ValueError(f"Only axis=-1 is currently supported. Received: axis={self.axis}")
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        if y_true.shape != y_pred.shape[:-1]:
            raise ValueError(
                "Arguments `target` and `output` must have the same shape up until the last "
                f"dimension: target.shape={y_true.shape}, output.shape={y_pred.shape}. "
                f"{self.name} takes one integer label per sample; for one-hot targets use "
                "CategoricalCrossentropy."
            )
        mask = None
        if self.ignore_class is not None:
            mask = y_true != self.ignore_class
            y_true = np.where(mask, y_true, 0)
        k = y_pred.shape[-1]
        if np.any((y_true < 0) | (y_true > k - 1) | (y_true != np.round(y_true))):
            bad = y_true[(y_true < 0) | (y_true > k - 1) | (y_true != np.round(y_true))][0]
            raise ValueError(
                f"`y_true` holds the label {float(bad):g}, not an integer class in [0, {k - 1}] "
                f"(y_pred has {k} classes). Encode the classes as 0..{k - 1}."
            )
        onehot = (y_true[..., None] == np.arange(k)).astype(y_pred.dtype)
        return onehot, mask

    def _value_and_gradient(self, y_true, y_pred, from_logits, sample_weight):
        onehot, mask = self.prepare_targets(y_true, y_pred)
        fn = self.per_sample_from_logits if from_logits else self.per_sample
        values, grad = fn(onehot, y_pred)
        if mask is not None:
            values = np.where(mask, values, 0.0)
            grad = grad * mask[..., None]
        return self._reduce(values, grad, sample_weight, mask)

    def per_sample(self, onehot, y_pred):
        p, inside = _clip(y_pred)
        s = p.sum(axis=-1, keepdims=True)
        values = np.log(s[..., 0]) - np.log((p * onehot).sum(axis=-1))
        grad = (p / s - onehot) / p * inside
        return values, grad

    def per_sample_from_logits(self, onehot, z):
        return CategoricalCrossentropy.per_sample_from_logits(self, onehot, z)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


class BinaryFocalCrossentropy(BinaryCrossentropy):
    r"""Binary cross-entropy down-weighted where the model is already right (Lin et al. 2017):
    :math:`\ell = \frac1k\sum_i w_i (1 - p_{t,i})^\gamma\,\mathrm{bce}_i`,
    :math:`p_t = y\hat y + (1-y)(1-\hat y)`, :math:`w = \alpha y + (1-\alpha)(1-y)` with
    ``apply_class_balancing`` (else 1).

    :math:`\partial\ell/\partial\hat y = \frac wk\left(-\gamma(1-p_t)^{\gamma-1}(2y-1)\,\mathrm{bce}
    + (1-p_t)^\gamma\,\partial\mathrm{bce}/\partial\hat y\right)`. After a sigmoid output (or with
    ``from_logits``) Keras takes bce from the logits and :math:`\hat y = \sigma(z)`, and the
    gradient is w.r.t. :math:`z` (times :math:`\hat y(1-\hat y)` on the first term).

    Args:
        apply_class_balancing: weigh the positive class by ``alpha``, the negative by ``1-alpha``.
        alpha: the class balance (Keras's default 0.25).
        gamma: the focusing exponent (Keras's default 2.0).
        from_logits, label_smoothing, axis: as for BinaryCrossentropy.
    """

    name = "binary_focal_crossentropy"

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size", name=None):
        super().__init__(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
                         reduction=reduction, name=name)
        self.apply_class_balancing = bool(apply_class_balancing)
        self.alpha, self.gamma = alpha, gamma

    def uses_logits_of(self, activation):
        # from_logits: Keras applies its own sigmoid to the output, whatever the layer's activation
        return activation.name == "sigmoid" and not self.from_logits

    def check_output_layer(self, units, activation, layer_name):
        super().check_output_layer(units, activation, layer_name)
        if activation == "softmax" and not self.from_logits:
            raise ValueError(
                f"{self.name} after the softmax output layer {layer_name!r}: Keras then mixes the "
                "softmax's logits into a sigmoid cross-entropy, which the NumPy side does not "
                "reproduce. Use a sigmoid output (one unit per label)."
            )

    def _focal(self, y, a, bce, dbce, da):
        """Focal values and gradient; ``dbce``: d bce / d(variable); ``da``: d a / d(variable)."""
        m = 1.0 - (y * a + (1 - y) * (1 - a))
        gamma = self.gamma
        factor = m ** gamma
        dfactor = -gamma * m ** (gamma - 1.0) * (2.0 * y - 1.0) * da
        values, grad = factor * bce, dfactor * bce + factor * dbce
        if self.apply_class_balancing:
            w = y * self.alpha + (1 - y) * (1 - self.alpha)
            values, grad = w * values, w * grad
        k = a.shape[-1]
        return values.mean(axis=-1), grad / k

    def per_sample(self, y_true, y_pred):
        bce, dbce = _clipped_binary_cross_entropy(y_true, y_pred)
        return self._focal(y_true, y_pred, bce, dbce, 1.0)

    def per_sample_from_logits(self, y_true, z):
        a = _activations.sigmoid(z)
        bce, dbce = _sigmoid_cross_entropy(y_true, z)
        return self._focal(y_true, a, bce, dbce, a * (1.0 - a))

    def get_config(self):
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma}


class CategoricalFocalCrossentropy(CategoricalCrossentropy):
    r"""Categorical cross-entropy with the focal factor:
    :math:`\ell = -\sum_i \alpha(1 - p_i)^\gamma y_i\log p_i`, :math:`p = \mathrm{clip}(\hat y/\sum_j\hat y_j)`.

    Keras has no logits shortcut for it: after a softmax layer it works on the probabilities;
    with ``from_logits`` it applies its own softmax. With :math:`g_i = \partial\ell/\partial p_i =
    \alpha(\gamma(1-p_i)^{\gamma-1} y_i\log p_i - (1-p_i)^\gamma y_i/p_i)` inside the clip range,
    the gradient goes through the normalization as for CategoricalCrossentropy.

    Args:
        alpha: the weighting factor (Keras's default 0.25).
        gamma: the focusing exponent (Keras's default 2.0).
        from_logits, label_smoothing, axis: as for CategoricalCrossentropy.
    """

    name = "categorical_focal_crossentropy"

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None):
        super().__init__(from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
                         reduction=reduction, name=name)
        self.alpha, self.gamma = alpha, gamma

    def uses_logits_of(self, activation):
        return False

    def prepare_targets(self, y_true, y_pred):
        s = self.label_smoothing  # Keras checks no shapes here: y_true broadcasts
        if s:
            y_true = y_true * (1.0 - s) + self._smoothing_offset(y_true, s)
        return y_true, None

    def per_sample(self, y_true, y_pred):
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        p, inside = _clip(q)
        m = 1.0 - p
        ce = -y_true * np.log(p)
        factor = m ** self.gamma
        values = np.sum(factor * self.alpha * ce, axis=-1)
        g = self.alpha * (-self.gamma * m ** (self.gamma - 1.0) * ce - factor * y_true / p) * inside
        return values, (g - (g * q).sum(axis=-1, keepdims=True)) / s

    def per_sample_from_logits(self, y_true, z):
        a = _activations.softmax(z)
        values, grad_a = self.per_sample(y_true, a)
        return values, _activations.softmax.backward(z, a, grad_a)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma}


class KLDivergence(Loss):
    r""":math:`\ell = \sum_i \bar y_i\log(\bar y_i/\bar p_i)` with both clipped to :math:`[\varepsilon, 1]`;
    :math:`\partial\ell/\partial\hat y_i = -\bar y_i/\bar p_i` where :math:`\hat y_i \in [\varepsilon, 1]`, else 0."""

    name = "kl_divergence"

    def per_sample(self, y_true, y_pred):
        y, _ = _clip(y_true, high=1.0)
        p, inside = _clip(y_pred, high=1.0)
        return np.sum(y * np.log(y / p), axis=-1), -y / p * inside
