"""A user's bad CSV file: one ValueError line naming the file, the problem and the fix.

Each case here used to pass load_csv and die later (in prepare() or in training) with a
traceback or a silent wrong result; load_csv is the CLI's check before a run, so it must catch
them all up front.
"""

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras.data import load_csv, prepare

# Words a message for a user must not contain: Python's and pandas's internals.
INTERNALS = ("Traceback", "Error:", "codec", "C error", "tokenizing", "iloc", "IndexError", "dtype")


def _frame(rows=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=rows), "b": rng.normal(size=rows),
                         "y": [0, 1] * (rows // 2)})


def _refused(path, match, **kwargs):
    """load_csv refuses ``path`` with one line matching ``match`` that names the file."""
    with pytest.raises(ValueError, match=match) as info:
        load_csv(path, "y", **kwargs)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert not any(word in message for word in INTERNALS), message
    return message


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e999"])
def test_an_infinite_cell_is_refused_with_its_column_and_row(tmp_path, cell):
    frame = _frame().astype({"a": object})
    frame.loc[3, "a"] = cell
    path = tmp_path / "inf.csv"
    frame.to_csv(path, index=False)
    _refused(path, r"has an infinite value \((-)?inf\) in column 'a', data row 4; replace it with a "
                   r"finite number, or leave the cell empty")


def test_an_infinite_target_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    frame = _frame()
    frame["y"] = np.linspace(0, 1, len(frame))
    frame.loc[5, "y"] = np.inf
    frame.to_csv(path, index=False)
    _refused(path, r"infinite value \(inf\) in column 'y', data row 6")


@pytest.mark.parametrize("rows", [2, 3, 4])
def test_too_few_rows_states_the_minimum(tmp_path, rows):
    path = tmp_path / "small.csv"
    _frame(rows=4).iloc[:rows].to_csv(path, index=False)
    _refused(path, rf"has {rows} rows with a target; at least 5 are needed: the test split holds "
                   r"out 25% of the rows \(at least one\) and the training split needs at least 4")


def test_the_minimum_is_what_prepare_needs(tmp_path):
    """5 rows at test_size 0.25: 1 test row and 4 training rows; prepare() takes them."""
    from scratch_vs_keras.data.tabular import minimum_rows

    assert minimum_rows(0.25) == 5
    assert minimum_rows(0.5) == 8  # 4 test rows, 4 training rows
    assert minimum_rows(0.1) == 6  # at 5 rows, round(0.5) = 0 test rows
    path = tmp_path / "five.csv"
    pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "y": [0, 1, 0, 1, 1]}).to_csv(path, index=False)
    p = prepare(load_csv(path, "y"), seed=0)
    assert len(p.y_test) == 1 and len(p.y_train) == 4 and set(p.y_train) == {0.0, 1.0}


def test_rows_without_a_target_do_not_count(tmp_path):
    path = tmp_path / "sparse.csv"
    frame = _frame(rows=10)
    frame.loc[4:, "y"] = np.nan
    frame.to_csv(path, index=False)
    _refused(path, r"has 4 rows with a target; at least 5")


def test_an_all_empty_feature_column(tmp_path):
    path = tmp_path / "emptyfeat.csv"
    frame = _frame()
    frame["a"] = np.nan
    frame.to_csv(path, index=False)
    _refused(path, r"Column\(s\) 'a' of CSV file .* are empty \(no values in any row\); drop them "
                   r"or fill them in")


def test_an_all_empty_target_column(tmp_path):
    path = tmp_path / "emptytarget.csv"
    frame = _frame()
    frame["y"] = np.nan
    frame.to_csv(path, index=False)
    _refused(path, r"The target column 'y' of CSV file .* is empty \(no values in any row\); fill "
                   r"it in or choose another target column")


def test_a_latin1_file_names_the_encoding_to_use(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,a,y\n".encode() + "café,1,0\nnaïve,2,1\n".encode("latin-1") * 5)
    message = _refused(path, r"is not UTF-8 text \(line 2 has the byte 0xe9\); if it was saved in "
                             r"another encoding, name it, e.g. --encoding latin-1")
    assert "encoding='latin-1'" in message
    d = load_csv(path, "y", encoding="latin-1")
    assert list(d.frame["name"][:2]) == ["café", "naïve"]


def test_an_unknown_encoding_name(tmp_path):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    _refused(path, r"Unknown encoding 'latin-9x' for CSV file .*; use a name such as utf-8, "
                   r"latin-1 or cp1252", encoding="latin-9x")


def test_a_binary_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 10)
    _refused(path, r"is a binary file, not CSV text; export the data as a CSV file")


def test_a_utf16_file_names_its_encoding(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(_frame().to_csv(index=False).encode("utf-16"))
    _refused(path, r"is UTF-16 text, not UTF-8; name its encoding: --encoding utf-16")
    assert len(load_csv(path, "y", encoding="utf-16").frame) == 40


def test_a_ragged_file_says_which_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,y\n1,0\n2,1,7\n")
    _refused(path, r"could not be read as CSV: line 3 has 3 fields where the header has 2; check "
                   r"that the fields are comma-separated")


def test_a_target_that_is_not_a_column(tmp_path):
    path = tmp_path / "d.csv"
    _frame().rename(columns={"y": " Y"}).to_csv(path, index=False)
    _refused(path, r"has no column 'y'; did you mean ' Y'\? its columns are: a, b,  Y\. Name one "
                   r"of them as the target")


def test_a_single_class_shows_the_value_not_numpy_internals(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a,y\n1,0\n2,0\n3,0\n4,0\n5,0\n")
    message = _refused(path, r"The target column 'y' of CSV file .* has a single class \(0\); a "
                             r"classifier needs at least two")
    assert "np." not in message


def test_a_single_class_training_split_names_the_file_and_the_fix(tmp_path):
    """Seed-dependent, so prepare() (not load_csv) finds it: with seed 0 the only row of class 1
    is the one test row."""
    path = tmp_path / "rare.csv"
    y = np.zeros(6, dtype=int)
    y[np.random.default_rng(0).permutation(6)[0]] = 1  # prepare's seed-0 test row
    pd.DataFrame({"a": np.arange(6.0), "y": y}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"The training split of CSV file .*rare.csv' \(seed=0\) "
                                         r"holds the single class 0; add rows of the other classes "
                                         r"or use another seed\.$"):
        prepare(load_csv(path, "y"), seed=0)
    assert set(prepare(load_csv(path, "y"), seed=1).y_train) == {0.0, 1.0}


def test_a_regression_target_must_be_numeric_and_vary(tmp_path):
    path = tmp_path / "d.csv"
    frame = _frame()
    frame["y"] = ["low", "high"] * 20
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"target column 'y' of CSV file .* is not numeric"):
        load_csv(path, "y", task="regression")
    with pytest.raises(ValueError, match=r"`task` must be one of 'binary', 'multiclass', 'regression'"):
        load_csv(path, "y", task="classification")
