"""Bundled tabular data as pandas DataFrames, and the preprocessing to arrays (nothing downloads)."""

from .tabular import Dataset, Prepared, dataset_names, load_csv, load_dataset, prepare, standardize

__all__ = ["Dataset", "Prepared", "dataset_names", "load_csv", "load_dataset", "prepare", "standardize"]
