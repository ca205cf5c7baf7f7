"""How comparison tables show their numbers, in one place: fixed-width text for terminals and
Markdown for reports (the HTML pages use the same :func:`format_value`)."""

import math

import numpy as np


def format_value(value, markdown=False):
    """One cell: booleans as ok / MISMATCH, a float in scientific notation where it is small or
    large (a relative difference, a tolerance) and to four digits otherwise, NaN (not compared)
    as a dash."""
    if isinstance(value, (bool, np.bool_)):
        return "ok" if value else ("**MISMATCH**" if markdown else "MISMATCH")
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "—"
        if value == 0.0:
            return "0"
        if math.isinf(value):
            return "inf"
        return f"{value:.2e}" if abs(value) < 1e-3 or abs(value) >= 1e5 else f"{value:.4g}"
    return str(value)


def markdown_table(frame):
    """A DataFrame as a Markdown table (cells as :func:`format_value` writes them)."""
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in frame.itertuples(index=False):
        lines.append("| " + " | ".join(format_value(v, markdown=True).replace("|", "\\|")
                                       for v in rec) + " |")
    return "\n".join(lines)


def format_table(frame, columns=None):
    """A fixed-width text table of ``frame``'s ``columns`` (booleans as ok / MISMATCH)."""
    columns = list(columns or frame.columns)
    rows = [columns] + [[format_value(v) for v in rec]
                        for rec in frame[columns].itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
