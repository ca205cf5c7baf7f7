"""Plain-text rendering of comparison tables (no extra dependency; fixed-width for terminals)."""

import math


def _fmt(value):
    if isinstance(value, bool):
        return "ok" if value else "MISMATCH"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value == 0.0:
            return "0"
        if math.isinf(value):
            return "inf"
        return f"{value:.2e}"
    return str(value)


def format_table(frame, columns=None):
    """A fixed-width text table of ``frame``'s ``columns`` (booleans as ok / MISMATCH)."""
    columns = list(columns or frame.columns)
    rows = [columns] + [[_fmt(v) for v in rec] for rec in frame[columns].itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
