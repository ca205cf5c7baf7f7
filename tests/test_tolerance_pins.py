"""Every tolerance of the equivalence contract is pinned by a planted fault on each side of it.

For a bound ``t`` a fault of relative size ``3 t`` must be a MISMATCH (loosen ``t`` to the next
decade and it passes: this test fails) and one of ``t / 3`` must not be (tighten it a decade and
this test fails). The bounds are the contract's (DESIGN section 2), written here as numbers, not
read from the code under test:

- one batch, Keras twin: 1e-12 (float64), 1e-5 (float32); finite differences: 1e-6;
- a side-by-side run in float64: weights 1e-10 (every step and final), batch losses, History
  values and per-step gradients 1e-12;
- a float32 run of ``s`` steps: 100 x eps(float32) x s, capped at 0.05.
"""

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras import compare_gradients, scratch
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.compare.training import SideBySideRun
from conftest import make_model

O = scratch.optimizers
EPS32 = float(np.finfo(np.float32).eps)
ABOVE, BELOW = 3.0, 1 / 3  # a planted fault of 3 t is caught, one of t / 3 is not


# -- one batch --------------------------------------------------------------------------------

def _loss_off_by(monkeypatch, model, factor):
    real = type(model).trace

    def planted(self, x, y):
        trace = real(self, x, y)
        return trace._replace(loss=trace.loss * (1 + factor))

    monkeypatch.setattr(type(model), "trace", planted)


@pytest.mark.parametrize("dtype, bound", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_one_batch_bound_against_keras(monkeypatch, rng, dtype, bound, side):
    model = make_model(hidden=(5,), activation="tanh", dtype=dtype)
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 2, size=9)
    _loss_off_by(monkeypatch, model, side * bound)
    result = compare_gradients(model, x, y, finite_differences=False)
    loss = result.table[result.table.quantity == "loss"].iloc[0]
    assert loss.tolerance == bound
    assert loss.ok == (side == BELOW), str(result)
    assert result.ok == (side == BELOW)


@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_finite_difference_bound(monkeypatch, rng, side):
    model = make_model(hidden=(5,), activation="tanh")
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 2, size=9)
    real = type(model).loss_and_gradients

    def planted(self, xb, yb):  # what the finite differences are compared with
        loss, grads = real(self, xb, yb)
        return loss, grads[:-1] + [grads[-1] * (1 + side * 1e-6)]

    monkeypatch.setattr(type(model), "loss_and_gradients", planted)
    table = compare_gradients(model, x, y).table
    fd = table[table.quantity == "finite_difference"].set_index(["layer", "tensor"])
    assert (table[table.quantity != "finite_difference"].ok).all()  # Keras sees no fault
    row = fd.loc[("dense_1", "bias")]
    assert row.tolerance == 1e-6 and bool(row.ok) == (side == BELOW), str(fd)


# -- a side-by-side run -----------------------------------------------------------------------

STEPS, PLANT_AT = 8, 5


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(64, 4))
    return x, (x[:, 0] - x[:, 1] > 0).astype(float)


def _run(data, dtype="float64", record_gradients=False):
    model = make_model(hidden=(5,), activation="tanh", dtype=dtype, seed=1)
    model.compile(optimizer=O.SGD(0.1), loss="binary_crossentropy")
    run = train_side_by_side(model, *data, epochs=1, batch_size=8, shuffle=False,
                             record_gradients=record_gradients)
    assert run.steps == STEPS
    return run


def _plant_weight_drift(monkeypatch, factor, at):
    """The NumPy side's weights scaled by ``1 + factor`` right after step ``at``."""
    real = O.SGD.apply

    def planted(self, grads, variables, tensors=None):
        real(self, grads, variables, tensors)
        if self.iterations == at + 1:
            for v in variables:
                v *= 1 + factor

    monkeypatch.setattr(O.SGD, "apply", planted)


def _rows_ok(run):
    return dict(zip(run.verdict_table().quantity, run.verdict_table().ok))


@pytest.mark.parametrize("dtype, bound", [("float64", 1e-10), ("float32", 100 * EPS32 * STEPS)])
@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_weight_bound_of_a_run(monkeypatch, data, dtype, bound, side):
    _plant_weight_drift(monkeypatch, side * bound, PLANT_AT)
    run = _run(data, dtype)
    ok = _rows_ok(run)
    assert ok["weights, every step"] == (side == BELOW), str(run)
    div = run.first_divergence()
    if side == ABOVE:  # located at the step itself, not one step later in the batch loss
        assert (div.step, div.quantity) == (PLANT_AT, "weight"), str(div)
        assert div.tolerance == pytest.approx(bound, rel=1e-12)
    else:
        assert div is None or div.quantity != "weight"


@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_final_weight_bound_of_a_run(monkeypatch, data, side):
    _plant_weight_drift(monkeypatch, side * 1e-10, STEPS - 1)
    ok = _rows_ok(_run(data))
    assert ok["weights, final"] == ok["weights, every step"] == (side == BELOW)


@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_batch_loss_bound_of_a_run(monkeypatch, data, side):
    real = scratch.Sequential._pass
    calls = []

    def planted(self, *args, **kwargs):
        loss, *rest = real(self, *args, **kwargs)
        calls.append(None)
        return (loss * (1 + side * 1e-12) if len(calls) == PLANT_AT + 1 else loss, *rest)

    monkeypatch.setattr(scratch.Sequential, "_pass", planted)
    run = _run(data)
    ok = _rows_ok(run)
    assert ok[f"batch loss, every step ({STEPS})"] == (side == BELOW), str(run)
    div = run.first_divergence()
    if side == ABOVE:
        assert (div.step, div.quantity) == (PLANT_AT, "batch_loss"), str(div)
    else:
        assert div is None and run.ok, str(run)


@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_history_bound_of_a_run(monkeypatch, data, side):
    real = scratch.callbacks.History.on_epoch_end

    def planted(self, epoch, logs=None):
        real(self, epoch, {**logs, "loss": logs["loss"] * (1 + side * 1e-12)})

    monkeypatch.setattr(scratch.callbacks.History, "on_epoch_end", planted)
    ok = _rows_ok(_run(data))
    assert ok["history/loss"] == (side == BELOW)


@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_gradient_bound_of_a_run(monkeypatch, data, side):
    from scratch_vs_keras.compare.gradients import summed_magnitudes

    real = scratch.Sequential.loss_and_gradients

    def planted(self, x, y):  # the recorded gradients only (fit trains through _pass)
        loss, grads = real(self, x, y)
        scale = max(float(np.max(np.abs(grads[-1]))), summed_magnitudes(self, x, y)[-1])
        return loss, grads[:-1] + [grads[-1] + side * 1e-12 * scale]

    monkeypatch.setattr(scratch.Sequential, "loss_and_gradients", planted)
    run = _run(data, record_gradients=True)
    ok = _rows_ok(run)
    assert ok["weights, every step"]  # the training itself is untouched
    assert ok["gradients, every step"] == (side == BELOW), str(run)


@pytest.mark.parametrize("side", [ABOVE, BELOW], ids=["3t", "t/3"])
def test_float32_bound_is_capped_for_long_runs(side):
    """100 x eps x steps passes 0.05 at 4,195 steps; a 100,000-step run is bounded by 0.05."""
    steps = 100_000
    rows = [(steps - 1, 0, s, "weight", "dense/kernel", v)
            for s, v in (("scratch", 1.0 + side * 0.05), ("keras", 1.0),
                         ("abs_diff", side * 0.05), ("rel_diff", side * 0.05))]
    records = pd.DataFrame(rows, columns=["step", "epoch", "side", "quantity", "layer", "value"])
    run = SideBySideRun(records, "float32", steps, None, None, {}, {})
    ok = _rows_ok(run)
    assert ok["weights, final"] == ok["weights, every step"] == (side == BELOW)
