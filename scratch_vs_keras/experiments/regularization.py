"""An L2 sweep: the same network trained with growing penalties, both sides.

Keras adds :math:`\\lambda \\sum w^2` to every batch loss (no 1/2, no division by the batch size)
and rounds :math:`\\lambda` through float32; the NumPy side does the same. For each
:math:`\\lambda` the report shows the validation loss and the weights' squared norm at the end,
NumPy and Keras side by side.
"""

import numpy as np
import pandas as pd

from ..compare import train_side_by_side
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from .common import ALL_TASKS, build_model, epochs_for_steps, load, run_rows, tagged

NAME = "regularization"
TITLE = "Regularization: an L2 sweep, NumPy vs Keras"
NOT_TAKEN = {}
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"


def run(cfg):
    dataset, d = load(cfg)
    batch = cfg.batch(len(d.x_train), 32)
    epochs = cfg.pick("epochs", epochs_for_steps(len(d.x_train), batch), quick=3)
    optimizer = cfg.pick("optimizer", "adam")
    lambdas = [0.0, 1e-2] if cfg.quick else [0.0, 1e-4, 1e-3, 1e-2, 1e-1]
    runs, frames, rows = [], [], []
    bar = cfg.progress(len(lambdas), "run", NAME)
    for lam in lambdas:
        model = build_model(d, hidden=(32, 16), activation="relu", optimizer=optimizer,
                            dtype=cfg.dtype, seed=cfg.seed, l2=lam)
        r = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch,
                               shuffle=True, validation_data=(d.x_test, d.y_test))
        runs.append(r)
        frames.append(tagged(r.records, l2=lam))
        for side, m in (("scratch", r.scratch_model), ("keras", r.keras_model)):
            kernels = [w for w, n in zip(m.get_weights(), r.scratch_model.weight_names()) if n.endswith("kernel")]
            hist = r.scratch_history if side == "scratch" else r.keras_history
            rows.append({"l2": lam, "side": side, "val_loss": hist["val_loss"][-1],
                         "train loss": hist["loss"][-1],
                         "sum of squared kernel weights": float(sum(np.sum(np.square(k)) for k in kernels))})
        bar.update()
    bar.close()
    table = pd.DataFrame(rows)
    verdict = verdict_frame(run_rows(runs, cfg.dtype, "penalties"))
    plot = table.assign(**{"l2 (0 drawn at 1e-5)": table.l2.replace(0.0, 1e-5)})
    melted = plot.melt(id_vars=["l2 (0 drawn at 1e-5)", "side"],
                       value_vars=["val_loss", "sum of squared kernel weights"], var_name="measure")
    fig = F.overlaid_curves(melted, "l2 (0 drawn at 1e-5)", "value", "sweep",
                            "End of training, per L2 strength", "L2 factor λ (log; λ = 0 drawn at 1e-5)",
                            "value", "Validation loss and the squared norm of the kernels after "
                            "training, for each λ: NumPy (circles, solid) and Keras (crosses, "
                            "dashed) coincide.", col="measure", col_wrap=2, logx=True, markers=True)
    records = pd.concat(frames, ignore_index=True)
    curves = F.overlaid_curves(
        records[(records.quantity == "history/val_loss") & records.side.isin(["scratch", "keras"])],
        "epoch", "value", "val_curves", "Validation loss per epoch, per L2 factor", "epoch",
        "validation loss", "History['val_loss'] of both sides (Keras dashed) for each λ.", col="l2")
    summary = (
        f"{dataset.description} {len(lambdas)} L2 factors λ on the kernels, {runs[0].steps} steps "
        f"each with {optimizer}. Larger λ shrinks the weights' norm (to "
        f"{table[table.side == 'keras']['sum of squared kernel weights'].iloc[-1]:.3g} at "
        f"λ = {lambdas[-1]:g}) on both sides alike: worst batch-loss difference "
        f"{verdict.iloc[0, 1]:.1e}, final weights {verdict.iloc[1, 1]:.1e}."
    )
    sections = [Section("The sweep", "", figures=[fig], tables=[("End of training", table)]),
                Section("Validation curves", "", figures=[curves])]
    return Report(NAME, TITLE, summary, verdict, sections, data={"runs": records, "sweep": table},
                  settings=cfg.settings(dataset=dataset.name, optimizer=optimizer, epochs=epochs,
                                        batch_size=batch))
