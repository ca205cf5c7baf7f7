"""``Model`` and ``Sequential``, as ``keras.models``: the names a script imports.

The model lives in three modules, as Keras lays it out: :mod:`.functional` (the graph of layers
with its forward and backward pass, and the public contract ``prepare``/``trace``/
``loss_of_batch``), :mod:`.sequential` (the chain) and :mod:`.trainer` (compile/fit/evaluate/
predict). Input checks are plain functions in :mod:`.data_checks`, the flat weight buffer is
:mod:`.weight_buffer`.
"""

from .functional import Model, Trace
from .sequential import Sequential

__all__ = ["Model", "Sequential", "Trace"]
