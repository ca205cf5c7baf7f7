r"""How ``fit`` cuts data into mini-batches, as Keras does with arrays.

Each epoch visits the rows in an order (the identity with ``shuffle=False``, else a fresh
permutation) in consecutive slices of ``batch_size`` rows; the last slice may be shorter, and its
loss is averaged over its own size. Keras draws its permutation inside ``tf.data``, which NumPy
cannot reproduce, so here the permutations come from NumPy:
:func:`epoch_permutations` is the single source of them, used by ``scratch.Sequential.fit`` and
fed to the Keras twin by the side-by-side comparison.
"""

import math

import numpy as np


def epoch_permutations(seed, n, epochs, call=0):
    """The row orders of ``epochs`` shuffled epochs over ``n`` rows, for a model's ``call``-th ``fit``.

    Drawn from ``numpy.random.default_rng([seed, 1, call])``, one ``permutation(n)`` per epoch.
    """
    rng = np.random.default_rng([int(seed), 1, int(call)])
    return [rng.permutation(n) for _ in range(epochs)]


def batch_slices(order, batch_size):
    """Consecutive index slices of ``order``: full batches, then a possibly shorter last one."""
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def steps_per_epoch(n, batch_size):
    return math.ceil(n / batch_size)


def validation_split_index(n, validation_split):
    """Keras's split point: the *last* ``validation_split`` fraction of the rows (before shuffling)
    is held out; training keeps the first ``floor(n * (1 - validation_split))`` rows."""
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"`validation_split`={validation_split!r} leaves "
            f"{'no training' if split_at == 0 else 'no validation'} rows out of {n}; choose a "
            "fraction that keeps at least one row on each side."
        )
    return split_at
