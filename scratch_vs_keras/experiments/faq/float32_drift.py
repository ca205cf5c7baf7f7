"""float32 and float64 give different training curves."""

import numpy as np
import pandas as pd

from ...compare import train_side_by_side
from ...compare.diff import float32_run_tolerance
from ...report import figures as F
from ..common import run_rows
from ._shared import Answer, binary_data, mlp, numbers

SLUG = "float32_drift"
TITLE = "float32 and float64 training curves part"
QUESTION = ("The same network from the same weights gives other losses in float32 than in "
            "float64, and the gap grows during training: is float32 Keras inexact?")
ANSWER = ("No: each float32 operation rounds at $\\epsilon_{32} = 1.2\\times10^{-7}$ and training "
          "feeds every rounding into the next step, so the two precisions drift apart, by "
          "different amounts per optimizer; Keras and the twin drift alike in each precision.")
THREADS = [("keras-team/keras#681", "https://github.com/keras-team/keras/issues/681"),
           ("keras-team/keras#15791", "https://github.com/keras-team/keras/issues/15791")]
EXPLANATION = r"""
A float32 step computes $\tilde w_{t} = w_{t-1} - \eta \nabla J(w_{t-1}) + r_t$ with a round-off
$r_t$ of relative size about $\epsilon_{32} = 2^{-23} \approx 1.2\times10^{-7}$ (float64:
$\epsilon_{64} \approx 2.2\times10^{-16}$). The rounding of step $t$ changes the weights every
later step starts from, so the gap between the two precisions is a sum of propagated round-offs,

$$\frac{|L_{32}(t) - L_{64}(t)|}{|L_{64}(t)|} \lesssim c\, \epsilon_{32}\, t ,$$

with $c$ depending on how strongly the optimizer reacts to small changes: Adam divides by
$\sqrt{v}$, so tiny gradients (and their round-off) take full-size steps. The contract's float32
bound on a run of $t$ steps is $100\,\epsilon_{32}\, t$ (capped at 0.05): Keras's float32 run and the
twin's stay within it, and their float64 runs agree to $10^{-12}$.
"""


def measure(cfg):
    x, y = binary_data(64, cfg.seed)
    batch, epochs = 16, (6 if cfg.quick else 75)
    runs, frames, rows, names = {}, [], [], []
    for optimizer in ("sgd", "adam"):
        base = mlp(x.shape[1], 8, 1, "binary_crossentropy", optimizer, seed=cfg.seed)
        start32 = base.astype("float32")  # both precisions start from the same (float32) weights
        for dtype, model in (("float32", start32), ("float64", start32.astype("float64"))):
            run = train_side_by_side(model, x, y, epochs=epochs, batch_size=batch, shuffle=True)
            runs[optimizer, dtype] = run
        loss = {k: _losses(r) for k, r in runs.items() if k[0] == optimizer}
        for side in ("keras", "scratch"):
            l32, l64 = loss[optimizer, "float32"][side], loss[optimizer, "float64"][side]
            frames.append(pd.DataFrame({"step": np.arange(1, len(l32) + 1), "optimizer": optimizer,
                                        "side": side, "drift": np.abs(l32 - l64) / np.abs(l64)}))
    drift = pd.concat(frames, ignore_index=True)
    steps = runs["sgd", "float64"].steps
    checks = []
    for dtype in ("float64", "float32"):
        picked = [runs[o, dtype] for o in ("sgd", "adam")]
        checks += [(f"{dtype}: {q}", w, t, where)
                   for q, w, t, where in run_rows(picked, dtype, "optimizers", ["sgd", "adam"])]
    by = drift.pivot_table(index=["optimizer", "step"], columns="side", values="drift")
    checks.append(("float32-vs-float64 drift per step: twin's vs Keras's",
                   float(np.max(np.abs(by["scratch"] - by["keras"]))), float32_run_tolerance(steps)))
    final = drift[drift.step == steps].set_index(["optimizer", "side"]).drift
    rows = [(f"{o}: |L32 - L64| / L64 at step {steps}", final[o, "keras"], final[o, "scratch"],
             np.nan, np.nan) for o in ("sgd", "adam")]
    rows += [("bound on a float32 run of this length (100 eps32 steps)", np.nan, np.nan,
              float32_run_tolerance(steps), np.nan)]
    fig = F.lines(drift.assign(drift=drift.drift.clip(lower=F.ZERO_FLOOR)), "step", "drift", "drift",
                  "float32 vs float64: relative gap of the batch loss", "optimizer step",
                  "|L32 - L64| / |L64| (log)", "Each side's float32 batch loss against its own "
                  "float64 batch loss, per step, from identical starting weights and batches; "
                  "Keras dashed over the twin.", hue="optimizer", style="side", logy=True,
                  markers=False)
    finding = (f"After {steps} steps the float32 batch loss is {final['sgd', 'keras']:.1e} (SGD) "
               f"and {final['adam', 'keras']:.1e} (Adam) away from float64 in Keras, and "
               f"{final['sgd', 'scratch']:.1e} and {final['adam', 'scratch']:.1e} in the twin; "
               "in each precision the twin and Keras agree within the contract's bound.")
    return Answer(numbers(rows), checks, finding, figures=[fig], data={"drift": drift})


def _losses(run):
    r = run.records[run.records.quantity == "batch_loss"]
    return {side: r[r.side == side].sort_values("step").value.to_numpy() for side in ("keras", "scratch")}
