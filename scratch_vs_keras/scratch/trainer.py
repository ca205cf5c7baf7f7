r"""Training, as Keras's ``Trainer``: ``compile``, ``fit``, ``evaluate``, ``predict``.

:class:`Trainer` is a base of :class:`scratch.Model`; it reads the model's graph through the
model's own methods (``prepare``, ``_pass``, ``forward``) and adds the loop around them.
One ``fit`` step on a batch :math:`(X_b, Y_b)`:

1. forward, the loss :math:`J` (penalties included) and backward: ``model._pass``;
2. a NaN or infinite :math:`J` stops training (``TrainingDivergedError`` names the step);
3. ``optimizer.apply(gradients, weights)``: one step on the model's flat weight buffer where the
   optimizer may treat all weights as one tensor, else tensor by tensor.

The batches are :func:`scratch.batching.batches` of the row orders :meth:`Trainer.epoch_orders`
gives, so a comparison harness can feed Keras the very same batches.
"""

import math
from collections import namedtuple

import numpy as np

from . import batching
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._validation import check_number, check_positive_int
from .callbacks import Callback, History, TrainingDivergedError

#: What every epoch of one ``fit`` shares: the resolved metric names, the callbacks (and those
#: that listen to batches), the History, and whether steps go to the flat weight buffer.
_FitRun = namedtuple("_FitRun", ["metrics", "callbacks", "batch_callbacks", "history", "flat"])


class Trainer:
    """compile / fit / evaluate / predict for a model with a forward and backward pass."""

    def _init_training_state(self):
        self.loss = None
        self.optimizer = None
        self.metrics = []
        self.loss_weights = None
        self.compiled = False
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
    def evaluate(self, x, y, batch_size=32, verbose=0, return_dict=False):
        """Loss (and compiled metrics) over ``(x, y)`` as ``keras.Model.evaluate``: batch-size-weighted
        means over batches of ``batch_size`` rows (Keras's default 32), penalties included.

        Returns the loss, or ``[loss, metric, ...]`` when metrics were compiled, or a dict with
        ``return_dict=True``.
        """
        x, y = self.prepare(x, y)
        batch_size = check_positive_int(batch_size, "batch_size")
        logs = self._evaluate_arrays(x, y, batch_size)
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def _evaluate_arrays(self, x, y, batch_size):
        names = [(m, _metrics.resolve(m, y, self.output_units)) for m in self.metrics]
        trackers = {"loss": _metrics.Mean(), **{m: _metrics.Mean() for m, _ in names}}
        for xb, yb in batching.batches(x, y, None, batch_size):
            caches = self.forward(xb)
            value, _, _ = self._data_loss(yb, caches)
            size = len(yb)
            trackers["loss"].update(value + self.penalty(), size)
            for m, resolved in names:
                trackers[m].update(np.sum(_metrics.compute(resolved, yb, caches[-1].a)) / size, size)
        return {k: t.result() for k, t in trackers.items()}

    # -- fit ------------------------------------------------------------------------------------
    def epoch_orders(self, n, epochs, shuffle=True):
        """The row orders (index arrays) the model's next ``fit`` over ``n`` rows visits, one per
        epoch: :func:`scratch.batching.epoch_permutations` from the seed and the number of fits
        so far (``np.arange(n)`` each epoch with ``shuffle=False``)."""
        if not shuffle:
            return [np.arange(n)] * epochs
        return batching.epoch_permutations(self.seed, n, epochs, self._fit_calls)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True):
        """Train with mini-batch gradient descent, as ``keras.Model.fit`` with arrays.

        Args:
            x, y: training data (validated as for ``loss_and_gradients``).
            batch_size: rows per step (Keras's default 32); the last batch of an epoch may be
                shorter and is averaged over its own size.
            epochs: passes over the data (>= 1).
            verbose: 0 silent, 1 (``"auto"``) a progress bar per epoch, 2 one line per epoch.
            callbacks: ``scratch.callbacks.Callback`` objects.
            validation_split: hold out the *last* fraction of the rows (before shuffling).
            validation_data: ``(x_val, y_val)``; takes precedence over ``validation_split``.
            shuffle: visit the rows in a new order each epoch (:meth:`epoch_orders`).

        Each step: forward, loss :math:`J` (penalties included), backward, then
        ``optimizer.apply(gradients, weights)``. Returns a ``History`` whose ``history`` has Keras's
        keys: ``loss`` (the batch-size-weighted mean of the pre-update batch losses of the epoch),
        each compiled metric, and ``val_loss``/``val_<metric>`` with validation data. Callbacks'
        batch logs have Keras's running values plus ``batch_loss``, the exact loss of the batch
        just trained (before its update). A NaN or infinite loss stops training with a
        ``TrainingDivergedError`` that names the step.
        """
        self._require_loss()
        x, y = self.prepare(x, y)
        batch_size = 32 if batch_size is None else check_positive_int(batch_size, "batch_size")
        epochs = check_positive_int(epochs, "epochs")
        verbose = 1 if verbose == "auto" else verbose
        x, y, validation = self._split_validation(x, y, validation_split, validation_data)
        n = batching.num_rows(x)
        # shuffle=False visits the rows as stored: no gather (None), the same batches
        orders = self.epoch_orders(n, epochs) if shuffle else [None] * epochs
        self._fit_calls += 1
        history = History()
        history.params = {"epochs": epochs, "steps": batching.steps_per_epoch(n, batch_size),
                          "verbose": verbose}
        callbacks = [history] + list(callbacks or [])
        for cb in callbacks:
            cb.model = self
            cb.on_train_begin()
        run = _FitRun(
            [(m, _metrics.resolve(m, y, self.output_units)) for m in self.metrics], callbacks,
            [cb for cb in callbacks
             if type(cb).on_train_batch_begin is not Callback.on_train_batch_begin
             or type(cb).on_train_batch_end is not Callback.on_train_batch_end],
            history, self._flat_steps())
        # overflow and NaN are checked on the loss itself (TrainingDivergedError), not warned
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch, order in enumerate(orders):
                for cb in callbacks:
                    cb.on_epoch_begin(epoch)
                bar = _progress(verbose, history.params["steps"], epoch, epochs)
                logs = self._fit_epoch(epoch, batching.batches(x, y, order, batch_size), run, bar)
                if validation is not None:
                    val = self._evaluate_arrays(*validation, batch_size)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                _end_of_epoch_output(verbose, bar, epoch, epochs, logs)
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
        for cb in callbacks:
            cb.on_train_end()
        return history

    def _split_validation(self, x, y, validation_split, validation_data):
        """``(x, y, (x_val, y_val) or None)``: ``validation_data`` checked, or the last
        ``validation_split`` fraction of the rows held out (Keras's split, before shuffling)."""
        check_number(validation_split, "validation_split", low=0, high=1, closed="left",
                     what="a fraction in (0, 1) (or 0 for none)")
        if validation_data is not None:
            try:
                x_val, y_val = validation_data
            except (TypeError, ValueError):
                raise ValueError("`validation_data` must be a pair (x_val, y_val).") from None
            return x, y, self.prepare(x_val, y_val, "x_val", "y_val")
        if not validation_split:
            return x, y, None
        split_at = batching.validation_split_index(batching.num_rows(x), validation_split)
        head, tail = slice(0, split_at), slice(split_at, None)
        return (batching.take_rows(x, head), y[head],
                (batching.take_rows(x, tail), y[tail]))

    def _flat_steps(self):
        """Whether this fit steps on the weight buffer as one tensor: not where per-tensor
        clipping (``clipnorm``) or a layer's row-wise gradient needs the tensors one by one."""
        if not self._buffer.holds(self.layers):
            self._pack()  # a layer's weights were replaced by hand
        return self._buffer.steps_flat and not self.optimizer.clipnorm

    def _fit_epoch(self, epoch, batches, run, bar):
        """Train on one epoch's ``batches``; returns the epoch's logs (running means)."""
        names, batch_callbacks, flat = run.metrics, run.batch_callbacks, run.flat
        trackers = {"loss": _metrics.Mean(), **{m: _metrics.Mean() for m, _ in names}}
        buffer = self._buffer
        for b, (xb, yb) in enumerate(batches):
            for cb in batch_callbacks:
                cb.on_train_batch_begin(b)
            loss, grads, caches, _ = self._pass(xb, yb, into_buffer=flat)
            y_pred = caches[-1].a
            if not math.isfinite(loss):
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
        return {k: t.result() for k, t in trackers.items()}

    def _diverged(self, loss, epoch, batch, history):
        step = self.optimizer.iterations
        return TrainingDivergedError(
            f"The loss became {loss} at step {step} (epoch {epoch}, batch {batch}); training "
            "stopped. Lower the learning rate, clip the gradients (clipnorm=...) or standardize "
            "the inputs.",
            step, epoch, batch, history,
        )


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
