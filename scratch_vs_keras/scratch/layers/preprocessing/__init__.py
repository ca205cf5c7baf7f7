"""Preprocessing layers of the NumPy twin, as ``keras.layers``' preprocessing layers: they turn raw
columns into the integers and floats a network takes, the same numbers as Keras's.

* :mod:`.index_lookup`: ``StringLookup``, ``IntegerLookup`` (category -> index);
* :mod:`.hashed_crossing`: ``HashedCrossing`` (a cross of columns -> a hash bin, TensorFlow's hash);
* :mod:`.discretization`: ``Discretization`` (a number -> its bin, Keras's quantile boundaries);
* :mod:`.normalization`: ``Normalization`` ((x - mean) / sqrt(variance)).

They preprocess data before the model (as ``FeatureSpace`` does in a ``tf.data`` pipeline): each
has ``adapt`` (where Keras's has it), ``__call__`` and ``get_config``; none has weights to train,
so they are not nodes of a ``scratch.Model`` graph.
"""

from .discretization import Discretization
from .hashed_crossing import HashedCrossing
from .index_lookup import IntegerLookup, StringLookup
from .normalization import Normalization

__all__ = ["Discretization", "HashedCrossing", "IntegerLookup", "Normalization", "StringLookup"]
