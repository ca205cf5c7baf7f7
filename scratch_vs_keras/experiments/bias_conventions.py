"""The lecture's self-test: should the bias be a row of ones that W absorbs (A), or a separate
vector b (B)? Both, trained from the same initial weights, against each other and against Keras.

(A) :math:`\\mathbf z = \\mathbf W \\cdot \\mathbf a_{bias}` runs on the engine as a column of ones
and a Dense layer without bias; (B) :math:`\\mathbf z = \\mathbf W \\mathbf a + \\mathbf b` as a
Dense layer with its bias vector. They are two computations of the same numbers.
"""

import numpy as np
import pandas as pd

from ..course.compare import compare_course
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from ..course.estimator import CourseMLP, bias_self_test
from .common import COURSE_NOT_TAKEN, COURSE_TASKS, COURSE_TASKS_WHY, load

NAME = "bias_conventions"
TITLE = "Bias as a row of ones vs a bias vector vs Keras"
# the course's estimator sets these itself (option -> why), and takes class labels only
NOT_TAKEN, TASKS, TASKS_WHY = COURSE_NOT_TAKEN, COURSE_TASKS, COURSE_TASKS_WHY


def run(cfg):
    dataset, d = load(cfg)
    epochs = cfg.pick("epochs", 30, quick=5)
    params = dict(n_hidden=20, eta=0.001, epochs=epochs, minibatches=10, C=0.01,
                  random_state=cfg.seed)
    X, y = d.x_train, d.y_train
    bar = cfg.progress(3, "run", NAME)  # row vs vector, then each against Keras
    self_test = bias_self_test(X, y, **params)
    bar.update()
    rows, frames = [], []
    for mode in ("row", "vector"):
        run_ = compare_course(CourseMLP(bias=mode, **params), X, y)
        bar.update()
        rows.append(run_)
        r = run_.records[run_.records.side == "rel_diff"].copy()
        r["pair"] = f"bias {mode} vs Keras"
        frames.append(r)
    bar.close()
    diff = pd.concat(frames + [pd.DataFrame({
        "epoch": self_test.epoch, "side": "rel_diff", "quantity": "weight", "layer": "all",
        "value": self_test.weights_rel_diff, "pair": "bias row vs bias vector"})], ignore_index=True)
    weights = diff[diff.quantity == "weight"].groupby(["pair", "epoch"], as_index=False).value.max()
    tol_w, tol_c = 1e-10, 1e-12
    verdict = verdict_frame([
        ("bias row vs bias vector: weights, every epoch", float(self_test.weights_rel_diff.max()), tol_w),
        ("bias row vs bias vector: cost, every epoch", float(self_test.cost_rel_diff.max()), tol_c),
        ("bias row vs Keras: weights, every epoch", rows[0].worst("weight"), tol_w),
        ("bias row vs Keras: cost, every epoch", rows[0].worst("cost"), tol_c),
        ("bias vector vs Keras: weights, every epoch", rows[1].worst("weight"), tol_w),
        ("bias vector vs Keras: cost, every epoch", rows[1].worst("cost"), tol_c),
    ])
    fig = F.differences_over_time(
        weights.rename(columns={"value": "value"}), "epoch", "pairs", "The three pairs, per epoch",
        "epoch", "Worst relative difference of any weight after each epoch: (A) the bias row vs "
        "(B) the bias vector, and each against Keras's Dense.", hue="pair", tolerance=tol_w,
        ylabel="relative difference within the pair")
    summary = (
        f"{dataset.description} The lecture's two-layer sigmoid network (20 hidden units, summed "
        f"squared error, C = 0.01, eta = 0.001, 10 mini-batches, {epochs} epochs) trained with the bias "
        "as a row of ones (A) and as a separate vector (B). **Answer to the self-test: yes, both** — "
        f"they are the same model: weights within {verdict.iloc[0, 1]:.1e} and costs within "
        f"{verdict.iloc[1, 1]:.1e} after every epoch (round-off of two different computations, not "
        "bit-identical), and each matches Keras's bias vector."
    )
    table = self_test.head(10)
    sections = [Section("Per epoch", "The row form computes z = W·[1; a] as one product, the vector "
                        "form z = W·a + b as a product and a sum; the course's L2 skips the bias in "
                        "both.", figures=[fig], tables=[("The first epochs, A vs B", table)])]
    return Report(NAME, TITLE, summary, verdict, sections,
                  data={"self_test": self_test, "differences": diff},
                  settings=cfg.settings(dataset=dataset.name, epochs=epochs))
