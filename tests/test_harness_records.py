"""The side-by-side harness records Keras's losses and weights inside its compiled training step
(many steps per call) and builds the per-step rows for all steps at once; its records are the
ones the step-by-step harness produced, bit for bit. The reference files were written by the
harness of commit 8408c88 (tests/data/make_harness_records.py says how), so that a change in
any number, row or column of the records fails here."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras.compare import train_side_by_side

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
from make_harness_records import case  # noqa: E402


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("in_graph", [True, False])
def test_records_are_bit_identical_to_the_step_by_step_harness(dtype, in_graph):
    reference = pd.read_csv(DATA / f"harness_records_{dtype}.csv.gz")
    model, x, y, val = case(dtype)
    run = train_side_by_side(model, x, y, epochs=2, batch_size=16, validation_data=val,
                             record_in_graph=in_graph)
    records = run.records
    assert list(records.columns) == list(reference.columns)
    assert len(records) == len(reference) == 2 * 8 * 4 * 7 + 4 * 4 * 2  # 8 steps x 7 quantities
    for column in ["step", "epoch", "side", "quantity", "layer"]:
        assert records[column].tolist() == reference[column].tolist(), column
    values, expected = records.value.to_numpy(), reference.value.to_numpy()
    differ = np.flatnonzero(values != expected)
    assert differ.size == 0, records.iloc[differ[:5]].assign(reference=expected[differ[:5]])
    # the reference holds real differences, not only zeros: a comparison that can fail
    assert (reference[reference.side == "rel_diff"].value > 0).any()
    assert run.ok
