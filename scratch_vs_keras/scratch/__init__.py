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

This package imports NumPy only (and SciPy's ``erfc`` for gelu), never TensorFlow.
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
from .layers import Input
from .models import Model, Sequential

__all__ = [
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
