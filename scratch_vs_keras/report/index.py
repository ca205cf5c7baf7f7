"""``index.html`` of a reports folder: the headline first, then every other report with its verdict,
the run's settings (quick or full, which data), and the lessons with their verdicts.

A folder whose ``verdict.json`` cannot be read (bad JSON, written by something else) is skipped,
and the page and a warning say so; it never stops the index from being written.
"""

import html
import json
import os
import warnings

from ..report_io import write_text_atomic
from .notebook import read_lesson_verdicts
from .storage import locked, repair
from .style import CSS

FIRST = "headline"
_STATUS_CSS = {"MATCH": "ok", "NOT CHECKED": "none"}


def read_verdicts(out_root):
    """``(rows, skipped)``: one dict per readable report, one note per unreadable one."""
    rows, skipped = [], []
    for name in sorted(os.listdir(out_root)):
        path = os.path.join(out_root, name, "verdict.json")
        if name.startswith(".") or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                v = json.load(f)
            title, ok = v["title"], v["ok"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            reason = "not valid JSON" if isinstance(exc, ValueError) else f"unreadable ({exc!r})"
            skipped.append(f"{name}/verdict.json: {reason}")
            continue
        settings = v.get("settings") or {}
        status = v.get("status") or ("MATCH" if ok else "MISMATCH")
        rows.append({"name": name, "title": str(title), "status": str(status),
                     "generated": str(v.get("generated", "")), "mode": _mode(settings),
                     "dataset": str(settings.get("dataset") or settings.get("datasets") or "—")})
    rows.sort(key=lambda r: (r["name"] != FIRST, r["name"]))
    return rows, skipped


def _mode(settings):
    quick = settings.get("quick mode")
    if quick is None:
        return "—"
    return "quick" if str(quick).lower() in ("true", "1", "yes") else "full"


def _status_cell(status):
    return f'<td class="{_STATUS_CSS.get(status, "bad")}">{html.escape(status)}</td>'


def _reports_table(rows):
    body = "".join(
        f'<tr><td><a href="{html.escape(r["name"])}/report.html">{html.escape(r["title"])}</a></td>'
        f'{_status_cell(r["status"])}<td>{r["mode"]}</td><td>{html.escape(r["dataset"])}</td>'
        f'<td><a href="{html.escape(r["name"])}/report.md">report.md</a></td>'
        f'<td>{html.escape(r["generated"])}</td></tr>' for r in rows)
    return ("<table><thead><tr><th>experiment</th><th>verdict</th><th>settings</th><th>data</th>"
            f"<th>Markdown</th><th>generated</th></tr></thead><tbody>{body}</tbody></table>")


def _run_line(rows):
    """One sentence on the run: quick or full, which data, how many matched."""
    if not rows:
        return "<p>No reports yet.</p>"
    modes = sorted({r["mode"] for r in rows} - {"—"})
    kind = {(): "Settings not recorded", ("quick",): "Quick run (short settings, for a first look)",
            ("full",): "Full run (the documented sizes)"}.get(tuple(modes), "Mixed quick and full runs")
    data = ", ".join(sorted({r["dataset"] for r in rows} - {"—"})) or "unknown"
    good = sum(r["status"] == "MATCH" for r in rows)
    return (f'<p class="run">{kind}; data: {html.escape(data)}. {good} of {len(rows)} reports '
            "MATCH.</p>")


def _lessons_section(out_root, skipped):
    lesson_dir = os.path.join(out_root, "lessons")
    if not os.path.isdir(lesson_dir):
        return ""
    rows = read_lesson_verdicts(lesson_dir)
    if not rows:
        return ""
    cells = []
    for stem, verdict, note in rows:
        if verdict is None:
            skipped.append(f"lessons/{note}")
            status, detail = "NOT CHECKED", note
        else:
            status, detail = verdict.status, verdict.detail
        cells.append(f'<tr><td><a href="lessons/{html.escape(stem)}.html">{html.escape(stem)}</a>'
                     f"</td>{_status_cell(status)}<td>{html.escape(detail)}</td></tr>")
    return ("<h2>Lessons</h2><p>Each lesson was executed; its verdict counts the checks its cells "
            "print.</p><table><thead><tr><th>lesson</th><th>verdict</th><th>checks</th></tr>"
            f"</thead><tbody>{''.join(cells)}</tbody></table>")


def index_page(out_root):
    """The HTML of ``out_root``'s index, and the notes on what was skipped."""
    rows, skipped = read_verdicts(out_root)
    lessons = _lessons_section(out_root, skipped)
    notes = ""
    if skipped:
        notes = ("<h2>Skipped</h2><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in skipped)
                 + "</ul>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>scratch_vs_keras reports"
            f"</title><style>{CSS}</style></head><body><h1>scratch_vs_keras reports</h1>"
            "<p>Each report trains a from-scratch NumPy network and its Keras twin side by side "
            f"and checks that they compute the same numbers.</p>{_run_line(rows)}"
            f"{_reports_table(rows)}{lessons}{notes}</body></html>")
    return page, skipped


def write_index_unlocked(out_root):
    """Write ``out_root/index.html``; the caller holds the folder's lock."""
    page, skipped = index_page(out_root)
    for note in skipped:
        warnings.warn(f"index.html: skipped {note}", stacklevel=3)
    return write_text_atomic(os.path.join(out_root, "index.html"), page)


def write_index(out_root):
    """``index.html`` linking every report and lesson found under ``out_root`` (after repairing
    what a crashed writer may have left there)."""
    with locked(out_root):
        repair(out_root)
        return write_index_unlocked(out_root)
