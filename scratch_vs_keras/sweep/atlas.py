r"""The equivalence atlas: one report over every cell of a sweep.

Each cell's number is its worst relative difference as a multiple of the bound it is held to,
:math:`r = \max_q d_q / \tau_q` over the checked quantities :math:`q` (batch loss at every step,
weights at every step and at the end, History values), so float64 and float32 cells (bounds
1e-12 and 100 eps32 x steps) read on one scale: :math:`\log_{10} r < 0` is within its bound. The
heat map puts the varying model axes (architecture, activation, optimizer) on the rows and the
varying run axes (dtype, data set, seed) on the columns. The cells that do not match, crashed or
timed out are listed, each with the command that runs it again alone.
"""

import math

import numpy as np
import pandas as pd

from ..report import Report, Section, verdict_frame
from ..report import figures as F
from .grid import AXES, describe

ROW_AXES = ("architecture", "activation", "optimizer")
COLUMN_AXES = ("dtype", "dataset", "seed")
QUANTITY_ORDER = ("batch loss", "weights", "final weights")


def cells_frame(records):
    """One row per cell: its axes (as the cell id spells them), status, worst ratio to its bound,
    the quantity that set it, steps, seconds and what went wrong where anything did."""
    rows = []
    for r in records:
        ratios = {q: w / t for q, (w, t) in r["worst"].items() if t > 0}
        worst_q = max(ratios, key=ratios.get) if ratios else ""
        row = {axis: describe(axis, r["settings"][axis]) for axis in AXES}
        row.update(cell=r["cell"], status=r["status"], steps=r["steps"],
                   ratio=ratios.get(worst_q, math.nan), quantity=worst_q,
                   seconds=r["seconds"], where=r["where"] or r["message"])
        rows.append(row)
    return pd.DataFrame(rows)


def _label(frame, axes):
    varying = [a for a in axes if frame[a].nunique() > 1]
    if not varying:
        return pd.Series("all", index=frame.index), "all"
    return frame[varying].astype(str).agg(" / ".join, axis=1), " / ".join(varying)


def atlas_figure(frame):
    rows, ylabel = _label(frame, ROW_AXES)
    cols, xlabel = _label(frame, COLUMN_AXES)
    value = np.log10(frame.ratio.clip(lower=1e-18).where(frame.status.isin(["MATCH", "MISMATCH"])))
    table = pd.DataFrame({"row": rows, "col": cols, "v": value}).pivot_table(
        index="row", columns="col", values="v", aggfunc="max", dropna=False, sort=False)
    return F.heatmap(
        table, "atlas", "Worst NumPy vs Keras difference per cell, as a multiple of its bound",
        xlabel, ylabel,
        "Each cell is one side-by-side run through Keras's model.fit. Colour: log10 of the "
        "worst relative difference over the run (batch loss at every step, weights at every step "
        "and at the end, History values) divided by the bound it is held to; below 0 (blue) "
        "every quantity is within its bound, above 0 (red) a quantity is beyond it. Where several "
        "seeds or settings share a square, it shows the worst of them.",
        "log10(worst difference / bound)", missing="the cell crashed or timed out (listed below)")


def verdict_rows(frame, records, command):
    """Per dtype and quantity the cell closest to (or furthest past) its bound; then a row
    saying whether every cell ran to the end (NOT CHECKED naming the first that did not)."""
    rows = []
    ran = [r for r in records if r["status"] in ("MATCH", "MISMATCH")]
    for dtype in sorted({r["settings"]["dtype"] for r in ran}):
        cells = [r for r in ran if r["settings"]["dtype"] == dtype]
        quantities = [q for q in QUANTITY_ORDER if any(q in r["worst"] for r in cells)]
        quantities += sorted({q for r in cells for q in r["worst"]} - set(quantities))
        for q in quantities:
            have = [r for r in cells if q in r["worst"]]
            worst = max(have, key=lambda r: r["worst"][q][0] / r["worst"][q][1])
            d, t = worst["worst"][q]
            failing = next((r for r in have if r["worst"][q][0] > r["worst"][q][1]), None)
            where = "" if failing is None else (
                f"{failing['cell']}: {failing['where']} Reproduce: {command(failing)}")
            rows.append((f"{dtype}: {q} ({len(have)} cells)", d, t, where))
    stopped = [r for r in records if r["status"] not in ("MATCH", "MISMATCH")]
    title = f"cells that ran to the end ({len(records) - len(stopped)} of {len(records)})"
    if stopped:
        first = stopped[0]
        rows.append((title, math.nan, 0.0, f"{first['cell']}: {first['status']}: "
                     f"{first['message']} Reproduce: {command(first)}", "NOT CHECKED"))
    else:
        rows.append((title, 0.0, 0.0, "", "MATCH"))
    return rows


def atlas_report(grid, records, command, settings=None):
    """The atlas :class:`~..report.Report` of ``grid`` from its cells' ``records``; ``command``
    maps a record to the command line that reproduces its cell."""
    frame = cells_frame(records)
    verdict = verdict_frame(verdict_rows(frame, records, command))
    counts = frame.status.value_counts().reindex(["MATCH", "MISMATCH", "ERROR", "TIMEOUT"],
                                                 fill_value=0)
    bad = [r for r in records if r["status"] != "MATCH"]
    failing = pd.DataFrame([{"cell": r["cell"], "status": r["status"],
                             "what": r["where"] or r["message"], "reproduce": command(r)}
                            for r in bad], columns=["cell", "status", "what", "reproduce"])
    axes = ", ".join(f"{len(v)} {a}{'s' if len(v) > 1 else ''}" for a, v in grid.axes.items())
    summary = (
        f"The sweep `{grid.name}` ({grid.path}): {len(records)} cells ({axes}), each a "
        f"side-by-side run of {grid.settings['epochs']} epoch(s), batch "
        f"{grid.settings['batch_size']}, from identical weights on identical batches. "
        f"{counts['MATCH']} match, {counts['MISMATCH']} do not, {counts['ERROR']} crashed, "
        f"{counts['TIMEOUT']} timed out. Worst difference as a multiple of its bound: "
        f"{np.nanmax(frame.ratio.to_numpy(dtype=float)) if frame.ratio.notna().any() else math.nan:.2g}."
    )
    text = ("Every cell that did not match, crashed or timed out, with the command that runs it "
            "again alone (it prints the cell's verdict table and first divergence)."
            if bad else "Every cell matched within its bound.")
    sections = [Section("The atlas", "", figures=[atlas_figure(frame)]),
                Section("Cells that failed", text, tables=[("Failing cells", failing)] if bad else [])]
    return Report(f"sweep-{grid.name}", f"Equivalence atlas: sweep {grid.name}", summary, verdict,
                  sections, data={"cells": frame}, settings=dict(settings or {}, cells=len(records)))
