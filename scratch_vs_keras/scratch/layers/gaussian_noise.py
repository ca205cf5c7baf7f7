r"""``GaussianNoise``: during training, zero-mean Gaussian noise of standard deviation ``stddev``
is added to every input; at inference it passes its input unchanged. A regularizer (and a form of
data augmentation) for real-valued inputs.

The noise is Keras's own: Keras's ``GaussianNoise`` draws ``tf.random.stateless_normal(shape,
seed=(s, n))`` from its seed state and counts :math:`n` up per training call (:mod:`._seeded`);
this layer draws the same numbers with :func:`scratch._philox.normal` (TensorFlow's Box-Muller
transform of its Philox stream: bit for bit in float64), so both sides add the same noise at every
step with nothing passed between them.
"""

from collections import namedtuple

from .. import _philox
from .._validation import check_number
from ._seeded import SeededLayer

#: What a GaussianNoise layer remembers: nothing backward needs (the noise is additive).
GaussianNoiseCache = namedtuple("GaussianNoiseCache", [])


class GaussianNoise(SeededLayer):
    r"""Additive Gaussian noise, as ``keras.layers.GaussianNoise``.

    Forward in training, for inputs :math:`X` (shape ``(B, n)``): :math:`Y = X + \sigma Z`, with
    :math:`Z` (shape ``(B, n)``) TensorFlow's stateless standard normal of seed
    :math:`(s, n_{\text{draws}})`; ``draws`` then counts up. At inference :math:`Y = X`. Backward:
    :math:`\partial J/\partial X = \partial J/\partial Y` (the noise does not depend on :math:`X`).

    Args:
        stddev: the noise's standard deviation :math:`\sigma`, >= 0 (0: no noise, no draws).
        seed: the seed of the noise (Keras's ``seed``); ``None``: drawn from the model's seed.
        name: optional name.
    """

    def __init__(self, stddev, seed=None, name=None):
        self.stddev = float(check_number(stddev, "stddev", low=0))
        super().__init__(seed=seed, name=name)

    @property
    def draws_in_training(self):
        return self.stddev > 0

    def noise(self, shape, dtype, draw):
        r""":math:`\sigma Z` of training call number ``draw`` for inputs of ``shape``."""
        return _philox.normal(shape, self.stateless_seed(draw), dtype) * dtype.type(self.stddev)

    def forward(self, x, training=False):
        r""":math:`Y = X + \sigma Z` in training (new noise per call), :math:`X` otherwise."""
        if not training or self.stddev == 0:
            return x, GaussianNoiseCache()
        noise = self.noise(x.shape, x.dtype, self.draws)
        self.draws += 1
        return x + noise, GaussianNoiseCache()

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; the gradient passes through unchanged."""
        return [], grad

    def get_config(self):
        return {"name": self.name, "stddev": self.stddev, "seed": self.seed}

    def __repr__(self):
        return f"GaussianNoise({self.stddev}, seed={self.seed}, name={self.name!r})"
