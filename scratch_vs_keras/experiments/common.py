"""What the experiments share: their settings, data, default models, and the step from
side-by-side runs to verdict rows, tidy data and figures."""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..compare.training import RUN_TOLERANCES
from ..data import load_csv, load_dataset, prepare
from ..report import figures as F
from ..scratch import Input, Sequential, losses, optimizers, regularizers
from ..scratch.layers import Dense


@dataclass
class Config:
    """Settings common to all experiments; ``None`` means the experiment's own default.

    ``quick`` shrinks every experiment (fewer epochs and settings) for tests and demos.
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

    def pick(self, name, default, quick=None):
        """The user's value for ``name``, else ``quick`` in quick mode, else ``default``."""
        value = getattr(self, name)
        if value is not None:
            return value
        return quick if (self.quick and quick is not None) else default

    def settings(self, **extra):
        base = {"dtype": self.dtype, "seed": self.seed, "quick mode": self.quick}
        base.update(extra)
        return base


def load(cfg, default="breast_cancer"):
    """The experiment's data: ``--csv/--target`` if given, else ``--dataset`` or ``default``."""
    if cfg.csv:
        dataset = load_csv(cfg.csv, cfg.target)
    else:
        dataset = load_dataset(cfg.dataset or default)
    return dataset, prepare(dataset, seed=cfg.seed)


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


def run_rows(runs, dtype, label="runs"):
    """Verdict rows over several side-by-side runs: the worst per-step batch loss, the worst
    final weights, and the worst History values, each against its tolerance."""
    tol = RUN_TOLERANCES[dtype]
    n = len(runs)
    loss = max(r.verdict_table().iloc[0].worst_rel_diff for r in runs)
    final = max(r.verdict_table().set_index("quantity").loc["weights, final", "worst_rel_diff"] for r in runs)
    steps = sum(r.steps for r in runs)
    rows = [(f"batch loss, every step ({steps} steps, {n} {label})", loss, tol["batch_loss"]),
            (f"weights after the last step ({n} {label})", final, tol["final_weight"])]
    hist = [r.records[(r.records.side == "rel_diff") & r.records.quantity.str.startswith("history/")]
            for r in runs]
    hist = pd.concat(hist) if hist else pd.DataFrame()
    if len(hist):
        rows.append((f"History values per epoch ({n} {label})", float(hist.value.max()), tol["history"]))
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
    ``tolerance``: the run's bounds (a ``RUN_TOLERANCES`` entry), or one bound for both."""
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
