"""The experiments: each trains both sides on tabular data, checks the equivalence contract and
writes a report under ``reports/<name>/``. ``scratch-vs-keras run NAME`` (or the scripts in
``experiments/``) runs one; ``run all`` runs every one."""

import importlib
import sys
import time

from .common import Config

NAMES = [
    "headline",
    "backprop_review",
    "bias_conventions",
    "loss_functions",
    "vanishing_gradients",
    "initialization",
    "optimizers",
    "regularization",
    "batch_size",
    "tabular_tour",
    "wide_and_deep",
]


def get(name):
    """The experiment module ``name`` (with ``NAME``, ``TITLE`` and ``run(cfg) -> Report``)."""
    if name not in NAMES:
        raise ValueError(f"Unknown experiment {name!r}; valid names: {', '.join(NAMES)}.")
    return importlib.import_module(f"{__name__}.{name}")


def describe():
    """``(name, title)`` of every experiment."""
    return [(n, get(n).TITLE) for n in NAMES]


def run(name, cfg=None, write=True, stream=None):
    """Run experiment ``name``, write its report, print its verdict; returns the Report."""
    from ..compare.table import format_table
    from ..report import write_report

    cfg = cfg or Config()
    stream = stream or sys.stdout
    started = time.perf_counter()
    report = get(name).run(cfg)
    report.settings["seconds"] = f"{time.perf_counter() - started:.1f}"
    if write:
        path = write_report(report, cfg.out)
        where = f" Report: {path}/report.html"
    else:
        where = ""
    status = report.status
    shown = report.verdict.drop(columns="ok")
    print(f"\n== {report.title}\n{format_table(shown)}\n{status} "
          f"({report.settings['seconds']} s).{where}", file=stream)
    if report.divergence:
        print(f"Where: {report.divergence}", file=stream)
    return report


def main(name, argv=None):
    """Entry point of the scripts in ``experiments/``: ``python experiments/NAME.py [options]``."""
    from ..cli import main as cli_main

    return cli_main(["run", name] + list(sys.argv[1:] if argv is None else argv))


__all__ = ["Config", "NAMES", "describe", "get", "main", "run"]
