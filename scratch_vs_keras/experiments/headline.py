"""The headline comparison (the main job): one batch's gradients, then a whole training run.

Breast-cancer data, standardized; the default MLP (30-16-8-1, relu, relu, sigmoid; L2 1e-3 on
the hidden kernels; binary cross-entropy; float64). First every forward activation, the loss and
every gradient of one batch, NumPy against ``tf.GradientTape`` over Keras's ``compute_loss``, and
NumPy against finite differences; then both sides trained from identical weights on identical
batches for at least 1,000 steps, Keras through its own ``model.fit``.
"""

from ..compare import compare_gradients, train_side_by_side
from ..compare.training import run_tolerances
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from .common import (ALL_TASKS, build_model, describe_model, describe_scores,
                     epochs_for_steps, gradient_rows, load, run_rows, scores, standard_figures)

NAME = "headline"
TITLE = "Headline: gradients and a full training run, NumPy vs Keras"
NOT_TAKEN = {}
TASKS = ALL_TASKS
TASKS_WHY = "any target has its output layer and loss"


def run(cfg):
    dataset, d = load(cfg)
    batch = cfg.batch(len(d.x_train), 32)
    epochs = cfg.pick("epochs", epochs_for_steps(len(d.x_train), batch), quick=5)
    optimizer = cfg.pick("optimizer", "adam")
    model = build_model(d, hidden=(16, 8), activation="relu", optimizer=optimizer, dtype=cfg.dtype,
                        seed=cfg.seed, l2=1e-3)
    with cfg.progress(2, "check", NAME) as bar:
        grads = compare_gradients(model, d.x_train[:batch], d.y_train[:batch])
        bar.update()
        run_ = train_side_by_side(model, d.x_train, d.y_train, epochs=epochs, batch_size=batch,
                                  shuffle=True, validation_data=(d.x_test, d.y_test))
        bar.update()
    g = grads.table
    twin = g[g.quantity != "finite_difference"]
    rows = (gradient_rows([grads], f"one batch ({batch} rows)", ["the first batch"])
            + run_rows([run_], cfg.dtype, "run", ["the training run"]))
    verdict = verdict_frame(rows)
    score = describe_scores(scores(run_.scratch_model, d), scores(run_.keras_model, d))
    if d.task == "regression":
        score += " (mean squared error and R² on the standardized target)"
    summary = (
        f"{dataset.description} A {describe_model(model)} and its Keras twin start from identical "
        "weights. "
        f"One batch's forward pass, loss and gradients agree to {twin.rel_diff.max():.1e} "
        f"(relative); then {run_.steps} training steps with {optimizer} through Keras's own "
        f"`model.fit` keep every batch loss within {verdict.iloc[2, 1]:.1e} and end with weights "
        f"within {verdict.iloc[3, 1]:.1e} of each other. Test scores after training: {score}."
    )
    grad_fig = F.bars(
        g.assign(check=g.layer + "/" + g.tensor, rel=g.rel_diff.clip(lower=1e-18)),
        "check", "rel", "gradient_check", "One batch: relative difference per tensor",
        "layer/tensor", "relative difference (log)",
        "Forward activations, the loss and each gradient: NumPy vs Keras; the finite_difference "
        "bars compare backprop with finite differences, whose own accuracy is about 1e-9. Dotted "
        "lines: each quantity's bound. Exact zeros are drawn at 1e-18.",
        hue="quantity", logy=True, rotate=True,
        tolerance=g.groupby("quantity").tolerance.max().to_dict())
    sections = [
        Section("One batch, every tensor",
                "Per tensor the relative difference max|NumPy − Keras| / max|Keras|; finite "
                "differences are central, h = 1e-6, in float64.",
                figures=[grad_fig], tables=[("The gradient comparison", g.drop(columns="ok"))]),
        Section("A whole training run",
                f"{run_.steps} steps ({epochs} epochs of {batch}-row batches, the last one of each "
                "epoch shorter, the rows reshuffled each epoch from the NumPy seed and fed to "
                "Keras in that order).",
                figures=standard_figures(run_.records, "run", f"{optimizer}, {run_.steps} steps",
                                         run_tolerances(cfg.dtype, run_.steps)),
                tables=[("Verdict of the run", run_.verdict_table())]),
    ]
    return Report(NAME, TITLE, summary, verdict, sections,
                  data={"gradients": g, "training": run_.records},
                  settings=cfg.settings(dataset=dataset.name, optimizer=optimizer, epochs=epochs,
                                        batch_size=batch))
