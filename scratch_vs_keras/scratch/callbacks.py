r"""Callbacks and the ``History`` that ``fit`` returns, with Keras's hooks, arguments and meanings.

``history.history["loss"][e]`` is, as in Keras, the mean over epoch ``e`` of the batch losses
(regularization included) computed *before* each batch's update, weighted by batch size;
``val_loss`` is the loss on the validation data after the epoch (batches of the same size).

``fit`` calls each callback's hooks in list order, then the ``History`` (Keras appends it last,
so it records what the callbacks add to the epoch's logs, e.g. ``learning_rate``). A callback
stops training with ``self.model.stop_training = True`` (checked after every batch and every
epoch) and changes the learning rate of the coming steps with ``optimizer.learning_rate = ...``.

The monitoring callbacks compare as Keras does: ``current - min_delta`` against the best value,
both rounded to float32 (``keras.ops.less`` turns Python floats into float32 tensors, also in a
float64 model), so an improvement below float32's resolution is no improvement.
"""

import collections
import csv
import os
import warnings

import numpy as np

from ._validation import check_number


class Callback:
    """Base class; override any of the hooks. ``fit`` sets ``self.model`` and ``self.params``
    (``epochs``, ``steps``, ``verbose``). ``on_train_batch_begin``/``_end`` call
    ``on_batch_begin``/``_end``, as in Keras."""

    model = None
    params = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def get_config(self):
        """The constructor's arguments under Keras's names (what ``keras.callbacks.<Name>``
        takes): the description from which the Keras twin of this callback is built."""
        raise NotImplementedError(f"{type(self).__name__} has no Keras twin")

    def listens_to_batches(self):
        """Whether this callback overrides a batch hook (``fit`` skips the others per batch)."""
        own = type(self)
        return any(getattr(own, hook) is not getattr(Callback, hook) for hook in
                   ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end"))


class History(Callback):
    """Records the epoch logs: ``history`` (key -> list per epoch) and ``epoch`` (the epoch indices)."""

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class _MonitorCallback(Callback):
    """Keras's ``MonitorCallback``: which way the monitored quantity improves, and by how much."""

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0):
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                          stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(check_number(min_delta, "min_delta"))
        self.best = None
        self.monitor_op = None

    def _set_monitor_op(self):
        """``np.less`` or ``np.greater`` from ``mode``; ``auto``: a loss decreases, the compiled
        metrics (all accuracies, Keras's ``_direction = "up"``) increase. ``min_delta`` becomes
        negative for ``less``, so ``current - min_delta`` means "lower by at least min_delta"."""
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = np.less
            elif name in (getattr(self.model, "metrics", None) or []):
                self.monitor_op = np.greater
            else:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but Keras "
                    "isn't able to automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                    "highest metric value, or pass `mode='min'` in order to use the lowest value."
                )
        if self.monitor_op is np.less:
            self.min_delta *= -1

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        return bool(self.monitor_op(np.float32(value - self.min_delta), np.float32(reference)))


class EarlyStopping(_MonitorCallback):
    """Stop training when the monitored quantity has stopped improving (``keras.callbacks.EarlyStopping``).

    Args:
        monitor: the log to watch (``"val_loss"``, ``"loss"``, ``"accuracy"``, ``"val_accuracy"``).
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints the epoch at which training stopped.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (from the monitor's name).
        baseline: a value to beat; the patience counter keeps running until an epoch beats both
            it and the best so far.
        restore_best_weights: at the end of training, load the weights of the best epoch (the
            first epoch's when none improved).
        start_from_epoch: epochs to wait before watching (a warm-up).

    After ``fit``: ``stopped_epoch`` (0 if it never stopped training), ``best``, ``best_epoch``.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = check_number(patience, "patience", low=0, integer=True)
        self.verbose = verbose
        self.baseline = check_number(baseline, "baseline", allow_none=True)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_number(start_from_epoch, "start_from_epoch", low=0,
                                             integer=True)
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        # a new fit starts afresh (the instance may be reused)
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = _monitored(self, logs, "Early stopping conditioned on metric")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_config(self):
        return {"monitor": self.monitor, "min_delta": abs(self.min_delta),
                "patience": self.patience, "verbose": self.verbose, "mode": self.mode,
                "baseline": self.baseline, "restore_best_weights": self.restore_best_weights,
                "start_from_epoch": self.start_from_epoch}


class ReduceLROnPlateau(_MonitorCallback):
    r"""Multiply the learning rate by ``factor`` when the monitored quantity has stopped
    improving (``keras.callbacks.ReduceLROnPlateau``): :math:`\eta \leftarrow \max(\eta\,
    \text{factor}, \text{min\_lr})`, then ``cooldown`` epochs without counting.

    Args:
        monitor: the log to watch.
        factor: the multiplier, in [0, 1).
        patience: epochs without improvement before a reduction.
        verbose: 1 prints each reduction.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs after a reduction during which no epoch counts against the patience.
        min_lr: the learning rate's floor.

    Each epoch's logs get ``learning_rate`` (the rate the epoch trained with).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        if check_number(factor, "factor") >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor = factor
        self.min_lr = check_number(min_lr, "min_lr", low=0)
        self.patience = check_number(patience, "patience", low=0, integer=True)
        self.verbose = verbose
        self.cooldown = check_number(cooldown, "cooldown", low=0, integer=True)
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = {} if logs is None else logs
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = _monitored(self, logs, "Learning rate reduction is conditioned on metric")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch):
        optimizer = self.model.optimizer
        old_lr = float(optimizer.learning_rate)
        # As Keras: the floor is compared in float32 (NumPy turns old_lr into a float32 here)
        if not old_lr > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True

    def get_config(self):
        return {"monitor": self.monitor, "factor": self.factor, "patience": self.patience,
                "verbose": self.verbose, "mode": self.mode, "min_delta": abs(self.min_delta),
                "cooldown": self.cooldown, "min_lr": self.min_lr}


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from ``schedule(epoch, lr)``
    (``keras.callbacks.LearningRateScheduler``).

    Args:
        schedule: a function of the epoch index (from 0) and the current learning rate (a
            float) that returns the new rate as a float; a function of the epoch alone is
            accepted too (Keras's old form, tried when the two-argument call raises TypeError).
        verbose: 1 prints each new rate.

    Each epoch's logs get ``learning_rate``. An optimizer built with a schedule refuses the new
    rate (TypeError), as in Keras.
    """

    def __init__(self, schedule, verbose=0):
        if not callable(schedule):
            raise TypeError(f"`schedule` must be a function (epoch, lr) -> lr; received {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # Keras's old API: schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)

    def get_config(self):
        return {"schedule": self.schedule, "verbose": self.verbose}


class TerminateOnNaN(Callback):
    """Stop training after the batch at which the running loss becomes NaN or infinite
    (``keras.callbacks.TerminateOnNaN``); ``raise_error=True`` raises a RuntimeError there
    instead (and ``on_train_end`` is not called).

    Without this callback ``fit`` raises ``TrainingDivergedError`` at such a batch, before its
    update; with it ``fit`` runs as Keras's: the update is applied, this callback stops the
    training after the batch, and the epoch's logs (NaN included) are recorded.
    """

    def __init__(self, raise_error=False):
        self.raise_error = bool(raise_error)

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                               f"{loss}. Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True

    def get_config(self):
        return {"raise_error": self.raise_error}


class CSVLogger(Callback):
    """Write each epoch's logs to a CSV file (``keras.callbacks.CSVLogger``): a header ``epoch``
    then the first epoch's log keys, sorted (with ``val_<key>`` for each when there were no
    validation keys); ``"NA"`` where a key is missing.

    Args:
        filename: the file's path.
        separator: the field separator.
        append: append to an existing file (its header is kept) instead of overwriting it.
    """

    def __init__(self, filename, separator=",", append=False):
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.csv_file, self.writer, self.keys = None, None, None
        self.append_header = True

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not f.readline()
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer, self.keys = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((k, _csv_value(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None

    def get_config(self):
        return {"filename": self.filename, "separator": self.sep, "append": self.append}


def _csv_value(value):
    """A log value as Keras's CSVLogger writes it: an iterable (not a string) as ``"[a, b]"``."""
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


def _monitored(callback, logs, what):
    """The monitored value in ``logs``, or None with Keras's warning naming the logs there are."""
    logs = logs or {}
    value = logs.get(callback.monitor)
    if value is None:
        warnings.warn(f"{what} `{callback.monitor}` which is not available. Available metrics "
                      f"are: {','.join(logs)}", stacklevel=3)
    return value


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or infinite; the message names the step. ``history`` holds what ran."""

    def __init__(self, message, step, epoch, batch, history=None):
        super().__init__(message)
        self.step, self.epoch, self.batch, self.history = step, epoch, batch, history
