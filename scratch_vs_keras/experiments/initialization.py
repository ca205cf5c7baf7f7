"""Initial weights: the same network from five initializers, both sides.

Each initializer draws the weights in NumPy from the model's seed; the Keras twin receives them
with ``set_weights``. Shown: the gradient magnitude per layer at the start, and the training
curves, both sides.
"""

import numpy as np
import pandas as pd

from ..compare import compare_gradients, train_side_by_side
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from ..scratch import initializers
from .common import ALL_TASKS, build_model, epochs_for_steps, gradient_rows, load, run_rows, tagged

NAME = "initialization"
TITLE = "Initialization: five initializers, NumPy vs Keras"
NOT_TAKEN = {}
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"

INITS = {
    "U(-1, 1)": lambda: initializers.RandomUniform(-1.0, 1.0),
    "glorot_uniform": lambda: initializers.GlorotUniform(),
    "he_uniform": lambda: initializers.HeUniform(),
    "lecun_normal": lambda: initializers.LecunNormal(),
    "N(0, 0.05)": lambda: initializers.RandomNormal(0.0, 0.05),
}


def run(cfg):
    dataset, d = load(cfg)
    batch = cfg.batch(len(d.x_train), 32)
    epochs = cfg.pick("epochs", epochs_for_steps(len(d.x_train), batch), quick=2)
    optimizer = cfg.pick("optimizer", "sgd")
    names = ["U(-1, 1)", "glorot_uniform", "he_uniform"] if cfg.quick else list(INITS)
    runs, frames, grad_rows, checks = [], [], [], []
    bar = cfg.progress(len(names), "run", NAME)
    for name in names:
        model = build_model(d, hidden=(32, 32, 32), activation="tanh", optimizer=optimizer,
                            dtype=cfg.dtype, seed=cfg.seed, kernel_initializer=INITS[name]())
        g = compare_gradients(model, d.x_train[:batch], d.y_train[:batch], finite_differences=False)
        checks.append(g)
        grads = model.loss_and_gradients(d.x_train[:batch], d.y_train[:batch])[1]
        for i, (wname, gr) in enumerate(zip(model.weight_names(), grads)):
            if wname.endswith("kernel"):
                grad_rows.append({"initializer": name, "layer": i // 2 + 1,
                                  "mean |dJ/dW|": float(np.mean(np.abs(gr)))})
        r = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch,
                               shuffle=True, validation_data=(d.x_test, d.y_test))
        runs.append(r)
        frames.append(tagged(r.records, initializer=name))
        bar.update()
    bar.close()
    records = pd.concat(frames, ignore_index=True)
    verdict = verdict_frame(gradient_rows(checks, f"first batch ({len(names)} initializers)", names)
                            + run_rows(runs, cfg.dtype, "initializers", names))
    grad_table = pd.DataFrame(grad_rows)
    gfig = F.lines(grad_table, "layer", "mean |dJ/dW|", "initial_gradients",
                   "Gradient magnitude per layer at the first batch", "layer (1 = first hidden)",
                   "mean |dJ/dW| (log)", "Mean absolute kernel gradient per layer before training, "
                   "tanh network 32-32-32; both sides agree to the table's precision.",
                   hue="initializer", logy=True)
    hist = records[(records.quantity == "history/loss") & records.side.isin(["scratch", "keras"])]
    curves = F.overlaid_curves(hist, "epoch", "value", "loss_curves", "Training loss per epoch",
                               "epoch", "training loss", "History['loss'] of both sides (Keras "
                               "dashed), per initializer.", col="initializer", col_wrap=3)
    summary = (
        f"{dataset.description} A tanh network (32-32-32) started from {len(names)} initializers. "
        "Too-wide U(-1, 1) weights saturate tanh and shrink the first layers' gradients; the "
        "variance-scaling ones keep them even. Whatever the start, both sides compute the same "
        f"numbers: first-batch gradients within {verdict.iloc[0, 1]:.1e}, training runs within "
        f"{verdict.iloc[1, 1]:.1e} (batch loss) and {verdict.iloc[2, 1]:.1e} (final weights)."
    )
    sections = [Section("Gradients at the start", "", figures=[gfig],
                        tables=[("Mean |dJ/dW| per layer", grad_table)]),
                Section("Training", "", figures=[curves])]
    return Report(NAME, TITLE, summary, verdict, sections, data={"runs": records, "gradients": grad_table},
                  settings=cfg.settings(dataset=dataset.name, optimizer=optimizer, epochs=epochs,
                                        batch_size=batch))
