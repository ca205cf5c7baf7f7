"""The lecture's back-propagation, step by step, against Keras.

The network of the slides: inputs, one sigmoid hidden layer, sigmoid outputs (one per class),
the summed squared error :math:`J = \\|\\mathbf Y - \\mathbf A^{(3)}\\|^2`, and

.. math::
    \\mathbf V^{(2)} = -2(\\mathbf Y - \\mathbf A^{(3)}) * \\mathbf A^{(3)} * (1 - \\mathbf A^{(3)}),\\quad
    \\nabla^{(2)} = \\mathbf V^{(2)} [\\mathbf A^{(2)}]^T,\\quad
    \\mathbf V^{(1)} = \\mathbf A^{(2)} * (1 - \\mathbf A^{(2)}) * [\\mathbf W^{(2)}]^T \\mathbf V^{(2)},\\quad
    \\nabla^{(1)} = \\mathbf V^{(1)} [\\mathbf A^{(1)}]^T.

At each of the first steps: V2, V1 (the engine's sensitivities, in the lecture's layout) and the
two gradients, against Keras's (``tf.GradientTape`` on the translated model); then the whole run,
the course estimator against its Keras translation through ``model.fit``.
"""

import numpy as np
import pandas as pd

from ..compare import keras_sensitivities, keras_trace
from ..course.compare import compare_course
from ..course.keras import course_to_keras
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from ..course.estimator import CourseMLP
from .common import COURSE_NOT_TAKEN, COURSE_TASKS, COURSE_TASKS_WHY, load

NAME = "backprop_review"
TITLE = "Back-propagation review: the lecture's equations vs Keras, step by step"
# the course's estimator sets these itself (option -> why), and takes class labels only
NOT_TAKEN, TASKS, TASKS_WHY = COURSE_NOT_TAKEN, COURSE_TASKS, COURSE_TASKS_WHY


def run(cfg):
    dataset, d = load(cfg)
    epochs = cfg.pick("epochs", 20, quick=3)
    steps = 3 if cfg.quick else 10
    params = dict(n_hidden=10, activation="sigmoid", cost="quadratic", bias="row", eta=0.001,
                  epochs=epochs, minibatches=10, random_state=cfg.seed)
    est = CourseMLP(**params)
    tr = course_to_keras(est, d.x_train, d.y_train)
    ours, model, plan = tr.estimator, tr.model, tr.plan
    engine, opt = ours.engine_, ours.engine_.optimizer
    rows = []
    batches = [idx for epoch in plan for idx in epoch][:steps]
    bar = cfg.progress(len(batches) + 1, "check", NAME)  # each of the first steps, then the run
    for step, idx in enumerate(batches):
        xb, yb = tr.x[idx], tr.y[idx]
        trace = engine.trace(xb, yb)
        cost, grads, deltas = trace.loss, trace.gradients, trace.deltas
        k_deltas = keras_sensitivities(model, xb, yb)
        _, k_cost, k_grads = keras_trace(model, xb, yb, outputs=False)
        k_grads = list(k_grads.values())  # kernel_1, bias_1, kernel_2, bias_2
        lecture = {"V2": deltas[1].T, "V1": deltas[0].T, "∇2": grads[1].T, "∇1": grads[0].T}
        keras = {"V2": k_deltas[1].T, "V1": k_deltas[0].T,
                 "∇2": np.concatenate([k_grads[3][:, None], k_grads[2].T], axis=1),
                 "∇1": np.concatenate([k_grads[1][:, None], k_grads[0].T], axis=1)}
        for q in lecture:
            a, b = lecture[q], keras[q]
            rows.append({"step": step, "quantity": q, "shape": str(a.shape),
                         "max |value|": float(np.max(np.abs(b))),
                         "relative difference": float(np.max(np.abs(a - b)) / np.max(np.abs(b)))})
        rows.append({"step": step, "quantity": "J", "shape": "()", "max |value|": abs(k_cost),
                     "relative difference": abs(cost - k_cost) / abs(k_cost)})
        opt.apply(grads, engine.weights)
        model.fit(xb, yb, batch_size=len(idx), epochs=1, shuffle=False, verbose=0)
        bar.update()
    table = pd.DataFrame(rows)
    whole = compare_course(est, d.x_train, d.y_train)
    bar.update()
    bar.close()
    tol = 1e-12
    verdict = verdict_frame([
        (f"V2, V1, ∇2, ∇1 and J at each of the first {steps} steps", float(table["relative difference"].max()), tol),
        (f"cost per epoch, whole run ({epochs} epochs, through model.fit)", whole.worst("cost"), 1e-12),
        ("weights after every epoch, whole run", whole.worst("weight"), 1e-10),
    ])
    fig = F.differences_over_time(
        table.rename(columns={"relative difference": "value"}), "step", "per_step",
        "The lecture's quantities, NumPy vs Keras, per step", "step",
        "Relative difference of each quantity of the slide (V2, V1, ∇2, ∇1 in the lecture's "
        "layout: samples as columns, W as (out, in + 1)) and of the cost J.", hue="quantity",
        tolerance=tol)
    cost = whole.records[(whole.records.quantity == "cost") & whole.records.side.isin(["scratch", "keras"])]
    curves = F.overlaid_curves(cost.rename(columns={"value": "cost"}), "epoch", "cost", "cost",
                               "The summed cost per epoch", "epoch", "J (sum over the epoch's mini-batches)",
                               "The course estimator's cost_ (solid) and its Keras translation's "
                               "(dashed).")
    summary = (
        f"{dataset.description} The lecture's network: {d.x_train.shape[1]} inputs, 10 sigmoid "
        f"hidden units, {len(np.unique(d.y_train))} sigmoid outputs, the summed squared error, "
        "bias as a row of ones, eta = 0.001, 10 mini-batches. Keras runs it as "
        f"{whole.parts['cost']} with Dense layers and `SGD`. Each of the slide's quantities agrees to "
        f"{verdict.iloc[0, 1]:.1e} at every step; the whole run through `model.fit` keeps the costs "
        f"within {verdict.iloc[1, 1]:.1e} and the weights within {verdict.iloc[2, 1]:.1e}."
    )
    sections = [Section("Step by step", "Keras's V's are ∂J/∂Z from `tf.GradientTape` on each "
                        "Dense layer's pre-activation; its gradients come from the model's own "
                        "`compute_loss`.", figures=[fig], tables=[("Per step", table)]),
                Section("The whole run", "", figures=[curves], tables=[("Verdict", whole.verdict_table())])]
    return Report(NAME, TITLE, summary, verdict, sections, data={"steps": table, "run": whole.records},
                  settings=cfg.settings(dataset=dataset.name, epochs=epochs))
