r"""Training, as Keras's ``Trainer``: ``compile``, ``fit``, ``evaluate``, ``predict``.

:class:`Trainer` is a base of :class:`scratch.Model`; it reads the model's graph through the
model's own methods (``prepare``, ``_pass``, ``forward``) and adds the loop around them.
One ``fit`` step on a batch :math:`(X_b, Y_b)`:

1. forward, the loss :math:`J` (penalties included, each sample's loss weighted by its
   ``sample_weight``) and backward: ``model._pass``;
2. a NaN or infinite :math:`J` stops training (``TrainingDivergedError`` names the step), unless
   a ``TerminateOnNaN`` callback takes that decision, as in Keras;
3. ``optimizer.apply(gradients, weights)``: one step on the model's flat weight buffer where the
   optimizer may treat all weights as one tensor, else tensor by tensor;
4. the batch's callbacks; ``model.stop_training`` (set by a callback) ends the training after
   the batch, or after the epoch when set at its end.

The batches are :func:`scratch.batching.batches` of the row orders :meth:`Trainer.epoch_orders`
gives, so a comparison harness can feed Keras the very same batches.

**Sample weights** (Keras's semantics): with per-sample weights :math:`w_i` the batch's data loss
under the default reduction is :math:`J = \frac1B \sum_i w_i \ell_i`, divided by the batch's
number of samples :math:`B`, not by :math:`\sum_i w_i`. ``class_weight`` ``{c: w_c}`` gives each
sample the weight of its class (the argmax of a one-hot row, else the rounded label; a class
without a key weighs 1), as Keras's ``fit`` does with arrays. History's ``loss`` stays the
batch-size-weighted mean of these batch losses, and the compiled metrics stay unweighted (Keras
weights only ``weighted_metrics``).
"""

import math
import numbers
from collections import namedtuple

import numpy as np

from . import batching
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._validation import as_numeric_array, check_number, check_positive_int
from .callbacks import History, TerminateOnNaN, TrainingDivergedError

#: What every epoch of one ``fit`` shares: the resolved metric names, the callbacks (and those
#: that listen to batches), the History, whether steps go to the flat weight buffer, and
#: whether a non-finite loss is left to a ``TerminateOnNaN`` callback.
_FitRun = namedtuple("_FitRun", ["metrics", "callbacks", "batch_callbacks", "history", "flat",
                                 "nan_to_callback"])


class Trainer:
    """compile / fit / evaluate / predict for a model with a forward and backward pass."""

    def _init_training_state(self):
        self.loss = None
        self.optimizer = None
        self.metrics = []
        self.loss_weights = None
        self.compiled = False
        self.stop_training = False  # a callback sets it to end fit (Keras's flag)
        self._fit_calls = 0  # the n-th fit draws its shuffles from its own stream

    # -- compile --------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None):
        r"""Set the loss (and the optimizer and metrics, used by training) as ``keras.Model.compile``.

        ``loss_weights`` (a float), as in Keras, multiplies the data loss (not the penalties):
        :math:`J = w\,L + \sum \Omega`.
        """
        check_number(loss_weights, "loss_weights", low=0, closed="neither", allow_none=True,
                     what="a positive number (one output)")
        self.loss_weights = None if loss_weights is None else float(loss_weights)
        self.optimizer = _optimizers.get(optimizer)
        self.loss = _losses.get(loss)
        self.metrics = [_metrics.check_name(m) for m in (metrics or [])]
        self.compiled = True
        if self.built:
            self._check_loss_fits_output()

    def _check_loss_fits_output(self):
        """The output layer suits the loss (the loss says what it needs: ``check_output_layer``)."""
        if self.loss is None or not self.layers:
            return
        last = self.layers[-1]
        if not last.has_preactivation:
            raise ValueError(f"The last layer must be a Dense layer (the output); received {last!r}.")
        act = last.activation.name
        if act == "softmax" and last.units == 1:
            raise ValueError(
                f"The output layer {last.name!r} has a softmax over a single unit, which always "
                f"outputs 1 (the loss {self.loss.name!r} could never change). For two classes use "
                "Dense(1, activation='sigmoid') with binary_crossentropy, or Dense(2, "
                "activation='softmax') with (sparse_)categorical_crossentropy."
            )
        self.loss.check_output_layer(last.units, act, last.name)

    def _require_loss(self):
        if not self.compiled or self.loss is None:
            raise ValueError(
                "The model has no loss: call model.compile(optimizer=..., loss=...) first."
            )

    # -- inference ------------------------------------------------------------------------------
    def __call__(self, x):
        x, _ = self.prepare(x)
        return self.forward(x)[-1].a

    def predict(self, x, batch_size=None, verbose=0):
        """The network's output for ``x`` (all rows at once, or ``batch_size`` rows at a time)."""
        x, _ = self.prepare(x)
        if batch_size is None:
            return self.forward(x)[-1].a
        batch_size = check_positive_int(batch_size, "batch_size")
        return np.concatenate(
            [self.forward(batching.take_rows(x, slice(i, i + batch_size)))[-1].a
             for i in range(0, batching.num_rows(x), batch_size)]
        )

    def compute_loss(self, x, y):
        """The batch loss as ``keras.Model.compute_loss``: reduced data loss + penalties."""
        x, y = self.prepare(x, y)
        return self.loss_of_batch(x, y)

    # -- evaluate -------------------------------------------------------------------------------
    def evaluate(self, x, y, batch_size=32, verbose=0, sample_weight=None, return_dict=False):
        """Loss (and compiled metrics) over ``(x, y)`` as ``keras.Model.evaluate``: batch-size-weighted
        means over batches of ``batch_size`` rows (Keras's default 32), penalties included.

        ``sample_weight``: one weight per row, shape ``(n,)`` (see the module's note). Returns the
        loss, or ``[loss, metric, ...]`` when metrics were compiled, or a dict with
        ``return_dict=True``.
        """
        x, y = self.prepare(x, y)
        batch_size = check_positive_int(batch_size, "batch_size")
        weights = self.sample_weights(y, sample_weight)
        logs = self._evaluate_arrays(x, y, batch_size, weights)
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def _evaluate_arrays(self, x, y, batch_size, sample_weight=None):
        names = [(m, _metrics.resolve(m, y, self.output_units)) for m in self.metrics]
        trackers = {"loss": _metrics.Mean(), **{m: _metrics.Mean() for m, _ in names}}
        for xb, yb, wb in _weighted_batches(x, y, sample_weight, None, batch_size):
            caches = self.forward(xb)
            value, _, _ = self._data_loss(yb, caches, wb)
            size = len(yb)
            trackers["loss"].update(value + self.penalty(), size)
            for m, resolved in names:
                trackers[m].update(np.sum(_metrics.compute(resolved, yb, caches[-1].a)) / size, size)
        return {k: t.result() for k, t in trackers.items()}

    def sample_weights(self, y, sample_weight=None, class_weight=None, name="sample_weight"):
        """The per-row weights ``fit`` trains with, shape ``(n,)`` in the model's dtype (``None``
        when neither is given): ``sample_weight`` checked, or each row's ``class_weight``.
        ``y``: targets from :meth:`prepare`. Raises ValueError naming the argument."""
        if sample_weight is not None and class_weight is not None:
            raise ValueError(
                "`class_weight` and `sample_weight` cannot be given together (Keras refuses "
                "them too): multiply each row's class weight into `sample_weight` instead."
            )
        if class_weight is not None:
            return class_weights(y, class_weight, self.output_units, self.dtype)
        if sample_weight is None:
            return None
        return check_sample_weight(sample_weight, len(y), self.dtype, name)

    # -- fit ------------------------------------------------------------------------------------
    def epoch_orders(self, n, epochs, shuffle=True):
        """The row orders (index arrays) the model's next ``fit`` over ``n`` rows visits, one per
        epoch: :func:`scratch.batching.epoch_permutations` from the seed and the number of fits
        so far (``np.arange(n)`` each epoch with ``shuffle=False``)."""
        if not shuffle:
            return [np.arange(n)] * epochs
        return batching.epoch_permutations(self.seed, n, epochs, self._fit_calls)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None):
        """Train with mini-batch gradient descent, as ``keras.Model.fit`` with arrays.

        Args:
            x, y: training data (validated as for ``loss_and_gradients``).
            batch_size: rows per step (Keras's default 32); the last batch of an epoch may be
                shorter and is averaged over its own size.
            epochs: passes over the data (>= 1).
            verbose: 0 silent, 1 (``"auto"``) a progress bar per epoch, 2 one line per epoch.
            callbacks: ``scratch.callbacks.Callback`` objects, called in order (the History last).
            validation_split: hold out the *last* fraction of the rows (before shuffling), their
                ``sample_weight`` with them.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``; takes
                precedence over ``validation_split``.
            shuffle: visit the rows in a new order each epoch (:meth:`epoch_orders`).
            class_weight: ``{class index: weight}``; each training row weighs its class's weight
                (1 for a class without a key). Not with ``sample_weight``.
            sample_weight: one non-negative weight per training row, shape ``(n,)``.

        Each step: forward, loss :math:`J` (penalties included), backward, then
        ``optimizer.apply(gradients, weights)``. Returns a ``History`` whose ``history`` has Keras's
        keys: ``loss`` (the batch-size-weighted mean of the pre-update batch losses of the epoch),
        each compiled metric, ``val_loss``/``val_<metric>`` with validation data, and what the
        callbacks add (``learning_rate``). Callbacks' batch logs have Keras's running values plus
        ``batch_loss``, the exact loss of the batch just trained (before its update). A callback
        ends training with ``model.stop_training = True``. A NaN or infinite loss stops training
        with a ``TrainingDivergedError`` that names the step (with a ``TerminateOnNaN`` callback:
        as in Keras, after the batch, without an error).
        """
        self._require_loss()
        x, y = self.prepare(x, y)
        batch_size = 32 if batch_size is None else check_positive_int(batch_size, "batch_size")
        epochs = check_positive_int(epochs, "epochs")
        verbose = 1 if verbose == "auto" else verbose
        weights = self.sample_weights(y, sample_weight, class_weight)
        x, y, weights, validation = self._split_validation(
            x, y, None if class_weight is not None else weights, validation_split, validation_data)
        if class_weight is not None:  # as Keras: the training rows only, no validation row
            weights = self.sample_weights(y, class_weight=class_weight)
        n = batching.num_rows(x)
        # shuffle=False visits the rows as stored: no gather (None), the same batches
        orders = self.epoch_orders(n, epochs) if shuffle else [None] * epochs
        self._fit_calls += 1
        run = self._start_callbacks(callbacks, y, {"epochs": epochs, "verbose": verbose,
                                                   "steps": batching.steps_per_epoch(n, batch_size)})
        logs = None
        # overflow and NaN are checked on the loss itself (TrainingDivergedError), not warned
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch, order in enumerate(orders):
                for cb in run.callbacks:
                    cb.on_epoch_begin(epoch)
                bar = _progress(verbose, run.history.params["steps"], epoch, epochs)
                logs = self._fit_epoch(epoch, _weighted_batches(x, y, weights, order, batch_size),
                                       run, bar)
                if validation is not None:
                    x_val, y_val, w_val = validation
                    val = self._evaluate_arrays(x_val, y_val, batch_size, w_val)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                _end_of_epoch_output(verbose, bar, epoch, epochs, logs)
                logs = dict(logs)  # Keras hands the callbacks one fresh dict to add to
                for cb in run.callbacks:
                    cb.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        # as Keras's fit: with use_ema the weights become their moving averages
        self.optimizer.finalize_variable_values(
            [self._buffer.values] if run.flat else self.weights)
        for cb in run.callbacks:
            cb.on_train_end(logs)
        return run.history

    def _start_callbacks(self, callbacks, y, params):
        """The fit's :data:`_FitRun`: the callbacks in order with a History last (Keras's
        ``CallbackList``; a History given is used), each told the model and ``params``, and
        ``on_train_begin`` called."""
        callbacks = list(callbacks or [])
        history = next((cb for cb in callbacks if isinstance(cb, History)), None)
        if history is None:
            history = History()
            callbacks.append(history)
        self.history, self.stop_training = history, False
        for cb in callbacks:
            cb.set_model(self)
            cb.set_params(params)
        history.params = params
        for cb in callbacks:
            cb.on_train_begin()
        return _FitRun(
            [(m, _metrics.resolve(m, y, self.output_units)) for m in self.metrics], callbacks,
            [cb for cb in callbacks if cb.listens_to_batches()], history, self._flat_steps(),
            any(isinstance(cb, TerminateOnNaN) for cb in callbacks))

    def _split_validation(self, x, y, weights, validation_split, validation_data):
        """``(x, y, weights, validation or None)``, ``validation`` being ``(x_val, y_val,
        weights_val)``: ``validation_data`` checked, or the last ``validation_split`` fraction of
        the rows held out (Keras's split, before shuffling; their weights with them)."""
        check_number(validation_split, "validation_split", low=0, high=1, closed="left",
                     what="a fraction in (0, 1) (or 0 for none)")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("`validation_data` must be a pair (x_val, y_val) or a triple "
                                 "(x_val, y_val, sample_weight_val).")
            x_val, y_val = self.prepare(validation_data[0], validation_data[1], "x_val", "y_val")
            w_val = validation_data[2] if len(validation_data) == 3 else None
            w_val = self.sample_weights(y_val, w_val, name="sample_weight_val")
            return x, y, weights, (x_val, y_val, w_val)
        if not validation_split:
            return x, y, weights, None
        split_at = batching.validation_split_index(batching.num_rows(x), validation_split)
        head, tail = slice(0, split_at), slice(split_at, None)
        return (batching.take_rows(x, head), y[head], None if weights is None else weights[head],
                (batching.take_rows(x, tail), y[tail], None if weights is None else weights[tail]))

    def _flat_steps(self):
        """Whether this fit steps on the weight buffer as one tensor: not where the optimizer
        (per-tensor clipping, weight decay exclusions) or a layer's row-wise gradient needs the
        tensors one by one."""
        if not self._buffer.holds(self.layers):
            self._pack()  # a layer's weights were replaced by hand
        self.optimizer.set_variable_names(self.weight_names())
        return self._buffer.steps_flat and not self.optimizer.steps_tensor_by_tensor

    def _fit_epoch(self, epoch, batches, run, bar):
        """Train on one epoch's ``batches``; returns the epoch's logs (running means)."""
        names, batch_callbacks, flat = run.metrics, run.batch_callbacks, run.flat
        trackers = {"loss": _metrics.Mean(), **{m: _metrics.Mean() for m, _ in names}}
        buffer = self._buffer
        for b, (xb, yb, wb) in enumerate(batches):
            for cb in batch_callbacks:
                cb.on_train_batch_begin(b)
            loss, grads, caches, _ = self._pass(xb, yb, into_buffer=flat, sample_weight=wb)
            y_pred = caches[-1].a
            if not (math.isfinite(loss) or run.nan_to_callback):
                raise self._diverged(loss, epoch, b, run.history)
            size = len(yb)
            trackers["loss"].update(loss, size)
            for m, resolved in names:
                trackers[m].update(np.sum(_metrics.compute(resolved, yb, y_pred)) / size, size)
            if flat:
                self.optimizer.apply([buffer.gradients], [buffer.values], tensors=grads)
            else:
                self.optimizer.apply(grads, self.weights)
            if bar is not None or batch_callbacks:
                logs = {k: t.result() for k, t in trackers.items()}
                if bar is not None:
                    bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
                    bar.update(1)
                for cb in batch_callbacks:
                    cb.on_train_batch_end(b, {**logs, "batch_loss": loss})
            if self.stop_training:
                break
        return {k: t.result() for k, t in trackers.items()}

    def _diverged(self, loss, epoch, batch, history):
        step = self.optimizer.iterations
        return TrainingDivergedError(
            f"The loss became {loss} at step {step} (epoch {epoch}, batch {batch}); training "
            "stopped. Lower the learning rate, clip the gradients (clipnorm=...) or standardize "
            "the inputs.",
            step, epoch, batch, history,
        )


def check_sample_weight(sample_weight, n_rows, dtype, name="sample_weight"):
    """``sample_weight`` as a ``(n_rows,)`` array of ``dtype``: one finite, non-negative weight per
    row (a column ``(n_rows, 1)`` is accepted). Raises ValueError/TypeError naming ``name``."""
    w = as_numeric_array(sample_weight, name, dtype)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w[:, 0]
    if w.shape != (n_rows,):
        raise ValueError(
            f"`{name}` has shape {w.shape}; expected one weight per sample, shape ({n_rows},)."
        )
    if np.any(w < 0):
        raise ValueError(
            f"`{name}` has a negative weight ({float(w.min())} at row {int(np.argmin(w))}); a "
            "weight scales a sample's loss and must be >= 0."
        )
    return w


def class_weights(y, class_weight, units, dtype):
    """Each row's weight from ``class_weight`` ``{class index: weight}``, as Keras's ``fit``
    computes it from array targets: the class of a row is the argmax of a one-hot ``y``, else
    its rounded label; a class without a key weighs 1. ``units``: the output layer's units (the
    classes are ``0 .. units - 1``, or 0 and 1 for one unit). Raises ValueError for a key that
    is no class of the model or a weight that is negative or not finite."""
    if not isinstance(class_weight, dict):
        raise TypeError("`class_weight` must be a dict {class index: weight}, e.g. {0: 1.0, "
                        f"1: 5.0}}; received {type(class_weight).__name__}.")
    n_classes = max(units, 2)
    for c, w in class_weight.items():
        if isinstance(c, bool) or not isinstance(c, numbers.Integral) or not 0 <= c < n_classes:
            raise ValueError(
                f"`class_weight` has the key {c!r}, which is no class of this model: the keys "
                f"are class indices, integers from 0 to {n_classes - 1} (the output layer has "
                f"{units} unit{'s' if units > 1 else ''})."
            )
        check_number(w, f"class_weight[{c}]", low=0)
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] != 1 else y.reshape(len(y))
    labels = np.round(labels).astype(np.int64)
    table = {int(c): float(w) for c, w in class_weight.items()}
    return np.array([table.get(int(c), 1.0) for c in labels], dtype=dtype)


def _weighted_batches(x, y, weights, order, batch_size):
    """:func:`scratch.batching.batches` with each batch's rows of ``weights`` (``None``
    throughout when there are none): ``[(x_b, y_b, w_b), ...]``."""
    pairs = batching.batches(x, y, order, batch_size)
    if weights is None:
        return [(xb, yb, None) for xb, yb in pairs]
    rows = np.arange(len(weights)) if order is None else order
    return [(xb, yb, weights[idx]) for (xb, yb), idx in
            zip(pairs, batching.batch_slices(rows, batch_size))]


def _progress(verbose, total, epoch, epochs):
    if verbose != 1:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"Epoch {epoch + 1}/{epochs}", unit="step", leave=True)


def _end_of_epoch_output(verbose, bar, epoch, epochs, logs):
    if bar is not None:
        bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})
        bar.close()
    elif verbose == 2:
        print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
