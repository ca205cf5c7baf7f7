"""Standardizing extreme values: never a column of zeros or NaN in silence.

A column with a 1e308 entry used to overflow its standard deviation and become -0.0 throughout,
with no note (and the run then said MATCH on a feature that was gone).
"""

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras.data import load_csv, prepare, standardize


def _column_with(value, rows=30, seed=0):
    rng = np.random.default_rng(seed)
    column = rng.normal(size=rows)
    column[3] = value
    return column


@pytest.mark.parametrize("value", [1e308, -1e308, 1.5e200])
def test_an_extreme_value_does_not_zero_the_column(value):
    col = _column_with(value)
    with pytest.warns(UserWarning, match=r"overflow a direct mean and standard deviation"):
        out = standardize(col)
    assert np.all(np.isfinite(out)) and np.any(out != 0)
    # A standardized column has mean 0 and standard deviation 1, extreme entry or not.
    assert abs(out.mean()) < 1e-12 and abs(out.std() - 1) < 1e-12
    # The extreme entry is the one that stands out, on the side of its sign.
    assert np.argmax(np.abs(out)) == 3 and np.sign(out[3]) == np.sign(value)


def test_ordinary_columns_are_standardized_as_before_bit_for_bit():
    rng = np.random.default_rng(1)
    train, test = rng.normal(3, 2, size=(50, 4)), rng.normal(3, 2, size=(10, 4))
    a, b = standardize(train, test)
    mean, std = train.mean(axis=0), train.std(axis=0)
    assert a.tobytes() == ((train - mean) / std).tobytes()
    assert b.tobytes() == ((test - mean) / std).tobytes()


def test_prepare_notes_the_extreme_column(tmp_path):
    """The issue's case: one 1e308 entry, in the training split, used to zero the column."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40), "y": [0, 1] * 20})
    row = np.random.default_rng(0).permutation(40)[-1]  # prepare's seed-0 split: a training row
    frame.loc[row, "a"] = 1e308
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    p = prepare(load_csv(path, "y"), seed=0)
    column = p.x_train[:, p.feature_names.index("a")]
    assert np.max(column) > 5  # the 1e308 row is in the training split, and stands out
    assert np.all(np.isfinite(column)) and np.ptp(column) > 1  # not a column of (-)0.0
    note = [n for n in p.notes if n.startswith("column 'a'")]
    assert len(note) == 1, p.notes
    assert "values up to 1e+308 overflow" in note[0]
    assert "distinct training values became 2" in note[0] and "data-entry error" in note[0]
    assert not any(n.startswith("column 'b'") for n in p.notes)


def test_a_test_value_too_far_outside_is_refused():
    train = np.array([[0.0], [0.001], [0.002], [0.003]])  # standard deviation ~1e-3
    test = np.array([[0.002], [-1.7e308]])
    with pytest.raises(ValueError, match=r"column 0: the value -1.7e\+308 lies too far outside the "
                                         r"training values .* to standardize in float64"):
        standardize(train, test)


def test_a_constant_column_is_noted():
    train = np.column_stack([np.full(6, 7.0), np.arange(6.0)])
    with pytest.warns(UserWarning, match=r"column 0: constant in the training split, standardized to 0"):
        out = standardize(train)
    np.testing.assert_array_equal(out[:, 0], 0.0)


def test_infinite_inputs_are_refused():
    with pytest.raises(ValueError, match=r"column 0: the training values contain inf \(row 1\)"):
        standardize(np.array([1.0, np.inf, 2.0]))
