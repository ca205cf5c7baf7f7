"""Adult's preprocessing refuses what would silently be wrong: a label leaked into the inputs,
a nonsense row count, a lookup of another type, a label spelled another way."""

import gzip

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras.data import adult
from scratch_vs_keras.data.adult import Vocabulary, load_adult, prepare_adult


@pytest.mark.parametrize("kwargs, where", [
    ({"numeric": ["age", "income"], "crosses": []}, "numeric"),
    ({"categorical": ["workclass", "income"], "crosses": []}, "categorical"),
    ({"crosses": [("workclass", "income")]}, "crosses"),
])
def test_the_target_is_refused_as_an_input(kwargs, where):
    with pytest.raises(ValueError, match=rf"'income' is the target \(the label to predict\); using "
                                         rf"it as an input in `{where}` leaks the answer into the "
                                         rf"model\. Remove it from `{where}`\."):
        prepare_adult(train_rows=200, test_rows=50, **kwargs)


@pytest.mark.parametrize("name", ["train_rows", "test_rows"])
@pytest.mark.parametrize("value", [-5, 0, 2.5, 100.0, "100", True])
def test_row_counts_must_be_positive_integers(name, value):
    with pytest.raises(ValueError, match=rf"`{name}` must be a positive integer, or None for all "
                                         rf"[\d,]+ rows; received {name}={value!r}"):
        prepare_adult(**{name: value})


def test_a_row_count_beyond_the_file_is_refused():
    with pytest.raises(ValueError, match=r"`train_rows`=40,000 is more than the 32,561 rows there are"):
        prepare_adult(train_rows=40_000)


def test_row_counts_are_honoured():
    d = prepare_adult(train_rows=np.int64(300), test_rows=120, seed=2)
    assert len(d.y_train) == 300 and len(d.y_test) == 120
    assert d.x_train["numeric"].shape == (300, 6)


def test_a_column_name_string_is_refused():
    with pytest.raises(ValueError, match=r"`numeric` must be a list of column names; received "
                                         r"numeric='age' \(write \['age'\]\)"):
        prepare_adult(numeric="age", train_rows=100, test_rows=50)


def test_vocabulary_of_numbers_maps_integral_floats_as_integerlookup():
    v = Vocabulary([1, 2, 3])
    np.testing.assert_array_equal(v.encode([1.0, 2.0, 3.0, 4.0, np.nan]), [2, 3, 4, 0, 1])
    np.testing.assert_array_equal(v.encode(np.array([3, 1], dtype=np.int32)), [4, 2])
    assert v.categories == ["<unknown>", "<missing>", 1, 2, 3]
    w = Vocabulary([1.0, 2.5, 10.0])  # numbers sort as numbers, 2.5 stays 2.5
    assert w.categories[2:] == [1, 2.5, 10]
    np.testing.assert_array_equal(w.encode([10, 2.5, 2]), [4, 3, 0])


@pytest.mark.parametrize("fitted, received, match", [
    ([1, 2, 3], ["1", "2"], r"This vocabulary holds numbers but received text \(e.g. '1'\); convert"),
    (["1", "2"], [1, 2], r"This vocabulary holds text but received numbers \(e.g. 1\); convert"),
    (["a", "b"], ["a", 1], r"The values to encode mix numbers and text"),
])
def test_vocabulary_refuses_another_kind(fitted, received, match):
    with pytest.raises(ValueError, match=match):
        Vocabulary(fitted).encode(received)


def test_vocabulary_of_mixed_values_is_refused():
    with pytest.raises(ValueError, match=r"The vocabulary's values mix numbers and text"):
        Vocabulary(["a", 1, "b"])


def test_the_files_positive_counts():
    train, test = load_adult()
    assert int(train["income"].sum()) == 7841 and int(test["income"].sum()) == 3846
    assert set(train["income"]) == set(test["income"]) == {0, 1}


def _write_split(folder, split, labels):
    frame = pd.read_csv(adult._HERE + f"/adult_{split}.csv.gz", na_values="?",
                        keep_default_na=False, nrows=len(labels))
    frame["income"] = labels
    with gzip.open(folder / f"adult_{split}.csv.gz", "wt") as f:
        frame.to_csv(f, index=False)


def test_raw_uci_label_spellings_are_read(tmp_path, monkeypatch):
    """The raw UCI test file writes '>50K.' and ' <=50K.' (period, leading space)."""
    _write_split(tmp_path, "train", [">50K", "<=50K", " >50K", "<=50K"])
    _write_split(tmp_path, "test", [">50K.", " <=50K.", " >50K.", "<=50K."])
    monkeypatch.setattr(adult, "_HERE", str(tmp_path))
    train, test = load_adult()
    np.testing.assert_array_equal(train["income"], [1, 0, 1, 0])
    np.testing.assert_array_equal(test["income"], [1, 0, 1, 0])


@pytest.mark.parametrize("label", [">50k", "50K", "", "?", "1"])
def test_an_unknown_label_is_refused(tmp_path, monkeypatch, label):
    _write_split(tmp_path, "train", [">50K", "<=50K", label, "<=50K"])
    _write_split(tmp_path, "test", [">50K.", "<=50K."])
    monkeypatch.setattr(adult, "_HERE", str(tmp_path))
    with pytest.raises(ValueError, match=r"adult_train.csv.gz: the income label .* \(data row 3\) is "
                                         r"none of '>50K', '>50K.', '<=50K', '<=50K.'; fix the file"):
        load_adult()
