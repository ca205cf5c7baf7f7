"""What ``Dropout`` and ``GaussianNoise`` share: Keras's ``SeedGenerator`` state :math:`(s, n)`.

Keras's random layers keep a seed state and draw their numbers from TensorFlow's stateless ops
with seed :math:`(s, n)`, counting :math:`n` up by one per training call; the NumPy layers keep
the same state (``seed``, ``draws``) and draw the same numbers with :mod:`scratch._philox`. A
twin (``to_keras``) is a stock Keras layer with ``seed=seed`` and its state set to ``draws``.
"""

from .._validation import check_number
from .base import Layer

#: TensorFlow's int64 seed state becomes the int32 seed of the stateless ops by ``floormod`` with this
SEED_MODULUS = 2**31 - 2


class SeededLayer(Layer):
    """A layer that draws random numbers in training, from Keras's seed state ``(seed, draws)``.

    Args:
        seed: the seed (Keras's ``seed``); ``None``: drawn from the model's seed when the model is
            built, so the same model seed gives the same numbers.
        name: optional name.
    """

    takes_training = True

    def __init__(self, seed=None, name=None):
        super().__init__(name=name)
        check_number(seed, "seed", low=0, integer=True, allow_none=True)
        self.seed = None if seed is None else int(seed)
        self.draws = 0  # Keras's seed_generator.state[1]

    def _check_inputs(self, nodes):
        if len(nodes) != 1 or nodes[0].dtype != "float":
            raise ValueError(f"{type(self).__name__} takes one float input; received {nodes}.")

    def build(self, input_shape, dtype, rng):
        if self.seed is None:
            self.seed = int(rng.integers(1, 10**9))  # Keras's default seeds are in [1, 1e9]
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def stateless_seed(self, draw):
        """The int32 seed pair of the stateless op of training call number ``draw``."""
        return self.seed % SEED_MODULUS, draw % SEED_MODULUS

    def training_state(self):
        return self.draws

    def restore_training_state(self, state):
        self.draws = state
