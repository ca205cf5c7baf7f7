"""Reading a student's answer: calling their function (a skeleton is "not done yet", an error is
reported with its line, never raised through the checker) and checking the keys they gave
(missing or unknown keys are a message that names the keys expected)."""

import difflib

import numpy as np

from .evidence import Feedback
from .sandbox import describe_exception


class Refused(Exception):
    """The answer cannot be checked; ``feedback`` says why (not done, error, bad answer)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.feedback = Feedback(status=status, message=message)


def call_student(fn, args, what):
    """``fn(*args)``, or :class:`Refused`: "not done" for a skeleton (``NotImplementedError``,
    ``...`` or None returned), "error" naming the exception and the student's line."""
    try:
        result = fn(*args)
    except NotImplementedError:
        raise Refused("not done", f"Not done yet: {what} still raises NotImplementedError. "
                      "Complete it where the exercise says, then run this cell again.") from None
    except Exception as exc:  # the student's code, whatever it raises: evidence, not a crash
        said = getattr(exc, "described", None) or describe_exception(exc)
        raise Refused("error", f"{what} raised {said}. Fix that first; the checker calls it "
                      "with arrays shaped as the docstring says.") from None
    if result is None or result is Ellipsis:
        raise Refused("not done", f"Not done yet: {what} returned {result!r}. Complete it where "
                      "the exercise says, then run this cell again.")
    return result


def as_tensors(raw, expected, optional=(), what="the answer"):
    """``raw`` (a dict by name, or a tuple/list in ``expected`` order) as ``{name: ndarray}``;
    :class:`Refused` ("bad answer") for missing or unknown keys, a wrong count, or non-numbers."""
    if isinstance(raw, dict):
        given = {str(k): v for k, v in raw.items()}
        unknown = [k for k in given if k not in expected and k not in optional]
        missing = [k for k in expected if k not in given]
        if unknown or missing:
            parts = []
            for k in unknown:
                near = difflib.get_close_matches(k, list(expected) + list(optional), n=1)
                parts.append(f"unknown key {k!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
            if missing:
                parts.append(f"missing {', '.join(map(repr, missing))}")
            extra = f" (and optionally {', '.join(map(repr, optional))})" if optional else ""
            raise Refused("bad answer", f"{what.capitalize()} cannot be checked: {'; '.join(parts)}. "
                          f"Expected exactly the keys {', '.join(map(repr, expected))}{extra}.")
    elif isinstance(raw, (tuple, list)):
        if len(raw) != len(expected):
            raise Refused("bad answer", f"{what.capitalize()} has {len(raw)} arrays; expected "
                          f"{len(expected)}: ({', '.join(expected)}), in this order (or a dict by "
                          "these names).")
        given = dict(zip(expected, raw))
    else:
        raise Refused("bad answer", f"{what.capitalize()} is a {type(raw).__name__}; expected a "
                      f"tuple ({', '.join(expected)}) or a dict with these keys.")
    out = {}
    for k, v in given.items():
        if v is None or v is Ellipsis:
            raise Refused("not done", f"Not done yet: {k} is {v!r} in {what}. Complete it, then "
                          "run this cell again.")
        try:
            arr = np.asarray(v)
        except Exception:  # a ragged list and the like
            arr = np.asarray(None)
        if arr.dtype.kind not in "fiu":
            raise Refused("bad answer", f"{k} in {what} is not an array of numbers ({type(v).__name__}"
                          f" of dtype {arr.dtype}); return NumPy arrays.")
        out[k] = arr
    return out
