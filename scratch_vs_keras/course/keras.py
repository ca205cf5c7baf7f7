r"""The Keras translation of a course estimator: stock Keras where Keras has the rule, and the
smallest Keras-side addition where it does not.

=========================  ==========================================================================
course convention          Keras translation
=========================  ==========================================================================
summed cost over k outputs ``reduction="sum"`` (sums samples, *averages* outputs) and ``loss_weights=k``
bias row or vector         Keras's bias vector; the weights converted (bias = column 0 of W)
L2 ``C * W``, no bias      ``L2(C/2)`` on kernels if C/2 is a float32 number, else :class:`CourseL2`
                           (Keras rounds the L2 factor through float32)
eta, no decrease           ``SGD(learning_rate=eta)``
decrease rules             :class:`CourseLearningRate` (epochs counted in integers; Keras's
                           staircase schedules compute ``floor(t * fl(1/s))`` inside ``fit`` and
                           step one batch late at some epoch boundaries, e.g. with 41 batches)
heavy-ball momentum        ``SGD(momentum=alpha)`` with a constant eta and a float32-exact alpha, else
                           :class:`CourseSGD` (Keras rounds momentum through float32, and its
                           velocity carries the learning rate)
one-step look-back, AdaGrad :class:`CourseSGD`
array_split mini-batches   a generator of the estimator's own batches (``fit(generator, ...)``)
=========================  ==========================================================================

``stock=True`` (or a set of part names) builds the naive stock-Keras translation instead (``L2(C/2)``,
``InverseTimeDecay``/``ExponentialDecay`` with ``staircase=True``, ``SGD(momentum=alpha)``,
``Adagrad``, ``fit(x, y, batch_size=ceil(n / minibatches))``; the rules with no Keras
counterpart keep their addition), so that the conventions table can show what each addition buys.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..scratch import float32_round
from .estimator import CourseMLP
from ..keras_side._tf import import_keras
from ..keras_side.twin import configure_keras

keras = import_keras()
ops = keras.ops


class CourseL2(keras.regularizers.Regularizer):
    r""":math:`\tfrac C2 \sum w^2` with the factor kept in the weights' dtype (no float32 rounding)."""

    def __init__(self, C):
        self.C = float(C)

    def __call__(self, x):
        return ops.multiply(self.C / 2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"C": self.C}


class CourseLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """The course's per-epoch learning rate, the epoch counted as ``step // steps_per_epoch``."""

    def __init__(self, eta, steps_per_epoch, decrease, decrease_const, decrease_step):
        self.eta, self.steps_per_epoch = float(eta), int(steps_per_epoch)
        self.decrease, self.d, self.step = decrease, float(decrease_const), int(decrease_step)

    def __call__(self, step):
        dtype = keras.config.floatx()
        epoch_int = ops.floor_divide(step, self.steps_per_epoch)
        epoch = ops.cast(epoch_int, dtype)
        eta = ops.convert_to_tensor(self.eta, dtype)
        if self.decrease == "inverse_time":
            return eta / (1 + self.d * epoch)
        if self.decrease == "power":
            return ops.maximum(ops.power(eta, 1 + self.d * epoch), self.eta / 1000)
        if self.decrease == "step":
            steps = ops.cast(ops.floor_divide(epoch_int, self.step), dtype)
            return eta * ops.power(ops.convert_to_tensor(self.d, dtype), steps)
        return eta

    def get_config(self):
        return {"eta": self.eta, "steps_per_epoch": self.steps_per_epoch, "decrease": self.decrease,
                "decrease_const": self.d, "decrease_step": self.step}


class CourseSGD(keras.optimizers.Optimizer):
    """The course's updates as a Keras optimizer: none, one-step look-back, heavy-ball, decayed AdaGrad."""

    def __init__(self, learning_rate, momentum="none", alpha=0.0, adagrad=False, adagrad_decay=0.9,
                 name="course_sgd", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum, self.alpha = momentum, float(alpha)
        self.adagrad, self.adagrad_decay = adagrad, float(adagrad_decay)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.state = self.add_optimizer_variables(var_list, "state")

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        s = self.state[self._get_variable_index(variable)]
        if self.adagrad:
            self.assign(s, ops.add(ops.add(ops.square(g), ops.multiply(self.adagrad_decay, s)), 1e-7))
            self.assign_sub(variable, ops.divide(ops.multiply(lr, g), ops.sqrt(s)))
        elif self.momentum == "lookback":
            rho = ops.multiply(lr, g)
            self.assign_sub(variable, ops.add(rho, ops.multiply(self.alpha, s)))
            self.assign(s, rho)
        elif self.momentum == "heavy_ball":
            self.assign(s, ops.add(g, ops.multiply(self.alpha, s)))
            self.assign_sub(variable, ops.multiply(lr, s))
        else:
            self.assign_sub(variable, ops.multiply(lr, g))

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "alpha": self.alpha, "adagrad": self.adagrad,
                       "adagrad_decay": self.adagrad_decay})
        return config


def _float32_exact(c):
    """Whether Keras's float32 rounding of the Python float ``c`` leaves it unchanged."""
    return float32_round(c) == float(c)


@dataclass
class CourseTranslation:
    """A compiled Keras model reproducing a course estimator, and how each rule was translated."""

    model: object
    estimator: CourseMLP
    x: np.ndarray
    y: np.ndarray
    plan: list
    stock_batches: bool
    parts: dict = field(default_factory=dict)

    def fit(self, callbacks=None):
        """Train the Keras model through ``model.fit`` on the estimator's batches (or, with
        ``stock=True``, on Keras's own fixed-size batches)."""
        est = self.estimator
        if self.stock_batches:
            batch = math.ceil(len(self.x) / est.minibatches)
            return self.model.fit(self.x, self.y, batch_size=batch, epochs=est.epochs,
                                  shuffle=False, verbose=0, callbacks=callbacks)

        def batches():
            for epoch in self.plan:
                for idx in epoch:
                    yield self.x[idx], self.y[idx]

        return self.model.fit(batches(), steps_per_epoch=est.minibatches, epochs=est.epochs,
                              shuffle=False, verbose=0, callbacks=callbacks)


STOCK_PARTS = ("L2", "learning rate", "update", "batches")


def course_to_keras(estimator, X, y, stock=()):
    """Translate ``estimator`` (unfitted; a clone is prepared on ``X, y``) into Keras.

    Args:
        estimator: a ``CourseMLP``.
        X, y: the training data.
        stock: the parts to translate with stock Keras pieces instead of the exact additions, a
            subset of ``("L2", "learning rate", "update", "batches")``, or ``True`` for all.

    Returns a :class:`CourseTranslation` whose ``model`` starts from the estimator's initial
    weights and whose ``estimator`` is the prepared clone (``estimator._train`` trains it).
    """
    from sklearn.base import clone

    stock = set(STOCK_PARTS if stock is True else stock)
    unknown = stock - set(STOCK_PARTS)
    if unknown:
        raise ValueError(f"Unknown `stock` parts {sorted(unknown)}; valid: {', '.join(STOCK_PARTS)}.")
    est = clone(estimator)
    x, Y, plan = est.prepare(X, y)
    configure_keras("float64")
    k = Y.shape[1]
    C = float(est.C)
    parts = {}
    if not C:
        reg = None
        parts["L2"] = "none (C = 0)"
    elif "L2" in stock or _float32_exact(C / 2):
        reg = keras.regularizers.L2(C / 2)
        parts["L2"] = f"keras.regularizers.L2({C / 2!r}) on kernels"
    else:
        reg = CourseL2(C)
        parts["L2"] = f"CourseL2(C={C!r}) on kernels (float64 factor)"
    layers = [keras.Input(shape=(x.shape[1],))]
    for units in est.hidden_sizes():
        layers.append(keras.layers.Dense(units, activation=est.activation, kernel_regularizer=reg))
    layers.append(keras.layers.Dense(k, activation=est.output, kernel_regularizer=reg))
    model = keras.Sequential(layers, name="course_translation")
    model.set_weights(est.keras_weights())
    parts["bias"] = f"bias vector (course bias={est.bias!r}: column 0 of W)"

    eta = float(est.eta)
    if est.decrease == "none":
        lr = eta
        parts["learning rate"] = f"constant {eta!r}"
    elif "learning rate" in stock and est.decrease == "inverse_time":
        lr = keras.optimizers.schedules.InverseTimeDecay(eta, est.minibatches, est.decrease_const,
                                                         staircase=True)
        parts["learning rate"] = "InverseTimeDecay(staircase=True)"
    elif "learning rate" in stock and est.decrease == "step":
        lr = keras.optimizers.schedules.ExponentialDecay(
            eta, est.decrease_step * est.minibatches, est.decrease_const, staircase=True)
        parts["learning rate"] = "ExponentialDecay(staircase=True)"
    else:
        lr = CourseLearningRate(eta, est.minibatches, est.decrease, est.decrease_const,
                                est.decrease_step)
        parts["learning rate"] = f"CourseLearningRate({est.decrease!r})"

    stock_momentum = est.momentum == "heavy_ball" and (
        "update" in stock or (est.decrease == "none" and _float32_exact(est.alpha)))
    if est.adagrad and "update" in stock:
        optimizer = keras.optimizers.Adagrad(lr)
        parts["update"] = "Adagrad()"
    elif est.adagrad or est.momentum == "lookback" or (est.momentum == "heavy_ball" and not stock_momentum):
        optimizer = CourseSGD(lr, est.momentum, est.alpha, est.adagrad, est.adagrad_decay)
        parts["update"] = ("CourseSGD(adagrad)" if est.adagrad else f"CourseSGD({est.momentum!r})")
    elif stock_momentum:
        optimizer = keras.optimizers.SGD(lr, momentum=float(est.alpha))
        parts["update"] = f"SGD(momentum={est.alpha!r})"
    else:
        optimizer = keras.optimizers.SGD(lr)
        parts["update"] = "SGD()"

    loss_cls = (keras.losses.MeanSquaredError if est.cost == "quadratic"
                else keras.losses.BinaryCrossentropy)
    model.compile(optimizer=optimizer, loss=loss_cls(reduction="sum"), loss_weights=float(k),
                  jit_compile=False)
    parts["cost"] = f"{loss_cls.__name__}(reduction='sum') x loss_weights={float(k)!r}"
    parts["batches"] = (f"fit(x, y, batch_size={math.ceil(len(x) / est.minibatches)}, shuffle=False)"
                        if "batches" in stock else "fit(generator of the np.array_split batches)")
    return CourseTranslation(model, est, x, Y, plan, "batches" in stock, parts)
