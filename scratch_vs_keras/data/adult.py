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

import numbers
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .tabular import plain, standardize_with_notes

NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship", "race",
               "sex", "native-country"]
CROSSES = [("workclass", "occupation"), ("education", "occupation"),
           ("race", "sex", "marital-status", "occupation")]
UNKNOWN, MISSING = "<unknown>", "<missing>"
TARGET = "income"
# The spellings of the two labels: the UCI test file ends each label with a period.
INCOME_LABELS = {">50K": 1, ">50K.": 1, "<=50K": 0, "<=50K.": 0}

_HERE = os.path.join(os.path.dirname(__file__), "adult")


def load_adult():
    """``(train, test)`` DataFrames; missing values (the data's ``?``) are NaN; ``income`` is 0/1.

    Every label must be one of :data:`INCOME_LABELS` (surrounding spaces allowed, as in the raw
    UCI files); anything else is a ``ValueError`` rather than a silent 0.
    """
    frames = []
    for split in ("train", "test"):
        path = os.path.join(_HERE, f"adult_{split}.csv.gz")
        frame = pd.read_csv(path, na_values="?", keep_default_na=False)
        frame[TARGET] = parse_income(frame[TARGET], path)
        frames.append(frame)
    return frames[0], frames[1]


def parse_income(labels, source):
    """The income labels as 1 (``>50K``) / 0 (``<=50K``); an unknown spelling is refused."""
    labels = pd.Series(labels)
    codes = labels.astype(str).str.strip().map(INCOME_LABELS)
    unknown = codes.isna().to_numpy()
    if unknown.any():
        row = int(np.argmax(unknown))
        raise ValueError(
            f"{source}: the income label {labels.iloc[row]!r} (data row {row + 1}) is none of "
            f"{', '.join(map(repr, INCOME_LABELS))}; fix the file (Adult's labels are "
            "'>50K' and '<=50K')."
        )
    return codes.astype(int).to_numpy()


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
    #: the number of indices of an input where it has no vocabulary (a hashed cross's bins)
    sizes: dict = field(default_factory=dict)
    #: ``"10"`` or ``"10a"`` for a course preset (``prepare_adult(course=...)``), else ``None``
    course: str = None

    def vocabulary_size(self, name):
        return self.sizes[name] if name in self.sizes else len(self.vocabularies[name])


class Vocabulary:
    """Category -> index, fitted on training values: 0 unknown, 1 missing, then sorted categories.

    Categories are compared by value, within one kind: numbers as numbers (``2`` and ``2.0`` are
    one category, as Keras's ``IntegerLookup`` reads an integral float), text as text. A
    vocabulary of numbers refuses text and one of text refuses numbers (``"2"`` is not ``2``),
    instead of encoding them all as unknown.
    """

    def __init__(self, values):
        seen = pd.Series(values).dropna()
        if seen.empty:
            raise ValueError("A column has no values at all; drop it before building a vocabulary.")
        self.kind = _kind(seen, "the vocabulary's values")
        keys = {_key(v, self.kind) for v in seen.unique()}
        self.categories = [UNKNOWN, MISSING] + sorted(keys)
        self.index = {c: i for i, c in enumerate(self.categories)}

    def __len__(self):
        return len(self.categories)

    def encode(self, values):
        """Each value's index: its category's, 1 for a missing value, 0 for an unseen one."""
        s = pd.Series(values)
        present = s.dropna()
        if not present.empty:
            kind = _kind(present, "the values to encode")
            if kind != self.kind:
                raise ValueError(
                    f"This vocabulary holds {self.kind} but received {kind} (e.g. "
                    f"{plain(present.iloc[0])!r}); convert the values to {self.kind} first (pd.to_numeric "
                    "or .astype(str)), the same way as the values it was fitted on."
                )
        missing = s.isna().to_numpy()
        if self.kind == "text":  # vectorized: Adult's columns are text
            out = s.astype(str).map(self.index).fillna(0).to_numpy(dtype=np.int64).copy()
        else:
            out = np.array([self.index.get(_key(v, self.kind), 0) if not m else 1
                            for v, m in zip(s, missing)], dtype=np.int64)
        out[missing] = 1
        return out


def _kind(values, what):
    """``"numbers"`` or ``"text"``; a mix of the two is refused."""
    inferred = pd.api.types.infer_dtype(values.astype(object), skipna=True)
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal", "boolean"):
        return "numbers"
    if inferred in ("mixed-integer", "mixed"):
        raise ValueError(f"{what[0].upper() + what[1:]} mix numbers and text (e.g. "
                         f"{plain(values.iloc[0])!r}); convert them to one type first (pd.to_numeric or "
                         ".astype(str)).")
    return "text"


def _key(value, kind):
    """The value as the vocabulary compares it: text as ``str``, an integral float as ``int``."""
    if kind == "text":
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    return int(value) if value.is_integer() else value


def _combined(frame, columns):
    parts = [frame[c].astype(object).where(frame[c].notna(), MISSING).astype(str) for c in columns]
    combined = parts[0]
    for p in parts[1:]:
        combined = combined + " | " + p
    return combined


def prepare_adult(crosses=CROSSES, categorical=CATEGORICAL, numeric=NUMERIC, train_rows=None,
                  test_rows=None, seed=0, course=None, fit_crosses_on_test=False):
    """Encode Adult for a wide-and-deep model (see the module docstring).

    Args:
        course: ``"10"`` or ``"10a"``: the course notebook's rows, columns, scaling, binning and
            crosses instead (:mod:`.adult_course`; ``crosses``, ``categorical``, ``numeric`` and the
            row subsets do not apply: the encoders are the course's, fitted on all its rows).
        fit_crosses_on_test: with ``course="10"``, reproduce the notebook's flaw of fitting the
            cross encoders on the training *and* test rows (its 51,158 parameters).
        crosses: tuples of categorical columns to cross (two or more distinct columns each).
        categorical, numeric: the columns used as such.
        train_rows, test_rows: use a seeded random subset of this many rows (for quick runs);
            a positive integer no larger than the split, or ``None`` for all rows.
        seed: seed of the subsets.

    The target ``income`` is refused as an input anywhere (it would leak the answer).
    """
    if course is not None:
        return _prepare_course(course, fit_crosses_on_test)
    if fit_crosses_on_test:
        raise ValueError("`fit_crosses_on_test` reproduces notebook 10's encoders; pass course='10'.")
    train, test = load_adult()
    _check_columns(set(train.columns), crosses, categorical, numeric)
    train_rows = _check_row_count(train_rows, "train_rows", len(train))
    test_rows = _check_row_count(test_rows, "test_rows", len(test))
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
    (tr, te), scaling = standardize_with_notes(train[numeric].to_numpy(float),
                                               test[numeric].to_numpy(float),
                                               names=[f"column {c!r}" for c in numeric])
    notes.extend(scaling)
    x_train["numeric"], x_test["numeric"] = tr, te
    return WideDeepData(x_train, train[TARGET].to_numpy(float), x_test, test[TARGET].to_numpy(float),
                        vocab, [c.replace("-", "_") for c in categorical],
                        [cross_name(c) for c in crosses], list(numeric), notes)


def _check_columns(columns, crosses, categorical, numeric):
    """Known columns, never the target, and crosses of two or more distinct columns."""
    for arg, value in (("crosses", crosses), ("categorical", categorical), ("numeric", numeric)):
        if isinstance(value, str):
            raise ValueError(f"`{arg}` must be a list of column names; received {arg}={value!r} "
                             f"(write [{value!r}]).")
    named = [("crosses", c) for cross in crosses for c in cross]
    named += [("categorical", c) for c in categorical] + [("numeric", c) for c in numeric]
    for arg, c in named:
        if c == TARGET:
            raise ValueError(
                f"{TARGET!r} is the target (the label to predict); using it as an input in "
                f"`{arg}` leaks the answer into the model. Remove it from `{arg}`."
            )
        if c not in columns:
            raise ValueError(f"Unknown Adult column {c!r}; the columns are {sorted(columns - {TARGET})}.")
    for cross in crosses:
        if len(cross) < 2 or len(set(cross)) != len(cross):
            raise ValueError(
                f"A cross needs two or more distinct columns; received {cross!r} (crossing a "
                "column with itself adds nothing)."
            )


def _check_row_count(value, name, available):
    """``None`` (all rows) or a positive integer no larger than the ``available`` rows."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, or None for all {available:,} rows; "
                         f"received {name}={value!r}.")
    if value > available:
        raise ValueError(f"`{name}`={value:,} is more than the {available:,} rows there are; use at "
                         "most that many, or None for all.")
    return int(value)


def _prepare_course(course, fit_crosses_on_test):
    from . import adult_course as C

    if course not in C.COURSES:
        raise ValueError(f"`course` must be one of {', '.join(map(repr, C.COURSES))} (the notebooks "
                         f"10 and 10a) or None; received course={course!r}.")
    if fit_crosses_on_test and course != "10":
        raise ValueError("`fit_crosses_on_test` is notebook 10's flaw; 10a hashes its crosses.")
    train, test = C.course_rows(*load_adult())
    if course == "10":
        x_train, x_test, sizes, notes = C.encode_10(train, test, fit_crosses_on_test)
    else:
        x_train, x_test, sizes, notes = C.encode_10a(train, test)
    categorical = [C.course_name(c) for c in C.COURSE_CATEGORICAL]
    crosses = [k for k in x_train if k not in categorical and k != "numeric"]
    notes.insert(0, f"rows with a missing value dropped (the notebooks' dropna): {len(train):,} "
                    f"training and {len(test):,} test rows")
    return WideDeepData(x_train, train[TARGET].to_numpy(float), x_test, test[TARGET].to_numpy(float),
                        {}, categorical, crosses, list(C.COURSE_NUMERIC), notes, sizes, course)
