"""Callbacks and the ``History`` that ``fit`` returns, with Keras's hooks and meanings.

``history.history["loss"][e]`` is, as in Keras, the mean over epoch ``e`` of the batch losses
(regularization included) computed *before* each batch's update, weighted by batch size;
``val_loss`` is the loss on the validation data after the epoch (batches of the same size).
"""


class Callback:
    """Base class; override any of the hooks. ``self.model`` is set by ``fit``."""

    model = None

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class History(Callback):
    """Records the epoch logs: ``history`` (key -> list per epoch) and ``epoch`` (the epoch indices)."""

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or infinite; the message names the step. ``history`` holds what ran."""

    def __init__(self, message, step, epoch, batch, history=None):
        super().__init__(message)
        self.step, self.epoch, self.batch, self.history = step, epoch, batch, history
