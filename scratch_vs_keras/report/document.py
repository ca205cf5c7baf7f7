"""What a report holds: a verdict table, sections of text, figures and tables, tidy data."""

from dataclasses import dataclass, field

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
    """An experiment's result: verdict, summary, sections, tidy data (name -> DataFrame), settings."""

    name: str
    title: str
    summary: str
    verdict: pd.DataFrame
    sections: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def ok(self):
        return bool(self.verdict["ok"].all())


def verdict_frame(rows):
    """A verdict table from ``(quantity, worst_difference, tolerance)`` rows (``ok`` computed)."""
    frame = pd.DataFrame(rows, columns=["quantity", "worst difference", "tolerance"])
    frame["ok"] = frame["worst difference"] <= frame["tolerance"]
    return frame
