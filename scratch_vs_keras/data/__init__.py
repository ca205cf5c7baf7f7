"""Bundled tabular data as pandas DataFrames, and the preprocessing to arrays (nothing downloads)."""

from .tabular import (Dataset, Prepared, dataset_names, load_csv, load_dataset, minimum_rows, prepare,
                      standardize, standardize_with_notes)

__all__ = ["Dataset", "Prepared", "dataset_names", "load_csv", "load_dataset", "minimum_rows",
           "prepare", "standardize", "standardize_with_notes"]
