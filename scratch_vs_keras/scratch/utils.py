"""Seeding, as ``keras.utils.set_random_seed``: one call makes every later draw reproducible.

A model built with ``Sequential(..., seed=s)`` draws its initial weights from
``numpy.random.default_rng(s)``. A model built without a seed takes the next seed from a global
NumPy generator, which :func:`set_random_seed` resets (and which starts from seed 0, so that a
script run twice gives the same numbers bit for bit even without a call).
"""

import numpy as np

from ._validation import check_number

_generator = np.random.default_rng(0)


def set_random_seed(seed):
    """Reset the global generator that unseeded models draw their seed from."""
    global _generator
    check_number(seed, "seed", low=0, integer=True)
    _generator = np.random.default_rng(int(seed))


def draw_seed():
    """The next seed from the global generator."""
    return int(_generator.integers(0, 2**31 - 1))
