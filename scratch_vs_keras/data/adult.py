"""The UCI Adult census data for the wide-and-deep unit, shipped with the package.

Becker, B. & Kohavi, R. (1996). Adult [Dataset]. UCI Machine Learning Repository.
https://doi.org/10.24432/C5XW20 — CC BY 4.0 (see ``adult/README.md`` beside this file).
32,561 training and 16,281 test rows; 6 numeric and 8 categorical columns; target ``income``
(``>50K`` = 1).

:func:`prepare_adult` produces the inputs of a wide-and-deep network:

* each categorical column as an index into a vocabulary fitted on the training split: index 0
  ``<unknown>`` (a category the training split never saw), index 1 ``<missing>`` (the data's
  ``?``), then the training categories in sorted order;
* crossed columns (the "wide" features), e.g. ``workclass x occupation``: the combination of the
  columns' values, with a vocabulary of the combinations seen in training (0 = unseen);
* the numeric columns standardized with the training split's mean and standard deviation.
"""

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .tabular import standardize

NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship", "race",
               "sex", "native-country"]
CROSSES = [("workclass", "occupation"), ("education", "occupation"),
           ("race", "sex", "marital-status", "occupation")]
UNKNOWN, MISSING = "<unknown>", "<missing>"

_HERE = os.path.join(os.path.dirname(__file__), "adult")


def load_adult():
    """``(train, test)`` DataFrames; missing values (the data's ``?``) are NaN; ``income`` is 0/1."""
    frames = []
    for split in ("train", "test"):
        frame = pd.read_csv(os.path.join(_HERE, f"adult_{split}.csv.gz"), na_values="?",
                            keep_default_na=False)
        frame["income"] = (frame["income"] == ">50K").astype(int)
        frames.append(frame)
    return frames[0], frames[1]


def cross_name(columns):
    return "_x_".join(c.replace("-", "_") for c in columns)


@dataclass
class WideDeepData:
    """Named integer and float inputs for both splits, their vocabularies, and notes."""

    x_train: dict
    y_train: np.ndarray
    x_test: dict
    y_test: np.ndarray
    vocabularies: dict
    categorical: list
    crosses: list
    numeric: list
    notes: list = field(default_factory=list)

    def vocabulary_size(self, name):
        return len(self.vocabularies[name])


class Vocabulary:
    """Category -> index, fitted on training values: 0 unknown, 1 missing, then sorted categories."""

    def __init__(self, values):
        seen = pd.Series(values).dropna().astype(str)
        if seen.empty:
            raise ValueError("A column has no values at all; drop it before building a vocabulary.")
        self.categories = [UNKNOWN, MISSING] + sorted(seen.unique())
        self.index = {c: i for i, c in enumerate(self.categories)}

    def __len__(self):
        return len(self.categories)

    def encode(self, values):
        s = pd.Series(values)
        out = s.astype(str).map(self.index).fillna(0).to_numpy(dtype=np.int64).copy()
        out[s.isna().to_numpy()] = 1
        return out


def _combined(frame, columns):
    parts = [frame[c].astype(object).where(frame[c].notna(), MISSING).astype(str) for c in columns]
    combined = parts[0]
    for p in parts[1:]:
        combined = combined + " | " + p
    return combined


def prepare_adult(crosses=CROSSES, categorical=CATEGORICAL, numeric=NUMERIC, train_rows=None,
                  test_rows=None, seed=0):
    """Encode Adult for a wide-and-deep model (see the module docstring).

    Args:
        crosses: tuples of categorical columns to cross (two or more distinct columns each).
        categorical, numeric: the columns used as such.
        train_rows, test_rows: use a seeded random subset of this many rows (for quick runs).
        seed: seed of the subsets.
    """
    train, test = load_adult()
    columns = set(train.columns)
    for c in list(categorical) + list(numeric) + [c for cross in crosses for c in cross]:
        if c not in columns:
            raise ValueError(f"Unknown Adult column {c!r}; the columns are {sorted(columns - {'income'})}.")
    for cross in crosses:
        if len(cross) < 2 or len(set(cross)) != len(cross):
            raise ValueError(
                f"A cross needs two or more distinct columns; received {cross!r} (crossing a "
                "column with itself adds nothing)."
            )
    rng = np.random.default_rng(seed)
    if train_rows is not None:
        train = train.iloc[np.sort(rng.permutation(len(train))[:train_rows])]
    if test_rows is not None:
        test = test.iloc[np.sort(rng.permutation(len(test))[:test_rows])]
    notes = []
    x_train, x_test, vocab = {}, {}, {}
    for c in categorical:
        v = Vocabulary(train[c])
        x_train[c.replace("-", "_")], x_test[c.replace("-", "_")] = v.encode(train[c]), v.encode(test[c])
        vocab[c.replace("-", "_")] = v.categories
        missing = int(train[c].isna().sum() + test[c].isna().sum())
        unseen = int((x_test[c.replace("-", "_")] == 0).sum())
        if missing:
            notes.append(f"{c}: {missing} missing values -> index 1 '<missing>'")
        if unseen:
            notes.append(f"{c}: {unseen} test values unseen in training -> index 0 '<unknown>'")
    for cross in crosses:
        name = cross_name(cross)
        v = Vocabulary(_combined(train, cross))
        x_train[name], x_test[name] = v.encode(_combined(train, cross)), v.encode(_combined(test, cross))
        vocab[name] = v.categories
        unseen = int((x_test[name] == 0).sum())
        notes.append(f"{' x '.join(cross)}: {len(v) - 2} combinations seen in training; "
                     f"{unseen} test rows with an unseen one -> index 0")
    tr, te = standardize(train[numeric].to_numpy(float), test[numeric].to_numpy(float))
    x_train["numeric"], x_test["numeric"] = tr, te
    return WideDeepData(x_train, train["income"].to_numpy(float), x_test, test["income"].to_numpy(float),
                        vocab, [c.replace("-", "_") for c in categorical],
                        [cross_name(c) for c in crosses], list(numeric), notes)
