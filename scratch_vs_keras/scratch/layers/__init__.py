"""Layers of the NumPy twin, one class per file as in ``keras.layers``, with Keras's arguments and
weight layout.

* :mod:`.base`: ``Input`` and ``Node`` (the functional API's symbolic tensors) and ``Layer``, whose
  docstring lists what a new layer writes;
* :mod:`.dense`: ``Dense`` (and the layout note: Keras's ``kernel (in, out)`` against the lecture's
  ``W (out, in)``); :mod:`.embedding`: ``Embedding``; :mod:`.concatenate`: ``Concatenate``;
  :mod:`.identity`: ``Identity``; :mod:`.ones_column`: ``OnesColumn`` (the lecture's bias row);
  :mod:`.dropout`: ``Dropout`` (Keras's own masks, reproduced); :mod:`.gaussian_noise`:
  ``GaussianNoise`` (Keras's own noise, reproduced);
  :mod:`.batch_normalization`: ``BatchNormalization`` (batch statistics, moving averages);
  :mod:`.layer_normalization`: ``LayerNormalization``;
  :mod:`.merging`: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``
  (element-wise merges) and ``Dot``;
* :mod:`.preprocessing`: ``StringLookup``, ``IntegerLookup``, ``HashedCrossing``,
  ``Discretization``, ``Normalization`` (raw columns -> Keras's integers and floats).
"""

from .base import Input, Layer, Node
from .batch_normalization import BatchNormalization
from .layer_normalization import LayerNormalization
from .concatenate import Concatenate, ConcatenateCache
from .dense import Dense, DenseCache
from .dropout import Dropout, DropoutCache
from .embedding import Embedding, EmbeddingCache
from .gaussian_noise import GaussianNoise
from .identity import Identity
from .merging import Add, Average, Dot, Maximum, Merge, Minimum, Multiply, Subtract
from .preprocessing import (Discretization, HashedCrossing, IntegerLookup, Normalization,
                            StringLookup)
from .ones_column import OnesColumn

__all__ = ["Add", "Average", "BatchNormalization", "Concatenate", "ConcatenateCache", "Dense",
           "DenseCache", "Discretization", "Dot", "Dropout", "DropoutCache", "Embedding",
           "EmbeddingCache", "GaussianNoise", "HashedCrossing", "Identity", "Input",
           "IntegerLookup", "Layer", "LayerNormalization", "Maximum", "Merge", "Minimum",
           "Multiply", "Node", "Normalization", "OnesColumn", "StringLookup", "Subtract"]
