r"""``Dropout``: during training, each unit is zeroed with probability ``rate`` and the kept ones
are scaled by :math:`1/(1 - \text{rate})`; at inference it passes its input unchanged.

Its masks are Keras's own: Keras's ``Dropout`` keeps a seed state :math:`(s, n)` (a
``SeedGenerator``, :mod:`._seeded`), draws ``tf.random.stateless_uniform(shape, seed=(s, n))``
and counts :math:`n` up by one per training call; this layer keeps the same state (``seed``,
``draws``) and draws the same numbers with :func:`scratch._philox.uniform`, a NumPy reproduction
of TensorFlow's stateless Philox stream. So a twin built from this layer (``to_keras``: a stock
``keras.layers.Dropout(rate, seed=seed)`` with its state set to ``draws``) drops the very same
units at every step, with nothing passed between the sides.
"""

from collections import namedtuple

import numpy as np

from .. import _philox
from .._validation import check_number
from ._seeded import SeededLayer

#: What a Dropout layer remembers: the kept units (``None`` at inference or rate 0) and the scale.
DropoutCache = namedtuple("DropoutCache", ["keep", "scale"])


class Dropout(SeededLayer):
    r"""Dropout, as ``keras.layers.Dropout``.

    Forward in training, for inputs :math:`X` (shape ``(B, n)``): :math:`U \sim` TensorFlow's
    stateless uniform of seed :math:`(s, n_{\text{draws}})`, keep :math:`K = [U \ge r]`,
    :math:`Y = K \odot X / (1 - r)`; ``draws`` then counts up. Backward:
    :math:`\partial J/\partial X = K \odot \partial J/\partial Y / (1 - r)`. At inference
    :math:`Y = X`.

    Args:
        rate: the fraction of units to drop, in [0, 1].
        seed: the seed of the masks (Keras's ``seed``); ``None``: drawn from the model's seed
            when the model is built, so the same model seed gives the same masks.
        name: optional name.

    ``fit`` and ``trace``/``loss_and_gradients`` run in training mode (one mask per call, as
    each ``model(x, training=True)`` in Keras); ``predict``, ``evaluate`` and ``__call__`` in
    inference mode.
    """

    def __init__(self, rate, seed=None, name=None):
        self.rate = float(check_number(rate, "rate", low=0, high=1, what="a fraction in [0, 1]"))
        super().__init__(seed=seed, name=name)

    @property
    def draws_in_training(self):
        return self.rate > 0

    def mask(self, shape, dtype, draw):
        """``(keep, scale)`` of training call number ``draw`` for inputs of ``shape``."""
        scale = dtype.type(1.0 / (1.0 - self.rate)) if self.rate < 1 else dtype.type(0.0)
        return _philox.uniform(shape, self.stateless_seed(draw), dtype) >= dtype.type(self.rate), scale

    def forward(self, x, training=False):
        r""":math:`Y = K \odot X / (1 - r)` in training (a new mask per call), :math:`X` otherwise."""
        if not training or self.rate == 0:
            return x, DropoutCache(None, None)
        if self.rate == 1:  # Keras returns zeros without drawing
            return np.zeros_like(x), DropoutCache(np.zeros(x.shape, bool), x.dtype.type(0.0))
        keep, scale = self.mask(x.shape, x.dtype, self.draws)
        self.draws += 1
        return np.where(keep, x * scale, x.dtype.type(0.0)), DropoutCache(keep, scale)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; the gradient passes through the kept units, scaled as forward."""
        if cache.keep is None:
            return [], grad
        return [], np.where(cache.keep, grad * cache.scale, grad.dtype.type(0.0))

    def __repr__(self):
        return f"Dropout({self.rate}, seed={self.seed}, name={self.name!r})"
