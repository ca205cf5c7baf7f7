"""``HashedCrossing``: a cross of categorical columns -> one of ``num_bins`` hash bins, as Keras's."""

import numbers

import numpy as np

from ..._farmhash import fingerprint64, fingerprint_cat64

#: TensorFlow's default key of ``tf.sparse.cross_hashed`` (the start of every cross's hash)
HASH_KEY = 0xDECAFCAFFE


class HashedCrossing:
    r"""The cross of two or more columns, hashed into ``num_bins`` bins, as
    ``keras.layers.HashedCrossing(num_bins)`` (``output_mode="int"``).

    Per row: :math:`h \leftarrow K`, then for each column :math:`h \leftarrow
    \mathrm{FingerprintCat64}(h, f(v))` with :math:`f(v) = v` for an integer and FarmHash
    ``Fingerprint64(v)`` for a string; the bin is :math:`h \bmod` ``num_bins``. (Two
    combinations may share a bin: a hash collision, which is what the bins trade for a fixed size.)

    Args:
        num_bins: the number of bins (the ``input_dim`` of an ``Embedding`` that reads them).
        output_mode: ``"int"`` (the bin index).
    """

    def __init__(self, num_bins, output_mode="int"):
        if isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or num_bins < 1:
            raise ValueError(f"`num_bins` must be a positive integer; received {num_bins!r}.")
        if output_mode != "int":
            raise ValueError(f"`output_mode` must be 'int'; received {output_mode!r}.")
        self.num_bins, self.output_mode = int(num_bins), output_mode

    def __call__(self, inputs):
        """The bin (``int64``) of each row of the columns ``inputs`` (a list, equal lengths)."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError("HashedCrossing takes a list of at least two columns, e.g. "
                             "crossing([workclass, occupation]).")
        columns = [np.asarray(c).reshape(-1) if np.asarray(c).ndim else np.asarray(c).reshape(1)
                   for c in inputs]
        if len({len(c) for c in columns}) != 1:
            raise ValueError(f"The columns to cross must have equal lengths; received "
                             f"{[len(c) for c in columns]}.")
        h = np.full(len(columns[0]), HASH_KEY, dtype=np.uint64)
        for c in columns:
            h = fingerprint_cat64(h, _feature_hash(c))
        return (h % np.uint64(self.num_bins)).astype(np.int64).reshape(np.shape(inputs[0]))

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode}

    def __repr__(self):
        return f"HashedCrossing(num_bins={self.num_bins})"


def _feature_hash(column):
    """Integers as themselves (their 64-bit pattern), strings by FarmHash ``Fingerprint64``."""
    if np.issubdtype(column.dtype, np.integer):
        return column.astype(np.int64).view(np.uint64)
    if column.dtype.kind in "USO" and all(isinstance(v, (str, bytes)) for v in column):
        hashes = {v: fingerprint64(v) for v in set(column.tolist())}
        return np.array([hashes[v] for v in column.tolist()], dtype=np.uint64)
    raise ValueError(f"HashedCrossing crosses integer or string columns; received {column.dtype} "
                     f"(e.g. {column[:1].tolist()}). Encode floats as integers or strings first.")
