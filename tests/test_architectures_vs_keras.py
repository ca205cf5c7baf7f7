"""Depth 1 to 4, batch sizes 1, odd and full, with and without bias, plus a hypothesis property."""

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from scratch_vs_keras import compare_gradients, scratch
from conftest import ACTIVATIONS, make_model, targets


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch", [1, 7, "full"])
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_depth_and_batch_size(depth, batch, dtype):
    from scratch_vs_keras.data import load_dataset, prepare

    d = prepare(load_dataset("breast_cancer"), seed=1)
    x, y = d.x_train, d.y_train
    n = len(x) if batch == "full" else batch
    hidden = (12, 9, 7, 5)[: depth - 1]  # depth counts Dense layers, the output included
    model = make_model(n_in=30, hidden=hidden, activation="tanh", dtype=dtype, seed=depth,
                       kernel_regularizer=scratch.regularizers.L2(1e-3))
    result = compare_gradients(model, x[:n], y[:n], fd_max_entries=40)
    assert result.ok, str(result)
    assert result.batch_size == n


def test_without_bias(rng):
    model = make_model(hidden=(5, 3), activation="elu", use_bias=False)
    assert len(model.get_weights()) == 3
    result = compare_gradients(model, rng.normal(size=(5, 4)), rng.integers(0, 2, size=5))
    assert result.ok, str(result)


OUTPUTS = [
    # (output activation, loss, target kind, units)
    ("sigmoid", "binary_crossentropy", "binary", 1),
    ("softmax", "categorical_crossentropy", "onehot", 3),
    ("softmax", "sparse_categorical_crossentropy", "sparse", 4),
    ("linear", "mean_squared_error", "regression", 2),
    ("linear", "mean_absolute_error", "regression", 1),
]


# a drawn hidden layer may be Dense(1, activation="softmax"): both libraries warn about it, on purpose
@pytest.mark.filterwarnings("ignore:.*softmax over:UserWarning")
# Random on every run; a failure prints its falsifying example (the arguments, hence the seed of
# its data) and a @reproduce_failure blob. Paste the example here as an @example so that it stays
# checked on every run, as below.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          print_blob=True)
@given(
    hidden=st.lists(st.integers(1, 8), min_size=0, max_size=3),
    activation=st.sampled_from([a for a in ACTIVATIONS if a != "softmax"] + ["softmax"]),
    output=st.sampled_from(OUTPUTS),
    n_in=st.integers(1, 6),
    batch=st.integers(1, 20),
    seed=st.integers(0, 10_000),
    l2=st.sampled_from([0.0, 1e-3, 0.05]),
    dtype=st.sampled_from(["float64", "float32"]),
)
# kept cases: a one-unit softmax hidden layer (always 1, every gradient below it exactly 0); the
# mean absolute error on a single row in float32 with a penalty; a relu net with one input
@example(hidden=[1], activation="softmax", output=OUTPUTS[0], n_in=3, batch=5, seed=0, l2=0.0,
         dtype="float64")
@example(hidden=[4, 2], activation="relu", output=OUTPUTS[4], n_in=1, batch=1, seed=17, l2=0.05,
         dtype="float32")
@example(hidden=[], activation="linear", output=OUTPUTS[2], n_in=6, batch=20, seed=9999, l2=1e-3,
         dtype="float64")
def test_random_architectures_match_keras(hidden, activation, output, n_in, batch, seed, l2, dtype):
    note(f"hidden={hidden} activation={activation} output={output} n_in={n_in} batch={batch} "
         f"seed={seed} l2={l2} dtype={dtype}")
    out_act, loss, kind, k = output
    rng = np.random.default_rng(seed)
    kw = {"kernel_regularizer": scratch.regularizers.L2(l2)} if l2 else {}
    model = make_model(n_in=n_in, hidden=tuple(hidden), activation=activation, out_units=k,
                       out_activation=out_act, loss=loss, dtype=dtype, seed=seed, **kw)
    x = rng.normal(size=(batch, n_in))
    y = targets(kind, batch, k, rng)
    result = compare_gradients(model, x, y)
    assert result.ok, str(result)
