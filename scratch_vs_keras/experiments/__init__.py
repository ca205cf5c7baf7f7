"""The experiments: each trains both sides on tabular data, checks the equivalence contract and
writes a report under ``reports/<name>/`` (``reports/<name>-<data>/`` on a ``--dataset`` or
``--csv``). ``scratch-vs-keras run NAME`` (or the scripts in ``experiments/``) runs one; ``run all``
runs every one.

Each experiment module declares what it can take, so that a setting it cannot honour is refused
before anything runs: ``NOT_TAKEN``, the :class:`Config` fields it sets itself (each with the
reason), and ``TASKS``, the kinds of target it handles (``"binary"``, ``"multiclass"``,
``"regression"``; empty when the experiment brings its own data) with ``TASKS_WHY``.
"""

import importlib
import sys
import time

from ..timing import phase
from .common import ALL_OPTIONS, ALL_TASKS, DATA_OPTIONS, OWN_OPTIONS, Config

NAMES = [
    "headline",
    "backprop_review",
    "bias_conventions",
    "loss_functions",
    "faq",
    "vanishing_gradients",
    "initialization",
    "optimizers",
    "regularization",
    "batch_size",
    "tabular_tour",
    "wide_and_deep",
]

def get(name):
    """The experiment module ``name`` (with ``NAME``, ``TITLE``, ``OPTIONS``, ``TASKS`` and
    ``run(cfg) -> Report``)."""
    if name not in NAMES:
        raise ValueError(f"Unknown experiment {name!r}; valid names: {', '.join(NAMES)}.")
    return importlib.import_module(f"{__name__}.{name}")


def describe():
    """``(name, title)`` of every experiment."""
    return [(n, get(n).TITLE) for n in NAMES]


def options(name):
    """The :class:`Config` fields (command-line options) experiment ``name`` uses."""
    module = get(name)
    return (ALL_OPTIONS - set(module.NOT_TAKEN) - set(OWN_OPTIONS)) | set(getattr(module, "OWN_OPTIONS", ()))


def why_not(name, option):
    """Why experiment ``name`` does not take the :class:`Config` field ``option``."""
    return get(name).NOT_TAKEN.get(option) or OWN_OPTIONS[option]


class TaskMismatch(ValueError):
    """The data's target is of a kind the experiment does not handle."""


def check(name, cfg):
    """Refuse (ValueError, before any training) the user's data where experiment ``name`` cannot
    run on it: data that cannot be prepared, or a target the experiment does not handle
    (:class:`TaskMismatch`). An experiment on its own default data is not loaded here."""
    from .common import load

    module = get(name)
    if not module.TASKS or not (cfg.csv or cfg.dataset):
        return
    dataset, prepared = load(cfg)
    if prepared.task not in module.TASKS:
        what = f"--csv {cfg.csv}" if cfg.csv else f"--dataset {dataset.name}"
        raise TaskMismatch(
            f"experiment {name!r} needs a {' or '.join(sorted(module.TASKS))} target "
            f"({module.TASKS_WHY}); {what} has a {prepared.task} target. "
            f"Bundled data sets that fit: {', '.join(fitting_datasets(module.TASKS))}."
        )


def fitting_datasets(tasks):
    """The bundled data sets whose target is one of ``tasks``."""
    from ..data import dataset_names, load_dataset

    return [n for n in dataset_names() if load_dataset(n).task in tasks]


def run(name, cfg=None, write=True, stream=None):
    """Run experiment ``name``, write its report, print its verdict; returns the Report.

    The report goes to ``cfg.out/<cfg.report_name(name)>/``, and an experiment made of several
    reports (``faq``: one per question) returns them in its report's ``parts``, each written to
    its own folder first; the printed verdict ends with the first divergence when the report
    names one.
    """
    from ..compare.table import format_table
    from ..report import write_report

    cfg = cfg or Config()
    stream = stream or sys.stdout
    check(name, cfg)
    started = time.perf_counter()
    with phase("experiment_other"):  # what the phases inside do not claim
        report = get(name).run(cfg)
    report.name = cfg.report_name(report.name)
    report.settings["seconds"] = f"{time.perf_counter() - started:.1f}"
    if write:
        with phase("report"):
            for part in getattr(report, "parts", ()):  # an experiment of several reports (faq)
                write_report(part, cfg.out)
            path = write_report(report, cfg.out)
        where = f" Report: {path}/report.html"
    else:
        where = ""
    status = report.status
    shown = report.verdict_shown()
    print(f"\n== {report.title}\n{format_table(shown)}\n{status} "
          f"({report.settings['seconds']} s).{where}", file=stream)
    if status != "MATCH":
        if report.divergence:
            print(f"Where: {report.divergence}", file=stream)
        print(f"Reproduce: {cfg.command(name)}", file=stream)
    return report


__all__ = ["ALL_OPTIONS", "ALL_TASKS", "Config", "DATA_OPTIONS", "NAMES", "TaskMismatch", "check", "why_not",
           "describe", "get", "options", "run"]
