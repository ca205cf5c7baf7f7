"""A lesson's exercises and what their checks said, so that a lesson ends by pointing the
student to the first exercise not done yet (or says that every check passed), and
:func:`check_values` for an exercise whose answer is an array to compare with a reference."""

from dataclasses import dataclass


class Exercises:
    """The exercises of one lesson, in order, and the status of each one's latest check.

    Args:
        titles: one short title per exercise, in the lesson's order (exercise 1 first).

    ``check(n, result)`` records the result of exercise ``n``'s check (a
    :class:`~.evidence.Feedback` or a :class:`~.keras_check.KerasModelCheck`: anything with
    ``status`` and ``ok``) and returns the text to print; ``str()`` is the lesson's summary.
    """

    def __init__(self, *titles):
        if not titles or not all(isinstance(t, str) and t for t in titles):
            raise ValueError("Exercises(...) takes one non-empty title per exercise, in order.")
        self.titles = list(titles)
        self.status = ["not run"] * len(titles)

    def check(self, number, result):
        """Record exercise ``number``'s (1-based) result; the text to print under its heading."""
        if not isinstance(number, int) or not 1 <= number <= len(self.titles):
            raise ValueError(f"`number` must be 1 to {len(self.titles)} (the exercise); received "
                             f"{number!r}.")
        self.status[number - 1] = "done" if result.ok else result.status
        return f"Exercise {number} ({self.titles[number - 1]}): {_said(result)}\n{result}"

    def next_exercise(self):
        """The first exercise whose check did not pass (1-based), or None when all passed."""
        return next((i + 1 for i, s in enumerate(self.status) if s != "done"), None)

    def __str__(self):
        done, n = self.status.count("done"), len(self.titles)
        first = self.next_exercise()
        if first is None:
            return f"All {n} exercises done: every check passed."
        return (f"Exercises done: {done} of {n}. Next: Exercise {first}, {self.titles[first - 1]} "
                f"({self.status[first - 1]}): complete it above and run the lesson again.")


def _said(result):
    if result.ok:
        return "done."
    return {"not done": "not done yet.", "error": "your code raised an error.",
            "bad answer": "the answer cannot be checked.", "not run": "not run."}.get(
        result.status, "not right yet: the evidence below says where to look.")


@dataclass
class ValuesCheck:
    """What :func:`check_values` found: ``status`` ``"right"``, ``"wrong"``, ``"not done"``,
    ``"error"`` or ``"bad answer"``, and the sentence that says it."""

    status: str
    message: str

    @property
    def ok(self):
        return self.status == "right"

    def __str__(self):
        return self.message


def check_values(student, args, expected, what, tolerance=1e-12):
    """Call ``student(*args)`` and compare its array with ``expected`` (relative difference
    ``max|given - expected| / max|expected|`` within ``tolerance``); a skeleton is "not done",
    an error or a wrong shape is said, never raised."""
    import numpy as np

    from .answers import Refused, call_student
    from .evidence import rel_diff

    fname = getattr(student, "__name__", "your function")
    try:
        given = np.asarray(call_student(student, args, f"your function {fname}()"), dtype=float)
    except Refused as refused:
        return ValuesCheck(refused.feedback.status, refused.feedback.message)
    except (TypeError, ValueError) as exc:
        return ValuesCheck("bad answer", f"{fname}() returned something that is not an array of "
                           f"numbers ({exc}).")
    expected = np.asarray(expected, dtype=float)
    if given.shape != expected.shape:
        return ValuesCheck("wrong", f"{fname}() returned shape {given.shape}; {what} has shape "
                           f"{expected.shape}.")
    rel = rel_diff(given, expected)
    if rel <= tolerance:
        return ValuesCheck("right", f"✓ {fname}() equals {what} (relative difference {rel:.1e}).")
    return ValuesCheck("wrong", f"✗ {fname}() differs from {what}: relative difference {rel:.3g} "
                       f"> {tolerance:.0e}.")
