"""Executed lessons -> offline HTML pages, and each lesson's verdict from its own outputs.

nbconvert's ``lab`` template loads MathJax, require.js and mermaid from a CDN, so offline every
equation stays raw LaTeX. The pages here use the same template with those scripts left out, and
Markdown cells rendered by :mod:`.markup` (LaTeX turned into MathML at build time): a lesson page
fetches nothing.

A lesson's checks are what its cells print: the gradient checker's summary ("All 4 gradients are
right." / "1 of 2 gradients are right."), comparison verdicts (a line with MATCH, MISMATCH or NOT
CHECKED) and ``equal: True`` / ``same ...: True`` lines. Some exercises plant a mistake on
purpose to show what the checker says; a flagged result counts as such a demonstration only where
the checker named the mistake (its hint is one of the usual mistakes, not "Not a transpose, a
factor or a missing derivative"), or, where the lesson tags its cells, only in a cell tagged
``planted-mistake``.
"""

import html
import json
import os
import re
from dataclasses import dataclass

from .markup import markdown_to_html

PLANTED_TAG = "planted-mistake"
_UNEXPLAINED = "Not a transpose, a factor or a missing derivative"
# The checker's summary line, with or without its probes ("... at 8 probes (...).").
_FEEDBACK_OK = re.compile(r"^All (\d+) gradients are right(?:\.| at \d+ probes .*\.)$", re.M)
_FEEDBACK_BAD = re.compile(r"^(\d+) of (\d+) (?:gradients|tensors) are right\b", re.M)
_VERDICT = re.compile(r"\b(MISMATCH|NOT CHECKED|MATCH)\b")
_EQUAL = re.compile(r"\b(?:equal|same[^:\n]*): (True|False)\s*$", re.M)
# An exercise still a skeleton: its check ran nothing, so the lesson is not checked.
_NOT_DONE = re.compile(r"^Not done yet", re.M)

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}<style>
math{font-size:1.1em}math[display=block]{margin:.6em 0}
.sk-verdict{margin:1em 0 0 1em;padding:.5em .8em;border-radius:4px;display:inline-block;
font-family:sans-serif;font-weight:600}.sk-pass{background:#e3f5e1;color:#176a1f}
.sk-fail{background:#fde7e9;color:#b00020}.sk-none{background:#fff4d6;color:#7a5200}
.tex-error{color:#b00020;font-family:monospace}
</style>{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.sk_banner }}{%- endblock body_header -%}
"""


@dataclass
class LessonVerdict:
    """What a lesson's checks said: ``status`` is MATCH, MISMATCH, NOT CHECKED or ERROR."""

    status: str
    passed: int = 0
    planted: int = 0
    failed: int = 0
    detail: str = ""

    @property
    def css(self):
        return {"MATCH": "pass", "NOT CHECKED": "none"}.get(self.status, "fail")


def _cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        text = out.get("text")
        if text is None:
            text = out.get("data", {}).get("text/plain", "")
        parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


def _flagged_is_planted(text, cell, tagged_lesson):
    if tagged_lesson:
        return PLANTED_TAG in cell.get("metadata", {}).get("tags", [])
    wrong = [line for line in text.splitlines() if line.startswith("✗")]
    return bool(wrong) and not any(_UNEXPLAINED in line for line in wrong)


def lesson_verdict(nb):
    """The :class:`LessonVerdict` of an executed notebook (a dict, as in the ``.ipynb`` file)."""
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    tagged = any(PLANTED_TAG in c.get("metadata", {}).get("tags", []) for c in cells)
    v = LessonVerdict("MATCH")
    unchecked = 0
    for i, cell in enumerate(cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            return LessonVerdict("ERROR", detail=f"code cell {i + 1} raised {errors[0].get('ename')}")
        text = _cell_text(cell)
        v.passed += len(_FEEDBACK_OK.findall(text))
        for _ in _FEEDBACK_BAD.findall(text):
            if _flagged_is_planted(text, cell, tagged):
                v.planted += 1
            else:
                v.failed += 1
        for word in _VERDICT.findall(text) + _EQUAL.findall(text):
            v.passed += word in ("MATCH", "True")
            v.failed += word in ("MISMATCH", "False")
            unchecked += word == "NOT CHECKED"
        unchecked += len(_NOT_DONE.findall(text))
    checks = v.passed + v.planted + v.failed
    if v.failed:
        v.status = "MISMATCH"
    elif unchecked or not checks:
        v.status = "NOT CHECKED"
    parts = [f"{v.passed} check{'s' * (v.passed != 1)} passed"]
    if v.planted:
        parts.append(f"{v.planted} planted mistake{'s' * (v.planted != 1)} caught, as intended")
    if v.failed:
        parts.append(f"{v.failed} failed")
    if unchecked:
        parts.append(f"{unchecked} not checked")
    v.detail = ", ".join(parts) if checks + unchecked else "the lesson prints no check"
    return v


def verdict_banner(verdict):
    """The lesson page's first line: its verdict and what it counts."""
    return (f'<div class="sk-verdict sk-{verdict.css}">Checks: {html.escape(verdict.status)} — '
            f"{html.escape(verdict.detail)}</div>")


def notebook_to_html(nb, banner=""):
    """A self-contained HTML page for an executed notebook (nbformat node); nothing is fetched."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    class _OfflineExporter(HTMLExporter):
        def default_filters(self):
            yield from super().default_filters()
            # registered last, so it replaces nbconvert's (which leaves $...$ for MathJax)
            yield ("markdown2html", lambda source: markdown_to_html(source, allow_html=True))

    exporter = _OfflineExporter(template_name="lab", template_file="offline.html.j2",
                                extra_loaders=[DictLoader({"offline.html.j2": _TEMPLATE})])
    page, _ = exporter.from_notebook_node(nb, resources={"sk_banner": banner})
    return page


def read_lesson_verdicts(lesson_dir):
    """``[(stem, LessonVerdict or None, note)]`` for the executed lessons in ``lesson_dir``; an
    unreadable notebook gets None and a note saying why."""
    rows = []
    for page in sorted(f for f in os.listdir(lesson_dir) if f.endswith(".html")):
        stem = page[:-5]
        path = os.path.join(lesson_dir, f"{stem}.ipynb")
        try:
            with open(path, encoding="utf-8") as f:
                rows.append((stem, lesson_verdict(json.load(f)), ""))
        except FileNotFoundError:
            rows.append((stem, None, "no executed notebook beside the page"))
        except (OSError, ValueError, AttributeError) as exc:
            rows.append((stem, None, f"{stem}.ipynb could not be read ({exc})"))
    return rows


def export_lesson(nb, out_root, stem):
    """Write the executed notebook ``nb`` as ``out_root/lessons/<stem>.ipynb`` and ``.html`` (the
    page opening with the lesson's verdict), atomically and under the reports folder's lock."""
    import nbformat

    from ..report_io import write_text_atomic
    from .storage import locked

    verdict = lesson_verdict(json.loads(nbformat.writes(nb)))
    page = notebook_to_html(nb, banner=verdict_banner(verdict))
    folder = os.path.join(out_root, "lessons")
    with locked(out_root):
        os.makedirs(folder, exist_ok=True)
        write_text_atomic(os.path.join(folder, f"{stem}.ipynb"), nbformat.writes(nb))
        write_text_atomic(os.path.join(folder, f"{stem}.html"), page)
    return verdict
