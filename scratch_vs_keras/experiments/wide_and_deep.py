"""Wide and deep on Adult: a functional network with embeddings and feature crosses, its NumPy
twin, and the proof that they are the same machine.

The course's Keras model: the **wide** part looks each crossed column (e.g. workclass x
occupation) up in an embedding table; the **deep** part embeds each categorical column, joins the
standardized numeric columns and runs a Dense stack; both are concatenated into one sigmoid
unit. The NumPy side builds the same graph with ``scratch.Model(inputs, outputs)``; its
``Embedding`` layer gathers rows forward and scatter-adds their gradients backward (repeated
categories in a batch add up). Three networks are trained on both sides: wide only, deep only,
and wide and deep. With ``--course 10|10a`` it runs the course notebook's own network instead
(:mod:`.wide_and_deep_course`).
"""

import numpy as np
import pandas as pd

from ..compare import compare_gradients, train_side_by_side
from ..data.adult import prepare_adult
from ..report import Report, Section, verdict_frame
from ..report import figures as F
from ..scratch import Input, Model, optimizers
from ..scratch.layers import Concatenate, Dense, Embedding
from .common import DATA_OPTIONS, epochs_for_steps, gradient_rows, inputs_of, run_rows, tagged
from .wide_and_deep_course import course_wide_and_deep, run_course  # noqa: F401 (both importable here)

NAME = "wide_and_deep"
TITLE = "Wide and deep on Adult: embeddings and crosses, NumPy vs Keras"
NOT_TAKEN = dict.fromkeys(DATA_OPTIONS, "it trains on the bundled Adult census data")
TASKS = frozenset()
TASKS_WHY = "it brings its own data"
OWN_OPTIONS = {"course", "dropout"}


def build_wide_and_deep(data, kind="wide_and_deep", wide_dim=4, deep_dim=4, hidden=(32, 16),
                        dtype="float64", seed=0, optimizer="adam", l2=0.0):
    """The course's wide-and-deep network (or its wide or deep half alone) as a scratch Model.

    Args:
        data: a :class:`~scratch_vs_keras.data.adult.WideDeepData` (its vocabularies size the
            embedding tables).
        kind: ``"wide"``, ``"deep"`` or ``"wide_and_deep"``.
        wide_dim, deep_dim: embedding sizes of the crossed and the categorical columns.
        hidden: the deep part's Dense widths (relu).
    """
    from ..scratch import regularizers

    reg = regularizers.L2(l2) if l2 else None
    inputs, wide, deep = [], [], []
    if kind in ("wide", "wide_and_deep"):
        for name in data.crosses:
            inp = Input(shape=(), dtype="int32", name=name)
            inputs.append(inp)
            wide.append(Embedding(data.vocabulary_size(name), wide_dim, name=f"wide_{name}")(inp))
    if kind in ("deep", "wide_and_deep"):
        for name in data.categorical:
            inp = Input(shape=(), dtype="int32", name=name)
            inputs.append(inp)
            deep.append(Embedding(data.vocabulary_size(name), deep_dim, name=f"deep_{name}")(inp))
        numeric = Input(shape=(len(data.numeric),), name="numeric")
        inputs.append(numeric)
        h = Concatenate(name="deep_features")(deep + [numeric])
        for i, units in enumerate(hidden):
            h = Dense(units, activation="relu", kernel_regularizer=reg, name=f"deep_dense_{i}")(h)
        deep = [h]
    parts = wide + deep
    joined = Concatenate(name="wide_and_deep")(parts) if len(parts) > 1 else parts[0]
    out = Dense(1, activation="sigmoid", name="income")(joined)
    model = Model(inputs, out, name=kind, seed=seed, dtype=dtype)
    model.compile(optimizer=optimizers.get(optimizer) if isinstance(optimizer, str) else optimizer,
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run(cfg):
    if cfg.course is not None:  # the course notebook's own network and preprocessing
        return run_course(cfg, NAME)
    rows = 3000 if cfg.quick else None
    d = prepare_adult(train_rows=rows, test_rows=1000 if cfg.quick else None, seed=cfg.seed)
    batch = cfg.batch(len(d.y_train), 256, quick=64)
    epochs = cfg.pick("epochs", epochs_for_steps(len(d.y_train), batch), quick=2)
    optimizer = cfg.pick("optimizer", "adam")
    runs, frames, checks, table = [], [], [], []
    bar = cfg.progress(3, "network", NAME)
    for kind in ("wide", "deep", "wide_and_deep"):
        model = build_wide_and_deep(d, kind, dtype=cfg.dtype, seed=cfg.seed, optimizer=optimizer)
        xb = {k: v[:batch] for k, v in inputs_of(model, d.x_train).items()}
        checks.append(compare_gradients(model, xb, d.y_train[:batch], fd_max_entries=30))
        r = train_side_by_side(model, inputs_of(model, d.x_train), d.y_train, epochs=epochs,
                               batch_size=batch, shuffle=True,
                               validation_data=(inputs_of(model, d.x_test), d.y_test))
        runs.append(r)
        frames.append(tagged(r.records, network=kind))
        table.append({"network": kind, "parameters": model.count_params(), "steps": r.steps,
                      "val accuracy (NumPy)": r.scratch_history["val_accuracy"][-1],
                      "val accuracy (Keras)": r.keras_history["val_accuracy"][-1],
                      "val loss (NumPy)": r.scratch_history["val_loss"][-1],
                      "val loss (Keras)": r.keras_history["val_loss"][-1]})
        bar.update()
    bar.close()
    records = pd.concat(frames, ignore_index=True)
    emb = pd.concat([c.table[c.table.tensor == "embeddings"] for c in checks])
    emb_grad = emb[emb.quantity == "gradient"]
    kinds = ["wide", "deep", "wide_and_deep"]
    twin, fd = gradient_rows(checks, "one batch (3 networks)", kinds)
    verdict = verdict_frame([
        twin,
        (f"one batch: embedding-table gradients ({len(emb_grad)} tables, repeated indices)",
         float(emb_grad.rel_diff.max()), float(emb_grad.tolerance.max())),
        fd,
    ] + run_rows(runs, cfg.dtype, "networks", kinds))
    table = pd.DataFrame(table)
    hist = records[records.quantity.isin(["history/val_accuracy"]) & records.side.isin(["scratch", "keras"])]
    acc = F.overlaid_curves(hist, "epoch", "value", "val_accuracy", "Validation accuracy per epoch",
                            "epoch", "validation accuracy", "History['val_accuracy'] of both sides "
                            "(Keras dashed), per network.", col="network", col_wrap=3)
    loss = records[(records.quantity == "history/loss") & records.side.isin(["scratch", "keras"])]
    curves = F.overlaid_curves(loss, "epoch", "value", "loss_curves", "Training loss per epoch",
                               "epoch", "training loss", "History['loss'] of both sides (Keras "
                               "dashed), per network.", col="network", col_wrap=3)
    repeats = int(len(xb[d.categorical[0]]) - len(np.unique(xb[d.categorical[0]]))) if d.categorical else 0
    summary = (
        f"UCI Adult census (CC BY 4.0), {len(d.y_train)} training and {len(d.y_test)} test rows; "
        f"{len(d.crosses)} crossed columns for the wide part ({', '.join(d.crosses)}), "
        f"{len(d.categorical)} embedded categorical and {len(d.numeric)} numeric columns for the "
        "deep part. The NumPy functional model and its Keras twin (`keras.Model(inputs, outputs)`, "
        "built from it with identical weights) agree on every layer's output and every gradient to "
        f"{verdict.iloc[0, 1]:.1e} — the embedding tables included, where a batch of {batch} rows repeats "
        f"categories (e.g. {repeats} repeats in the first column) — and through {runs[-1].steps} "
        f"steps of `model.fit` per network (final weights within {verdict.iloc[4, 1]:.1e})."
    )
    sections = [
        Section("Accuracy and loss", "", figures=[acc, curves], tables=[("After training", table)]),
        Section("Gradients of one batch", "Each embedding table's gradient is a scatter-add of "
                "the rows' gradients: np.add.at on the NumPy side, TensorFlow's "
                "IndexedSlices on the Keras side.",
                tables=[("Embedding tables", emb[["layer", "tensor", "quantity", "rel_diff", "tolerance", "status"]])]),
        Section("Preprocessing", "\n".join(f"- {n}" for n in d.notes)),
    ]
    return Report(NAME, TITLE, summary, verdict, sections, data={"runs": records},
                  settings=cfg.settings(dataset="adult", optimizer=optimizer, epochs=epochs,
                                        batch_size=batch))
