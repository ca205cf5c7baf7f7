import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from scratch_vs_keras import scratch

ACTIVATIONS = [
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus",
    "softmax",
]


def make_model(n_in=4, hidden=(5,), activation="tanh", out_units=1, out_activation="sigmoid",
               loss="binary_crossentropy", dtype="float64", seed=0, **dense_kwargs):
    """A compiled scratch MLP: Input(n_in) -> Dense(h, activation) for h in hidden -> output."""
    layers = [scratch.Input(shape=(n_in,))]
    layers += [scratch.layers.Dense(h, activation=activation, **dense_kwargs) for h in hidden]
    layers.append(scratch.layers.Dense(out_units, activation=out_activation, **dense_kwargs))
    model = scratch.Sequential(layers, seed=seed, dtype=dtype)
    model.compile(optimizer="sgd", loss=loss)
    return model


def targets(kind, n, k, rng):
    """Random targets fitting a loss: regression, binary, multi-label, one-hot or sparse labels."""
    if kind == "regression":
        return rng.normal(size=(n, k))
    if kind == "binary":
        return rng.integers(0, 2, size=n).astype(float)
    if kind == "multilabel":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if kind == "onehot":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if kind == "sparse":
        return rng.integers(0, k, size=n)
    raise ValueError(kind)


def pytest_collection_modifyitems(items):
    """The tests marked ``long`` first (in their order), then the rest: pytest-xdist hands out
    work in collection order, and a long test handed out last keeps the run waiting on one core
    while the other has nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
