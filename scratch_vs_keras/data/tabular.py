"""Tabular data sets that ship with installed packages, as DataFrames with a documented target.

* ``breast_cancer``: scikit-learn's Wisconsin diagnostic data, 569 samples, 30 numeric features;
  target ``target`` = 1 for benign, 0 for malignant (binary classification).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Dataset:
    """A DataFrame with its target column and the task (``"binary"``, ``"multiclass"``, ``"regression"``)."""

    name: str
    frame: pd.DataFrame
    target: str
    task: str
    description: str

    @property
    def feature_names(self):
        return [c for c in self.frame.columns if c != self.target]


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    return Dataset(
        "breast_cancer",
        bunch.frame,
        "target",
        "binary",
        "Wisconsin diagnostic breast cancer (scikit-learn); target 1 = benign, 0 = malignant.",
    )


_LOADERS = {"breast_cancer": _breast_cancer}


def load_dataset(name):
    """Load a bundled data set by name (see the module docstring for the list)."""
    if name not in _LOADERS:
        raise ValueError(f"Unknown dataset {name!r}; valid names: {', '.join(sorted(_LOADERS))}.")
    return _LOADERS[name]()


def standardize(train, *others):
    """Scale columns to zero mean and unit variance using the *training* rows' statistics only."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std = np.where(std == 0, 1.0, std)  # a constant column stays constant instead of becoming NaN
    scaled = [(train - mean) / std] + [(o - mean) / std for o in others]
    return scaled if others else scaled[0]


def prepare(dataset, test_size=0.25, seed=0):
    """Split ``dataset`` (seeded), standardize on the training split, return float64 arrays.

    Returns ``(x_train, y_train, x_test, y_test)``; ``y`` holds the target column as floats.
    """
    frame = dataset.frame
    x = frame[dataset.feature_names].to_numpy(dtype=np.float64)
    y = frame[dataset.target].to_numpy(dtype=np.float64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    n_test = int(round(test_size * len(frame)))
    test, train = order[:n_test], order[n_test:]
    x_train, x_test = standardize(x[train], x[test])
    return x_train, y[train], x_test, y[test]
