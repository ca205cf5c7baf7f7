"""Input checks shared by the NumPy side: every message names the argument, what came, what is expected.

The point is that a student's mistake surfaces here, in words, instead of as a broadcasting error
three calls deep inside NumPy (or a silent NaN).
"""

import math
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


_CLOSED = {"both": ("[", "]"), "left": ("[", ")"), "right": ("(", "]"), "neither": ("(", ")")}


def check_number(value, name, low=None, high=None, closed="both", integer=False, allow_none=False,
                 what=None):
    """``value`` if it is a finite real number (an integer with ``integer=True``) in the interval
    from ``low`` to ``high``, else a ValueError naming the argument, the range and the value.

    The interval as scikit-learn's ``Interval(Real, low, high, closed=...)``: ``closed`` is
    ``"both"``, ``"left"`` (``[low, high)``), ``"right"`` or ``"neither"``; ``None`` leaves a side
    open. Booleans are refused (``True`` is not a learning rate). ``allow_none`` lets ``None``
    through; ``what`` replaces the generated description ("a number in [0, 1)") in the message.
    Integers come back as ``int``; real numbers unchanged (a NumPy float keeps its type).
    """
    if value is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    left, right = _CLOSED[closed]
    ok = (not isinstance(value, bool) and isinstance(value, kind)
          and (isinstance(value, numbers.Integral) or math.isfinite(value))
          and (low is None or (value >= low if left == "[" else value > low))
          and (high is None or (value <= high if right == "]" else value < high)))
    if not ok:
        what = what or _describe_interval(low, high, left, right, integer)
        raise ValueError(
            f"`{name}` must be {what}{' or None' if allow_none else ''}; received {name}={value!r}."
        )
    return int(value) if integer else value


def _describe_interval(low, high, left, right, integer):
    """"a positive integer", "a finite, non-negative number", "a number in [0, 1)", ..."""
    noun = "integer" if integer else "number"
    if high is None and low is not None:
        positive = (low == 0 and left == "(") or (integer and low == 1 and left == "[")
        if positive:
            return f"a positive {noun}"
        if low == 0:
            return f"a non-negative {noun}" if integer else "a finite, non-negative number"
        return f"a {noun} {'>=' if left == '[' else '>'} {low:g}"
    if low is None and high is not None:
        return f"a {noun} {'<=' if right == ']' else '<'} {high:g}"
    if low is None:
        return f"a finite {noun}"
    article = "an" if integer else "a"
    return f"{article} {noun} in {left}{low:g}, {high:g}{right}"


def check_positive_int(value, name):
    """``check_number(value, name, low=1, integer=True)``: a count (units, epochs, batch size)."""
    return check_number(value, name, low=1, integer=True)


def check_non_negative_float(value, name):
    """``float(check_number(value, name, low=0))``: a penalty factor, a decay."""
    return float(check_number(value, name, low=0))


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
