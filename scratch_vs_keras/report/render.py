"""Writing a :class:`~.document.Report` to disk: ``report.md``, a self-contained ``report.html``
(figures embedded), ``figures/*.png``, ``data/*.csv`` and ``verdict.json``, and the
``index.html`` of a reports folder.

Writing goes through :mod:`.storage`: the report is built in a temporary folder and swapped in
under the reports folder's lock, so an interruption, a crash or a second writer leaves the old
report or the complete new one, never half of one and never none. Texts are Markdown with LaTeX,
rendered to HTML and MathML here (:mod:`.markup`): the pages fetch nothing.
"""

import base64
import datetime as _dt
import html
import json
import os
import platform

import numpy as np
import pandas as pd

from ..compare.table import format_value, markdown_table
from .index import write_index, write_index_unlocked
from .markup import markdown_to_html
from .storage import publish
from .style import CSS

__all__ = ["environment", "markdown_table", "text_to_html", "write_index", "write_report"]


def environment(settings=None, keras=True):
    """Versions and machine facts for the report's environment block (TensorFlow's and Keras's
    only with ``keras``: a report whose numbers never touched them need not import them)."""
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
        if not keras:
            raise ImportError
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
                cells.append(f"<td>{html.escape(format_value(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def text_to_html(text):
    """The reports' Markdown (paragraphs, lists, ``code``, **bold**, tables, $LaTeX$) as HTML."""
    return markdown_to_html(text)


def _caption_html(caption):
    return markdown_to_html(caption, inline=True)


def _render(report, figure_files, env):
    status = report.status
    css = {"MATCH": "pass", "NOT CHECKED": "none"}.get(status, "fail")
    shown = report.verdict_shown()
    md = [f"# {report.title}", "", f"**Verdict: {status}**", "", report.summary.strip(), "",
          "## Verdict", "", markdown_table(shown), ""]
    body = [f"<h1>{html.escape(report.title)}</h1>",
            f'<div class="verdict {css}">Verdict: {html.escape(status)}</div>',
            text_to_html(report.summary), "<h2>Verdict</h2>", _html_table(shown)]
    for section in report.sections:
        md += [f"## {section.heading}", "", section.text.strip(), ""]
        body += [f"<h2>{html.escape(section.heading)}</h2>", text_to_html(section.text)]
        for fig in section.figures:
            md += [f"![{fig.caption}](figures/{fig.name}.png)", "", f"*{fig.caption}*", ""]
            data = base64.b64encode(figure_files[fig.name]).decode("ascii")
            body.append(f'<figure><img alt="{html.escape(fig.caption)}" '
                        f'src="data:image/png;base64,{data}"><figcaption>'
                        f"{_caption_html(fig.caption)}</figcaption></figure>")
        for caption, table in section.tables:
            md += [f"*{caption}*", "", markdown_table(table), ""]
            body += [f"<p><em>{_caption_html(caption)}</em></p>", _html_table(table)]
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


def _figure_files(report):
    """Each figure as PNG bytes (drawn before the reports folder is locked: the slow part)."""
    import io

    from .figures import plotting

    files = {}
    for section in report.sections:
        for fig in section.figures:
            buffer = io.BytesIO()
            fig.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
            plotting()[0].close(fig.figure)  # pyplot with the reports' backend, Agg
            files[fig.name] = buffer.getvalue()
    # matplotlib's ArtistInspector.is_alias is an unbounded lru_cache keyed on bound methods: a
    # figure with a legend stays reachable from it after plt.close (measured: +60 MB per
    # headline + optimizers round in one process); a closed figure's entries are dead weight
    from matplotlib.artist import ArtistInspector

    ArtistInspector.is_alias.cache_clear()
    return files


def _build(report, folder, figure_files, env):
    """Every file of ``report`` into the (new, empty) ``folder``."""
    os.makedirs(os.path.join(folder, "figures"))
    for name, data in figure_files.items():
        with open(os.path.join(folder, "figures", f"{name}.png"), "wb") as f:
            f.write(data)
    if report.data:
        os.makedirs(os.path.join(folder, "data"))
        for name, frame in report.data.items():
            frame.to_csv(os.path.join(folder, "data", f"{name}.csv"), index=False)
    md, page = _render(report, figure_files, env)
    with open(os.path.join(folder, "report.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(folder, "report.html"), "w", encoding="utf-8") as f:
        f.write(page)
    verdict = {"name": report.name, "title": report.title, "ok": report.ok,
               "status": report.status, "divergence": report.divergence,
               "generated": env["generated"],
               "settings": {str(k): str(v) for k, v in (report.settings or {}).items()},
               "verdict": report.verdict.astype({"ok": bool}).to_dict(orient="records")}
    with open(os.path.join(folder, "verdict.json"), "w", encoding="utf-8") as f:
        json.dump(verdict, f, indent=1, default=float)


def write_report(report, out_root, keras=True):
    """Write ``report`` to ``out_root/<name>/`` and refresh ``out_root/index.html``; safe against
    interruptions and concurrent writers (see :mod:`.storage`). Returns the report's folder.
    ``keras=False`` leaves TensorFlow's and Keras's versions out of the environment block."""
    figure_files, env = _figure_files(report), environment(report.settings, keras)
    return publish(out_root, report.name, lambda folder: _build(report, folder, figure_files, env),
                   after=lambda: write_index_unlocked(out_root))
