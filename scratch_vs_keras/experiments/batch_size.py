"""Batch size from 1 row to the full batch: both sides, per epoch, and what a step costs.

A batch's loss is the mean over its rows; the last batch of an epoch may be shorter and is
averaged over its own size, on both sides. The time per epoch is reported for each side (it is
information, not a claim: the comparison harness records every step).
"""

import time

import pandas as pd

from ..compare import train_side_by_side
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from .common import ALL_TASKS, build_model, load, run_rows, tagged

NAME = "batch_size"
TITLE = "Batch size: 1 row to the full batch, NumPy vs Keras"
NOT_TAKEN = {"batch_size": "it sweeps the batch size from 1 row to the full batch"}
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"


def run(cfg):
    dataset, d = load(cfg)
    n = len(d.x_train)
    sizes = sorted({min(b, n) for b in ([1, 32, n] if cfg.quick else [1, 8, 32, 128, n])})
    epochs = cfg.pick("epochs", 8, quick=1)
    optimizer = cfg.pick("optimizer", "sgd")
    runs, frames, rows = [], [], []
    bar = cfg.progress(len(sizes), "run", NAME)
    for b in sizes:
        model = build_model(d, hidden=(16, 8), activation="relu", optimizer=optimizer,
                            dtype=cfg.dtype, seed=cfg.seed)
        start = time.perf_counter()
        r = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=b,
                               shuffle=True, validation_data=(d.x_test, d.y_test))
        runs.append(r)
        label = f"{b} (full)" if b == n else str(b)
        frames.append(tagged(r.records, batch_size=label))
        rows.append({"batch size": label, "steps per epoch": r.steps // epochs,
                     "last batch rows": n - (r.steps // epochs - 1) * b,
                     "final val_loss (NumPy)": r.scratch_history["val_loss"][-1],
                     "final val_loss (Keras)": r.keras_history["val_loss"][-1],
                     "seconds, both sides": time.perf_counter() - start})
        bar.update()
    bar.close()
    records = pd.concat(frames, ignore_index=True)
    verdict = verdict_frame(run_rows(runs, cfg.dtype, "batch sizes"))
    hist = records[(records.quantity == "history/loss") & records.side.isin(["scratch", "keras"])]
    curves = F.overlaid_curves(hist, "epoch", "value", "loss_curves",
                               "Training loss per epoch, per batch size", "epoch", "training loss",
                               "History['loss'] of both sides (Keras dashed); smaller batches take "
                               "more, noisier steps per epoch.", col="batch_size", col_wrap=3)
    table = pd.DataFrame(rows)
    summary = (
        f"{dataset.description} Batch sizes {', '.join(map(str, sizes))} with {optimizer}, "
        f"{epochs} epochs each (from {min(r.steps for r in runs)} to {max(r.steps for r in runs)} "
        f"steps). Both sides agree at every size, the single-row and the full batch included: "
        f"worst batch-loss difference {verdict.iloc[0, 1]:.1e}, final weights "
        f"{verdict.iloc[1, 1]:.1e}."
    )
    sections = [Section("Loss per epoch", "", figures=[curves], tables=[("Per batch size", table)])]
    return Report(NAME, TITLE, summary, verdict, sections, data={"runs": records},
                  settings=cfg.settings(dataset=dataset.name, optimizer=optimizer, epochs=epochs))
