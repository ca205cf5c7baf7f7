"""Tabular data sets as pandas DataFrames with a documented target, and their preprocessing.

Nothing is downloaded: the data ship with installed packages (scikit-learn's bundled sets,
``palmerpenguins``) or come from a user's CSV file.

=============  ============  ======  ====================================================================
name           task          rows    target
=============  ============  ======  ====================================================================
breast_cancer  binary        569     ``target``: 1 benign, 0 malignant (30 numeric features)
wine           multiclass    178     ``target``: cultivar 0, 1, 2 (13 numeric features)
iris           multiclass    150     ``target``: species 0, 1, 2 (4 numeric features)
diabetes       regression    442     ``target``: disease progression after one year (10 numeric)
penguins       multiclass    344     ``species``: Adelie, Chinstrap, Gentoo; categorical ``island``,
                                     ``sex``; missing values in 5 columns
=============  ============  ======  ====================================================================

:func:`prepare` turns a :class:`Dataset` into arrays: a seeded train/test split; missing values
handled explicitly (``missing="impute"``: numeric columns get the *training* median, categorical
ones a ``"missing"`` category; ``missing="drop"``: rows with any missing value are dropped);
categorical columns one-hot encoded with the training split's categories (an unseen test category
encodes as all zeros); numeric columns standardized with the training split's mean and standard
deviation (computed so that an extreme value such as 1e308 cannot overflow them; such a column,
or a constant one, gets a note); class labels encoded as 0..k-1 (``classes`` keeps the names); a
regression target standardized with the training split's statistics too.

:func:`load_csv` checks a user's file up front (the command line calls it before a run): every
problem is one ``ValueError`` line naming the file, the problem and the fix, never a traceback
from deep inside pandas or a silent wrong result later. :func:`minimum_rows` says how few rows
are too few, and why.
"""

import numbers
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._csv import read_csv

TASKS = ("binary", "multiclass", "regression")
DEFAULT_TEST_SIZE = 0.25
MIN_TRAIN_ROWS = 4  # two rows of each of two classes: see minimum_rows()


@dataclass
class Dataset:
    """A DataFrame, its target column, the task (``"binary"``, ``"multiclass"``, ``"regression"``)."""

    name: str
    frame: pd.DataFrame
    target: str
    task: str
    description: str
    source: str = None  # the CSV file's path, for messages that name the file

    @property
    def feature_names(self):
        return [c for c in self.frame.columns if c != self.target]

    @property
    def label(self):
        """How messages name the data: ``CSV file 'path'`` or ``data set 'name'``."""
        return f"CSV file {self.source!r}" if self.source else f"data set {self.name!r}"


@dataclass
class Prepared:
    """Arrays ready for both sides, and what was done to get them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: list
    task: str
    classes: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def n_outputs(self):
        return len(self.classes) if self.task == "multiclass" else 1


def _sklearn(loader_name, name, task, description):
    def load():
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)(as_frame=True)
        return Dataset(name, bunch.frame, "target", task, description)

    return load


def _penguins():
    from palmerpenguins import load_penguins

    frame = load_penguins().drop(columns=["year"])
    return Dataset(
        "penguins", frame, "species", "multiclass",
        "Palmer penguins (palmerpenguins package, CC0); target species; categorical island and "
        "sex; missing values in five columns.",
    )


LOADERS = {
    "breast_cancer": _sklearn("load_breast_cancer", "breast_cancer", "binary",
                              "Wisconsin diagnostic breast cancer (scikit-learn); target 1 = benign, 0 = malignant."),
    "wine": _sklearn("load_wine", "wine", "multiclass", "Wine recognition (scikit-learn); 3 cultivars."),
    "iris": _sklearn("load_iris", "iris", "multiclass", "Iris (scikit-learn); 3 species."),
    "diabetes": _sklearn("load_diabetes", "diabetes", "regression",
                         "Diabetes (scikit-learn); target: disease progression one year after baseline."),
    "penguins": _penguins,
}


def dataset_names():
    return sorted(LOADERS)


def load_dataset(name):
    """Load a bundled data set by name (see the module docstring)."""
    if name not in LOADERS:
        raise ValueError(f"Unknown dataset {name!r}; valid names: {', '.join(dataset_names())}.")
    return LOADERS[name]()


def load_csv(path, target, task=None, encoding="utf-8"):
    """A user's CSV file as a :class:`Dataset`, checked so that :func:`prepare` can use it.

    The task is inferred unless given: a non-numeric target, or an integer one with at most 20
    distinct values, is classification (binary for two classes); otherwise regression.
    ``encoding`` is the file's text encoding (``"latin-1"``, ``"cp1252"``, ... for files that
    are not UTF-8).

    Every problem is a ``ValueError`` naming the file, the problem and the fix: a file that is
    missing, empty, binary or not in ``encoding``; no column ``target``, or one with no values
    (or a single class); an all-empty feature column; an infinite cell; fewer rows than
    :func:`minimum_rows` (an unreadable file raises ``OSError``).
    """
    path = os.fspath(path)
    label = f"CSV file {path!r}"
    frame = read_csv(path, encoding)
    _check_columns(frame, target, label)
    _refuse_infinite(frame, label)
    y = frame[target].dropna()
    if y.empty:
        raise ValueError(f"The target column {target!r} of {label} is empty (no values in any "
                         "row); fill it in or choose another target column.")
    task = _infer_task(y) if task is None else task
    _check_target(y, target, task, label)
    _check_rows(len(y), label, DEFAULT_TEST_SIZE)
    name = os.path.splitext(os.path.basename(path))[0]
    return Dataset(name, frame, target, task, f"CSV file {path} (target {target!r}, {task}).",
                   source=path)


def minimum_rows(test_size=DEFAULT_TEST_SIZE):
    """The fewest labelled rows :func:`prepare` accepts for a given ``test_size``.

    The test split (``round(test_size * n)`` rows) must hold at least one row, and the training
    split at least ``MIN_TRAIN_ROWS`` = 4: two rows of each of the two classes that the smallest
    classification needs (for regression, four rows to estimate a mean and a standard
    deviation from). With the default ``test_size=0.25`` that is 5 rows.
    """
    n = MIN_TRAIN_ROWS + 1
    while _test_rows(n, test_size) < 1 or n - _test_rows(n, test_size) < MIN_TRAIN_ROWS:
        n += 1
    return n


def _test_rows(n, test_size):
    return int(round(test_size * n))


def _check_columns(frame, target, label):
    """The frame has rows, the target column, another column, and no all-empty feature column."""
    if frame.empty:
        raise ValueError(f"{label} has a header but no rows; add data rows below the header.")
    columns = [str(c) for c in frame.columns]
    if target not in frame.columns:
        close = [c for c in columns if c.strip().lower() == str(target).strip().lower()]
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"{label} has no column {target!r}; {hint}its columns are: "
                         f"{', '.join(columns)}. Name one of them as the target.")
    if len(frame.columns) < 2:
        raise ValueError(f"{label} has no feature columns besides {target!r}; it needs at least one.")
    empty = [str(c) for c in frame.columns if c != target and frame[c].isna().all()]
    if empty:
        raise ValueError(f"Column(s) {', '.join(map(repr, empty))} of {label} are empty (no values "
                         "in any row); drop them or fill them in.")


def _refuse_infinite(frame, label):
    """An ``inf`` cell (or one like ``1e999`` that reads as inf) cannot be scaled or trained on."""
    for c in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            continue
        inf = np.isinf(frame[c].to_numpy(dtype=float, na_value=np.nan))
        if inf.any():
            row = int(np.argmax(inf))
            raise ValueError(
                f"{label} has an infinite value ({frame[c].iloc[row]}) in column {c!r}, data row "
                f"{row + 1}; replace it with a finite number, or leave the cell empty to mark it "
                "missing."
            )


def _infer_task(y):
    numeric = pd.api.types.is_numeric_dtype(y)
    integral = numeric and np.all(np.asarray(y) == np.round(np.asarray(y, dtype=float)))
    if not numeric or (integral and y.nunique() <= 20):
        return "binary" if y.nunique() == 2 else "multiclass"
    return "regression"


def plain(value):
    """A NumPy scalar as the Python value it holds, so messages show ``0``, not ``np.int64(0)``."""
    return value.item() if isinstance(value, np.generic) else value


def _check_target(y, target, task, label):
    """The task is known and the (non-empty) target has something to learn."""
    if task not in TASKS:
        raise ValueError(f"`task` must be one of {', '.join(map(repr, TASKS))} or None (inferred); "
                         f"received task={task!r}.")
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            raise ValueError(f"The target column {target!r} of {label} is not numeric (e.g. "
                             f"{plain(y.iloc[0])!r}); regression needs numbers: use a classification "
                             "task or another column.")
        if y.nunique() < 2:
            raise ValueError(f"The target column {target!r} of {label} has the single value "
                             f"{plain(y.iloc[0])!r}; there is nothing to predict.")
    elif y.nunique() < 2:
        raise ValueError(f"The target column {target!r} of {label} has a single class "
                         f"({plain(y.iloc[0])!r}); a classifier needs at least two.")


def _check_rows(n, label, test_size):
    need = minimum_rows(test_size)
    if n < need:
        raise ValueError(
            f"{label} has {n} rows with a target; at least {need} are needed: the test split holds "
            f"out {test_size:.0%} of the rows (at least one) and the training split needs at least "
            f"{MIN_TRAIN_ROWS} (two rows of each of two classes). Add rows."
        )


def standardize(train, *others):
    """Scale columns to zero mean and unit variance using the *training* rows' statistics only.

    Robust to extreme values (see :func:`standardize_with_notes`); what it had to do is issued
    as a ``UserWarning`` (``prepare`` puts it in ``Prepared.notes`` instead).
    """
    scaled, notes = standardize_with_notes(train, *others)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return scaled if others else scaled[0]


def standardize_with_notes(train, *others, names=None):
    """``([train, *others] standardized, notes)``, with the training rows' mean and deviation.

    A constant column stays constant (0) instead of becoming NaN. A column whose mean or
    standard deviation overflows float64 (a value near 1e308, or squares beyond it) gets them
    from its values divided by its largest magnitude, which cannot overflow. Each such column,
    a constant one, and one whose distinct training values merge after scaling (an extreme value
    dominating it) gets a note. A non-finite input, or a result that overflows (a test value
    far outside the training range), is refused with a ``ValueError``: never silent zeros or NaN.
    """
    arrays = [np.asarray(a, dtype=float) for a in (train, *others)]
    flat = arrays[0].ndim == 1
    arrays = [a.reshape(-1, 1) if flat else a for a in arrays]
    names = list(names) if names is not None else [f"column {j}" for j in range(arrays[0].shape[1])]
    for a, split in zip(arrays, ["training", *["other"] * len(others)]):
        _refuse_non_finite(a, names, f"the {split} values")
    train = arrays[0]
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = train.mean(axis=0), train.std(axis=0)
        overflow = ~(np.isfinite(mean) & np.isfinite(std))
        peak = np.max(np.abs(train), axis=0)
        divisor = np.where(overflow, peak, 1.0)
        scaled_mean = np.where(overflow, (train / divisor).mean(axis=0), 0.0)
        scaled_std = np.where(overflow, (train / divisor).std(axis=0), 1.0)
        std = np.where(std == 0, 1.0, std)  # a constant column stays constant instead of NaN
        scaled_std = np.where(scaled_std == 0, 1.0, scaled_std)
        out = []
        for a in arrays:
            plain = (a - mean) / std
            robust = (a / divisor - scaled_mean) / scaled_std
            out.append(np.where(overflow, robust, plain))
    _refuse_non_finite(out[0], names, "the standardized training values")
    for a, o in zip(arrays[1:], out[1:]):
        _refuse_far_outside(a, o, peak, names)
    notes = _scaling_notes(train, out[0], overflow, peak, names)
    out = [o.reshape(-1) for o in out] if flat else out
    return out, notes


def _refuse_non_finite(a, names, what):
    bad = ~np.isfinite(a)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{names[col]}: {what} contain {a[row, col]} (row {row}); replace or drop "
                         "it before standardizing.")


def _refuse_far_outside(raw, scaled, peak, names):
    bad = ~np.isfinite(scaled)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{names[col]}: the value {raw[row, col]:.3g} lies too far outside the training values "
            f"(largest magnitude {peak[col]:.3g}) to standardize in float64; check it for a "
            "data-entry error."
        )


def _scaling_notes(train, scaled, overflow, peak, names):
    """One note per column that was rescaled, is constant, or lost distinct values to scaling."""
    notes = []
    for j, name in enumerate(names):
        before = len(np.unique(train[:, j]))
        after = len(np.unique(scaled[:, j]))
        parts = []
        if overflow[j]:
            parts.append(f"values up to {peak[j]:.3g} overflow a direct mean and standard "
                         f"deviation; they were computed on the values divided by {peak[j]:.3g}")
        if before == 1:
            parts.append("constant in the training split, standardized to 0")
        elif after < before:
            parts.append(f"its {before} distinct training values became {after} after "
                         "standardization (an extreme value dominates the column); check it for "
                         "a data-entry error")
        if parts:
            notes.append(f"{name}: " + "; ".join(parts))
    return notes


def prepare(dataset, test_size=DEFAULT_TEST_SIZE, seed=0, missing="impute"):
    """Split, clean, encode and scale ``dataset``; returns a :class:`Prepared` (float64 arrays).

    Refused with a ``ValueError`` naming the data and the fix: fewer rows than
    :func:`minimum_rows`, an all-empty or infinite column, a training split with a single class.
    What was done to the data (imputation, dropped rows, rescaled or constant columns) is listed
    in ``Prepared.notes``.
    """
    _check_prepare_arguments(test_size, seed, missing)
    frame, notes = _usable_rows(dataset, missing)
    _check_rows(len(frame), dataset.label, test_size)
    _refuse_infinite(frame, dataset.label)
    order = np.random.default_rng(seed).permutation(len(frame))
    n_test = _test_rows(len(frame), test_size)
    test_idx, train_idx = order[:n_test], order[n_test:]
    features = frame[dataset.feature_names]
    x_train, x_test, names = _encode_features(features.iloc[train_idx], features.iloc[test_idx],
                                              dataset.label, notes)
    y_train, y_test, classes = _encode_target(dataset, frame[dataset.target], train_idx, test_idx,
                                              seed, notes)
    task = dataset.task
    if task != "regression":
        task = "binary" if len(classes) == 2 else "multiclass"
    return Prepared(x_train, y_train, x_test, y_test, names, task, [str(c) for c in classes], notes)


def _check_prepare_arguments(test_size, seed, missing):
    if missing not in ("impute", "drop"):
        raise ValueError(f"`missing` must be 'impute' or 'drop'; received missing={missing!r}.")
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"`test_size` must be a fraction in (0, 1); received test_size={test_size!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer; received seed={seed!r}.")


def _usable_rows(dataset, missing):
    """The rows with a target (and, with ``missing="drop"``, no missing feature), and notes."""
    frame, notes = dataset.frame, []
    unlabeled = frame[dataset.target].isna()
    if unlabeled.all():
        raise ValueError(f"The target column {dataset.target!r} of {dataset.label} is empty (no "
                         "values in any row); fill it in or choose another target column.")
    if unlabeled.any():
        notes.append(f"{int(unlabeled.sum())} rows without a target dropped")
        frame = frame[~unlabeled]
    features = frame[dataset.feature_names]
    empty = [str(c) for c in features.columns if features[c].isna().all()]
    if empty:
        raise ValueError(f"Column(s) {', '.join(map(repr, empty))} of {dataset.label} are empty (no "
                         "values in any labelled row); drop them or fill them in.")
    if missing == "drop" and features.isna().any(axis=None):
        keep = ~features.isna().any(axis=1)
        notes.append(f"{int((~keep).sum())} rows with missing values dropped")
        frame = frame[keep]
    return frame, notes


def _encode_features(f_train, f_test, label, notes):
    """Numeric columns imputed and standardized, categorical ones one-hot: ``(train, test, names)``."""
    numeric = [c for c in f_train.columns if pd.api.types.is_numeric_dtype(f_train[c])]
    categorical = [c for c in f_train.columns if c not in numeric]
    parts_train, parts_test, names = [], [], []
    if numeric:
        n_train, n_test = f_train[numeric].astype(float), f_test[numeric].astype(float)
        if n_train.isna().any(axis=None) or n_test.isna().any(axis=None):
            medians = n_train.median()
            if medians.isna().any():
                c = medians.index[medians.isna()][0]
                raise ValueError(f"Column {c!r} of {label} has no values in the training split, so "
                                 "there is no median to impute; drop it or fill it in.")
            counts = int(n_train.isna().sum().sum() + n_test.isna().sum().sum())
            notes.append(f"{counts} missing numeric values imputed with the training median")
            n_train, n_test = n_train.fillna(medians), n_test.fillna(medians)
        (a, b), scaling = standardize_with_notes(n_train.to_numpy(), n_test.to_numpy(),
                                                 names=[f"column {c!r}" for c in numeric])
        notes.extend(scaling)
        parts_train.append(a)
        parts_test.append(b)
        names += numeric
    for c in categorical:
        a, b, cats = _one_hot(f_train[c], f_test[c], notes)
        parts_train.append(a)
        parts_test.append(b)
        names += [f"{c}={v}" for v in cats]
    return np.concatenate(parts_train, axis=1), np.concatenate(parts_test, axis=1), names


def _one_hot(train, test, notes):
    """One-hot columns of the training split's categories; missing values are a category."""
    c = train.name
    tr = train.astype("object").where(train.notna(), "missing")
    te = test.astype("object").where(test.notna(), "missing")
    if train.isna().any() or test.isna().any():
        notes.append(f"missing values of {c!r} encoded as the category 'missing'")
    cats = sorted(tr.unique(), key=str)
    unseen = sorted(set(te) - set(cats), key=str)
    if unseen:
        notes.append(f"test categories of {c!r} unseen in training ({', '.join(map(str, unseen))}) "
                     "encoded as all zeros")
    return (np.stack([(tr == v).to_numpy(float) for v in cats], axis=1),
            np.stack([(te == v).to_numpy(float) for v in cats], axis=1), cats)


def _encode_target(dataset, y, train_idx, test_idx, seed, notes):
    """A standardized regression target, or class codes 0..k-1: ``(train, test, classes)``."""
    if dataset.task == "regression":
        y_all = y.to_numpy(dtype=float)
        (y_train, y_test), scaling = standardize_with_notes(
            y_all[train_idx], y_all[test_idx], names=[f"target {dataset.target!r}"])
        notes.extend(scaling)
        notes.append("target standardized with the training split's mean and standard deviation")
        return y_train, y_test, []
    classes = sorted(y.unique(), key=str)
    codes = y.map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=float)
    y_train, y_test = codes[train_idx], codes[test_idx]
    if len(np.unique(y_train)) < 2:
        only = classes[int(y_train[0])]
        raise ValueError(f"The training split of {dataset.label} (seed={seed}) holds the single "
                         f"class {plain(only)!r}; add rows of the other classes or use another seed.")
    return y_train, y_test, classes
