"""One default model on each bundled data set: binary, multi-class, regression, categorical
columns with missing values. Per data set: one batch's gradients and a training run, both sides.
"""

import numpy as np
import pandas as pd

from ..compare import compare_gradients, train_side_by_side
from ..data import dataset_names, load_dataset, prepare
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from .common import ALL_TASKS, build_model, epochs_for_steps, gradient_rows, load, run_rows, tagged

NAME = "tabular_tour"
TITLE = "A tour of the bundled tabular data sets, NumPy vs Keras"
NOT_TAKEN = {}  # --dataset or --csv: the tour of that one data set
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"


def _score(model, d):
    p = np.asarray(model.predict(d.x_test, verbose=0))
    if d.task == "regression":
        resid = d.y_test - p.reshape(-1)
        return "R²", 1 - np.sum(resid ** 2) / np.sum((d.y_test - d.y_test.mean()) ** 2)
    labels = (p.reshape(-1) > 0.5).astype(float) if d.task == "binary" else np.argmax(p, axis=1)
    return "accuracy", float(np.mean(labels == d.y_test))


def _datasets(cfg):
    """``(Dataset, Prepared)`` pairs: the user's one data set, else every bundled one."""
    if cfg.csv or cfg.dataset:
        yield load(cfg)
        return
    for name in dataset_names():
        dataset = load_dataset(name)
        yield dataset, prepare(dataset, seed=cfg.seed)


def run(cfg):
    optimizer = cfg.pick("optimizer", "adam")
    runs, frames, checks, rows, names, batches = [], [], [], [], [], []
    bar = cfg.progress(1 if (cfg.csv or cfg.dataset) else len(dataset_names()), "data set", NAME)
    for dataset, d in _datasets(cfg):
        name = dataset.name
        names.append(name)
        batch = cfg.batch(len(d.x_train), 32)
        batches.append(batch)
        epochs = cfg.pick("epochs", epochs_for_steps(len(d.x_train), batch), quick=3)
        model = build_model(d, hidden=(16, 8), activation="relu", optimizer=optimizer,
                            dtype=cfg.dtype, seed=cfg.seed, l2=1e-4)
        checks.append(compare_gradients(model, d.x_train[:batch], d.y_train[:batch],
                                        fd_max_entries=50))
        r = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch,
                               shuffle=True, validation_data=(d.x_test, d.y_test))
        runs.append(r)
        frames.append(tagged(r.records, dataset=name))
        metric, ours = _score(r.scratch_model, d)
        _, theirs = _score(r.keras_model, d)
        rows.append({"dataset": name, "task": d.task, "rows (train/test)": f"{len(d.x_train)}/{len(d.x_test)}",
                     "features": d.x_train.shape[1], "steps": r.steps, "test metric": metric,
                     "NumPy": ours, "Keras": theirs,
                     "preprocessing": "; ".join(d.notes) or "standardized"})
        bar.update()
    bar.close()
    records = pd.concat(frames, ignore_index=True)
    verdict = verdict_frame(gradient_rows(checks, f"one batch ({len(names)} data sets)", names)
                            + run_rows(runs, cfg.dtype, "data sets", names))
    table = pd.DataFrame(rows)
    hist = records[(records.quantity == "history/val_loss") & records.side.isin(["scratch", "keras"])]
    curves = F.overlaid_curves(hist, "epoch", "value", "val_curves",
                               "Validation loss per epoch, per data set", "epoch", "validation loss",
                               "History['val_loss'] of both sides (Keras dashed).", col="dataset",
                               col_wrap=3)
    summary = (
        f"{len(names)} data sets ({', '.join(names)}), each with the default network for its task "
        "(sigmoid + binary cross-entropy, softmax + sparse categorical cross-entropy, or linear + "
        f"mean squared error) trained with {optimizer}. Gradients agree to {verdict.iloc[0, 1]:.1e}, whole runs "
        f"to {verdict.iloc[2, 1]:.1e} (batch loss) and {verdict.iloc[3, 1]:.1e} (final weights); "
        "the test scores of the two sides are the same numbers."
    )
    sections = [Section("Per data set", "", figures=[curves], tables=[("Results", table)])]
    return Report(NAME, TITLE, summary, verdict, sections, data={"runs": records},
                  settings=cfg.settings(dataset=", ".join(names), optimizer=optimizer,
                                        batch_size=", ".join(map(str, sorted(set(batches))))))
