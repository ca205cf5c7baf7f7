r"""Training side by side: the NumPy model and its Keras twin from identical weights on identical
batches, the Keras side through the real ``model.fit``.

Both sides see the same batches in the same order. Each epoch's row order is the identity
(``shuffle=False``) or drawn by :func:`scratch.batching.epoch_permutations` (NumPy cannot reproduce
``tf.data``'s shuffle), and Keras's ``fit`` gets exactly those batches: by default as one
``tf.data`` pipeline built once for all epochs (:func:`keras_dataset`), or through a Python
generator, or (``shuffle=False``) as the arrays with ``fit(x, y, shuffle=False)``.

Per step, the exact loss of the batch at the weights before the update: on the NumPy side the
one ``scratch.Sequential.fit`` trained on (its batch logs carry it as ``batch_loss``); on the
Keras side the model's own ``compute_loss`` of the batch about to be trained — the number
``fit`` averages into ``logs["loss"]`` — computed, with the weights after the update, inside
Keras's compiled training step, many steps per call (:func:`keras_step_recorder`), or from a
callback, one ``tf.function`` call per step (:func:`keras_recorder`; needed for the gradients). (The
running mean itself cannot be un-averaged to 1e-12: with hundreds of batches per epoch the
subtraction of two large running totals loses the small batch's digits.) After every step each
weight tensor of both sides is compared (or, with ``record="epoch"`` or ``N``, at each epoch's end
and every N-th step only: a long run's memory then grows with the records, not the steps), and per
epoch the History values ``fit`` reports.

The result is a tidy DataFrame with columns ``step, epoch, side, quantity, layer, value``:

* ``side`` is ``scratch`` or ``keras`` (the value of that side), or ``abs_diff`` / ``rel_diff``;
* ``quantity`` is ``batch_loss`` (layer ``model``), ``weight`` (layer ``dense/kernel`` ...: the
  sides' values are taken at the entry with the largest gap), ``gradient`` and
  ``gradient_mean_abs`` (each side's mean absolute gradient; both with ``record_gradients=True``)
  or ``history/<key>`` (per epoch, at the epoch's last step).
"""

import contextlib
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scratch import batching
from ..scratch.callbacks import Callback, TrainingDivergedError
from .diff import (FLOAT32_RUN_MARGIN, float32_run_tolerance, max_abs_diff, rel_diff_in_context,
                   tolerance)
from ..report_io import write_bytes_atomic, write_text_atomic
from .gradients import draws_masks, gradient_differences
from .table import format_table
from .. import timing
from ..timing import phase

#: The float64 bounds of a side-by-side run, per recorded quantity (float32: :func:`run_tolerances`):
#: the contract's whole-run bound for the weights, its one-batch bound for what each step computes.
RUN_TOLERANCES = {
    "float64": {"batch_loss": tolerance("step", "float64"), "weight": tolerance("run", "float64"),
                "final_weight": tolerance("run", "float64"), "history": tolerance("step", "float64"),
                "gradient": tolerance("step", "float64")},
}

#: The columns of the tidy records, and the four rows each compared value gets.
COLUMNS = ["step", "epoch", "side", "quantity", "layer", "value"]
SIDES = ["scratch", "keras", "abs_diff", "rel_diff"]


def run_tolerances(dtype, steps):
    """The bound per recorded quantity of a ``steps``-step run in ``dtype``.

    float64: :data:`RUN_TOLERANCES`. float32: every quantity that carries the run's drift (batch
    losses, weights, History values) gets :func:`~.diff.float32_run_tolerance` of the run's
    length; the per-step gradients, compared at identical weights, get the one-batch bound 1e-5.
    """
    if str(dtype) == "float64":
        return dict(RUN_TOLERANCES["float64"])
    bound = float32_run_tolerance(steps)
    return {"batch_loss": bound, "weight": bound, "final_weight": bound, "history": bound,
            "gradient": tolerance("step", "float32")}


class _Recorder:
    """One side's per-step record: the loss (and optionally the gradients) of the batch about to
    be trained, at the pre-update weights, and the weights after the update at the steps that
    ``keep`` marks (a boolean per step; ``None``: every step)."""

    def __init__(self, batches, loss_fn, grads_fn, get_weights, record_gradients, keep=None):
        self.batches, self.loss_fn, self.grads_fn = batches, loss_fn, grads_fn
        self.get_weights, self.record_gradients = get_weights, record_gradients
        self.keep = keep
        self.losses, self.weights, self.gradients = [], [], []
        self.weight_steps = []  # the step of each entry of ``weights``
        self.steps = 0
        self.diverged_at = None

    def keeps(self, step):
        return self.keep is None or bool(self.keep[step])

    def batch_begin(self):
        xb, yb, *sample_weight = self.batches[self.steps]  # (x, y[, sample weights])
        if self.record_gradients:
            loss, grads = self.grads_fn(xb, yb)
            self.gradients.append(grads)
        elif self.loss_fn is not None:
            loss = self.loss_fn(xb, yb, *sample_weight)
        if self.loss_fn is not None:
            self.losses.append(float(loss))

    def batch_end(self, mean_loss, batch_loss=None):
        if batch_loss is not None:  # the side reported the loss it trained on
            self.losses.append(float(batch_loss))
        step, self.steps = self.steps, self.steps + 1
        if self.keeps(step):
            self.weights.append([np.asarray(w, dtype=np.float64) for w in self.get_weights()])
            self.weight_steps.append(step)
        if not np.isfinite(mean_loss) and self.diverged_at is None:
            self.diverged_at = step
        return self.diverged_at is not None


class _ScratchRecorder(Callback):
    def __init__(self, recorder):
        self.r = recorder

    def on_train_batch_begin(self, batch, logs=None):
        self.r.batch_begin()

    def on_train_batch_end(self, batch, logs=None):
        self.r.batch_end(logs["loss"], logs["batch_loss"])


def scratch_recorder(model, batches, record_gradients=False, keep=None):
    """A recorder of the NumPy side (its callback: ``_ScratchRecorder(recorder)``); the batch loss
    is the one ``scratch.Sequential.fit`` computed and trained on (its batch logs report it).
    ``keep``: the steps whose weights are kept (:func:`recorded_steps`; ``None``: all)."""
    return _Recorder(batches, None, model.loss_and_gradients, model.get_weights, record_gradients,
                     keep)


def keras_recorder(model, batches, record_gradients=False, names=None, keep=None):
    """A recorder of the Keras side and its Keras callback; weights and gradients are listed in
    the order of ``names`` (``"layer/weight"``, the scratch model's), by default Keras's own;
    ``keep`` as :func:`scratch_recorder`'s.

    One ``tf.function`` call per step reads, at the end of step :math:`k`, both the weights after
    the update and the loss of batch :math:`k + 1` at those same weights (its pre-update loss).
    """
    from ..keras_side._tf import import_keras, tensorflow

    keras, tf = import_keras(), tensorflow()

    from ..keras_side import keras_variables, keras_weight_names, training_states
    from .gradients import _constant, keras_trace

    names = names or keras_weight_names(model)
    by_name = keras_variables(model)
    variables = [by_name[n] for n in names]

    # A measurement must not move the training state: restoring the dropout layers' seed states
    # makes the probe see the mask that the training step on the same batch then draws (and
    # leaves the moving statistics to the training steps).
    states = training_states(model)

    @tf.function(reduce_retracing=True)
    def probe(x, y, sample_weight=None):
        saved = [s.value * 1 for s in states]
        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True),
                                  sample_weight=sample_weight, training=True)
        for s, value in zip(states, saved):
            s.assign(value)
        return loss, [v.value for v in variables]

    def read_weights():
        # an eager snapshot: a tf.function here would be traced anew for every run, once each,
        # and TensorFlow warns about "excessive retracing" after five runs in one process
        return [tf.identity(v.value) for v in variables]

    def loss_fn(x, y, sample_weight=None):
        return probe(*_batch_tensors(x, y, sample_weight))[0].numpy()

    def grads_fn(x, y):
        saved = [s.numpy() for s in states]
        _, loss, grads = keras_trace(model, x, y, outputs=False)
        for s, value in zip(states, saved):
            s.assign(value)
        return loss, [grads[n] for n in names if n in grads]  # the trainable weights'

    recorder = _Recorder(batches, loss_fn, grads_fn, None, record_gradients, keep)

    class KerasRecorder(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if record_gradients or not recorder.losses:
                recorder.batch_begin()

        def on_train_batch_end(self, batch, logs=None):
            step = recorder.steps
            if not record_gradients and step + 1 < len(batches):
                loss, weights = probe(*_batch_tensors(*batches[step + 1]))
                recorder.losses.append(float(loss.numpy()))
            else:
                weights = read_weights()
            recorder.get_weights = lambda w=weights: [t.numpy() for t in w]
            if recorder.batch_end(float(logs["loss"])):
                self.model.stop_training = True

    return recorder, KerasRecorder()


def _batch_tensors(x, y, sample_weight=None):
    """One batch as the Keras recorder's probe takes it: inputs, targets, weights (or None)."""
    from ..keras_side._tf import tensorflow
    from .gradients import _constant

    tf = tensorflow()
    return (_constant(x), tf.constant(y),
            None if sample_weight is None else tf.constant(sample_weight))


#: The most numbers the in-graph record of one execution holds (8 MB of float64).
RECORD_BUFFER_ENTRIES = 2 ** 20


def keras_step_recorder(model, batches, steps_per_epoch, names=None, keep=None):
    """A recorder of the Keras side that records inside Keras's own compiled training step, and
    the callback that collects the record; ``train_side_by_side`` installs the wrapped step
    for its ``fit`` call (:func:`_recording`).

    Keras's ``train_step`` is wrapped, not replaced: before it runs, the wrapper computes the
    batch's loss at the pre-update weights with the model's own ``compute_loss`` (the number
    ``fit`` averages into ``logs["loss"]``); after it, it writes every weight into a buffer
    variable, at every step or (``keep``, a boolean per step) at the kept steps only. With
    ``steps_per_execution`` > 1 a whole chunk of steps runs in one call of the compiled
    function, and the callback reads the buffer once per chunk, not once per step. A chunk
    divides the epoch (``fit`` would otherwise run a chunk on into the next epoch's batches, and
    the epoch's History would average other batches); it is the longest whose kept weights fit
    :data:`RECORD_BUFFER_ENTRIES`, so a sparse record runs longer chunks.
    """
    from ..keras_side._tf import import_keras, tensorflow

    keras, tf = import_keras(), tensorflow()
    from ..keras_side import keras_variables, keras_weight_names, training_states

    names = names or keras_weight_names(model)
    by_name = keras_variables(model)
    variables = [by_name[n] for n in names]
    states = training_states(model)
    sizes = [int(np.prod(v.shape)) for v in variables]
    chunk, slots = _chunk_and_slots(steps_per_epoch, sum(sizes), keep)
    dtype = variables[0].dtype
    losses = tf.Variable(tf.zeros([chunk], dtype), trainable=False)
    weights = tf.Variable(tf.zeros([slots, sum(sizes)], dtype), trainable=False)
    count = tf.Variable(0, dtype=tf.int32, trainable=False)  # steps in this chunk
    kept = tf.Variable(0, dtype=tf.int32, trainable=False)  # weight rows in this chunk
    step = tf.Variable(0, dtype=tf.int32, trainable=False)
    marks = None if keep is None else tf.constant(np.asarray(keep, bool))
    keras_step = model.train_step

    def write_weights():
        weights[kept.value()].assign(tf.concat([tf.reshape(v.value, [-1]) for v in variables], 0))
        kept.assign_add(1)
        return tf.constant(True)

    def train_step(data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        # As the callback recorder's probe: restoring the dropout layers' seed states makes the
        # measurement see the mask that Keras's own step then draws, and draw none of its own.
        saved = [state.value * 1 for state in states]
        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True),
                                  sample_weight=sample_weight, training=True)
        for state, value in zip(states, saved):
            state.assign(value)
        logs = keras_step(data)  # Keras's own step: forward, loss, tape, optimizer
        losses[count.value()].assign(tf.cast(loss, dtype))
        if marks is None:
            write_weights()
        else:
            tf.cond(marks[step.value()], write_weights, lambda: tf.constant(False))
            step.assign_add(1)
        count.assign_add(1)
        return logs

    recorder = _Recorder(batches, None, None, None, False, keep)
    splits = np.cumsum(sizes)[:-1]

    class StepRecorder(keras.callbacks.Callback):
        #: the numbers the in-graph record holds: a loss per step and a weight row per kept step
        buffer_entries = chunk + slots * sum(sizes)

        def on_train_batch_end(self, batch, logs=None):
            n, k = int(count.numpy()), int(kept.numpy())
            chunk_losses = losses.numpy()[:n]
            rows = iter(weights.numpy()[:k] if k else ())
            count.assign(0)
            kept.assign(0)
            for loss in chunk_losses:
                recorder.losses.append(float(loss))
                if recorder.keeps(recorder.steps):
                    parts = np.split(next(rows).astype(np.float64), splits)
                    recorder.get_weights = lambda p=parts: [w.reshape(v.shape) for w, v in zip(p, variables)]
                if recorder.batch_end(float(loss)):
                    self.model.stop_training = True
                    break

    return recorder, StepRecorder(), (train_step, chunk)


def _chunk_and_slots(steps_per_epoch, width, keep):
    """The in-graph recorder's steps per execution (the largest divisor of the epoch whose kept
    weight rows, ``width`` numbers each, fit :data:`RECORD_BUFFER_ENTRIES`; at least 1) and the
    weight rows its buffer holds (the most kept steps in one chunk)."""
    best = (1, 1)
    for k in range(2, steps_per_epoch + 1):
        if steps_per_epoch % k == 0:
            slots = k if keep is None else int(np.reshape(keep, (-1, k)).sum(axis=1).max())
            if slots * width <= RECORD_BUFFER_ENTRIES:
                best = (k, max(slots, 1))
    return best


def recorded_steps(record, steps_per_epoch, epochs):
    """The steps whose weights a side-by-side run records: ``None`` (every step) or a boolean
    per step.

    Args:
        record: ``"every_step"``; ``"epoch"``, each epoch's last step; or an integer ``N``,
            every N-th step (counted from the first) and each epoch's last step.
        steps_per_epoch, epochs: the run's length.
    """
    if record == "every_step" or (_is_count(record) and record == 1):
        return None
    if record != "epoch" and not _is_count(record):
        raise ValueError(f"`record` must be 'every_step', 'epoch' or a positive integer N (every "
                         f"N-th step and each epoch's end); received record={record!r}.")
    steps = np.arange(steps_per_epoch * epochs)
    keep = (steps + 1) % steps_per_epoch == 0
    if record != "epoch":
        keep |= (steps + 1) % int(record) == 0
    return keep


def _is_count(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1


class _StepBatches:
    """Every step's batch ``(x_b, y_b)`` (``(x_b, y_b, w_b)`` with ``sample_weight``) by step number, gathered one epoch at a time when asked
    for: a list of all steps' batches would hold a gathered copy of the data per epoch."""

    def __init__(self, x, y, orders, batch_size, convert=None, sample_weight=None):
        self.x, self.y, self.orders, self.batch_size = x, y, orders, batch_size
        self.convert = convert or (lambda xb: xb)
        self.sample_weight = sample_weight  # per row; each batch then carries its rows' weights
        self.per_epoch = batching.steps_per_epoch(batching.num_rows(x), batch_size)
        self._epoch, self._batches = None, None

    def __len__(self):
        return self.per_epoch * len(self.orders)

    def __getitem__(self, step):
        if not 0 <= step < len(self):
            raise IndexError(step)
        epoch, i = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            self._epoch = epoch
            self._batches = [(self.convert(xb), yb) for xb, yb in
                             batching.batches(self.x, self.y, self.orders[epoch], self.batch_size)]
            if self.sample_weight is not None:
                slices = batching.batch_slices(self.orders[epoch], self.batch_size)
                self._batches = [(xb, yb, self.sample_weight[idx])
                                 for (xb, yb), idx in zip(self._batches, slices)]
        return self._batches[i]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def keras_dataset(x, y, orders, batch_size, sample_weight=None):
    """The batches of every epoch as one ``tf.data.Dataset``, built once: epoch ``e`` gathers the
    rows ``orders[e]`` (and their ``sample_weight``) and cuts them into ``batch_size`` batches
    (the last one shorter)."""
    from ..keras_side._tf import tensorflow

    tf = tensorflow()
    perms = tf.constant(np.stack(orders))
    xs = tf.nest.map_structure(tf.constant, x)
    ys = tf.constant(y)
    ws = None if sample_weight is None else tf.constant(sample_weight)

    def epoch(e):
        idx = perms[e]
        rows = (tf.nest.map_structure(lambda a: tf.gather(a, idx), xs), tf.gather(ys, idx))
        if ws is not None:
            rows += (tf.gather(ws, idx),)
        return tf.data.Dataset.from_tensor_slices(rows).batch(batch_size)

    return tf.data.Dataset.range(len(orders)).flat_map(epoch)


def validation_dataset(val, batch_size):
    """``val`` (``(x, y)`` or ``(x, y, sample_weight)``) in ``batch_size`` batches, in order, as one
    ``tf.data.Dataset``: the batches ``fit`` would cut from the arrays, the same numbers. ``fit``
    starts a new iterator over the validation data at every epoch, and this pipeline's is several
    times cheaper than the one Keras builds from arrays (index shuffling, gathers, prefetching)."""
    from ..keras_side._tf import tensorflow

    tf = tensorflow()
    tensors = tuple(tf.nest.map_structure(tf.constant, part) for part in val)
    return tf.data.Dataset.from_tensor_slices(tensors).batch(batch_size)


@dataclass
class Divergence:
    """Where the two sides first part: the step, the tensor, both values and the gap."""

    step: int
    epoch: int
    quantity: str
    layer: str
    scratch_value: float
    keras_value: float
    abs_diff: float
    rel_diff: float
    tolerance: float
    also: list = field(default_factory=list)
    #: a sparse record: the last step before ``step`` whose weights were compared (-1: none),
    #: when the weights were not recorded at the steps in between
    since: int = None

    def __str__(self):
        where = f"{self.quantity} of {self.layer}" if self.layer != "model" else self.quantity
        text = (
            f"First divergence at step {self.step} (epoch {self.epoch}): {where}: NumPy "
            f"{self.scratch_value:.17g} vs Keras {self.keras_value:.17g}, gap {self.abs_diff:.3g} "
            f"(relative {self.rel_diff:.3g} > {self.tolerance:.0e})."
        )
        if self.also:
            text += " Also beyond tolerance at that step: " + ", ".join(self.also) + "."
        if self.since is not None:
            before = (f"they last matched at step {self.since}" if self.since >= 0
                      else "they were not compared before")
            text += (f" The weights were not recorded at every step: {before}, so they parted at "
                     f"one of steps {self.since + 1}-{self.step}.")
        return text


def first_divergence(frame, tolerances):
    """The first step at which any per-step quantity's relative difference exceeds its tolerance.

    Within that step the batch loss and the gradients (computed before the update) come before
    the weights (after it); among the tensors of that quantity the one with the largest relative
    gap is named.

    Args:
        frame: the tidy records of a side-by-side run.
        tolerances: a number (for every quantity) or a dict quantity -> tolerance.

    Returns a :class:`Divergence` naming the worst tensor at that step (the others beyond
    tolerance are listed in ``also``), or ``None`` if the sides never part.
    """
    rel = frame[(frame.side == "rel_diff") & frame.quantity.isin(["batch_loss", "weight", "gradient"])]
    tol = rel.quantity.map(tolerances if isinstance(tolerances, dict) else (lambda q: tolerances))
    beyond = rel[rel.value > tol.astype(float)]
    if beyond.empty:
        return None
    step = int(beyond.step.min())
    at = beyond[beyond.step == step]
    # Within a step the loss and the gradients come before the update, the weights after it.
    for quantity in ("batch_loss", "gradient", "weight"):
        first = at[at.quantity == quantity]
        if len(first):
            break
    worst = first.loc[first.value.idxmax()]
    rows = frame[(frame.step == step) & (frame.quantity == worst.quantity) & (frame.layer == worst.layer)]
    value = {side: float(rows[rows.side == side].value.iloc[0]) for side in ("scratch", "keras", "abs_diff")}
    also = [f"{r.quantity} {r.layer}" for r in at.itertuples() if r.Index != worst.name]
    t = tolerances if not isinstance(tolerances, dict) else tolerances[worst.quantity]
    since = None
    if worst.quantity == "weight":
        earlier = rel.step[(rel.quantity == "weight") & (rel.step < step)]
        last = int(earlier.max()) if len(earlier) else -1
        since = last if last < step - 1 else None
    return Divergence(step, int(worst.epoch), worst.quantity, worst.layer, value["scratch"],
                      value["keras"], value["abs_diff"], float(worst.value), t, also, since)


@dataclass
class SideBySideRun:
    """A side-by-side training run: tidy records, both trained models and both histories."""

    records: pd.DataFrame
    dtype: str
    steps: int
    scratch_model: object
    keras_model: object
    scratch_history: dict
    keras_history: dict
    #: which steps' weights were recorded and compared (``train_side_by_side``'s ``record``)
    record: object = "every_step"

    @property
    def weight_steps(self):
        """The steps at which the weights were compared."""
        return np.unique(self.records.step[self.records.quantity == "weight"].to_numpy())

    def compared_weights(self):
        """What the weight comparison covered, in words: "every step", or e.g. "65 epoch ends"."""
        if self.record == "every_step":
            return "every step"
        k = len(self.weight_steps)
        return (f"{k:,} epoch ends" if self.record == "epoch" else
                f"{k:,} steps (every {self.record} steps and each epoch's end)")

    def verdict_table(self):
        """Per quantity: the worst relative difference over the run, the tolerance, ok."""
        tol = run_tolerances(self.dtype, self.steps)
        rel = self.records[self.records.side == "rel_diff"]
        rows = []

        def add(name, values, t, note=""):
            worst = float(values.max()) if len(values) else 0.0
            rows.append({"quantity": name, "worst_rel_diff": worst, "tolerance": t,
                         "ok": bool(worst <= t), "note": note})

        add(f"batch loss, every step ({self.steps})", rel[rel.quantity == "batch_loss"].value, tol["batch_loss"])
        weights = rel[rel.quantity == "weight"]
        if self.record == "every_step":
            add("weights, every step", weights.value, tol["weight"])
        else:
            add(f"weights at {self.compared_weights()}", weights.value, tol["weight"],
                f"the other {self.steps - len(self.weight_steps):,} steps' weights: not checked")
        add("weights, final", weights[weights.step == weights.step.max()].value, tol["final_weight"])
        finalized = rel[rel.quantity == "finalized_weight"]
        if len(finalized):
            add("weights after fit (EMA finalized)", finalized.value, tol["final_weight"])
        grads = rel[rel.quantity == "gradient"]
        if len(grads):
            add("gradients, every step", grads.value, tol["gradient"])
        for q in sorted(rel.quantity.unique()):
            if q.startswith("history/"):
                add(q, rel[rel.quantity == q].value, tol["history"])
        table = pd.DataFrame(rows)
        if self.dtype == "float32":
            drift = table.quantity != "gradients, every step"
            bound = f"float32 bound {FLOAT32_RUN_MARGIN} x eps x {self.steps} steps"
            table.loc[drift, "note"] = [f"{n}; {bound}" if n else bound
                                        for n in table.loc[drift, "note"]]
        return table

    @property
    def ok(self):
        return bool(self.verdict_table().ok.all())

    def first_divergence(self, tolerance=None):
        """The first step where the sides part (by the run tolerances, or ``tolerance``)."""
        if tolerance is None:
            tol = run_tolerances(self.dtype, self.steps)
            tolerance = {"batch_loss": tol["batch_loss"], "weight": tol["weight"], "gradient": tol["gradient"]}
        return first_divergence(self.records, tolerance)

    def save(self, path):
        """Write the tidy records to ``path`` (``.csv``, or ``.parquet`` where pyarrow is installed),
        atomically: a temporary file in the same folder, then a rename."""
        path = os.fspath(path)
        if path.endswith(".parquet"):
            return write_bytes_atomic(path, self.records.to_parquet(index=False))
        return write_text_atomic(path, self.records.to_csv(index=False))

    def __str__(self):
        text = format_table(self.verdict_table())
        div = self.first_divergence()
        verdict = "MATCH" if self.ok else "MISMATCH"
        text += f"\n{verdict}: {self.steps} steps, {self.dtype}."
        if self.record != "every_step":
            text += (f" Batch losses compared at all {self.steps:,} steps, weights at "
                     f"{self.compared_weights()}; the weights between them were not checked.")
        if div is not None and not self.ok:
            text += "\n" + str(div)
        return text


def train_side_by_side(model, x, y, epochs=1, batch_size=32, shuffle=True, validation_data=None,
                       record_gradients=False, keras_model=None, save=None, keras_feed="dataset",
                       record_in_graph=True, sample_weight=None, class_weight=None,
                       callbacks=None, record="every_step"):
    """Train a copy of ``model`` and its Keras twin side by side and record every step.

    Args:
        model: a compiled ``scratch.Sequential``; it is copied (with a fresh optimizer), not trained.
        x, y: training data.
        epochs, batch_size, shuffle: as ``fit``.
        validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``,
            evaluated after every epoch on both sides.
        record_gradients: also compare each step's gradients (computed again on both sides at
            the step's pre-update weights; slower).
        keras_model: a twin to use instead of building one (its weights must equal ``model``'s).
        save: a path to write the tidy records to (see :meth:`SideBySideRun.save`).
        keras_feed: how Keras's ``fit`` gets the batches (the same batches each way):
            ``"dataset"`` (default) one ``tf.data`` pipeline for all epochs, built once;
            ``"generator"`` a Python generator; ``"arrays"`` (``shuffle=False`` only) the arrays
            themselves, ``fit(x, y, shuffle=False)``.
        record_in_graph: with the ``"dataset"`` feed and no ``record_gradients``, record Keras's
            losses and weights inside its compiled training step, many steps per call
            (:func:`keras_step_recorder`); False: from a callback, one call per step (slower,
            the same numbers bit for bit).
        sample_weight, class_weight: as ``fit`` (one or the other): given to both sides' ``fit``,
            Keras's fed the same weights per batch (in its dataset or generator, or as
            ``fit(sample_weight=...)``) and its ``class_weight`` applied by Keras itself. Keras's
            tf.data path holds class weights as float32 (``tf.convert_to_tensor`` of Python
            floats; its array path keeps floatx), so with the ``"dataset"`` feed the NumPy side
            gets the class weights Keras holds. Not with ``record_gradients``.
        callbacks: ``scratch.callbacks`` objects (EarlyStopping, ReduceLROnPlateau,
            LearningRateScheduler, TerminateOnNaN, CSVLogger) for the NumPy side; Keras's side
            gets the twin of each (:func:`~..keras_side.callbacks.keras_callback`; a CSVLogger's
            twin writes ``<name>.keras<ext>``). The records then add ``history/epochs`` and
            ``history/steps``, each side's count, so that a different stop is a MISMATCH.
        record: which steps' weights are kept and compared: ``"every_step"`` (default);
            ``"epoch"``, each epoch's last step; or an integer ``N``, every N-th step and each
            epoch's last. The batch loss is compared at every step either way; a sparse record
            keeps the run's memory at O(parameters x recorded steps), not x steps, and leaves the
            weights between recorded steps not checked (the verdict table says which were).

    Returns a :class:`SideBySideRun`. If the loss becomes NaN or infinite, both sides stop and a
    ``TrainingDivergedError`` names the step of each side.
    """
    with phase("comparison"):
        return _train_side_by_side(model, x, y, epochs, batch_size, shuffle, validation_data,
                                   record_gradients, keras_model, save, keras_feed,
                                   record_in_graph, sample_weight, class_weight, callbacks, record)


def _train_side_by_side(model, x, y, epochs, batch_size, shuffle, validation_data,
                        record_gradients, keras_model, save, keras_feed, record_in_graph,
                        sample_weight, class_weight, callbacks, record):
    from ..keras_side import to_keras

    from ..keras_side import keras_inputs
    _check_run_arguments(batch_size, epochs, shuffle, keras_feed)
    _check_weight_arguments(sample_weight, class_weight, record_gradients, keras_feed)
    if record_gradients and draws_masks(model):
        raise ValueError("record_gradients=True computes each step's gradients again, which would "
                         "draw another Dropout mask; pass record_gradients=False (the batch losses "
                         "and weights of every step are still compared).")
    batch_size, epochs = int(batch_size), int(epochs)
    if record_gradients and record not in ("every_step", 1):
        raise ValueError("record_gradients=True compares each step's gradients at the weights "
                         "before that step, which needs every step's weights; pass "
                         f"record='every_step' (received record={record!r}).")
    ours = model.astype(model.dtype)  # a deep copy
    ours.optimizer = model.optimizer.fresh()
    x, y = ours.prepare(x, y)
    keep = recorded_steps(record, batching.steps_per_epoch(batching.num_rows(x), batch_size), epochs)
    if keras_model is None:
        keras_model = to_keras(ours)
    keras_cw, ours_cw = _class_weights_both_sides(ours, y, class_weight, keras_feed)
    weights = ours.sample_weights(y, sample_weight, ours_cw)  # per row, each side's weights
    orders = ours.epoch_orders(batching.num_rows(x), epochs, shuffle)
    slices = [batching.batch_slices(order, batch_size) for order in orders]
    batches = _StepBatches(x, y, orders, batch_size)
    k_batches = _StepBatches(x, y, orders, batch_size, lambda xb: keras_inputs(ours, xb), weights)
    k_callbacks = [_keras_twin(cb) for cb in callbacks or []]

    initial = [w.copy() for w in ours.get_weights()]
    # The NumPy side's gradients are computed afterwards at Keras's pre-update weights (below).
    s_rec = scratch_recorder(ours, batches, keep=keep)
    step = None
    if record_in_graph and keras_feed == "dataset" and not record_gradients:
        k_rec, kcb, step = keras_step_recorder(keras_model, k_batches, len(slices[0]),
                                               ours.weight_names(), keep)
    else:
        k_rec, kcb = keras_recorder(keras_model, k_batches, record_gradients, ours.weight_names(),
                                    keep)
    diverged = None
    try:
        with np.errstate(over="ignore", invalid="ignore"), phase("numpy_side"):
            s_hist = ours.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=shuffle, verbose=0,
                              validation_data=validation_data, sample_weight=sample_weight,
                              class_weight=ours_cw,
                              callbacks=list(callbacks or []) + [_ScratchRecorder(s_rec)]).history
    except TrainingDivergedError as exc:
        diverged, s_hist = exc, (exc.history.history if exc.history else {})
    val = None
    if validation_data is not None:
        xv, yv = ours.prepare(validation_data[0], validation_data[1], "x_val", "y_val")
        val = (keras_inputs(ours, xv), yv,
               *[ours.sample_weights(yv, w, name="sample_weight_val") for w in validation_data[2:]])
    weighting = {"sample_weight": None if sample_weight is None else weights,
                 "class_weight": keras_cw}
    k_hist = _keras_fit(keras_model, keras_feed, keras_inputs(ours, x), y, orders, k_batches,
                        batch_size, len(slices[0]), epochs, val, k_callbacks + [kcb], step,
                        weighting)
    _raise_if_diverged(diverged, k_rec)
    records = _records(ours, slices, batches, s_rec, k_rec, initial, record_gradients, s_hist,
                       k_hist)
    if callbacks:
        records = _with_run_lengths(records, s_rec, k_rec, s_hist, k_hist)
    if ours.optimizer.use_ema:  # both fits end by setting the weights to their moving averages
        records = pd.concat([records, _finalized_rows(
            ours, keras_model, len(s_rec.losses) - 1, max(len(s_hist.get("loss", [])) - 1, 0))],
            ignore_index=True)
    run = SideBySideRun(records, ours.dtype, len(s_rec.losses), ours, keras_model, s_hist, k_hist,
                        "every_step" if keep is None else record)
    if save is not None:
        run.save(save)
    return run


def _records(ours, slices, batches, s_rec, k_rec, initial, record_gradients, s_hist, k_hist):
    """The tidy records: every step's rows (for all steps at once unless the gradients are
    recomputed step by step), then each epoch's History values at the epoch's last step."""
    if record_gradients:
        steps = None
        rows = _step_rows(ours.weight_names(), slices, batches, s_rec, k_rec, initial,
                          ours.astype(ours.dtype), ours.dtype)
    else:
        steps = _step_frame(ours.weight_names(), slices, s_rec, k_rec, ours.dtype)
        rows = []
    last_step = np.cumsum([len(epoch) for epoch in slices]) - 1
    for key in k_hist:
        for e, (hs, hk) in enumerate(zip(s_hist.get(key, []), k_hist[key])):
            rows += pair_rows(int(last_step[e]), e, f"history/{key}", "model", hs, hk)
    records = pd.DataFrame(rows, columns=COLUMNS)
    if steps is None:
        return records
    return pd.concat([steps, records.astype(steps.dtypes.to_dict())], ignore_index=True)


def _finalized_rows(ours, keras_model, step, epoch):
    """The rows of the weights each ``fit`` leaves (after ``finalize_variable_values``)."""
    from ..keras_side import keras_weights_by_name

    names = ours.weight_names()
    theirs = keras_weights_by_name(keras_model, names)
    scale = max(float(np.max(np.abs(w))) for w in theirs)
    rows = [r for name, ws, wk in zip(names, ours.get_weights(), theirs)
            for r in pair_rows(step, epoch, "finalized_weight", name, ws, wk, scale, ours.dtype)]
    return pd.DataFrame(rows, columns=COLUMNS)


def _check_run_arguments(batch_size, epochs, shuffle, keras_feed):
    for name, value in (("batch_size", batch_size), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer; received {name}={value!r}.")
    if keras_feed not in ("dataset", "generator", "arrays") or (keras_feed == "arrays" and shuffle):
        raise ValueError(
            f"`keras_feed` must be 'dataset', 'generator' or (with shuffle=False) 'arrays'; "
            f"received {keras_feed!r}."
        )


def _keras_fit(keras_model, feed, x, y, orders, batches, batch_size, steps_per_epoch, epochs, val,
               callbacks, step=None, weighting=None):
    """Keras's own ``model.fit`` over exactly ``batches``, fed as ``feed`` says; its History.
    ``step``: ``(recording train_step, steps per execution)`` of :func:`keras_step_recorder`;
    ``weighting``: ``{"sample_weight": per-row weights or None, "class_weight": dict or None}``
    (the per-row weights travel in the dataset, in the generator's batches, or as
    ``fit(sample_weight=...)``; the class weights go to ``fit``)."""
    from ..keras_side._tf import quiet_stderr

    weighting = weighting or {}
    sample_weight = weighting.get("sample_weight")
    kwargs = dict(epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks,
                  class_weight=weighting.get("class_weight"),
                  validation_data=None if val is None else validation_dataset(val, batch_size))
    if feed == "arrays":
        data, kwargs["batch_size"] = (x, y), batch_size
        kwargs["sample_weight"] = sample_weight
    else:
        kwargs.update(steps_per_epoch=steps_per_epoch)
        source = (keras_dataset(x, y, orders, batch_size, sample_weight) if feed == "dataset"
                  else (batch for batch in batches))
        data = (source,)
    if timing.enabled():
        kwargs["callbacks"] = [_first_calls()] + list(callbacks)
    with quiet_stderr(), _recording(keras_model, step), phase("keras_fit"):
        return keras_model.fit(*data, **kwargs).history


def _first_calls():
    """A Keras callback that counts, within ``keras_fit``, the first training call and the first
    validation pass (each traces its compiled function) under phases of their own."""
    from ..keras_side._tf import import_keras

    class FirstCalls(import_keras().callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.start, self.seen = None, set()

        def on_train_begin(self, logs=None):
            self.start = timing.clock()

        def on_test_begin(self, logs=None):
            self.start = timing.clock()

        def _first(self, what):
            if what not in self.seen:
                self.seen.add(what)
                wall, cpu = (now - then for now, then in zip(timing.clock(), self.start))
                timing.move("keras_fit", what, wall, cpu)

        def on_train_batch_end(self, batch, logs=None):
            self._first("keras_first_train_call")

        def on_test_end(self, logs=None):
            self._first("keras_first_validation")

    return FirstCalls()


@contextlib.contextmanager
def _recording(keras_model, step):
    """Keras's ``fit`` with the recording ``train_step`` and ``steps_per_execution`` of
    ``step``; the model's own are back afterwards (its compiled functions rebuilt on next use)."""
    if step is None:
        yield
        return
    train_step, chunk = step
    saved = keras_model.steps_per_execution
    keras_model.train_step, keras_model.steps_per_execution = train_step, chunk
    keras_model.train_function = keras_model.test_function = None
    try:
        yield
    finally:
        del keras_model.train_step  # the instance attribute; the class's method shows again
        keras_model.steps_per_execution = saved
        keras_model.train_function = keras_model.test_function = None


def _check_weight_arguments(sample_weight, class_weight, record_gradients, keras_feed):
    if sample_weight is None and class_weight is None:
        return
    if record_gradients:
        raise ValueError("record_gradients=True recomputes each step's gradients without the "
                         "sample weights; pass record_gradients=False with sample_weight or "
                         "class_weight (the batch losses and weights of every step are still "
                         "compared).")
    if class_weight is not None and keras_feed == "generator":
        raise ValueError("Keras's fit refuses `class_weight` with a Python generator; use "
                         "keras_feed='dataset' (the default) or 'arrays' (shuffle=False).")


def _class_weights_both_sides(model, y, class_weight, keras_feed):
    """``(for Keras's fit, for the NumPy side's fit)``: the class weights, checked, with a key
    for every class (a missing class weighs 1 either way; Keras's tf.data path would index past
    its table instead). With the dataset feed the NumPy side gets them as Keras's tf.data path
    holds them (``tf.convert_to_tensor`` of the Python numbers: float32)."""
    if class_weight is None:
        return None, None
    model.sample_weights(y, class_weight=class_weight)  # the NumPy side's checks and messages
    n_classes = max(model.output_units, 2)
    full = {c: class_weight.get(c, 1.0) for c in range(n_classes)}
    if keras_feed != "dataset":
        return full, full
    from ..keras_side._tf import tensorflow

    held = tensorflow().convert_to_tensor([full[c] for c in range(n_classes)]).numpy()
    return full, {c: float(w) for c, w in enumerate(held)}


def _keras_twin(callback):
    """The Keras twin of a NumPy callback; a CSVLogger's writes ``<name>.keras<ext>``."""
    from ..keras_side.callbacks import keras_callback

    if hasattr(callback, "filename"):
        stem, ext = os.path.splitext(callback.filename)
        return keras_callback(callback, filename=f"{stem}.keras{ext}")
    return keras_callback(callback)


def _with_run_lengths(records, s_rec, k_rec, s_hist, k_hist):
    """``records`` and the epochs and steps each side ran (``history/epochs``, ``history/steps``)
    at the last step: a callback that stops one side earlier than the other is a mismatch."""
    epochs = (len(next(iter(s_hist.values()), [])), len(next(iter(k_hist.values()), [])))
    steps = (s_rec.steps, k_rec.steps)
    last = max(steps) - 1
    rows = (pair_rows(last, max(epochs) - 1, "history/epochs", "model", *epochs)
            + pair_rows(last, max(epochs) - 1, "history/steps", "model", *steps))
    return pd.concat([records, pd.DataFrame(rows, columns=COLUMNS).astype(records.dtypes.to_dict())],
                     ignore_index=True)


def _raise_if_diverged(diverged, k_rec):
    if diverged is None and k_rec.diverged_at is None:
        return
    k_step = k_rec.diverged_at
    s_step = diverged.step if diverged is not None else None
    raise TrainingDivergedError(
        f"The loss became NaN or infinite: NumPy side at step {s_step}, Keras side at step "
        f"{k_step}; both stopped there. Lower the learning rate or clip the gradients.",
        s_step if s_step is not None else k_step, None, None,
    )


def _step_frame(names, slices, s_rec, k_rec, dtype):
    """The rows of :func:`_step_rows` without gradients, computed for all steps at once: the
    batch loss of every step, and every weight tensor at the steps whose weights were recorded,
    per tensor the recorded steps' values stacked into one ``(records, entries)`` array. The same
    numbers as :func:`pair_rows` bit for bit (the same operations, element by element, in the
    same precision), in the same row order."""
    n = min(len(s_rec.losses), len(k_rec.losses), k_rec.steps)
    at = np.asarray([s for s in k_rec.weight_steps if s < n], dtype=np.int64)
    step_epoch = np.array([e for e, epoch in enumerate(slices) for _ in epoch], dtype=np.int64)
    loss_pair = (np.asarray(s_rec.losses[:n], np.float64)[:, None],
                 np.asarray(k_rec.losses[:n], np.float64)[:, None])
    blocks = [(np.arange(n), ["batch_loss"], ["model"], _pair_values([loss_pair], np.zeros(n), "float64"))]
    if len(at) and len(names):
        pairs = [(np.stack([np.asarray(w[j], np.float64).reshape(-1) for w in s_rec.weights[:len(at)]]),
                  np.stack([np.asarray(w[j], np.float64).reshape(-1) for w in k_rec.weights[:len(at)]]))
                 for j in range(len(names))]
        blocks.append((at, ["weight"] * len(names), list(names), _pair_values(pairs, None, dtype)))
    steps, quantity, layer, values = [], [], [], []
    for where, quantities, layers, vals in blocks:
        per_step = 4 * len(layers)
        steps.append(np.repeat(where, per_step))
        quantity.append(np.tile(np.repeat(quantities, 4), len(where)).astype(object))
        layer.append(np.tile(np.repeat(layers, 4), len(where)).astype(object))
        values.append(vals.reshape(-1))
    # per step, the loss rows, then the weight rows (a stable sort keeps each block's order)
    steps = np.concatenate(steps)
    order = np.argsort(steps, kind="stable")
    return pd.DataFrame({
        "step": steps[order], "epoch": step_epoch[steps[order]],
        "side": np.tile(np.array(SIDES, dtype=object), len(steps) // 4),
        "quantity": np.concatenate(quantity)[order], "layer": np.concatenate(layer)[order],
        "value": np.concatenate(values)[order]})


def _pair_values(pairs, context, dtype):
    """Per row (step) and pair of ``(steps, entries)`` arrays: both sides' values at the entry
    with the largest gap, the gap, and the relative gap of :func:`_rel` with ``context`` per step
    (``None``: the model's largest weight at that step), as an array ``(steps, pairs, 4)``."""
    m = len(pairs[0][1])
    tops = [np.max(np.abs(b), axis=1) if b.shape[1] else np.zeros(m) for _, b in pairs]
    if context is None:
        context = np.max(np.stack(tops), axis=0)
    values = np.empty((m, len(pairs), 4))
    for j, ((a, b), top) in enumerate(zip(pairs, tops)):
        gap = np.abs(a - b)
        at = np.argmax(gap, axis=1) if gap.shape[1] > 1 else np.zeros(m, dtype=int)
        worst = np.max(gap, axis=1) if gap.shape[1] else np.zeros(m)
        values[:, j, 0] = a[np.arange(m), at] if a.shape[1] else 0.0
        values[:, j, 1] = b[np.arange(m), at] if b.shape[1] else 0.0
        values[:, j, 2] = worst
        values[:, j, 3] = _rel(worst, top, context, dtype)
    return values


def _rel(gap, top, context, dtype):
    """:func:`~.diff.rel_diff_in_context` over arrays: ``gap`` (max|a - b|), ``top`` (max|b|)
    and ``context`` per step. The zero-level threshold is computed, and compared, in ``dtype``
    as the scalar function's NumPy arithmetic does (a Python float meeting a float32 is float32)."""
    eps = np.finfo(dtype).eps
    threshold = (64 * eps) * context.astype(dtype)
    zero_level = (context > 0) & (top.astype(dtype) <= threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(gap == 0, 0.0, np.where((top == 0) | ~np.isfinite(gap), np.inf, gap / top))
        in_context = np.where(gap != 0, gap / np.where(context > 0, context, 1.0), 0.0)
    return np.where(zero_level, in_context, own)


def _step_rows(names, slices, batches, s_rec, k_rec, initial, probe, dtype):
    """Per step: the batch loss, every weight tensor after the update and (with a ``probe`` model)
    the gradients at the step's pre-update weights, both sides."""
    step_epoch = [e for e, epoch in enumerate(slices) for _ in epoch]
    rows = []
    for step, (ls, lk) in enumerate(zip(s_rec.losses, k_rec.losses[:len(k_rec.weights)])):
        e = step_epoch[step]
        rows += pair_rows(step, e, "batch_loss", "model", ls, lk)
        scale = max(float(np.max(np.abs(w))) for w in k_rec.weights[step])
        for name, ws, wk in zip(names, s_rec.weights[step], k_rec.weights[step]):
            rows += pair_rows(step, e, "weight", name, ws, wk, scale, dtype)
        if probe is not None:
            pre = initial if step == 0 else k_rec.weights[step - 1]
            rows += _gradient_rows(probe, step, e, batches[step], pre, k_rec.gradients[step],
                                   probe.trainable_weight_names())
    return rows


def _gradient_rows(probe, step, epoch, batch, weights, keras_grads, names):
    """The rows of one step's gradients: NumPy's backprop and Keras's tape on the same batch at
    the same weights (Keras's before the step's update), so that the comparison measures the
    step's arithmetic alone; how far the two trajectories drift is what the weight rows measure.
    (Compared at each side's own weights, a gradient inherits that drift, amplified where its
    batch terms cancel: a deep network's output bias reached 2e-12 that way after 20 steps.)"""
    xb, yb = batch
    probe.set_weights([np.asarray(w, dtype=probe.dtype) for w in weights])
    _, grads = probe.loss_and_gradients(xb, yb)
    rows = []
    diffs = gradient_differences(probe, xb, yb, grads, keras_grads)
    for name, gs, gk, (rel, _) in zip(names, grads, keras_grads, diffs):
        rows += pair_rows(step, epoch, "gradient", name, gs, gk, rel=rel)
        rows += [(step, epoch, "scratch", "gradient_mean_abs", name, float(np.mean(np.abs(gs)))),
                 (step, epoch, "keras", "gradient_mean_abs", name, float(np.mean(np.abs(gk))))]
    return rows


def pair_rows(step, epoch, quantity, layer, ours, theirs, context_scale=0.0, dtype="float64",
               rel=None):
    """Four tidy rows: each side's value (at the entry with the largest gap), abs and rel diff.

    With a ``context_scale`` (the model's largest weight or gradient at that step), a tensor that
    is zero up to round-off is compared against it (:func:`rel_diff_in_context`).
    """
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    gap = np.abs(a - b)
    i = int(np.argmax(gap)) if gap.size > 1 else 0
    return [
        (step, epoch, "scratch", quantity, layer, float(a.reshape(-1)[i])),
        (step, epoch, "keras", quantity, layer, float(b.reshape(-1)[i])),
        (step, epoch, "abs_diff", quantity, layer, max_abs_diff(a, b)),
        (step, epoch, "rel_diff", quantity, layer,
         rel_diff_in_context(a, b, context_scale, dtype)[0] if rel is None else rel),
    ]
