r"""``BatchNormalization``: each feature normalized with the batch's mean and variance during
training, with moving averages of them at inference, as ``keras.layers.BatchNormalization``
(Ioffe and Szegedy, 2015).

Training, for a batch :math:`X` of shape ``(B, n)``: :math:`\mu_j` and the biased variance
:math:`\sigma^2_j` of column :math:`j` over the :math:`B` rows, then
:math:`Y = \gamma \odot (X - \mu)/\sqrt{\sigma^2 + \epsilon} + \beta`; and, in the same call,
Keras's moving averages move towards the batch's statistics with its ``momentum`` :math:`m`
(the weight of the *old* value, 0.99 by default):

.. math:: \bar\mu \leftarrow m\,\bar\mu + (1 - m)\,\mu, \qquad
          \bar\sigma^2 \leftarrow m\,\bar\sigma^2 + (1 - m)\,\sigma^2 .

At inference (``predict``, ``evaluate``, validation) :math:`Y = \gamma \odot (X - \bar\mu)/
\sqrt{\bar\sigma^2 + \epsilon} + \beta` and nothing moves. The moving averages are weights that
no gradient reaches (Keras's non-trainable weights): ``get_weights`` lists them after
``gamma`` and ``beta``, as Keras does.
"""

from .. import initializers as _initializers
from .._validation import check_number
from ._normalize import NormalizationCache, ScaleOffset, moments, normalize, normalize_backward


class BatchNormalization(ScaleOffset):
    r"""Batch normalization, as ``keras.layers.BatchNormalization``.

    Forward in training, for :math:`X` of shape ``(B, n)`` (see the module doc for the moving
    averages, updated by every training call as Keras's ``call`` does):

    .. math:: \mu = \tfrac1B \mathbf 1^T X, \quad \sigma^2 = \tfrac1B \mathbf 1^T (X - \mu)^2,
              \quad \hat X = (X - \mu)/\sqrt{\sigma^2 + \epsilon}, \quad Y = \gamma\odot\hat X + \beta,

    :math:`\mu, \sigma^2, \gamma, \beta` of shape ``(n,)``. Backward (the statistics depend on
    every row, so each row's gradient depends on the whole batch), with
    :math:`G = \partial J/\partial Y` and :math:`\hat G = G \odot\gamma`:

    .. math:: \frac{\partial J}{\partial\gamma} = \mathbf 1^T (G\odot\hat X), \quad
              \frac{\partial J}{\partial\beta} = \mathbf 1^T G, \quad
              \frac{\partial J}{\partial X} = \frac{\hat G - \tfrac1B\mathbf 1^T\hat G
              - \hat X \odot \tfrac1B \mathbf 1^T(\hat G\odot\hat X)}{\sqrt{\sigma^2+\epsilon}}.

    Args:
        axis: the features axis: -1 (or 1) for the twin's ``(B, n)`` inputs.
        momentum: the moving averages' weight of their old value, in [0, 1] (Keras's 0.99).
        epsilon: added to the variance before the square root, > 0 (Keras's 1e-3, not 1e-7).
        center: learn the shift ``beta``; scale: learn the scale ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: initializers (Keras's zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer: ``None`` or a regularizer.
        name: optional name.
    """

    takes_training = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, name=None):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, name)
        self.momentum = float(check_number(momentum, "momentum", low=0, high=1))
        get = _initializers.get
        self.moving_mean_initializer = get(moving_mean_initializer, "moving_mean_initializer")
        self.moving_variance_initializer = get(moving_variance_initializer,
                                               "moving_variance_initializer")

    def compute_output_shape(self, input_shape):
        return input_shape

    def build(self, input_shape, dtype, rng):
        """``gamma``, ``beta`` (trainable) and ``moving_mean``, ``moving_variance``, each ``(n,)``."""
        shape = (int(input_shape[-1]),)
        self.weights = self._scale_offset(shape, dtype, rng)
        self.non_trainable_weights = [self.moving_mean_initializer(shape, dtype, rng),
                                      self.moving_variance_initializer(shape, dtype, rng)]
        self.built = True

    @property
    def moving_mean(self):
        return self.non_trainable_weights[0]

    @property
    def moving_variance(self):
        return self.non_trainable_weights[1]

    def non_trainable_weight_names(self):
        return ["moving_mean", "moving_variance"]

    def forward(self, x, training=False):
        r"""Training: normalize with the batch's :math:`\mu, \sigma^2` and move the moving
        averages towards them; inference: normalize with the moving averages."""
        if training:
            mean, variance = moments(x, axis=0)
            m = x.dtype.type(self.momentum)
            step = x.dtype.type(1.0 - self.momentum)  # Keras's (1.0 - momentum), a Python float
            self.moving_mean[...] = self.moving_mean * m + mean[0] * step
            self.moving_variance[...] = self.moving_variance * m + variance[0] * step
        else:
            mean, variance = self.moving_mean, self.moving_variance
        y, r = normalize(x, mean, variance, self.gamma, self.beta, self.epsilon)
        return y, NormalizationCache((x - mean) * r, r, bool(training), None)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """``([dgamma, dbeta], dx)``: see the class doc (``_normalize.normalize_backward``)."""
        dgamma, dbeta, dx = normalize_backward(grad, cache, self.gamma, axis=0)
        return self._returned([dgamma] * self.scale + [dbeta] * self.center, dx, out, need_input_grad)

    def get_config(self):
        return {**self._scale_offset_config(), "momentum": self.momentum,
                "moving_mean_initializer": repr(self.moving_mean_initializer),
                "moving_variance_initializer": repr(self.moving_variance_initializer)}

    def __repr__(self):
        return (f"BatchNormalization(momentum={self.momentum}, epsilon={self.epsilon}, "
                f"name={self.name!r})")
