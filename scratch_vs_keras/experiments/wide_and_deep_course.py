"""``run wide_and_deep --course 10|10a``: the course notebook's wide-and-deep network on its own
preprocessing of Adult, trained on both sides with its loss, optimizer and batch size, and scored
as the notebooks score it (accuracy, confusion matrix, classification report) plus the AUC the
wide-and-deep paper reports, on the full test set; the training history's validation rows are
held out of the training rows (the notebooks validate on the test set).
"""

import time

import numpy as np
import pandas as pd

from ..compare import compare_gradients, train_side_by_side
from ..compare.training import run_tolerances
from ..data.adult import prepare_adult
from ..data.adult_course import COURSE_BATCH, COURSE_PARAMETERS
from ..report import Report, Section, verdict_frame
from ..scratch import Input, Model, optimizers
from ..scratch.layers import Concatenate, Dense, Dropout, Embedding
from .common import gradient_rows, inputs_of, run_rows, tagged

#: the notebooks' own results next to which this run's are reported (notebook 10: its last
#: version with outputs, commit d5f1779 of eclarson/MachineLearningNotebooks, Nov 2022)
COURSE_RESULTS = {
    "10": "notebook 10 trains 15 + 50 epochs (MSE, Adagrad, batch 32) on all 30,162 rows, "
          "validating on the test set: val_accuracy 0.7910 after 15 epochs; test accuracy 0.85 "
          "after all 65 (12,822 of 15,060 rows right by its confusion matrix: 0.8514)",
    "10a": "notebook 10a: accuracy 0.85 on its 15,040 test rows after 5 epochs (val_accuracy "
           "0.8496; Adam, binary cross-entropy, batch 64)",
    "10a-dropout": "notebook 10a's last model (Dropout 0.6/0.4/0.2): val_accuracy 0.8505 on its "
                   "test rows after 30 epochs (Adam, binary cross-entropy, batch 64)",
}
VALIDATION_FRACTION = 0.1
#: the notebooks' steps per epoch (their progress bars: 943/943 and 471/471), on all 30,162 rows
COURSE_STEPS_PER_EPOCH = {"10": 943, "10a": 471}
#: the notebooks' epochs. 10 fits twice, 15 epochs then 50 more: the second fit goes on from the
#: first's weights and Adagrad accumulators (Adagrad has no step count), so one 65-epoch fit
#: trains the same way, its rows shuffled afresh each epoch as Keras's are.
DEFAULT_EPOCHS = {"10": 65, "10a": 5, "10a-dropout": 30}
#: the most weight numbers each side keeps for the side-by-side comparison (256 MB of float64):
#: a longer run compares the weights at each epoch's end, and the batch loss at every step
WEIGHT_RECORD_BUDGET = 2 ** 25


def course_wide_and_deep(data, course=None, dropout=False, dtype="float64", seed=0):
    """The course notebook's wide-and-deep network as a scratch Model, compiled as the notebook.

    Args:
        data: ``prepare_adult(course=...)``'s :class:`~scratch_vs_keras.data.adult.WideDeepData`.
        course: ``"10"`` or ``"10a"`` (default: the one ``data`` was prepared for).
        dropout: 10a's last version, Dropout 0.6/0.4/0.2 after the deep layers.

    Each cross and category goes through ``Embedding(N, int(sqrt(N)))``; the wide part is the
    crosses' embeddings side by side. 10: the numeric columns through ``Dense(20)`` join the
    category embeddings, then 50-25-10 ReLU; ``[wide, deep] -> Dense(1, sigmoid)``; MSE and
    Adagrad. 10a: the numeric columns join the embeddings directly; ``[deep, wide]``; binary
    cross-entropy and Adam. Layer names are the notebook's.
    """
    course = course or data.course
    if course not in ("10", "10a") or data.course != course:
        raise ValueError(f"`data` must come from prepare_adult(course={course!r}) (it was prepared "
                         f"for course={data.course!r}); `course` is '10' or '10a'.")
    if dropout and course != "10a":
        raise ValueError("dropout=True is notebook 10a's last model; notebook 10 has no dropout.")
    inputs, embedded = {}, {}
    for name in data.crosses + data.categorical:
        inputs[name] = Input(shape=(), dtype="int32", name=name)
        n = data.vocabulary_size(name)
        embedded[name] = Embedding(n, int(np.sqrt(n)), name=f"{name}_embed")(inputs[name])
    numeric = Input(shape=(len(data.numeric),), name="numeric")
    wide = Concatenate(name="wide_concat")([embedded[n] for n in data.crosses])
    categories = [embedded[n] for n in data.categorical]
    if course == "10":
        deep = Concatenate(name="concat_embeds")(categories + [Dense(20, activation="relu", name="num_1")(numeric)])
    else:
        deep = Concatenate(name="embed_concat")([numeric] + categories)
    for i, (units, rate) in enumerate(zip((50, 25, 10), (0.6, 0.4, 0.2)), start=1):
        deep = Dense(units, activation="relu", name=f"deep{i}")(deep)
        if dropout:
            deep = Dropout(rate, name=f"dropout_{i}")(deep)
    joined = Concatenate(name="concat_deep_wide")([wide, deep] if course == "10" else [deep, wide])
    out = Dense(1, activation="sigmoid", name="combined")(joined)
    model = Model(list(inputs.values()) + [numeric], out, name=f"course_{course}", seed=seed, dtype=dtype)
    if course == "10":
        model.compile(optimizer=optimizers.Adagrad(), loss="mean_squared_error", metrics=["accuracy"])
    else:
        model.compile(optimizer=optimizers.Adam(), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def split_rows(data, course, batch, quick):
    """``(train, validation)`` row slices: the last tenth of the course's training rows held out
    for validation; 10a trains on full batches only (its ``drop_remainder``)."""
    n = len(data.y_train)
    cut = n - int(round(n * VALIDATION_FRACTION))
    train_end = 1280 if quick else cut
    if course == "10a":
        train_end -= train_end % batch
    return slice(0, train_end), slice(cut, cut + 320 if quick else n)


def score_test_set(y, proba):
    """Accuracy, AUC, confusion matrix and classification report of probabilities ``proba``."""
    from sklearn import metrics

    labels = np.round(proba.reshape(-1))
    return {"accuracy": float(np.mean(labels == y)), "AUC": float(metrics.roc_auc_score(y, proba.reshape(-1))),
            "confusion": metrics.confusion_matrix(y, labels),
            "report": metrics.classification_report(y, labels, digits=4)}


def run_course(cfg, name):
    """The report of ``run <name> --course 10|10a`` (see the module docstring)."""
    course, dropout = cfg.course, bool(getattr(cfg, "dropout", False))
    start = time.perf_counter()
    data = prepare_adult(course=course)
    model = course_wide_and_deep(data, dropout=dropout, dtype=cfg.dtype, seed=cfg.seed)
    as_written = model.count_params() if course == "10a" else course_wide_and_deep(
        prepare_adult(course="10", fit_crosses_on_test=True), seed=cfg.seed).count_params()
    batch = cfg.pick("batch_size", COURSE_BATCH[course])
    epochs = cfg.pick("epochs", DEFAULT_EPOCHS[course + "-dropout" * dropout], quick=1)
    train, val = split_rows(data, course, batch, cfg.quick)
    steps = epochs * -(-(train.stop - train.start) // batch)
    record = "every_step" if steps * model.count_params() <= WEIGHT_RECORD_BUDGET else "epoch"
    x = inputs_of(model, data.x_train)
    pick = lambda rows: {k: v[rows] for k, v in x.items()}
    # Dropout draws a new mask at every pass: no one loss function for finite differences; the
    # NumPy vs Keras rows still compare one pass with the same mask
    check = compare_gradients(model, {k: v[:batch] for k, v in x.items()}, data.y_train[:batch],
                              finite_differences=not dropout, fd_max_entries=8 if cfg.quick else 30)
    run = train_side_by_side(model, pick(train), data.y_train[train], epochs=epochs,
                             batch_size=batch, shuffle=course == "10",
                             validation_data=(pick(val), data.y_train[val]), record=record)
    x_test = inputs_of(model, data.x_test)
    ours = run.scratch_model.predict(x_test)
    theirs = np.asarray(run.keras_model.predict(x_test, batch_size=1024, verbose=0))
    elapsed = time.perf_counter() - start
    scores = {"NumPy": score_test_set(data.y_test, ours), "Keras": score_test_set(data.y_test, theirs)}
    gap = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))
    verdict = verdict_frame(
        [(f"parameters of notebook {course}'s network as written: {as_written:,} vs the course's "
          f"{COURSE_PARAMETERS[course]:,}", abs(as_written - COURSE_PARAMETERS[course]), 0.0)]
        + gradient_rows([check], "one batch")
        + _run_rows(run, cfg.dtype, course)
        + [(f"test-set probabilities, NumPy vs Keras ({len(data.y_test):,} rows)", gap,
            run_tolerances(cfg.dtype, run.steps)["final_weight"])])
    return _report(name, cfg, data, model, run, scores, verdict, as_written, batch, epochs, elapsed)


def _run_rows(run, dtype, course):
    """The run's verdict rows: the batch loss at every step, the weights along the run (every
    step, or the recorded steps, which the row names; no row claims the others), the final
    weights and the History."""
    rows = run_rows([run], dtype, "course network", [f"course {course}"])
    table = run.verdict_table().set_index("quantity")
    row = table.iloc[1]  # after the batch loss: the weights along the run
    where = str(run.first_divergence()) if not row.ok else (
        row.note if run.record != "every_step" else "")
    rows.insert(1, (f"weights at {run.compared_weights()} (1 course network)",
                    row.worst_rel_diff, row.tolerance, where))
    return rows


def _report(name, cfg, data, model, run, scores, verdict, as_written, batch, epochs, elapsed):
    course, dropout = cfg.course, bool(getattr(cfg, "dropout", False))
    key = course + "-dropout" * dropout
    # notebook 10 reports its validation accuracy after its first fit's 15 epochs too
    marks = sorted({len(run.keras_history["val_accuracy"]), 15} if course == "10" and epochs > 15
                   else {len(run.keras_history["val_accuracy"])})
    table = pd.DataFrame([{"side": side, "accuracy": s["accuracy"], "AUC": s["AUC"],
                           **{f"val accuracy (epoch {e})": h["val_accuracy"][e - 1] for e in marks}}
                          for (side, s), h in zip(scores.items(), (run.scratch_history, run.keras_history))])
    compared = (f" Both sides' batch losses were compared at all {run.steps:,} steps and their "
                f"weights at {run.compared_weights()}"
                + ("." if run.record == "every_step" else
                   f" (keeping every step's {model.count_params():,} weights on both sides would "
                   f"take {2 * 8 * run.steps * model.count_params() / 2 ** 30:.0f} GiB); the weights "
                   f"between epoch ends were not checked."))
    flaw = ("" if course == "10a" else
            f" The notebook fits its cross encoders on training and test rows ({as_written:,} "
            f"parameters, reproduced only with prepare_adult(course='10', fit_crosses_on_test=True)); "
            f"this run fits them on the training rows, with one index for an unseen combination "
            f"({model.count_params():,} parameters).")
    summary = (
        f"Notebook {course}'s wide-and-deep network{' with Dropout' if dropout else ''} on its "
        f"preprocessing of Adult "
        f"({len(data.y_train):,} training, {len(data.y_test):,} test rows after dropping `?` rows), "
        f"{model.count_params():,} parameters, trained side by side for {run.steps:,} steps "
        f"({epochs} epoch{'s' if epochs != 1 else ''}, batch {batch}): test accuracy {scores['NumPy']['accuracy']:.4f} "
        f"(NumPy) / {scores['Keras']['accuracy']:.4f} (Keras), AUC {scores['NumPy']['AUC']:.4f} / "
        f"{scores['Keras']['AUC']:.4f}, in {elapsed:.0f} s.{compared} Course: {COURSE_RESULTS[key]}. "
        f"This run holds the last tenth of the training rows out for validation: "
        f"{run.steps // epochs:,} steps an epoch where the notebook takes "
        f"{COURSE_STEPS_PER_EPOCH[course]:,}.{flaw}")
    confusion = [(f"Confusion matrix ({side})",
                  pd.DataFrame({"true": ["<=50K", ">50K"], "predicted <=50K": s["confusion"][:, 0],
                                "predicted >50K": s["confusion"][:, 1]}))
                 for side, s in scores.items()]
    sections = [
        Section("Test set", "Scored on every test row; the History's validation rows are the last "
                f"{VALIDATION_FRACTION:.0%} of the training rows, never trained on.",
                tables=[("Accuracy and AUC", table)] + confusion),
        Section("Classification report (NumPy side)",
                f"```text\n{scores['NumPy']['report'].rstrip()}\n```"),
        Section("Preprocessing", "\n".join(f"- {n}" for n in data.notes)),
    ]
    records = tagged(run.records, network=f"course_{course}")
    return Report(name, f"Wide and deep as in course notebook {course}"
                  + (" (its last model, with Dropout)" if dropout else ""),
                  summary, verdict, sections, data={"runs": records},
                  settings=cfg.settings(dataset="adult", course=course, dropout=dropout, epochs=epochs,
                                        batch_size=batch, weights_compared=run.compared_weights(),
                                        seconds=round(elapsed, 1)))
