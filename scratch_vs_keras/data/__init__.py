"""Bundled tabular data as pandas DataFrames, and the preprocessing to arrays (nothing downloads)."""

from .tabular import Dataset, load_dataset, prepare, standardize

__all__ = ["Dataset", "load_dataset", "prepare", "standardize"]
