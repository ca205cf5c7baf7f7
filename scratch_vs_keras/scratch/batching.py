r"""How ``fit`` cuts data into mini-batches, as Keras does with arrays.

Each epoch visits the rows in an order (the identity with ``shuffle=False``, else a fresh
permutation) in consecutive slices of ``batch_size`` rows; the last slice may be shorter, and its
loss is averaged over its own size. Keras draws its permutation inside ``tf.data``, which NumPy
cannot reproduce, so here the permutations come from NumPy:
:func:`epoch_permutations` is the single source of them, used by ``scratch.Sequential.fit`` (through
``model.epoch_orders``) and fed to the Keras twin by the side-by-side comparison, and
:func:`batches` cuts an epoch into the very batches ``fit`` trains on.

Inputs are one array or, for a model with several inputs, a list of arrays with the same rows
(what ``model.prepare`` returns); :func:`num_rows` and :func:`take_rows` read both forms.
"""

import math

import numpy as np


def epoch_permutations(seed, n, epochs, call=0):
    """The row orders of ``epochs`` shuffled epochs over ``n`` rows, for a model's ``call``-th ``fit``.

    Drawn from ``numpy.random.default_rng([seed, 1, call])``, one ``permutation(n)`` per epoch.
    """
    rng = np.random.default_rng([int(seed), 1, int(call)])
    return [rng.permutation(n) for _ in range(epochs)]


def num_rows(x):
    """The number of rows (samples) of the inputs: one array, or a list of arrays."""
    return (x[0] if isinstance(x, list) else x).shape[0]


def take_rows(x, idx):
    """The rows ``idx`` (a slice: views; an index array: a gather) of one array or a list of arrays."""
    if isinstance(idx, slice):
        return [a[idx] for a in x] if isinstance(x, list) else x[idx]
    return [np.take(a, idx, axis=0) for a in x] if isinstance(x, list) else np.take(x, idx, axis=0)


def batches(x, y, order, batch_size):
    """The mini-batches ``[(x_b, y_b), ...]`` of one epoch that visits the rows in ``order``
    (``None``: as stored), as ``fit`` trains on them.

    The rows are gathered once for the epoch; each batch is then a view of consecutive rows, the
    same rows :func:`batch_slices` picks one batch at a time.
    """
    if order is not None:
        x, y = take_rows(x, order), y[order]
    return [(take_rows(x, slice(i, i + batch_size)), y[i:i + batch_size])
            for i in range(0, num_rows(x), batch_size)]


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
