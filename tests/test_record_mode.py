"""The memory-light record of a side-by-side run (``train_side_by_side(record="epoch" | N)``):
the batch loss compared at every step, the weights at the recorded steps only. Its numbers are
the every-step record's at the same steps bit for bit, a weight fault planted between two
records is caught at the next one, and what it keeps grows with the records, not the steps."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.compare import training
from scratch_vs_keras.compare.training import recorded_steps, train_side_by_side
from scratch_vs_keras.scratch.layers import Concatenate, Dense, Embedding

pytest.importorskip("keras")

STEPS_PER_EPOCH, EPOCHS, BATCH = 5, 3, 8
UNUSED = 5  # an embedding row no training row looks up: its gradient is zero at every step


def _data(rows=STEPS_PER_EPOCH * BATCH, seed=0):
    rng = np.random.default_rng(seed)
    x = {"category": rng.integers(0, UNUSED, rows).astype("int32"),
         "numeric": rng.normal(size=(rows, 3))}
    return x, (x["numeric"][:, :1] + (x["category"][:, None] == 2) > 0).astype(float)


def _model():
    category = scratch.Input(shape=(), dtype="int32", name="category")
    numeric = scratch.Input(shape=(3,), name="numeric")
    joined = Concatenate()([Embedding(UNUSED + 1, 2, name="emb")(category),
                            Dense(4, activation="tanh", name="hidden")(numeric)])
    model = scratch.Model([category, numeric], Dense(1, activation="sigmoid", name="out")(joined),
                          seed=3, dtype="float64")
    model.compile(optimizer=scratch.optimizers.SGD(0.1), loss="binary_crossentropy")
    return model


@pytest.fixture(scope="module")
def every_step():
    x, y = _data()
    return train_side_by_side(_model(), x, y, epochs=EPOCHS, batch_size=BATCH)


def _by_key(run, quantity):
    r = run.records[run.records.quantity == quantity]
    return r.set_index(["step", "side", "layer"]).value


@pytest.mark.parametrize("record, in_graph", [("epoch", True), (2, True), ("epoch", False)])
def test_sparse_record_equals_the_every_step_record_at_its_steps(every_step, record, in_graph):
    x, y = _data()
    run = train_side_by_side(_model(), x, y, epochs=EPOCHS, batch_size=BATCH, record=record,
                             record_in_graph=in_graph)
    steps = STEPS_PER_EPOCH * EPOCHS
    # epoch ends 4, 9, 14; with N = 2 also every second step: 1, 3, 5, ...
    expected = [4, 9, 14] if record == "epoch" else sorted({4, 9, 14} | set(range(1, steps, 2)))
    np.testing.assert_array_equal(run.weight_steps, expected)
    for quantity in ("batch_loss", "weight", "history/loss"):
        ours, full = _by_key(run, quantity), _by_key(every_step, quantity)
        assert len(ours) and ours.index.isin(full.index).all()
        np.testing.assert_array_equal(ours.to_numpy(), full.loc[ours.index].to_numpy())
    assert len(_by_key(run, "batch_loss")) == 4 * steps  # the loss: every step, both sides
    table = run.verdict_table()
    label = "3 epoch ends" if record == "epoch" else f"{len(expected)} steps (every 2 steps"
    assert table.quantity.str.contains(f"weights at {label}", regex=False).any()
    assert not table.quantity.str.contains("weights, every step").any()
    assert f"{steps - len(expected)} steps' weights: not checked" in " ".join(table.note)
    assert "not checked" in str(run) and run.ok


def test_weight_fault_between_records_is_caught_at_the_next_record(monkeypatch):
    """A NumPy update that writes into an embedding row no batch looks up, at step 6: the batch
    losses cannot see it (they stay equal); the weights recorded at the end of epoch 2 (step 9)
    do, and the divergence says it happened after step 4, the last record that matched."""
    original = training._ScratchRecorder.on_train_batch_end

    def faulty(self, batch, logs=None):
        if self.r.steps == 6:
            model = self.r.get_weights.__self__
            model.weights[model.weight_names().index("emb/embeddings")][UNUSED] += 1e-6
        original(self, batch, logs)

    monkeypatch.setattr(training._ScratchRecorder, "on_train_batch_end", faulty)
    x, y = _data()
    runs = {record: train_side_by_side(_model(), x, y, epochs=EPOCHS, batch_size=BATCH,
                                       record=record) for record in ("epoch", "every_step")}
    sparse = runs["epoch"]
    table = sparse.verdict_table().set_index("quantity")
    assert table.loc["batch loss, every step (15)", "ok"]  # the loss alone would miss it
    assert not table.loc["weights at 3 epoch ends", "ok"] and not sparse.ok
    div = sparse.first_divergence()
    assert (div.step, div.quantity, div.layer, div.since) == (9, "weight", "emb/embeddings", 4)
    assert "parted at one of steps 5-9" in str(div)
    assert abs(div.abs_diff - 1e-6) < 1e-12
    every = runs["every_step"].first_divergence()  # recorded every step: seen where it happened
    assert (every.step, every.layer, every.since) == (6, "emb/embeddings", None)


def test_memory_grows_with_the_records_not_the_steps(monkeypatch):
    """20 epochs of 5 steps: each side keeps 20 weight snapshots, not 100; the in-graph buffer
    holds one weight row, its chunk is the whole epoch; the records hold every step's loss."""
    kept = {}

    def spy(name):
        make = getattr(training, name)

        def wrapped(*args, **kwargs):
            made = make(*args, **kwargs)
            kept[name] = made
            return made
        monkeypatch.setattr(training, name, wrapped)

    spy("scratch_recorder")
    spy("keras_step_recorder")
    x, y = _data()
    model, epochs = _model(), 20
    run = train_side_by_side(model, x, y, epochs=epochs, batch_size=BATCH, record="epoch")
    n_params = sum(w.size for w in model.get_weights())
    k_rec, k_callback, (_, chunk) = kept["keras_step_recorder"]
    for rec in (kept["scratch_recorder"], k_rec):
        assert rec.steps == epochs * STEPS_PER_EPOCH and len(rec.losses) == rec.steps
        assert len(rec.weights) == epochs  # O(parameters x records)
        assert sum(w.size for w in rec.weights[0]) == n_params
    assert chunk == STEPS_PER_EPOCH and k_callback.buffer_entries == chunk + n_params
    n_tensors = len(model.weight_names())
    weights = run.records[run.records.quantity == "weight"]
    assert len(weights) == 4 * n_tensors * epochs
    assert len(run.records[run.records.quantity == "batch_loss"]) == 4 * epochs * STEPS_PER_EPOCH


def test_every_step_buffer_holds_a_weight_row_per_step_of_its_chunk(monkeypatch):
    made = {}
    make = training.keras_step_recorder
    monkeypatch.setattr(training, "keras_step_recorder",
                        lambda *a, **k: made.setdefault("r", make(*a, **k)))
    x, y = _data()
    model = _model()
    train_side_by_side(model, x, y, epochs=2, batch_size=BATCH)
    rec, callback, (_, chunk) = made["r"]
    n_params = sum(w.size for w in model.get_weights())
    assert len(rec.weights) == rec.steps == 2 * STEPS_PER_EPOCH
    assert callback.buffer_entries == chunk * (1 + n_params)


def test_recorded_steps_marks_each_epoch_end_and_every_nth_step():
    np.testing.assert_array_equal(np.flatnonzero(recorded_steps("epoch", 4, 3)), [3, 7, 11])
    np.testing.assert_array_equal(np.flatnonzero(recorded_steps(5, 4, 3)), [3, 4, 7, 9, 11])
    assert recorded_steps("every_step", 4, 3) is None and recorded_steps(1, 4, 3) is None


@pytest.mark.parametrize("kwargs, match", [
    (dict(record="epochs"), "`record` must be 'every_step', 'epoch' or a positive integer"),
    (dict(record=0), "received record=0"),
    (dict(record=True), "received record=True"),
    (dict(record=2.5), "received record=2.5"),
    (dict(record="epoch", record_gradients=True), "pass record='every_step'"),
])
def test_bad_record_names_the_argument_and_the_fix(kwargs, match):
    x, y = _data()
    with pytest.raises(ValueError, match=match):
        train_side_by_side(_model(), x, y, epochs=1, batch_size=BATCH, **kwargs)


def test_step_batches_are_fits_batches_one_epoch_at_a_time():
    from scratch_vs_keras.scratch import batching

    x, y = _data(rows=21)
    x = [x["category"], x["numeric"]]  # as the model's prepare() gives them
    orders = [np.arange(21), np.random.default_rng(1).permutation(21)]
    lazy = training._StepBatches(x, y, orders, 4)
    listed = [b for order in orders for b in batching.batches(x, y, order, 4)]
    assert len(lazy) == len(listed) == 12
    for (xa, ya), (xb, yb) in zip(lazy, listed):
        np.testing.assert_array_equal(ya, yb)
        for a, b in zip(xa, xb):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(IndexError):
        lazy[12]
