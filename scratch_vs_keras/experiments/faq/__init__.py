"""Questions students ask on Keras's tracker, answered number by number.

Each question is a module here declaring ``SLUG``, ``TITLE``, ``QUESTION`` (one sentence),
``ANSWER`` (one line), ``EXPLANATION`` (a few lines with the equation), ``THREADS`` (the public
threads) and ``measure(cfg) -> Answer``: the puzzling numbers as real Keras prints them, the
twin's, and the verdict rows that must hold. ``scratch-vs-keras run faq`` writes one report per
question (``reports/faq-<slug>/``) and an overview (``reports/faq/``); ``run faq SLUG`` one
question; ``scratch-vs-keras questions --out docs/questions.md`` the page that links them.
"""

import importlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ...report import Report, Section, verdict_frame
from ...report import figures as F

NAME = "faq"
TITLE = "Questions students ask: Keras's puzzling numbers reproduced"
NOT_TAKEN = {
    "dataset": "each question brings its own small data",
    "csv": "each question brings its own small data",
    "target": "each question brings its own small data",
    "encoding": "each question brings its own small data",
    "epochs": "each question trains as long as its numbers need",
    "batch_size": "each question's batch size is part of the question",
    "optimizer": "each question's optimizer is part of the question",
    "dtype": "the questions compare in float64 (float32_drift runs both)",
}
TASKS = set()
TASKS_WHY = "each question brings its own data"

#: The questions, in the order of the page (module names = slugs).
SLUGS = [
    "fit_vs_evaluate",
    "full_batch_first_epoch",
    "loss_vs_metric",
    "bce_clipping",
    "bce_mean_over_outputs",
    "softmax_zero_target",
    "sklearn_log_loss",
    "adam_epsilon",
    "same_seed",
    "float32_drift",
    "validation_split",
    "l2_factor",
]


def question(slug):
    """The module of question ``slug``; ValueError naming the valid slugs otherwise."""
    if slug not in SLUGS:
        raise ValueError(f"unknown question {slug!r}; valid questions: {', '.join(SLUGS)}.")
    return importlib.import_module(f"{__name__}.{slug}")


def describe():
    """``(number, slug, title)`` of every question."""
    return [(i + 1, s, question(s).TITLE) for i, s in enumerate(SLUGS)]


@dataclass
class Overview(Report):
    """The overview report, carrying each question's own report in ``parts``."""

    parts: list = field(default_factory=list)


def run(cfg):
    """One question's report (``cfg.question``), else every question's under an overview."""
    if cfg.question:
        return question_report(cfg.question, cfg, NAME)
    parts = []
    with cfg.progress(len(SLUGS), "question", NAME) as bar:
        for slug in SLUGS:
            parts.append(question_report(slug, cfg, replace(cfg, question=slug).report_name(NAME)))
            bar.update()
    return _overview(parts, cfg)


def question_report(slug, cfg, name):
    """The report of question ``slug``, named ``name``."""
    import logging

    from ...keras_side._tf import quiet_stderr

    module = question(slug)
    tf_log = logging.getLogger("tensorflow")
    level = tf_log.level
    tf_log.setLevel(logging.ERROR)  # "retracing" notes: the questions fit small models often
    try:
        with quiet_stderr():  # TensorFlow's C++ info lines, once per fit
            answer = module.measure(cfg)
    finally:
        tf_log.setLevel(level)
    number = SLUGS.index(slug) + 1
    threads = "\n".join(f"- [{label}]({url})" for label, url in module.THREADS)
    sections = [
        Section("The numbers", "Each number as Keras prints it, as the twin (the NumPy side) "
                "computes it, from first principles, and as a student's own code gets it (blank "
                "where a side has no such number).",
                tables=[("The puzzling numbers", _shown(answer.numbers))] + answer.tables),
        Section("Why", module.EXPLANATION.strip(), figures=answer.figures),
        Section("Threads", "The public threads where this was asked (read for the question; "
                "the text here is ours):\n\n" + threads),
    ]
    summary = f"**Question.** {module.QUESTION}\n\n**Answer.** {module.ANSWER}\n\n{answer.finding}"
    return Report(name, f"FAQ {number}: {module.TITLE}", summary, verdict_frame(answer.checks),
                  sections, data={"numbers": answer.numbers, **answer.data},
                  settings=cfg.settings(question=slug))


def _ratio(worst, bound):
    """How far a check went toward its bound (an exact-equality bound: 0 or infinity)."""
    if bound > 0:
        return worst / bound
    return 0.0 if worst == 0 else np.inf


def _shown(frame):
    """The numbers with ten significant digits (the report's tables show four), blank for none."""
    shown = frame.copy()
    for column in shown.columns[1:]:
        shown[column] = [("" if v != v else f"{v:.10g}") for v in shown[column]]
    return shown


def _overview(parts, cfg):
    rows, table = [], []
    for slug, part in zip(SLUGS, parts):
        v = part.verdict
        closest = v.iloc[int(np.argmax([_ratio(w, t) for w, t in
                                        zip(v["worst difference"], v["tolerance"])]))]
        rows.append((f"{slug}: {len(v)} checks (the one closest to its bound)",
                     closest["worst difference"], closest["tolerance"], part.divergence or "",
                     part.status))
        table.append({"question": slug, "title": part.title, "verdict": part.status,
                      "worst difference": float(v["worst difference"].max()),
                      "report": f"../{part.name}/report.html"})
    frame = pd.DataFrame(table)
    fig = F.bars(frame.assign(worst=frame["worst difference"].clip(lower=F.ZERO_FLOOR)),
                 "question", "worst", "worst_per_question",
                 "Worst relative difference per question", "question",
                 "worst relative difference (log)",
                 f"Each question's largest relative difference among its checks (exact zeros "
                 f"drawn at {F.ZERO_FLOOR:.0e}); every check has its own bound, listed in the "
                 "question's report.", logy=True, rotate=True)
    links = "\n".join(f"- [{p.title}]({'../' + p.name}/report.html): {p.status}" for p in parts)
    matched = sum(p.status == "MATCH" for p in parts)
    summary = (f"{len(parts)} questions that students ask on the Keras and TensorFlow trackers, each "
               "reproduced on both sides: the numbers Keras prints and the twin's, with the checks "
               f"that must hold. {matched} of {len(parts)} questions MATCH.")
    return Overview(NAME, TITLE, summary, verdict_frame(rows),
                    [Section("The questions", links, figures=[fig],
                             tables=[("One row per question", frame)])],
                    data={"questions": frame}, settings=cfg.settings(), parts=parts)


def questions_markdown():
    """The "Questions students ask" page (Markdown with LaTeX), linking each question's report."""
    lines = ["# Questions students ask", "",
             "Generated by `scratch-vs-keras questions --out docs/questions.md` from the question "
             "modules in `scratch_vs_keras/experiments/faq/`. Each question is a small experiment "
             "on both sides: `scratch-vs-keras run faq` writes every report (`run faq SLUG` one), "
             "with the numbers real Keras prints, the twin's, and the checks, under "
             "`reports/faq-SLUG/`.", ""]
    for number, slug, title in describe():
        module = question(slug)
        threads = ", ".join(f"[{label}]({url})" for label, url in module.THREADS)
        lines += [f"## {number}. {title}", "", f"**Question.** {module.QUESTION}", "",
                  f"**Answer.** {module.ANSWER}", "", module.EXPLANATION.strip(), "",
                  f"Report: [reports/faq-{slug}/report.html](../reports/faq-{slug}/report.html) "
                  f"(`scratch-vs-keras run faq {slug}`). Threads: {threads}.", ""]
    return "\n".join(lines)
