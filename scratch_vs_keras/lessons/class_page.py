"""The instructor's page for ``check --class DIR``: per submission, which tensor is wrong and which
mistake fits; across the class, how many students show each mistake (a seaborn bar figure). One
self-contained HTML page written through :mod:`scratch_vs_keras.report` (figures embedded)."""

import os

import pandas as pd

from ..report import Report, Section, verdict_frame, write_report
from ..report.figures import bars
from .evidence import TOLERANCE

#: How a submission's status reads in the verdict table: only a checked answer is MATCH/MISMATCH.
VERDICT = {"right": "MATCH", "wrong": "MISMATCH"}


def submissions_frame(results):
    """One row per submission: status, the tensor to start with, its layer, the likely mistake,
    the hint (or why it was not checked), seconds."""
    rows = []
    for r in results:
        first = r.feedback.first_wrong() if r.feedback is not None else None
        worst = (float(r.feedback.table.rel_diff.max()) if r.feedback is not None
                 and len(r.feedback.table) else float("nan"))
        rows.append({
            "submission": r.name, "status": r.status,
            "tensor": "" if first is None else first.tensor,
            "layer": "" if first is None else str(int(first.blame) if pd.notna(first.blame)
                                                  else int(first.layer)),
            "likely mistake": ("" if r.status == "right" else first.mistake if first is not None
                               else r.status),
            "evidence": (first.hint if first is not None else r.message or
                         ("all gradients right at every probe" if r.ok else "")),
            "worst relative difference": worst, "seconds": round(r.seconds, 2)})
    return pd.DataFrame(rows)


def mistake_counts(results):
    """Students per mistake: every distinct mistake a submission shows counts once for it; a
    submission that could not be checked counts under its status (crashed, timed out ...);
    ``kind`` says which of the three (right, a mistake, not checked)."""
    counts, kinds = {}, {}
    for r in results:
        wrong = r.feedback is not None and r.status == "wrong"
        for label in dict.fromkeys(r.feedback.mistakes if wrong else [r.status]):
            counts[label] = counts.get(label, 0) + 1
            kinds[label] = "right" if r.ok else "a mistake" if wrong else "not checked"
    order = sorted(counts, key=lambda k: (["a mistake", "not checked", "right"].index(kinds[k]),
                                          -counts[k], k))
    return pd.DataFrame({"mistake": order, "students": [counts[k] for k in order],
                         "kind": [kinds[k] for k in order]})


def _verdict(results):
    """A row per submission: its tensor furthest from right (relative to its own float type's
    tolerance), or why it was not checked."""
    rows = []
    for r in results:
        status = VERDICT.get(r.status, "NOT CHECKED")
        if status == "NOT CHECKED":
            why = r.message.removeprefix("Not checked: ")
            rows.append((r.name, float("nan"), TOLERANCE["float64"], _short(f"{r.status}: {why}"), status))
            continue
        t = r.feedback.table
        worst = t.loc[(t.rel_diff / t.tolerance).idxmax()]
        first = r.feedback.first_wrong()
        where = "" if first is None else f"{first.tensor} (layer {first.layer}): {first.mistake}"
        rows.append((r.name, float(worst.rel_diff), float(worst.tolerance), where, status))
    return verdict_frame(rows)


def _short(text, most=90):
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1] + "…"


def class_report(results, folder, time_limit):
    """The :class:`~scratch_vs_keras.report.Report` of a class's submissions."""
    table, counts = submissions_frame(results), mistake_counts(results)
    n, right = len(results), sum(r.ok for r in results)
    unchecked = sum(VERDICT.get(r.status) is None for r in results)
    name = "check-" + (os.path.basename(os.path.normpath(folder)) or "class")
    figure = bars(counts, "mistake", "students", "class_mistakes",
                  f"Students per mistake ({n} submissions)", "", "students",
                  "How many submissions show each mistake (a submission with two mistakes counts "
                  "for both); 'right' are the submissions whose every gradient is right, and a "
                  "submission that could not be checked counts under why (crashed, timed out, not "
                  "done ...).", hue="kind", rotate=True,
                  palette={"a mistake": "#EE6677", "not checked": "#999999", "right": "#228833"})
    figure.figure.axes[0].yaxis.get_major_locator().set_params(integer=True)
    details = []
    for r in results:
        if r.feedback is not None and len(r.feedback.table):
            t = r.feedback.table[["tensor", "layer", "ok", "rel_diff", "dtype", "mistake", "hint"]]
            details.append(t.assign(submission=r.name)[["submission"] + list(t.columns)])
    summary = (f"{n} submissions from `{folder}`: **{right} right**, {n - right - unchecked} with a "
               f"mistake, {unchecked} not checked (crashed, timed out, not done or unusable). Each "
               f"ran in its own process and temporary folder with a time limit of {time_limit:g} s; "
               "each gradient function was called at three random points (weights and biases "
               "from U(-1, 1)), in float64 and float32, and its answers were compared with the "
               "package's back-propagation (equal to Keras's). A MATCH row is a submission whose "
               "every tensor is right within tolerance (float32 answers within float32's, "
               f"{TOLERANCE['float32']:g}); NOT CHECKED rows say why.")
    sections = [
        Section("Across the class", "The mistakes that fit the wrong tensors, counted over "
                "students: where to spend the next lecture's five minutes.",
                figures=[figure], tables=[("Students per mistake.", counts)]),
        Section("Per submission", "The tensor to start with (the layer the fitting mistake is "
                "in, else the wrong tensor closest to the output), the likely mistake and the "
                "evidence the student sees.", tables=[("One row per submission.", table)]),
        Section("Isolation", "Each submission ran in a new process whose working directory, "
                "HOME and TMPDIR were its own temporary folder (removed afterwards), killed at the "
                "time limit. Inside it, a Python audit hook refused writing outside that folder, "
                "starting processes and loading C libraries through ctypes; memory, CPU time and "
                "file sizes were capped. Not enforced: code that bypasses Python's audit events "
                "(a compiled extension brought by the submission). The checker computes every "
                "verdict itself from the numbers a submission returns."),
    ]
    if details:
        sections.insert(2, Section("Every tensor", "Per submission and tensor: the worst probe's "
                                   "relative difference, its float type and the hint.",
                                   tables=[("Every checked tensor.", pd.concat(details))]))
    return Report(name=name, title=f"Class check: {os.path.basename(os.path.normpath(folder))}",
                  summary=summary, verdict=_verdict(results), sections=sections,
                  data={"submissions": table, "mistakes": counts},
                  settings={"folder": folder, "time limit (s)": time_limit,
                            "submissions": n})


def write_class_page(results, folder, time_limit, out="reports"):
    """Write the class page under ``out``; returns the path of its ``report.html``."""
    report = class_report(results, folder, time_limit)
    # the checker's reference is the NumPy engine: TensorFlow is neither used nor imported
    return os.path.join(write_report(report, out, keras=False), "report.html")
