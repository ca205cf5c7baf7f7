"""What every question shares: the answer it measures, its verdict rows, Keras's per-batch
numbers, and the small data and models the questions run on.

A question's numbers are of three kinds, and the report keeps them apart:

* what **Keras** prints (``model.fit``'s History, ``evaluate``, a ``tf.GradientTape`` gradient);
* what the **twin** (the NumPy side) computes for the same thing;
* what a student's own formula, or the **first principles**, give.

Only equalities that must hold are verdict rows, each with the contract's finite bound
(:data:`~scratch_vs_keras.compare.diff.TOLERANCES`, :data:`~scratch_vs_keras.compare.training.RUN_TOLERANCES`);
the puzzling gaps (the student's number against Keras's) are shown in the numbers table, measured.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...compare.diff import rel_diff, tolerance
from ...compare.training import RUN_TOLERANCES
from ...data import load_dataset, prepare
from ...scratch import Input, Sequential, callbacks
from ...scratch.layers import Dense

#: The bound of one forward/backward computation (a loss, a gradient, ``evaluate``) in float64.
STEP = tolerance("step", "float64")
#: The bound of a History value of a short ``fit`` in float64.
HISTORY = RUN_TOLERANCES["float64"]["history"]
#: An optimizer update given the same gradient: identical (DESIGN section 2).
IDENTICAL = 0.0


@dataclass
class Answer:
    """A question's measurement.

    ``numbers``: the puzzling numbers, one row each (``number``, ``Keras``, ``twin``,
    ``first principles``, ``student``; a side that has no such number holds NaN).
    ``checks``: verdict rows ``(quantity, worst relative difference, bound)``.
    ``finding``: one or two sentences with the measured numbers, for the report's summary.
    """

    numbers: pd.DataFrame
    checks: list
    finding: str
    figures: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    tables: list = field(default_factory=list)


def agree(quantity, ours, theirs, bound=STEP):
    """A verdict row: ``ours`` against ``theirs``, relative to ``theirs``'s largest magnitude."""
    return (quantity, rel_diff(ours, theirs), bound)


def numbers(rows):
    """The numbers table from ``(number, keras, twin, first_principles, student)`` tuples."""
    frame = pd.DataFrame(rows, columns=["number", "Keras", "twin", "first principles", "student"])
    return frame.astype({c: float for c in frame.columns[1:]})


def binary_data(rows, seed=0):
    """The first ``rows`` standardized breast-cancer training rows: ``(x, y)``."""
    d = prepare(load_dataset("breast_cancer"), seed=seed)
    return d.x_train[:rows], d.y_train[:rows].astype(float)


def regression_data(rows, seed=0):
    """The first ``rows`` standardized diabetes training rows: ``(x, y)``."""
    d = prepare(load_dataset("diabetes"), seed=seed)
    return d.x_train[:rows], d.y_train[:rows].astype(float)


def mlp(n_in, hidden, out, loss, optimizer="sgd", seed=0, dtype="float64", out_activation="sigmoid",
        **dense):
    """A compiled one-hidden-layer scratch MLP (``hidden`` tanh units, ``out`` outputs)."""
    model = Sequential([Input((n_in,)), Dense(hidden, activation="tanh", **dense),
                        Dense(out, activation=out_activation)], seed=seed, dtype=dtype)
    model.compile(optimizer=optimizer, loss=loss)
    return model


class BatchLog(callbacks.Callback):
    """The twin's exact loss of every batch (before its update) and the penalty it included."""

    def __init__(self):
        super().__init__()
        self.losses, self.penalties = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.penalties.append(float(self.model.penalty()))

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["batch_loss"]))


def keras_running_losses(keras):
    """A Keras callback keeping ``logs["loss"]`` after every batch (fit's running mean)."""

    class Running(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.means = []

        def on_train_batch_end(self, batch, logs=None):
            self.means.append(float(logs["loss"]))

    return Running()


def unaveraged(means, sizes):
    r"""Batch losses from a running mean: :math:`L_i = (m_i N_i - m_{i-1} N_{i-1}) / B_i`, with
    :math:`N_i` the rows seen up to batch :math:`i` (exact to round-off for a few batches)."""
    seen = np.cumsum(sizes)
    totals = np.asarray(means) * seen
    return np.diff(np.concatenate([[0.0], totals])) / np.asarray(sizes)


def batch_sizes(n, batch_size):
    """The batch sizes ``fit`` takes over ``n`` rows: full batches, then the shorter last one."""
    full, rest = divmod(n, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def keras_and_tf():
    from ...keras_side._tf import import_keras, tensorflow

    return import_keras(), tensorflow()
