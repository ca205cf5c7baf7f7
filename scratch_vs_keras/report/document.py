"""What a report holds: a verdict table, sections of text, figures and tables, tidy data."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Figure:
    """A matplotlib figure with the file stem it is saved under and a caption saying what it shows."""

    name: str
    figure: object
    caption: str


@dataclass
class Section:
    """A heading, Markdown-light text (paragraphs, ``- `` lists, ``code``, **bold**), figures, tables."""

    heading: str
    text: str = ""
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)  # (caption, DataFrame)


@dataclass
class Report:
    """An experiment's result: verdict, summary, sections, tidy data (name -> DataFrame), settings.

    Its :attr:`status` is MATCH only when every verdict row compared real numbers within its
    tolerance; a row that could not compare is NOT CHECKED, and a MISMATCH row says where
    (:attr:`divergence`: the first step, layer and tensor where the two sides part).
    """

    name: str
    title: str
    summary: str
    verdict: pd.DataFrame
    sections: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def status(self):
        """``"MATCH"``, ``"MISMATCH"`` (any row beyond tolerance) or ``"NOT CHECKED"``."""
        statuses = set(self.verdict["status"]) if "status" in self.verdict else {
            "MATCH" if ok else "MISMATCH" for ok in self.verdict["ok"]}
        if "MISMATCH" in statuses:
            return "MISMATCH"
        return "NOT CHECKED" if "NOT CHECKED" in statuses else "MATCH"

    @property
    def ok(self):
        return self.status == "MATCH"

    def verdict_shown(self):
        """The verdict table as a reader sees it: the status column says what ``ok`` says, and
        the ``where`` column shows only when some row has something to say."""
        shown = self.verdict.drop(columns="ok", errors="ignore")
        if "where" in shown and not (shown["where"] != "").any():
            shown = shown.drop(columns="where")
        return shown

    @property
    def divergence(self):
        """Where the first mismatched (else not-checked) row says the sides part, or None."""
        if "where" not in self.verdict:
            return None
        for status in ("MISMATCH", "NOT CHECKED"):
            rows = self.verdict[(self.verdict["status"] == status) & (self.verdict["where"] != "")]
            if len(rows):
                return f"{rows.iloc[0]['quantity']}: {rows.iloc[0]['where']}"
        return None


def verdict_frame(rows):
    """A verdict table from rows ``(quantity, worst_difference, tolerance[, where[, status]])``.

    ``status`` is computed unless given: NOT CHECKED where the worst difference is NaN (nothing
    was compared), MATCH within a finite tolerance, else MISMATCH. ``where`` names the step, layer
    and tensor of a mismatch (or why a row was not checked). ``ok`` is true for MATCH rows only.
    """
    records = []
    for row in rows:
        quantity, worst, tol, where, status = tuple(row) + ("", None)[len(row) - 3:]
        worst, tol = float(worst), float(tol)
        if not np.isfinite(tol):
            raise ValueError(f"verdict row {quantity!r} has no finite tolerance ({tol}); a check "
                             "without a bound cannot say MATCH.")
        if status is None:
            status = "NOT CHECKED" if np.isnan(worst) else ("MATCH" if worst <= tol else "MISMATCH")
        records.append({"quantity": quantity, "worst difference": worst, "tolerance": tol,
                        "ok": status == "MATCH", "status": status, "where": where or ""})
    return pd.DataFrame(records, columns=["quantity", "worst difference", "tolerance", "ok",
                                          "status", "where"])
