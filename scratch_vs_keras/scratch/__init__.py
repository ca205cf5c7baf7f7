"""The NumPy side: a from-scratch twin of the part of Keras that builds and trains MLPs.

Use it where you would use ``keras``::

    from scratch_vs_keras import scratch

    model = scratch.Sequential([
        scratch.Input(shape=(30,)),
        scratch.layers.Dense(16, activation="relu"),
        scratch.layers.Dense(1, activation="sigmoid"),
    ], seed=0, dtype="float64")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    loss, grads = model.loss_and_gradients(x, y)

This package imports NumPy only (and SciPy's ``expit`` and ``erfc``), never TensorFlow; nothing in it
imports the rest of ``scratch_vs_keras`` (import-linter checks both, see pyproject.toml).

Layout, as Keras's:

* ``functional`` (``Model``: the graph, forward and backward), ``sequential`` (``Sequential``),
  ``trainer`` (compile/fit/evaluate/predict), ``models`` (the names to import);
* ``layers/`` (one class per file: each layer owns its forward and backward, its activation's
  derivative included), ``activations``, ``losses/`` (``base``: reductions and
  ``sample_weight``; ``regression``, ``hinge``, ``probabilistic``; each checks its own targets),
  ``regularizers``, ``initializers``, ``optimizers/`` (with ``schedules``), ``metrics``,
  ``callbacks``;
* ``data_checks`` (input checks), ``batching`` (row orders and batches), ``weight_buffer`` (the
  flat weight buffer), ``sparse`` (row-wise gradients), ``_validation`` (``check_number``),
  ``_scalar_math`` (``float32_round``, TensorFlow's scalar ``pow``/``cos``), ``_philox``
  (TensorFlow's stateless uniform and normal numbers: ``Dropout``'s masks, ``GaussianNoise``'s
  noise), ``_farmhash`` (TensorFlow's string and cross hashes: ``HashedCrossing``, the lookups'
  hashed OOV slots);
* ``layers/preprocessing/`` (``StringLookup``, ``IntegerLookup``, ``HashedCrossing``,
  ``Discretization``, ``Normalization``: raw columns to Keras's integers and floats, before the model).

The public contract with the rest of the package: ``model.prepare(x, y)`` (checked arrays),
``model.trace(x, y)`` (one pass: caches, outputs, loss, gradients, sensitivities),
``model.loss_of_batch``, ``model.sources``, ``model.epoch_orders`` and ``batching.batches``;
translating to Keras is ``keras_side``'s job, from each object's ``get_config()``.
"""

from . import (
    activations,
    batching,
    callbacks,
    config,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    utils,
)
from ._scalar_math import float32_round
from ._validation import check_number
from .layers import Input
from .models import Model, Sequential

__all__ = [
    "check_number",
    "float32_round",
    "Input",
    "Model",
    "Sequential",
    "activations",
    "batching",
    "callbacks",
    "config",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
    "utils",
]
