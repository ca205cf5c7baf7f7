"""One cell of a sweep: a side-by-side run (``compare.train_side_by_side``) of the MLP the cell
describes, and the summary that goes into the results file.

The summary keeps, per checked quantity, the worst relative difference over the run and its
bound (:func:`~..compare.training.run_tolerances` of the cell's dtype and length), the verdict,
and for a mismatch the first divergence (step, layer, tensor). Keras's session is cleared after
every cell, so a worker that runs hundreds of cells does not grow.
"""

import functools

from ..compare import train_side_by_side
from ..experiments.common import Config, build_model, load
from ..keras_side._tf import clear_keras  # noqa: F401 (the sweep's and `run all`'s clear)
from .grid import make_optimizer

#: verdict-table rows of a run -> the names they carry in the results
QUANTITIES = {"weights, every step": "weights", "weights, final": "final weights"}


@functools.lru_cache(maxsize=16)
def _data(dataset, seed):
    return load(Config(dataset=dataset, seed=seed))[1]


def build_cell_model(cell):
    """The compiled ``scratch.Sequential`` of ``cell`` and its training rows ``(x, y)``."""
    d = _data(cell["dataset"], cell["seed"])
    rows = cell["rows"] or len(d.x_train)
    model = build_model(d, hidden=tuple(cell["architecture"]), activation=cell["activation"],
                        optimizer=make_optimizer(cell["optimizer"]), dtype=cell["dtype"],
                        seed=cell["seed"])
    return model, d.x_train[:rows], d.y_train[:rows]


def train_cell(cell):
    """The cell's :class:`~..compare.training.SideBySideRun` (every step recorded, shuffled
    batches drawn from the cell's seed)."""
    model, x, y = build_cell_model(cell)
    return train_side_by_side(model, x, y, epochs=cell["epochs"],
                              batch_size=min(cell["batch_size"], len(x)), shuffle=True)


def run_cell(cell):
    """Train ``cell`` side by side; its summary: ``{"verdict", "steps", "worst", "where"}``,
    ``worst`` mapping each quantity to ``[worst relative difference, bound]``."""
    try:
        run = train_cell(cell)
        table = run.verdict_table()
        worst = {_quantity(q): [float(w), float(t)]
                 for q, w, t in zip(table.quantity, table.worst_rel_diff, table.tolerance)}
        verdict = "MATCH" if run.ok else "MISMATCH"
        divergence = run.first_divergence() if not run.ok else None
        where = str(divergence) if divergence is not None else ""
        return {"verdict": verdict, "steps": int(run.steps), "worst": worst, "where": where}
    finally:
        clear_keras()


def _quantity(row):
    if row.startswith("batch loss"):
        return "batch loss"
    return QUANTITIES.get(row, row)
