"""Whole training runs, NumPy vs Keras's real model.fit: >= 1,000 steps, every batch loss within
1e-12 relative and the final weights within 1e-10 (float64), for every optimizer with its
options, each with and without an L2 penalty and in order and shuffled (pairwise: two runs per
optimizer), with a partial final batch, and each schedule."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.compare.catalog import OPTIMIZERS, SCHEDULES

N, BATCH, EPOCHS = 1000, 32, 32  # 32 steps per epoch, the last one of 8 rows: 1,024 steps

@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(N, 8))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] > 0).astype(float)
    return x, y


def _model(optimizer, l2, dtype="float64"):
    kw = {"kernel_regularizer": scratch.regularizers.L2(l2),
          "bias_regularizer": scratch.regularizers.L2(l2)} if l2 else {}
    model = scratch.Sequential([
        scratch.Input((8,)),
        scratch.layers.Dense(6, activation="tanh", **kw),
        scratch.layers.Dense(1, activation="sigmoid", **kw),
    ], seed=0, dtype=dtype)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def _check_run(run):
    assert run.steps >= 1000
    table = run.verdict_table().set_index("quantity")
    assert table.loc[f"batch loss, every step ({run.steps})", "worst_rel_diff"] <= 1e-12
    assert table.loc["weights, final", "worst_rel_diff"] <= 1e-10
    assert run.ok, str(run)
    assert run.first_divergence() is None


def _pairwise_cells():
    """Two runs per optimizer, (no penalty, in order) and (L2, shuffled) for every other one,
    (no penalty, shuffled) and (L2, in order) for the rest: each optimizer meets both penalty
    settings and both orders, and each penalty setting meets each order, in half the runs of
    the full product (a Keras build and trace per run is most of a run's cost)."""
    settings = [[(0.0, False), (1e-3, True)], [(0.0, True), (1e-3, False)]]
    def cell_id(name, l2, shuffle):
        return f"{name}-{'l2' if l2 else 'no_penalty'}-{'shuffled' if shuffle else 'in_order'}"

    return [pytest.param(name, l2, shuffle, id=cell_id(name, l2, shuffle))
            for i, name in enumerate(sorted(OPTIMIZERS)) for l2, shuffle in settings[i % 2]]


@pytest.mark.parametrize("name, l2, shuffle", _pairwise_cells())
def test_optimizer_run_matches_keras_fit(name, l2, shuffle, data):
    x, y = data
    run = train_side_by_side(_model(OPTIMIZERS[name](), l2), x, y, epochs=EPOCHS,
                             batch_size=BATCH, shuffle=shuffle)
    _check_run(run)
    # the last batch of each epoch really is partial: 1000 = 31 * 32 + 8
    assert run.steps == EPOCHS * 32


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_run_matches_keras_fit(name, data):
    x, y = data
    run = train_side_by_side(_model(SCHEDULES[name](), 1e-3), x, y, epochs=EPOCHS,
                             batch_size=BATCH, shuffle=True)
    _check_run(run)
