r"""Row-wise gradients: what an ``Embedding`` layer's backward produces (TensorFlow's ``IndexedSlices``).

An embedding table's gradient is non-zero only in the rows its batch looked up, one row per
sample, and a category that occurs twice in the batch contributes two rows. Keras's optimizers
apply element-wise functions to such a gradient row by row *before* the repeated rows are summed
(Adam's second moment gets :math:`\sum_k g_k^2`, not :math:`(\sum_k g_k)^2`), so the gradient is
kept as rows until an optimizer says otherwise: :func:`dense` sums them, :func:`squares` squares
them first.
"""

import numpy as np


class SparseRows:
    r"""A gradient given as rows: ``values[k]`` belongs to row ``indices[k]`` of a ``shape``
    tensor, and a row may appear several times (an Embedding's gradient: one row per sample)."""

    def __init__(self, indices, values, shape):
        self.indices, self.values, self.shape = np.asarray(indices), values, tuple(shape)

    @property
    def dtype(self):
        return self.values.dtype

    def map(self, fn):
        """An element-wise function of the rows (Keras keeps such a result sparse)."""
        return SparseRows(self.indices, fn(self.values), self.shape)

    def dense(self):
        """The dense tensor: repeated rows summed (TensorFlow's ``unsorted_segment_sum``)."""
        out = np.zeros(self.shape, dtype=self.values.dtype)
        np.add.at(out, self.indices, self.values)
        return out

    def __repr__(self):
        return f"SparseRows({len(self.indices)} rows of a {self.shape} tensor)"


def dense(g):
    """A gradient as a dense array (repeated rows of a :class:`SparseRows` summed)."""
    return g.dense() if isinstance(g, SparseRows) else g


def squares(g):
    """:math:`g^2` as Keras computes it: for :class:`SparseRows` each row squared, then summed."""
    return g.map(np.square).dense() if isinstance(g, SparseRows) else g * g
