"""Sweeps: every cell of a grid (architectures x activations x optimizers x dtypes x data sets x
seeds, :mod:`.grid`) as a side-by-side run, in parallel, and one "equivalence atlas" report.

``scratch-vs-keras sweep GRID`` reads the grid, skips the cells already in its results file,
runs the others through :func:`.parallel.run_parallel` (joblib processes on this machine, or an
existing dask cluster), appends each cell's result to the file as it arrives (:mod:`.results`),
and writes the atlas (:mod:`.atlas`) from the whole file. A cell that raises or runs past the
grid's timeout is recorded as ERROR or TIMEOUT with its message; the others go on.
"""

import os
import shlex

from .grid import cell_id, cell_key, read_grid
from .parallel import Outcome, run_parallel
from .results import ResultsWriter, read_results

STATUSES = ("MATCH", "MISMATCH", "ERROR", "TIMEOUT")


def results_path(grid, out):
    """Where the results of ``grid`` go: ``out/sweep-<name>.jsonl``, beside the report folder
    (which is replaced whole each time it is written)."""
    return os.path.join(out, f"sweep-{grid.name}.jsonl")


def reproduce_command(grid, cell):
    """The command line that runs ``cell`` again, alone, and prints its verdict and divergence."""
    return f"scratch-vs-keras sweep {shlex.quote(grid.path)} --cell {shlex.quote(cell_id(cell))}"


def run_sweep(grid, path, jobs=1, backend="joblib", scheduler=None, progress=None):
    """Run every cell of ``grid`` not yet in the results file ``path``; returns
    ``(records, ran)``: one record per cell of the grid (in grid order) and how many ran now.

    ``progress``, if given, is called with each new record as it is written.
    """
    done = read_results(path)
    todo = {cell_key(c): c for c in grid.cells if cell_key(c) not in done}
    from .cell import run_cell

    with ResultsWriter(path) as results:
        for outcome in run_parallel(run_cell, todo, jobs=jobs, backend=backend,
                                    scheduler=scheduler, timeout=grid.settings["timeout"]):
            record = _record(todo[outcome.key], outcome)
            results.write(record)
            done[outcome.key] = record
            if progress is not None:
                progress(record)
    return [done[cell_key(c)] for c in grid.cells], len(todo)


def _record(cell, outcome: Outcome):
    """The results line of a cell: its verdict (or what stopped it), worst differences, timing."""
    record = {"key": cell_key(cell), "cell": cell_id(cell), "settings": cell,
              "seconds": round(outcome.seconds, 3), "steps": None, "worst": {}, "where": "",
              "message": outcome.message}
    if outcome.status == "done":
        record.update(status=outcome.value["verdict"], steps=outcome.value["steps"],
                      worst=outcome.value["worst"], where=outcome.value["where"])
    else:
        record["status"] = outcome.status.upper()
    return record


def run_experiment(task):
    """One experiment of ``run all --jobs N`` in a worker: ``(name, Config)`` -> ``(status,
    the verdict text it printed)``; its report is written there (reports are written safely by
    concurrent writers)."""
    import io

    from .. import experiments
    from .cell import clear_keras

    name, cfg = task
    stream = io.StringIO()
    try:
        return experiments.run(name, cfg, stream=stream).status, stream.getvalue()
    finally:
        clear_keras()


__all__ = ["STATUSES", "read_grid", "read_results", "reproduce_command", "results_path",
           "run_experiment", "run_sweep"]
