"""A course estimator against its Keras translation, through ``model.fit``, epoch by epoch.

Per epoch: the course's ``cost_`` (the sum of the epoch's mini-batch costs) against the Keras
side's (each batch's loss computed by a callback at the pre-update weights, as in
:mod:`.training`), and every weight tensor (Keras layout) after the epoch. Bounds (float64): cost
1e-12, weights 1e-10.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..compare.table import format_table
from ..compare.training import keras_recorder, pair_rows

COURSE_TOLERANCES = {"cost": 1e-12, "weight": 1e-10}


@dataclass
class CourseRun:
    """Records (epoch, side, quantity, layer, value) of a course-vs-Keras run and its verdict."""

    records: pd.DataFrame
    parts: dict
    epochs: int

    def worst(self, quantity):
        r = self.records
        return float(r[(r.side == "rel_diff") & (r.quantity == quantity)].value.max())

    def verdict_table(self):
        rows = []
        for q, label in (("cost", "cost, every epoch"), ("weight", "weights, every epoch")):
            worst = self.worst(q)
            tol = COURSE_TOLERANCES[q]
            rows.append({"quantity": label, "worst_rel_diff": worst, "tolerance": tol,
                         "ok": bool(worst <= tol)})
        return pd.DataFrame(rows)

    @property
    def ok(self):
        return bool(self.verdict_table().ok.all())

    def __str__(self):
        parts = "\n".join(f"  {k}: {v}" for k, v in self.parts.items())
        return (f"Keras translation:\n{parts}\n" + format_table(self.verdict_table())
                + f"\n{'MATCH' if self.ok else 'MISMATCH'}: {self.epochs} epochs, float64.")


def compare_course(estimator, X, y, stock=()):
    """Train ``estimator`` (a clone) and its Keras translation side by side; a :class:`CourseRun`.

    ``stock`` names the parts translated with stock Keras pieces instead of the exact additions
    (see :func:`scratch_vs_keras.course.keras.course_to_keras`); ``True`` for all.
    """
    from ..keras_side._tf import import_keras

    keras = import_keras()

    from .keras import course_to_keras

    tr = course_to_keras(estimator, X, y, stock=stock)
    est = tr.estimator
    names = [f"{layer.name}/{w}" for layer in tr.model.layers for w in ("kernel", "bias")]

    ours = []
    est.train(tr.x, tr.y, tr.plan, on_epoch_end=lambda e: ours.append(est.keras_weights()))

    if tr.stock_batches:
        import math

        b = math.ceil(len(tr.x) / int(est.minibatches))
        slices = [[np.arange(i, min(i + b, len(tr.x))) for i in range(0, len(tr.x), b)]] * est.epochs
    else:
        slices = tr.plan
    batches = [(tr.x[idx], tr.y[idx]) for epoch in slices for idx in epoch]
    recorder, record = keras_recorder(tr.model, batches)
    theirs = []

    class EpochWeights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            theirs.append([np.array(w) for w in self.model.get_weights()])

    from ..keras_side._tf import quiet_stderr

    with quiet_stderr():
        tr.fit(callbacks=[record, EpochWeights()])
    keras_cost, start = [], 0
    for epoch in slices:
        keras_cost.append(float(np.sum(recorder.losses[start:start + len(epoch)])))
        start += len(epoch)

    rows = []
    for e in range(est.epochs):
        rows += [(e,) + r[1:] for r in pair_rows(e, e, "cost", "model", est.cost_[e], keras_cost[e])]
        scale = max(float(np.max(np.abs(w))) for w in theirs[e])
        for name, a, b in zip(names, ours[e], theirs[e]):
            rows += [(e,) + r[1:] for r in pair_rows(e, e, "weight", name, a, b, scale, "float64")]
    records = pd.DataFrame([r[:1] + r[2:] for r in rows],
                           columns=["epoch", "side", "quantity", "layer", "value"])
    return CourseRun(records, tr.parts, est.epochs)
