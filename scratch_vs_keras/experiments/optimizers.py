"""Every Keras optimizer, each with its options, on one data set: both sides' loss curves overlaid.

The set-ups are the package's catalog (``scratch_vs_keras.compare.catalog``): SGD (plain, momentum,
Nesterov, clipnorm, weight decay), RMSprop (plain, centered, momentum, global_clipnorm), Adagrad,
Adadelta, Adam (plain, AMSGrad, clipvalue), AdamW, Adamax, Nadam. Quick mode runs the eight
optimizers with their defaults for a few epochs. It takes no ``--optimizer``: it runs them all.
"""

import pandas as pd

from ..compare import train_side_by_side
from ..compare.catalog import OPTIMIZERS
from ..compare.training import run_tolerances
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from .common import ALL_TASKS, build_model, epochs_for_steps, load, run_rows, tagged

NAME = "optimizers"
TITLE = "Every optimizer: NumPy and Keras loss curves overlaid"
NOT_TAKEN = {"optimizer": "it runs every optimizer"}  # option -> why it sets it itself
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"

QUICK = ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "adamax", "nadam"]


def run(cfg):
    dataset, d = load(cfg)
    batch = cfg.batch(len(d.x_train), 32)
    epochs = cfg.pick("epochs", epochs_for_steps(len(d.x_train), batch), quick=3)
    names = QUICK if cfg.quick else list(OPTIMIZERS)
    runs, frames, summary_rows = [], [], []
    bar = cfg.progress(len(names), "run", NAME)
    for name in names:
        model = build_model(d, hidden=(16, 8), activation="relu", optimizer=OPTIMIZERS[name](),
                            dtype=cfg.dtype, seed=cfg.seed, l2=1e-4)
        r = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch,
                               shuffle=True, validation_data=(d.x_test, d.y_test))
        runs.append(r)
        frames.append(tagged(r.records, optimizer=name))
        v = r.verdict_table().set_index("quantity").worst_rel_diff
        summary_rows.append({"optimizer": name, "steps": r.steps,
                             "final train loss (NumPy)": r.scratch_history["loss"][-1],
                             "final train loss (Keras)": r.keras_history["loss"][-1],
                             "batch loss, worst rel. diff": v.iloc[0],
                             "final weights, worst rel. diff": v.loc["weights, final"]})
        bar.update()
    bar.close()
    records = pd.concat(frames, ignore_index=True)
    verdict = verdict_frame(run_rows(runs, cfg.dtype, "optimizers"))
    table = pd.DataFrame(summary_rows)
    hist = records[records.quantity.isin(["history/loss", "history/val_loss"]) & records.side.isin(["scratch", "keras"])]
    hist = hist.assign(curve=hist.quantity.str.replace("history/", ""))
    curves = F.overlaid_curves(
        hist[hist.curve == "loss"], "epoch", "value", "loss_curves",
        "Training loss per epoch (fit's History), every optimizer", "epoch", "training loss",
        "Keras's History['loss'] (dashed) over scratch.Sequential.fit's (solid), per optimizer: "
        "where only one line shows, the two coincide.", col="optimizer")
    worst = table.melt(id_vars="optimizer", value_vars=["batch loss, worst rel. diff",
                                                         "final weights, worst rel. diff"],
                       var_name="quantity", value_name="relative difference")
    worst["relative difference"] = worst["relative difference"].clip(lower=1e-18)
    bounds = run_tolerances(cfg.dtype, max(r.steps for r in runs))
    diffs = F.bars(worst, "optimizer", "relative difference", "worst_differences",
                   "Worst NumPy vs Keras difference per optimizer", "optimizer",
                   "relative difference (log)",
                   "The worst per-step batch-loss difference and the final weights' difference of "
                   f"each run; dotted lines: their bounds ({bounds['batch_loss']:.0e} and "
                   f"{bounds['final_weight']:.0e}).", hue="quantity", logy=True, rotate=True,
                   tolerance={"batch loss, worst rel. diff": bounds["batch_loss"],
                              "final weights, worst rel. diff": bounds["final_weight"]})
    summary = (
        f"{dataset.description} The same {len(names)} optimizer set-ups on both sides, "
        f"{runs[0].steps} steps each ({epochs} epochs, batch {batch}), from identical weights on "
        f"identical batches. Worst batch-loss difference over all runs "
        f"{verdict.iloc[0, 1]:.1e}, worst final weights {verdict.iloc[1, 1]:.1e}: every Keras "
        "optimizer is reproduced in NumPy, update for update."
    )
    sections = [Section("Loss curves", "", figures=[curves]),
                Section("Differences", "", figures=[diffs], tables=[("Per optimizer", table)])]
    return Report(NAME, TITLE, summary, verdict, sections, data={"runs": records},
                  settings=cfg.settings(dataset=dataset.name, epochs=epochs, batch_size=batch))
