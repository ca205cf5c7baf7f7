"""Input checks shared by the NumPy side: every message names the argument, what came, what is expected.

The point is that a student's mistake surfaces here, in words, instead of as a broadcasting error
three calls deep inside NumPy (or a silent NaN).
"""

import numbers

import numpy as np


def describe(a):
    """A short description of an array-like for error messages: shape and dtype."""
    try:
        arr = np.asarray(a)
        return f"an array of shape {arr.shape} and dtype {arr.dtype}"
    except Exception:  # pragma: no cover - only for exotic objects
        return f"an object of type {type(a).__name__}"


def as_numeric_array(a, name, dtype):
    """Convert ``a`` to a finite, non-empty array of ``dtype``.

    Raises TypeError for non-numeric input and ValueError for empty input or NaN/inf entries.
    """
    if a is None:
        raise TypeError(f"`{name}` is None; expected a numeric array.")
    if hasattr(a, "to_numpy"):  # pandas DataFrame / Series
        a = a.to_numpy()
    try:
        raw = np.asarray(a)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"`{name}` could not be read as a rectangular array ({exc}).") from None
    if raw.dtype == object or not (
        np.issubdtype(raw.dtype, np.number) or np.issubdtype(raw.dtype, np.bool_)
    ):
        raise TypeError(
            f"`{name}` must be numeric; received {describe(raw)}. Encode categorical columns "
            "(e.g. one-hot) and convert strings to numbers before passing them in."
        )
    if np.iscomplexobj(raw):
        raise TypeError(f"`{name}` must be real-valued; received {describe(raw)}.")
    if raw.size == 0:
        raise ValueError(f"`{name}` is empty ({describe(raw)}); at least one sample is needed.")
    arr = raw.astype(dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"`{name}` contains NaN or inf (first at index {tuple(int(i) for i in bad)}); "
            "impute or drop missing values before training."
        )
    return arr


def check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer; received {name}={value!r}.")
    return int(value)


def check_non_negative_float(value, name):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"`{name}` must be a finite, non-negative number; received {name}={value!r}.")
    return float(value)


def lookup(identifier, table, kind, argument):
    """Look ``identifier`` up in ``table`` (name -> factory); unknown names list the valid ones."""
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in table:
            return table[key]
    raise ValueError(
        f"Unknown {kind} {identifier!r} for `{argument}`. Valid names: "
        f"{', '.join(sorted(table))}."
    )
