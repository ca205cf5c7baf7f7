"""What the Keras side's speed-up must not change: the validation batches Keras's ``fit`` sees
(one pre-batched ``tf.data`` pipeline instead of the arrays: the same numbers in History, bit
for bit, against a plain ``fit`` on the arrays); and the phase timer that
``benchmarks/where_time_goes.py`` reads (exclusive nesting, off by default)."""

import time

import numpy as np
import pytest

from scratch_vs_keras import scratch, timing
from scratch_vs_keras.scratch.layers import Dense

keras = pytest.importorskip("keras")


def _busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_phases_count_exclusively_and_only_when_enabled():
    timing.reset()
    with timing.phase("outer"):  # disabled (the default): nothing recorded
        _busy(0.01)
    assert timing.totals() == {}
    timing.enable()
    try:
        with timing.phase("outer"):
            _busy(0.05)
            with timing.phase("inner"):
                _busy(0.1)
        totals = timing.totals()
    finally:
        timing.enable(False)
        timing.reset()
    outer, inner = totals["outer"], totals["inner"]
    assert 0.1 <= inner[0] < 0.1 + 0.05  # the inner block's own time
    assert 0.05 <= outer[0] < 0.1  # the outer block without the inner one's 0.1 s
    assert (outer[2], inner[2]) == (1, 1)


def test_validation_dataset_is_the_arrays_in_order_in_batches():
    from scratch_vs_keras.compare.training import validation_dataset

    x = np.arange(14, dtype="float32").reshape(7, 2)
    y = np.arange(7, dtype="int64")
    batches = [tuple(t.numpy() for t in b) for b in validation_dataset((x, y), 3)]
    assert [len(b[0]) for b in batches] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    assert (batches[0][0].dtype, batches[0][1].dtype) == (np.float32, np.int64)  # no cast


def _model(dtype):
    model = scratch.Sequential([scratch.Input((4,)), Dense(5, activation="tanh"),
                                Dense(1, activation="sigmoid")], seed=1, dtype=dtype)
    model.compile(optimizer=scratch.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_validation_history_equals_a_plain_fit_on_the_arrays(dtype):
    """The run's Keras History against Keras's own ``fit(validation_data=arrays)`` of the same
    twin on the same batches: every validation value equal bit for bit."""
    from scratch_vs_keras import to_keras
    from scratch_vs_keras.compare import train_side_by_side

    rng = np.random.default_rng(0)
    x, xv = rng.normal(size=(40, 4)), rng.normal(size=(13, 4))
    y, yv = (x[:, 0] > 0).astype(float), (xv[:, 0] > 0).astype(float)
    model = _model(dtype)
    run = train_side_by_side(model, x, y, epochs=3, batch_size=8, shuffle=False,
                             validation_data=(xv, yv), keras_feed="arrays")
    plain = to_keras(model)
    cast = model.dtype
    history = plain.fit(x.astype(cast), y.astype(cast), batch_size=8, epochs=3, shuffle=False,
                        verbose=0, validation_data=(xv.astype(cast), yv.astype(cast))).history
    for key in ("val_loss", "val_accuracy"):
        assert run.keras_history[key] == history[key], key
    assert run.ok

