"""What the experiments share: their settings, data, default models, and the step from
side-by-side runs to verdict rows, tidy data and figures."""

import math
import os
import re
import shlex
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..compare.training import run_tolerances
from ..data import load_csv, load_dataset, prepare
from ..report import figures as F
from ..scratch import Input, Sequential, losses, optimizers, regularizers
from ..scratch.layers import Dense
from ..timing import phase


# What an experiment declares it honours (its OPTIONS, Config field names) and which targets
# it handles (its TASKS); the command line refuses the rest before anything runs.
DATA_OPTIONS = frozenset({"dataset", "csv", "target", "encoding"})
ALL_OPTIONS = DATA_OPTIONS | {"epochs", "batch_size", "optimizer", "dtype", "seed", "quick", "out"}
# Options only some experiments take (each lists them in its OWN_OPTIONS; the others refuse them
# for the reason given here).
OWN_OPTIONS = {"course": "it has no course preset (wide_and_deep has: --course 10|10a)",
               "dropout": "it has no Dropout preset (wide_and_deep has: --course 10a --dropout)"}
ALL_OPTIONS = ALL_OPTIONS | set(OWN_OPTIONS)
ALL_TASKS = frozenset({"binary", "multiclass", "regression"})
# The experiments built on the course's estimator (backprop_review, bias_conventions).
COURSE_NOT_TAKEN = {
    "batch_size": "the lecture's network trains on 10 mini-batches (np.array_split)",
    "optimizer": "the course's estimator has its own SGD",
    "dtype": "the course's estimator computes in float64",
}
COURSE_TASKS = {"binary", "multiclass"}
COURSE_TASKS_WHY = "the lecture's network has one sigmoid output per class"


@dataclass
class Config:
    """Settings common to all experiments; ``None`` means the experiment's own default.

    ``quick`` shrinks every experiment (fewer epochs and settings) for tests and demos;
    ``encoding`` is the text encoding of ``csv``; ``question`` picks one question of the ``faq``
    experiment (its report is ``faq-<question>``); ``show_progress`` draws tqdm bars on stderr
    (the command line sets it; library calls stay quiet).
    """

    dataset: str = None
    csv: str = None
    target: str = None
    epochs: int = None
    batch_size: int = None
    optimizer: str = None
    dtype: str = "float64"
    seed: int = 0
    quick: bool = False
    out: str = "reports"
    encoding: str = "utf-8"
    show_progress: bool = False
    question: str = None
    course: str = None  # wide_and_deep: the course notebook "10" or "10a"
    dropout: bool = False  # wide_and_deep --course 10a: the notebook's last model, with Dropout

    def pick(self, name, default, quick=None):
        """The user's value for ``name``, else ``quick`` in quick mode, else ``default``."""
        value = getattr(self, name)
        if value is not None:
            return value
        return quick if (self.quick and quick is not None) else default

    def batch(self, n_rows, default=32, quick=None):
        """The batch size actually used: the chosen one, but never more than the ``n_rows``
        training rows (a larger batch is the full batch, and is reported as such)."""
        return min(self.pick("batch_size", default, quick), n_rows)

    def data_name(self):
        """A short, file-name-safe name of the user's data (``--csv`` file stem or ``--dataset``),
        or None when the experiment runs on its own default data."""
        if self.csv:
            stem = os.path.splitext(os.path.basename(os.fspath(self.csv)))[0]
            return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "csv"
        return self.dataset

    def report_name(self, name):
        """The report folder of experiment ``name``: ``name`` on its own data, ``name-DATA`` on a
        ``--dataset`` or ``--csv`` (so a run on other data never overwrites the default report)."""
        if self.question:
            name = f"{name}-{self.question}"
        data = self.data_name() or (f"course{self.course}{'-dropout' * self.dropout}"
                                    if self.course else None)
        return f"{name}-{data}" if data else name

    def progress(self, total, unit, desc=None):
        """A progress bar counting ``total`` ``unit``s on stderr (a silent stand-in unless
        ``show_progress``); use as a context manager and call ``update()`` per unit done."""
        if not self.show_progress:
            return _NoProgress()
        from tqdm.auto import tqdm

        return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, leave=False,
                    dynamic_ncols=True)

    def command(self, name):
        """The command line that runs experiment ``name`` again with these settings."""
        words = ["scratch-vs-keras", "run", name] + ([self.question] if self.question else [])
        for field in ("dataset", "csv", "target", "epochs", "batch_size", "optimizer"):
            value = getattr(self, field)
            if value is not None:
                words += [f"--{field.replace('_', '-')}", shlex.quote(str(value))]
        if self.encoding not in (None, "utf-8"):
            words += ["--encoding", shlex.quote(self.encoding)]
        words += ["--course", self.course] if self.course else []
        words += ["--dropout"] if self.dropout else []
        words += ["--dtype", self.dtype, "--seed", str(self.seed)] + (["--quick"] if self.quick else [])
        return " ".join(words)

    def settings(self, **extra):
        base = {"dtype": self.dtype, "seed": self.seed, "quick mode": self.quick}
        base.update(extra)
        return base


class _NoProgress:
    """The quiet stand-in for a tqdm bar."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        pass

    def set_postfix_str(self, text):
        pass

    def close(self):
        pass


def load(cfg, default="breast_cancer"):
    """The experiment's data: ``--csv/--target`` if given, else ``--dataset`` or ``default``;
    returns ``(Dataset, Prepared)``. Raises ValueError naming the problem for data that cannot
    be trained on (see :func:`check_finite`)."""
    with phase("data"):
        if cfg.csv:
            dataset = _load_csv(cfg)
        else:
            dataset = load_dataset(cfg.dataset or default)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # check_finite says it
            prepared = prepare(dataset, seed=cfg.seed)
        check_finite(dataset, prepared)
    return dataset, prepared


def _load_csv(cfg):
    return load_csv(cfg.csv, cfg.target, encoding=cfg.encoding or "utf-8")


def check_finite(dataset, prepared):
    """Refuse prepared arrays with NaN or infinite entries (an ``inf`` cell, or values too large
    to standardize), naming the columns: training on them would only fail later, or silently."""
    bad = set()
    for x in (prepared.x_train, prepared.x_test):
        bad.update(np.flatnonzero(~np.isfinite(x).all(axis=0)).tolist())
    if bad:
        names = ", ".join(repr(prepared.feature_names[j]) for j in sorted(bad))
        raise ValueError(
            f"Column(s) {names} of {dataset.name!r} hold infinite values or values too large to "
            "standardize; remove or clip those entries first."
        )
    if not (np.isfinite(prepared.y_train).all() and np.isfinite(prepared.y_test).all()):
        raise ValueError(
            f"The target column {dataset.target!r} of {dataset.name!r} holds infinite values or "
            "values too large to standardize; remove or clip those entries first."
        )


def scores(model, prepared):
    """Test-split scores of a trained model: ``{"accuracy": ...}`` for classification,
    ``{"MSE": ..., "R²": ...}`` for regression (on the standardized target)."""
    p = np.asarray(model.predict(prepared.x_test, verbose=0), dtype=float)
    y = np.asarray(prepared.y_test, dtype=float)
    if prepared.task == "regression":
        resid = y - p.reshape(-1)
        total = float(np.sum((y - y.mean()) ** 2))
        r2 = 1 - float(np.sum(resid ** 2)) / total if total else float("nan")
        return {"MSE": float(np.mean(resid ** 2)), "R²": r2}
    labels = (p.reshape(-1) > 0.5).astype(float) if prepared.task == "binary" else np.argmax(p, axis=1)
    return {"accuracy": float(np.mean(labels == y))}


def describe_scores(ours, theirs):
    """``accuracy 0.958 (NumPy) / 0.958 (Keras)``-style text of two :func:`scores` results."""
    return ", ".join(f"{k} {ours[k]:.3f} (NumPy) / {theirs[k]:.3f} (Keras)" for k in ours)


def output_for(prepared):
    """The output layer and loss for the task: sigmoid + binary cross-entropy, softmax + sparse
    categorical cross-entropy, or linear + mean squared error."""
    if prepared.task == "binary":
        return Dense(1, activation="sigmoid"), losses.BinaryCrossentropy(), ["accuracy"]
    if prepared.task == "multiclass":
        return (Dense(prepared.n_outputs, activation="softmax"),
                losses.SparseCategoricalCrossentropy(), ["accuracy"])
    return Dense(1), losses.MeanSquaredError(), []


def build_model(prepared, hidden=(16, 8), activation="relu", optimizer="adam", dtype="float64",
                seed=0, l2=0.0, kernel_initializer="glorot_uniform"):
    """A compiled scratch MLP for the data's task."""
    out, loss, metrics = output_for(prepared)
    reg = regularizers.L2(l2) if l2 else None
    layers = [Input(shape=(prepared.x_train.shape[1],))]
    layers += [Dense(h, activation=activation, kernel_regularizer=reg,
                     kernel_initializer=kernel_initializer) for h in hidden]
    out.kernel_initializer = _init(kernel_initializer)
    layers.append(out)
    model = Sequential(layers, seed=seed, dtype=dtype)
    model.compile(optimizer=optimizers.get(optimizer) if isinstance(optimizer, str) else optimizer,
                  loss=loss, metrics=metrics)
    return model


def describe_model(model):
    """``30-16-8-1 MLP (relu, relu, sigmoid; float64)``."""
    from ..scratch.layers import Dense

    dense = [l for l in model.layers if isinstance(l, Dense)]
    widths = "-".join(str(w) for w in [model.input_shape[0]] + [l.units for l in dense])
    acts = ", ".join(l.activation.name for l in dense)
    return f"{widths} MLP ({acts}; {model.dtype})"


def _init(identifier):
    from ..scratch import initializers

    return initializers.get(identifier)


def epochs_for_steps(n_rows, batch_size, steps=1000):
    """Enough epochs for at least ``steps`` optimizer steps."""
    return math.ceil(steps / math.ceil(n_rows / batch_size))


def tagged(records, **tags):
    """The run's tidy records with extra columns naming the run."""
    frame = records.copy()
    for k, v in tags.items():
        frame.insert(0, k, v)
    return frame


def run_rows(runs, dtype, label="runs", names=None):
    """Verdict rows over several side-by-side runs: the worst per-step batch loss, the worst
    final weights, and the worst History values, each against its tolerance (float32: the bound
    of each run's own length; the row shows the run that came closest to its bound).

    A row that fails names the first run that fails it (``names[i]``, else its number) and that
    run's first divergence: step, layer and tensor.
    """
    n = len(runs)
    names = names or [f"{label} {i + 1} of {n}" for i in range(n)]
    steps = sum(r.steps for r in runs)
    checks = [(f"batch loss, every step ({steps} steps, {n} {label})", "batch_loss",
               lambda t: t.iloc[0]),
              (f"weights after the last step ({n} {label})", "final_weight",
               lambda t: t.set_index("quantity").loc["weights, final"])]
    rows = []
    for title, key, pick in checks:
        worst = [(pick(r.verdict_table()).worst_rel_diff, run_tolerances(dtype, r.steps)[key])
                 for r in runs]
        rows.append(_worst_row(title, worst, runs, names))
    hist = [(float(_history(r).value.max()), run_tolerances(dtype, r.steps)["history"])
            for r in runs if len(_history(r))]
    if hist:
        rows.append(_worst_row(f"History values per epoch ({n} {label})", hist,
                               [r for r in runs if len(_history(r))], names))
    return rows


def _history(run):
    r = run.records
    return r[(r.side == "rel_diff") & r.quantity.str.startswith("history/")]


def _worst_row(title, worst, runs, names):
    """(title, worst, tolerance, where): the run closest to (or furthest past) its bound."""
    ratios = [w / t for w, t in worst]
    i = int(np.argmax(ratios))
    where = ""
    if ratios[i] > 1:
        first = next(j for j, r in enumerate(ratios) if r > 1)
        div = runs[first].first_divergence()
        where = f"{names[first]}: " + (str(div) if div is not None else
                                       f"relative difference {worst[first][0]:.3g}")
    return (title, float(worst[i][0]), float(worst[i][1]), where)


def step_gradient_rows(runs, names):
    """The verdict row of the per-step gradients of runs recorded with ``record_gradients``
    (each step's gradients of both sides at the same weights), naming the first failing step."""
    worst = []
    for r in runs:
        g = r.records[(r.records.side == "rel_diff") & (r.records.quantity == "gradient")]
        worst.append((float(g.value.max()), run_tolerances(r.dtype, r.steps)["gradient"]))
    n = sum(len(r.records[(r.records.side == "rel_diff") & (r.records.quantity == "gradient")])
            for r in runs)
    return [_worst_row(f"gradients at every step ({n} tensors, {len(runs)} runs)", worst, runs, names)]


def gradient_rows(checks, what, names=None):
    """Verdict rows of one-batch comparisons (:class:`~..compare.GradientComparison`): NumPy vs
    Keras, and (where computed) backprop vs finite differences. A mismatch names the check and the
    layer/tensor; a finite-difference row with a tensor not checked is NOT CHECKED, never MATCH."""
    names = names or [f"batch {i + 1} of {len(checks)}" for i in range(len(checks))]
    rows = []
    for fd, title in ((False, f"{what}: activations, loss, gradients"),
                      (True, f"{what}: backprop vs finite differences")):
        parts = [(n, c.table[(c.table.quantity == "finite_difference") == fd]) for n, c in zip(names, checks)]
        parts = [(n, t) for n, t in parts if len(t)]
        if not parts:
            continue
        table = pd.concat([t.assign(check=n) for n, t in parts])
        compared = table[table.status != "not checked"]
        worst = float(compared.rel_diff.max()) if len(compared) else float("nan")
        tol = float(table.tolerance.max())
        status, where = None, ""
        bad = table[table.status == "MISMATCH"]
        skipped = table[table.status == "not checked"]
        if len(bad):
            b = bad.loc[bad.rel_diff.idxmax()] if len(bad) == 1 else bad.iloc[0]
            where = (f"{b.check}: {b.layer}/{b.tensor} {b.quantity} relative difference "
                     f"{b.rel_diff:.2e} > {b.tolerance:.0e}")
        elif len(skipped):
            s = skipped.iloc[0]
            status, where = "NOT CHECKED", f"{s.check}: {s.layer}/{s.tensor}: {s.note}"
        rows.append((title, worst, tol, where, status))
    return rows


def loss_frame(records):
    """Per-step batch losses of both sides (for overlaid curves)."""
    r = records[(records.quantity == "batch_loss") & records.side.isin(["scratch", "keras"])]
    return r.rename(columns={"value": "batch loss"})


def difference_frame(records, quantities=("batch_loss", "weight")):
    """Per-step relative differences of the given quantities."""
    r = records[(records.side == "rel_diff") & records.quantity.isin(quantities)].copy()
    r["tensor"] = np.where(r.quantity == "batch_loss", "batch loss", r.layer)
    return r


def standard_figures(records, prefix, what, tolerance, col=None):
    """Overlaid loss curves and the per-step difference of loss and weights, for one or more runs;
    ``tolerance``: the run's bounds (:func:`run_tolerances`), or one bound for both."""
    loss = loss_frame(records)
    curves = F.overlaid_curves(
        loss, "step", "batch loss", f"{prefix}_loss_curves", f"Batch loss per step: {what}",
        "optimizer step", "batch loss (before the step's update)",
        "Each side's exact batch loss per step (recovered from fit's running mean); the Keras "
        "curve is dashed over the NumPy one, so a single visible curve means they coincide.",
        col=col)
    diff = difference_frame(records)
    bound = tolerance if isinstance(tolerance, dict) else {"batch_loss": tolerance, "weight": tolerance}
    diffs = F.differences_over_time(
        diff, "step", f"{prefix}_differences", f"NumPy vs Keras, per step: {what}",
        "optimizer step",
        "Relative difference of the batch loss and of each weight tensor after every step "
        "(log scale); the dotted lines are the bounds: batch loss and weights each their own.",
        hue="tensor", tolerance={"batch loss": bound["batch_loss"], "weights": bound["weight"]},
        col=col)
    return [curves, diffs]


def inputs_of(model, x):
    """The subset of the named arrays ``x`` that ``model`` takes."""
    return {n.name: x[n.name] for n in model.inputs}
