r"""``LayerNormalization``: each sample normalized with the mean and variance of its own features,
as ``keras.layers.LayerNormalization`` (Ba et al., 2016). No batch statistics, no moving
averages: training and inference compute the same thing.
"""

import warnings

import numpy as np

from ._normalize import NormalizationCache, ScaleOffset, moments, normalize, normalize_backward


class LayerNormalization(ScaleOffset):
    r"""Layer normalization, as ``keras.layers.LayerNormalization``.

    Forward, for :math:`X` of shape ``(B, n)``, row by row: :math:`\mu_s` and the biased
    variance :math:`\sigma^2_s` of the :math:`n` features of sample :math:`s` (shape ``(B, 1)``),
    :math:`\hat X = (X - \mu)/\sqrt{\sigma^2 + \epsilon}`, :math:`Y = \gamma\odot\hat X + \beta`
    (:math:`\gamma, \beta` of shape ``(n,)``). Backward, with :math:`G = \partial J/\partial Y`,
    :math:`\hat G = G\odot\gamma` and :math:`\langle\cdot\rangle` the mean over a row's features:

    .. math:: \frac{\partial J}{\partial\gamma} = \mathbf 1^T (G\odot\hat X), \quad
              \frac{\partial J}{\partial\beta} = \mathbf 1^T G, \quad
              \frac{\partial J}{\partial X} = \frac{\hat G - \langle\hat G\rangle
              - \hat X\odot\langle\hat G\odot\hat X\rangle}{\sqrt{\sigma^2+\epsilon}}.

    ``rms_scaling=True`` is Keras's deprecated variant (Keras warns too): no centring and no
    ``beta``, :math:`Y = \gamma \odot X/\sqrt{\sigma^2+\epsilon}` (the *variance*, not the mean
    square), so :math:`\partial J/\partial X = r\hat G - r^3 (X - \mu)\langle \hat G\odot X\rangle`
    with :math:`r = (\sigma^2+\epsilon)^{-1/2}`, and :math:`\partial J/\partial\gamma =
    \mathbf 1^T(G\odot X r)`.

    Args:
        axis: the features axis: -1 (or 1) for the twin's ``(B, n)`` inputs.
        epsilon: added to the variance before the square root, > 0 (Keras's 1e-3).
        center: learn the shift ``beta``; scale: learn the scale ``gamma``.
        rms_scaling: Keras's deprecated variant above.
        beta_initializer, gamma_initializer: initializers (Keras's zeros, ones).
        beta_regularizer, gamma_regularizer: ``None`` or a regularizer.
        name: optional name.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, name=None):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, name)
        self.rms_scaling = bool(rms_scaling)
        if self.rms_scaling:
            warnings.warn("rms_scaling=True scales by the variance, not the root mean square (Keras "
                          "deprecates it the same way).", stacklevel=2)
        # Keras: gamma whenever rms_scaling, beta never with it
        self.scale = bool(scale) or self.rms_scaling
        self.center = bool(center) and not self.rms_scaling

    def compute_output_shape(self, input_shape):
        return input_shape

    def build(self, input_shape, dtype, rng):
        """``gamma`` and ``beta``, each ``(n,)`` (as ``scale`` and ``center`` ask)."""
        shape = (int(input_shape[-1]),)
        self.weights = self._scale_offset(shape, dtype, rng)
        self.built = True

    def forward(self, x):
        r""":math:`Y = \gamma\odot(X - \mu)/\sqrt{\sigma^2 + \epsilon} + \beta`, statistics per row."""
        mean, variance = moments(x, axis=-1)
        if self.rms_scaling:  # Keras: (x * r) * gamma
            r = 1.0 / np.sqrt(variance + x.dtype.type(self.epsilon))
            return (x * r) * self.gamma, NormalizationCache((x - mean) * r, r, True, x)
        y, r = normalize(x, mean, variance, self.gamma, self.beta, self.epsilon)
        return y, NormalizationCache((x - mean) * r, r, True, None)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """``([dgamma, dbeta], dx)``: see the class doc."""
        if self.rms_scaling:
            g = grad * self.gamma
            r, x_hat = cache.r, cache.x_hat
            grads = [np.sum(grad * (cache.x * r), axis=0)]
            dx = r * (g - x_hat * np.mean(g * cache.x * r, axis=-1, keepdims=True))
        else:
            dgamma, dbeta, dx = normalize_backward(grad, cache, self.gamma, axis=-1)
            grads = [dgamma] * self.scale + [dbeta] * self.center
        return self._returned(grads, dx, out, need_input_grad)

    def get_config(self):
        return {**self._scale_offset_config(), "rms_scaling": self.rms_scaling}

    def __repr__(self):
        return f"LayerNormalization(epsilon={self.epsilon}, name={self.name!r})"
