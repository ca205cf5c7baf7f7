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
deviation; class labels encoded as 0..k-1 (``classes`` keeps the names); a regression target
standardized with the training split's statistics too.
"""

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Dataset:
    """A DataFrame, its target column, the task (``"binary"``, ``"multiclass"``, ``"regression"``)."""

    name: str
    frame: pd.DataFrame
    target: str
    task: str
    description: str

    @property
    def feature_names(self):
        return [c for c in self.frame.columns if c != self.target]


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


def load_csv(path, target, task=None):
    """A user's CSV file as a :class:`Dataset`.

    The task is inferred unless given: a non-numeric target, or an integer one with at most 20
    distinct values, is classification (binary for two classes); otherwise regression.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"CSV file {path!r} does not exist.")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"CSV file {path!r} is empty.") from None
    if frame.empty:
        raise ValueError(f"CSV file {path!r} has a header but no rows.")
    if target not in frame.columns:
        raise ValueError(
            f"CSV file {path!r} has no column {target!r}; its columns are: {', '.join(map(str, frame.columns))}."
        )
    y = frame[target].dropna()
    if task is None:
        numeric = pd.api.types.is_numeric_dtype(y)
        integral = numeric and np.all(np.asarray(y) == np.round(np.asarray(y, dtype=float)))
        if not numeric or (integral and y.nunique() <= 20):
            task = "binary" if y.nunique() == 2 else "multiclass"
        else:
            task = "regression"
    if task != "regression" and y.nunique() < 2:
        raise ValueError(
            f"The target column {target!r} of {path!r} has a single class ({y.iloc[0]!r}); a "
            "classifier needs at least two."
        )
    if len(frame.columns) < 2:
        raise ValueError(f"CSV file {path!r} has no feature columns besides {target!r}.")
    name = os.path.splitext(os.path.basename(path))[0]
    return Dataset(name, frame, target, task, f"CSV file {path} (target {target!r}, {task}).")


def standardize(train, *others):
    """Scale columns to zero mean and unit variance using the *training* rows' statistics only."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std == 0, 1.0, std)  # a constant column stays constant instead of becoming NaN
    scaled = [(train - mean) / std] + [(o - mean) / std for o in others]
    return scaled if others else scaled[0]


def prepare(dataset, test_size=0.25, seed=0, missing="impute"):
    """Split, clean, encode and scale ``dataset``; returns a :class:`Prepared` (float64 arrays)."""
    if missing not in ("impute", "drop"):
        raise ValueError(f"`missing` must be 'impute' or 'drop'; received missing={missing!r}.")
    if not 0 < test_size < 1:
        raise ValueError(f"`test_size` must be a fraction in (0, 1); received test_size={test_size!r}.")
    frame = dataset.frame
    notes = []
    unlabeled = frame[dataset.target].isna()
    if unlabeled.any():
        notes.append(f"{int(unlabeled.sum())} rows without a target dropped")
        frame = frame[~unlabeled]
    features = frame[dataset.feature_names]
    empty = [c for c in features.columns if features[c].isna().all()]
    if empty:
        raise ValueError(f"Column(s) {', '.join(map(str, empty))} of {dataset.name!r} are empty; drop them first.")
    if missing == "drop" and features.isna().any(axis=None):
        keep = ~features.isna().any(axis=1)
        notes.append(f"{int((~keep).sum())} rows with missing values dropped")
        frame, features = frame[keep], features[keep]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    n_test = int(round(test_size * len(frame)))
    if n_test == 0 or n_test == len(frame):
        raise ValueError(f"`test_size`={test_size} leaves an empty split of {len(frame)} rows.")
    test_idx, train_idx = order[:n_test], order[n_test:]
    f_train, f_test = features.iloc[train_idx], features.iloc[test_idx]

    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
    categorical = [c for c in features.columns if c not in numeric]
    parts_train, parts_test, names = [], [], []
    if numeric:
        n_train = f_train[numeric].astype(float)
        n_test_ = f_test[numeric].astype(float)
        if n_train.isna().any(axis=None) or n_test_.isna().any(axis=None):
            medians = n_train.median()
            counts = int(n_train.isna().sum().sum() + n_test_.isna().sum().sum())
            notes.append(f"{counts} missing numeric values imputed with the training median")
            n_train, n_test_ = n_train.fillna(medians), n_test_.fillna(medians)
        a, b = standardize(n_train.to_numpy(), n_test_.to_numpy())
        parts_train.append(a)
        parts_test.append(b)
        names += numeric
    for c in categorical:
        tr = f_train[c].astype("object").where(f_train[c].notna(), "missing")
        te = f_test[c].astype("object").where(f_test[c].notna(), "missing")
        if (f_train[c].isna().any() or f_test[c].isna().any()):
            notes.append(f"missing values of {c!r} encoded as the category 'missing'")
        cats = sorted(tr.unique(), key=str)
        parts_train.append(np.stack([(tr == v).to_numpy(float) for v in cats], axis=1))
        parts_test.append(np.stack([(te == v).to_numpy(float) for v in cats], axis=1))
        names += [f"{c}={v}" for v in cats]
        unseen = sorted(set(te) - set(cats), key=str)
        if unseen:
            notes.append(f"test categories of {c!r} unseen in training ({', '.join(map(str, unseen))}) encoded as all zeros")
    x_train = np.concatenate(parts_train, axis=1)
    x_test = np.concatenate(parts_test, axis=1)

    y = frame[dataset.target]
    classes = []
    if dataset.task == "regression":
        y_all = y.to_numpy(dtype=float)
        y_train, y_test = standardize(y_all[train_idx], y_all[test_idx])
        notes.append("target standardized with the training split's mean and standard deviation")
    else:
        classes = sorted(y.unique(), key=str)
        codes = y.map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=float)
        y_train, y_test = codes[train_idx], codes[test_idx]
        if len(np.unique(y_train)) < 2:
            raise ValueError(f"The training split of {dataset.name!r} has a single class; use more rows.")
    task = dataset.task
    if task != "regression":
        task = "binary" if len(classes) == 2 else "multiclass"
    return Prepared(x_train, y_train, x_test, y_test, names, task, [str(c) for c in classes], notes)
