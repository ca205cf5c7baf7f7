"""``Embedding``: a lookup table from category indices to learned vectors, as ``keras.layers.Embedding``."""

from collections import namedtuple

import numpy as np

from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .._validation import check_positive_int
from ..sparse import SparseRows
from .base import Layer

#: What an Embedding layer remembers: the indices it gathered.
EmbeddingCache = namedtuple("EmbeddingCache", ["indices"])


class Embedding(Layer):
    r"""A lookup table: row :math:`i` of ``embeddings`` for category index :math:`i`, as Keras's.

    Forward, for indices :math:`c_s` of the batch: :math:`E_s = W_{c_s}` (a row gather, shape
    ``(B, output_dim)``). Backward: :math:`\partial J/\partial W_i = \sum_{s: c_s = i}
    \partial J/\partial E_s` — the rows' gradients scattered back and *added* where an index
    repeats in the batch (``np.add.at``; a plain assignment would keep only one of them).

    Args:
        input_dim: the number of categories (valid indices ``0 .. input_dim - 1``).
        output_dim: the length of each embedding vector.
        embeddings_initializer: Keras's default ``"uniform"`` is U(-0.05, 0.05).
        embeddings_regularizer: ``None`` or a regularizer.
        name: optional name.
    """

    takes_indices = True
    sparse_gradients = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, name=None):
        super().__init__(name=name)
        self.input_dim = check_positive_int(input_dim, "input_dim")
        self.output_dim = check_positive_int(output_dim, "output_dim")
        if embeddings_initializer == "uniform":  # Keras's name for RandomUniform(-0.05, 0.05)
            embeddings_initializer = "random_uniform"
        self.embeddings_initializer = _initializers.get(embeddings_initializer, "embeddings_initializer")
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer, "embeddings_regularizer")

    def _check_inputs(self, nodes):
        if len(nodes) != 1 or nodes[0].dtype != "int":
            raise ValueError(
                f"Embedding {self.name or ''} takes one integer input "
                f"(scratch.Input(shape=(), dtype='int32')); received {nodes}."
            )

    def compute_output_shape(self, input_shape):
        return (self.output_dim,)

    def build(self, input_shape, dtype, rng):
        self.weights = [self.embeddings_initializer((self.input_dim, self.output_dim), dtype, rng)]
        self.built = True

    def weight_names(self):
        return ["embeddings"]

    def weight_regularizers(self):
        return [self.embeddings_regularizer][: len(self.weights)]

    def check_indices(self, indices, name):
        """Every index in ``[0, input_dim)``; else a ValueError naming ``name`` and the layer."""
        if indices.size and (indices.min() < 0 or indices.max() >= self.input_dim):
            bad = indices[(indices < 0) | (indices >= self.input_dim)][0]
            raise ValueError(
                f"`{name}` holds index {int(bad)}, outside [0, {self.input_dim - 1}] of the "
                f"Embedding {self.name!r} (input_dim={self.input_dim}); map unseen or missing "
                "categories to a reserved index."
            )

    def forward(self, indices):
        r""":math:`E_s = W_{c_s}`: the rows of the table for the batch's indices."""
        idx = np.asarray(indices).reshape(-1)
        self.check_indices(idx, f"{self.name} input")
        return self.weights[0][idx], EmbeddingCache(idx)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """The table's gradient as rows, one per sample (``SparseRows``, TensorFlow's
        ``IndexedSlices``); its dense form scatter-adds them, repeated indices summed."""
        return [SparseRows(cache.indices, grad, self.weights[0].shape)], None

    def __repr__(self):
        return f"Embedding({self.input_dim}, {self.output_dim}, name={self.name!r})"
