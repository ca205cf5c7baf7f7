"""Where is the problem of vanishing gradients introduced? Measured, on both sides.

The lecture's recurrence :math:`\\mathbf V^{(1)} = \\mathbf A^{(2)} * (1 - \\mathbf A^{(2)}) *
[\\mathbf W^{(2)}]^T \\mathbf V^{(2)}` multiplies the sensitivity, layer after layer, by the
activation's derivative: at most 1/4 for the sigmoid, at most 1 for tanh, 0 or 1 for relu, and by
the weights. The experiment trains networks of 2 to 6 hidden layers with sigmoid, tanh and relu,
from U(-1, 1), Glorot and He initial weights, and records the mean absolute gradient of each
layer's kernel at every step, on both sides (Keras's from ``tf.GradientTape``).
"""

import numpy as np
import pandas as pd

from ..compare import train_side_by_side
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from ..scratch import initializers
from .common import ALL_TASKS, build_model, load, run_rows, step_gradient_rows, tagged

NAME = "vanishing_gradients"
TITLE = "Vanishing gradients: where they start, NumPy vs Keras"
NOT_TAKEN = {}
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"

INITS = {"U(-1, 1)": lambda: initializers.RandomUniform(-1.0, 1.0),
         "glorot_uniform": lambda: initializers.GlorotUniform(),
         "he_uniform": lambda: initializers.HeUniform()}


def run(cfg):
    dataset, d = load(cfg)
    batch = cfg.batch(len(d.x_train), 32)
    epochs = cfg.pick("epochs", 3, quick=1)
    optimizer = cfg.pick("optimizer", "sgd")
    depths = [2, 6] if cfg.quick else [2, 3, 4, 5, 6]
    inits = ["U(-1, 1)", "glorot_uniform"] if cfg.quick else list(INITS)
    activations = ["sigmoid", "tanh", "relu"]
    runs, frames, mags, labels = [], [], [], []
    bar = cfg.progress(len(activations) * len(inits) * len(depths), "run", NAME)
    for act in activations:
        for init in inits:
            for depth in depths:
                model = build_model(d, hidden=(16,) * depth, activation=act, optimizer=optimizer,
                                    dtype=cfg.dtype, seed=cfg.seed, kernel_initializer=INITS[init]())
                r = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch,
                                       shuffle=True, record_gradients=True)
                runs.append(r)
                labels.append(f"{act}, {init}, {depth} hidden layers")
                frames.append(tagged(r.records, activation=act, init=init, depth=depth))
                bar.update()
                g = r.records[r.records.quantity == "gradient_mean_abs"]
                g = g[g.layer.str.endswith("kernel")]
                for (side, layer), grp in g.groupby(["side", "layer"]):
                    mags.append({"activation": act, "init": init, "depth": depth, "side": side,
                                 "layer": _layer_index(layer, model), "mean |dJ/dW|, first step":
                                 float(grp[grp.step == 0].value.iloc[0]),
                                 "mean |dJ/dW|, whole run": float(grp.value.mean())})
    bar.close()
    records = pd.concat(frames, ignore_index=True)
    mags = pd.DataFrame(mags)
    grads = records[(records.side == "rel_diff") & (records.quantity == "gradient")]
    verdict = verdict_frame(step_gradient_rows(runs, labels) + run_rows(runs, cfg.dtype, "networks", labels))
    deepest = mags[(mags.depth == max(depths))]
    fig = F.lines(deepest.assign(side=deepest.side.map(F.SIDE_NAMES)), "layer",
                  "mean |dJ/dW|, first step", "per_layer",
                  f"Gradient magnitude per layer, {max(depths)} hidden layers, first step",
                  "layer (1 = first hidden, last = output)", "mean |dJ/dW| (log)",
                  "Mean absolute kernel gradient of each layer at the first step; lines per "
                  "activation, NumPy solid and Keras dashed (they coincide).", hue="activation",
                  style="side", col="init", logy=True)
    ratio_rows = []
    for (act, init, depth), grp in mags[mags.side == "scratch"].groupby(["activation", "init", "depth"]):
        first = grp[grp.layer == 1]["mean |dJ/dW|, first step"].iloc[0]
        last = grp[grp.layer == grp.layer.max()]["mean |dJ/dW|, first step"].iloc[0]
        keras = mags[(mags.side == "keras") & (mags.activation == act) & (mags.init == init) & (mags.depth == depth)]
        k_first = keras[keras.layer == 1]["mean |dJ/dW|, first step"].iloc[0]
        k_last = keras[keras.layer == keras.layer.max()]["mean |dJ/dW|, first step"].iloc[0]
        ratio_rows.append({"activation": act, "init": init, "hidden layers": depth,
                           "first / output layer (NumPy)": first / last,
                           "first / output layer (Keras)": k_first / k_last})
    ratios = pd.DataFrame(ratio_rows)
    rfig = F.lines(ratios, "hidden layers", "first / output layer (NumPy)", "ratio",
                   "First layer's gradient relative to the output layer's", "hidden layers",
                   "ratio of mean |dJ/dW| (log)", "How much smaller the first layer's gradient is "
                   "than the output layer's at the first step, by depth (NumPy; Keras's ratios are "
                   "in the table and equal).", hue="activation", style="init", logy=True)
    sig = ratios[(ratios.activation == "sigmoid") & (ratios["hidden layers"] == max(depths))]
    relu = ratios[(ratios.activation == "relu") & (ratios["hidden layers"] == max(depths))]
    answer = (
        "**Where is it introduced?** In the backward recurrence: each layer multiplies the "
        "sensitivity by its activation's derivative, the factor **A * (1 − A)** in V1 = A2 * (1 − A2) "
        "* W2ᵀ · V2, which is at most 1/4 for the sigmoid. Measured: with sigmoid and "
        f"{max(depths)} hidden layers the first layer's gradient is "
        + ", ".join(f"{r['first / output layer (NumPy)']:.1e} ({r['init']})" for _, r in sig.iterrows())
        + " times the output layer's; with relu "
        + ", ".join(f"{r['first / output layer (NumPy)']:.1e} ({r['init']})" for _, r in relu.iterrows())
        + ". Keras's own gradients give the same ratios."
    )
    summary = (
        f"{dataset.description} {len(runs)} networks ({', '.join(activations)}; "
        f"{min(depths)} to {max(depths)} hidden layers of 16; {', '.join(inits)}), "
        f"{runs[0].steps} steps each with {optimizer}, the gradients of both sides recorded at every "
        f"step. Worst gradient difference {verdict.iloc[0, 1]:.1e}.\n\n" + answer
    )
    sections = [Section("Per layer", "", figures=[fig]),
                Section("By depth", "", figures=[rfig], tables=[("First / output layer", ratios)])]
    return Report(NAME, TITLE, summary, verdict, sections,
                  data={"magnitudes": mags, "ratios": ratios,
                        "runs": records[records.quantity.isin(["batch_loss", "gradient_mean_abs"])]},
                  settings=cfg.settings(dataset=dataset.name, optimizer=optimizer, epochs=epochs,
                                        batch_size=batch))


def _layer_index(name, model):
    names = [n for n in model.weight_names() if n.endswith("kernel")]
    return names.index(name) + 1
