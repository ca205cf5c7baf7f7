r"""Losses with Keras's names, arguments, clipping and reductions, and their gradients.

A loss first turns each sample into one number (Keras's ``fn(y_true, y_pred)``, shape ``(B,)``
for a 2-D batch; one number per position for more dimensions), then reduces them
(:mod:`.base`: ``reduction``, ``sample_weight``). Per sample, with :math:`k` output units:

* mean_squared_error :math:`\ell = \frac1k \sum_i (y_i - \hat y_i)^2`;
* mean_absolute_error :math:`\ell = \frac1k \sum_i |y_i - \hat y_i|`;
* binary_crossentropy :math:`\ell = -\frac1k \sum_i [y_i \log p_i + (1-y_i)\log(1-p_i)]`,
  :math:`p = \mathrm{clip}(\hat y, \varepsilon, 1-\varepsilon)`, :math:`\varepsilon = 10^{-7}`;
* categorical_crossentropy :math:`\ell = -\sum_i y_i \log p_i`,
  :math:`p = \mathrm{clip}(\hat y / \sum_j \hat y_j, \varepsilon, 1-\varepsilon)`;
* sparse_categorical_crossentropy: the same with an integer label :math:`c`,
  :math:`\ell = \log\sum_j p_j - \log p_c`;
* and Keras's other losses for tabular models (:mod:`.regression`, :mod:`.hinge`,
  :mod:`.probabilistic`), each class documenting its formula and gradient.

**The logits shortcut.** When the model's output layer has a sigmoid or softmax activation, Keras
does not use the clipped probabilities for a cross-entropy: it takes the pre-activation :math:`z`
that it cached on the output tensor and evaluates the cross-entropy *from logits*, without
clipping:

* binary: :math:`\ell = \frac1k \sum_i \max(z_i, 0) - z_i y_i + \log(1 + e^{-|z_i|})`,
  :math:`\partial \ell/\partial z_i = (\sigma(z_i) - y_i)/k`;
* categorical: :math:`\ell = \log\sum_j e^{z_j} - \sum_i y_i z_i`,
  :math:`\partial \ell/\partial z = \mathrm{softmax}(z) - y`.

It does so whichever of the two activations produced the output (categorical cross-entropy after
a sigmoid layer applies softmax-cross-entropy to the sigmoid's logits) and also when
``from_logits=False``. The model code here does exactly the same (:meth:`Loss.uses_logits_of`);
calling a loss on a plain array (as on ``predict`` output) takes the clipping path, as in Keras.
"""

import numpy as np

from .._validation import lookup
from .base import REDUCTIONS, Loss, squeeze_or_expand_to_same_rank
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    KLDivergence,
    SparseCategoricalCrossentropy,
    _CrossEntropy,
)
from .regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
)


def _per_sample_values(cls, y_true, y_pred, **kwargs):
    """Keras's loss functions (``keras.losses.mean_squared_error`` ...): the unreduced values."""
    y_pred = np.asarray(y_pred, dtype=np.result_type(np.asarray(y_pred).dtype, np.float32))
    return cls(reduction=None, **kwargs)(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, shape ``(B,)`` (Keras's ``keras.losses.mean_squared_error``)."""
    return _per_sample_values(MeanSquaredError, y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error, shape ``(B,)``."""
    return _per_sample_values(MeanAbsoluteError, y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample mean absolute percentage error, shape ``(B,)``."""
    return _per_sample_values(MeanAbsolutePercentageError, y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean squared logarithmic error, shape ``(B,)``."""
    return _per_sample_values(MeanSquaredLogarithmicError, y_true, y_pred)


def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss, shape ``(B,)``."""
    return _per_sample_values(Huber, y_true, y_pred, delta=delta)


def log_cosh(y_true, y_pred):
    """Per-sample log-cosh loss, shape ``(B,)``."""
    return _per_sample_values(LogCosh, y_true, y_pred)


def poisson(y_true, y_pred):
    """Per-sample Poisson loss, shape ``(B,)``."""
    return _per_sample_values(Poisson, y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample negative cosine similarity, shape ``(B,)``."""
    return _per_sample_values(CosineSimilarity, y_true, y_pred, axis=axis)


def hinge(y_true, y_pred):
    """Per-sample hinge loss, shape ``(B,)``."""
    return _per_sample_values(Hinge, y_true, y_pred)


def squared_hinge(y_true, y_pred):
    """Per-sample squared hinge loss, shape ``(B,)``."""
    return _per_sample_values(SquaredHinge, y_true, y_pred)


def categorical_hinge(y_true, y_pred):
    """Per-sample categorical hinge loss, shape ``(B,)``."""
    return _per_sample_values(CategoricalHinge, y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per-sample Kullback-Leibler divergence, shape ``(B,)``."""
    return _per_sample_values(KLDivergence, y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, shape ``(B,)``."""
    return _per_sample_values(BinaryCrossentropy, y_true, y_pred, from_logits=from_logits,
                              label_smoothing=label_smoothing, axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary focal cross-entropy, shape ``(B,)``."""
    return _per_sample_values(BinaryFocalCrossentropy, y_true, y_pred,
                              apply_class_balancing=apply_class_balancing, alpha=alpha,
                              gamma=gamma, from_logits=from_logits,
                              label_smoothing=label_smoothing, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy, shape ``(B,)``."""
    return _per_sample_values(CategoricalCrossentropy, y_true, y_pred, from_logits=from_logits,
                              label_smoothing=label_smoothing, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Per-sample categorical focal cross-entropy, shape ``(B,)``."""
    return _per_sample_values(CategoricalFocalCrossentropy, y_true, y_pred, alpha=alpha,
                              gamma=gamma, from_logits=from_logits,
                              label_smoothing=label_smoothing, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample sparse categorical cross-entropy, shape ``(B,)``."""
    return _per_sample_values(SparseCategoricalCrossentropy, y_true, y_pred,
                              from_logits=from_logits, ignore_class=ignore_class, axis=axis)


#: Keras's names (functions and aliases) -> loss class
ALL = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "huber": Huber,
    "huber_loss": Huber,
    "log_cosh": LogCosh,
    "logcosh": LogCosh,
    "poisson": Poisson,
    "cosine_similarity": CosineSimilarity,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "binary_crossentropy": BinaryCrossentropy,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
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

