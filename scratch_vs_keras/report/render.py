"""Writing a :class:`~.document.Report` to disk: ``report.md``, a self-contained ``report.html``
(figures embedded), ``figures/*.png``, ``data/*.csv`` and ``verdict.json``, and the
``index.html`` of a reports folder.

Writing is atomic: everything goes to a temporary folder beside the target, which then replaces
the old report by two renames; an interrupted run leaves the old report (or none), never half of
a new one.
"""

import base64
import datetime as _dt
import html
import json
import os
import platform
import re
import shutil
import tempfile

import numpy as np
import pandas as pd

from ..report_io import write_text_atomic


def environment(settings=None):
    """Versions and machine facts for the report's environment block."""
    import matplotlib
    import sklearn

    import scratch_vs_keras

    env = {
        "scratch_vs_keras": scratch_vs_keras.__version__,
        "Python": platform.python_version(),
        "NumPy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
    }
    try:
        from ..keras_side._tf import import_keras, tensorflow

        keras, tf = import_keras(), tensorflow()

        env["TensorFlow"] = tf.__version__
        env["Keras"] = keras.__version__
    except ImportError:  # pragma: no cover - TensorFlow is a dependency
        pass
    env["CPU"] = _cpu_name()
    env["cores"] = str(os.cpu_count())
    env["generated"] = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for k, v in (settings or {}).items():
        env[k] = str(v)
    return env


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _fmt(v):
    if isinstance(v, (bool, np.bool_)):
        return "ok" if v else "**MISMATCH**"
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "—"
        if v == 0:
            return "0"
        if np.isinf(v):
            return "inf"
        return f"{v:.2e}" if abs(v) < 1e-3 or abs(v) >= 1e5 else f"{v:.4g}"
    return str(v)


def markdown_table(frame):
    """A DataFrame as a Markdown table (floats in scientific notation where small)."""
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(v).replace("|", "\\|") for v in rec) + " |")
    return "\n".join(lines)


_STATUS_CLASS = {"MATCH": "ok", "ok": "ok", "MISMATCH": "bad", "NOT CHECKED": "bad",
                 "not checked": "bad"}


def _html_table(frame):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for v in rec:
            if isinstance(v, (bool, np.bool_)):
                cls = "ok" if v else "bad"
                cells.append(f'<td class="{cls}">{"ok" if v else "MISMATCH"}</td>')
            elif v in _STATUS_CLASS:
                cells.append(f'<td class="{_STATUS_CLASS[v]}">{v}</td>')
            else:
                cells.append(f"<td>{html.escape(_fmt(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _inline(text):
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def text_to_html(text):
    """Paragraphs, ``- `` bullet lists, ``code`` and **bold**: the Markdown the reports use."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines and all(l.lstrip().startswith("- ") for l in lines):
            items = "".join(f"<li>{_inline(l.lstrip()[2:])}</li>" for l in lines)
            out.append(f"<ul>{items}</ul>")
        elif block.strip():
            out.append(f"<p>{_inline(' '.join(l.strip() for l in lines))}</p>")
    return "\n".join(out)


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #ddd;padding-bottom:.3em}h2{margin-top:1.8em;border-bottom:1px solid #eee}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;
text-align:left}th{background:#f3f3f3}td.ok{color:#176a1f;font-weight:600}td.bad{color:#b00020;
font-weight:700}.verdict{font-size:1.15em;font-weight:700;padding:.5em .8em;display:inline-block;
border-radius:4px}.pass{background:#e3f5e1;color:#176a1f}.fail{background:#fde7e9;color:#b00020}
figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.9em;color:#555}
code{background:#f4f4f4;padding:0 .2em}.env td:first-child{font-weight:600}
"""


def _render(report, figure_files, env):
    status = report.status
    shown = report.verdict.drop(columns="ok", errors="ignore")  # the status column says it
    md = [f"# {report.title}", "", f"**Verdict: {status}**", "", report.summary.strip(), "",
          "## Verdict", "", markdown_table(shown), ""]
    body = [f"<h1>{html.escape(report.title)}</h1>",
            f'<div class="verdict {"pass" if report.ok else "fail"}">Verdict: {status}</div>',
            text_to_html(report.summary), "<h2>Verdict</h2>", _html_table(shown)]
    for section in report.sections:
        md += [f"## {section.heading}", "", section.text.strip(), ""]
        body += [f"<h2>{html.escape(section.heading)}</h2>", text_to_html(section.text)]
        for fig in section.figures:
            md += [f"![{fig.caption}](figures/{fig.name}.png)", "", f"*{fig.caption}*", ""]
            data = base64.b64encode(figure_files[fig.name]).decode("ascii")
            body.append(f'<figure><img alt="{html.escape(fig.caption)}" '
                        f'src="data:image/png;base64,{data}"><figcaption>'
                        f"{html.escape(fig.caption)}</figcaption></figure>")
        for caption, table in section.tables:
            md += [f"*{caption}*", "", markdown_table(table), ""]
            body += [f"<p><em>{html.escape(caption)}</em></p>", _html_table(table)]
    if report.data:
        md += ["## Data", "", "Tidy data behind the figures: " + ", ".join(
            f"[{n}.csv](data/{n}.csv)" for n in report.data), ""]
        body += ["<h2>Data</h2>", "<p>Tidy data behind the figures (beside this file): "
                 + ", ".join(f'<a href="data/{n}.csv">{n}.csv</a>' for n in report.data) + "</p>"]
    env_table = pd.DataFrame(list(env.items()), columns=["", "value"])
    md += ["## Environment", "", markdown_table(env_table), ""]
    body += ["<h2>Environment</h2>", _html_table(env_table).replace("<table>", '<table class="env">')]
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(report.title)}"
            f"</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>")
    return "\n".join(md), page


def write_report(report, out_root):
    """Write ``report`` to ``out_root/<name>/`` atomically and refresh ``out_root/index.html``."""
    import matplotlib.pyplot as plt

    os.makedirs(out_root, exist_ok=True)
    target = os.path.join(out_root, report.name)
    tmp = tempfile.mkdtemp(dir=out_root, prefix=f".tmp-{report.name}-")
    try:
        os.makedirs(os.path.join(tmp, "figures"))
        figure_files = {}
        for section in report.sections:
            for fig in section.figures:
                path = os.path.join(tmp, "figures", f"{fig.name}.png")
                fig.figure.savefig(path, dpi=110, bbox_inches="tight")
                plt.close(fig.figure)
                with open(path, "rb") as f:
                    figure_files[fig.name] = f.read()
        if report.data:
            os.makedirs(os.path.join(tmp, "data"))
            for name, frame in report.data.items():
                frame.to_csv(os.path.join(tmp, "data", f"{name}.csv"), index=False)
        env = environment(report.settings)
        md, page = _render(report, figure_files, env)
        with open(os.path.join(tmp, "report.md"), "w", encoding="utf-8") as f:
            f.write(md)
        with open(os.path.join(tmp, "report.html"), "w", encoding="utf-8") as f:
            f.write(page)
        verdict = {"name": report.name, "title": report.title, "ok": report.ok,
                   "status": report.status, "divergence": report.divergence,
                   "generated": env["generated"],
                   "verdict": report.verdict.astype({"ok": bool}).to_dict(orient="records")}
        with open(os.path.join(tmp, "verdict.json"), "w", encoding="utf-8") as f:
            json.dump(verdict, f, indent=1, default=float)
        old = None
        if os.path.exists(target):
            old = tempfile.mkdtemp(dir=out_root, prefix=f".old-{report.name}-")
            os.rmdir(old)
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_index(out_root)
    return target


def write_index(out_root):
    """``index.html`` linking every report (and lesson) found under ``out_root``."""
    rows = []
    for name in sorted(os.listdir(out_root)):
        path = os.path.join(out_root, name, "verdict.json")
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            v = json.load(f)
        rows.append((v["title"], name, v["ok"], v.get("generated", "")))
    items = "".join(
        f'<tr><td><a href="{html.escape(n)}/report.html">{html.escape(t)}</a></td>'
        f'<td class="{"ok" if ok else "bad"}">{"MATCH" if ok else "MISMATCH"}</td>'
        f'<td><a href="{html.escape(n)}/report.md">report.md</a></td><td>{html.escape(g)}</td></tr>'
        for t, n, ok, g in rows)
    lessons = ""
    lesson_dir = os.path.join(out_root, "lessons")
    if os.path.isdir(lesson_dir):
        pages = sorted(f for f in os.listdir(lesson_dir) if f.endswith(".html"))
        if pages:
            lessons = "<h2>Lessons</h2><ul>" + "".join(
                f'<li><a href="lessons/{html.escape(p)}">{html.escape(p[:-5])}</a></li>'
                for p in pages) + "</ul>"
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>scratch_vs_keras reports</title>"
            f"<style>{CSS}</style></head><body><h1>scratch_vs_keras reports</h1>"
            "<p>Each report trains a from-scratch NumPy network and its Keras twin side by side "
            "and checks that they compute the same numbers.</p>"
            "<table><thead><tr><th>experiment</th><th>verdict</th><th>Markdown</th><th>generated</th>"
            f"</tr></thead><tbody>{items}</tbody></table>{lessons}</body></html>")
    return write_text_atomic(os.path.join(out_root, "index.html"), page)
