"""Bundled data sets and preprocessing: documented targets, no leakage, explicit missing values."""

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras.data import dataset_names, load_csv, load_dataset, prepare


@pytest.mark.parametrize("name, task, target, rows", [
    ("breast_cancer", "binary", "target", 569),
    ("wine", "multiclass", "target", 178),
    ("iris", "multiclass", "target", 150),
    ("diabetes", "regression", "target", 442),
    ("penguins", "multiclass", "species", 344),
])
def test_loaders_return_dataframes_with_their_target(name, task, target, rows):
    d = load_dataset(name)
    assert isinstance(d.frame, pd.DataFrame) and len(d.frame) == rows
    assert d.task == task and d.target == target and target in d.frame.columns
    assert target not in d.feature_names and d.description


def test_standardization_uses_the_training_split_only():
    p = prepare(load_dataset("wine"), seed=3)
    np.testing.assert_allclose(p.x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(p.x_train.std(axis=0), 1, rtol=1e-12)
    assert np.max(np.abs(p.x_test.mean(axis=0))) > 1e-3  # the test split was not used
    assert sorted(set(p.y_train)) == [0.0, 1.0, 2.0] and p.classes == ["0", "1", "2"]


def test_split_is_seeded():
    a, b = prepare(load_dataset("iris"), seed=5), prepare(load_dataset("iris"), seed=5)
    c = prepare(load_dataset("iris"), seed=6)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_penguins_categoricals_and_missing_values():
    d = load_dataset("penguins")
    assert d.frame.isna().any(axis=None)
    p = prepare(d, seed=0)
    assert np.all(np.isfinite(p.x_train)) and np.all(np.isfinite(p.x_test))
    assert {"island=Biscoe", "island=Dream", "island=Torgersen", "sex=missing"} <= set(p.feature_names)
    assert any("imputed with the training median" in n for n in p.notes)
    assert p.classes == ["Adelie", "Chinstrap", "Gentoo"]
    dropped = prepare(d, seed=0, missing="drop")
    assert len(dropped.x_train) + len(dropped.x_test) == len(d.frame.dropna())
    assert "sex=missing" not in dropped.feature_names


def test_regression_target_is_standardized_on_training_rows():
    p = prepare(load_dataset("diabetes"), seed=0)
    assert p.task == "regression" and p.n_outputs == 1
    assert abs(p.y_train.mean()) < 1e-12 and abs(p.y_train.std() - 1) < 1e-12


def test_unseen_test_category_encodes_as_zeros(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=40), "color": ["red", "blue"] * 20,
                          "label": rng.integers(0, 2, 40)})
    frame.loc[0, "color"] = "green"  # a single row; with this seed it lands in the test split
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    p = prepare(load_csv(path, "label"), seed=1)
    assert "color=green" not in p.feature_names
    assert any("unseen in training (green)" in n for n in p.notes)


@pytest.mark.parametrize("content, target, match", [
    (None, "y", r"does not exist"),
    ("", "y", r"is empty"),
    ("a,y\n", "y", r"has a header but no rows"),
    ("a,b\n1,2\n3,4\n", "y", r"has no column 'y'; its columns are: a, b"),
    ("a,y\n1,0\n2,0\n3,0\n", "y", r"single class"),
])
def test_bad_csv(tmp_path, content, target, match):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ValueError, match=match):
        load_csv(path, target)


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown dataset 'mnist'; valid names: breast_cancer, diabetes, iris, penguins, wine"):
        load_dataset("mnist")
    assert dataset_names() == ["breast_cancer", "diabetes", "iris", "penguins", "wine"]
