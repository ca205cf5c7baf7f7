r"""The Keras translation of a course estimator: stock Keras where Keras has the rule, and the
smallest Keras-side addition where it does not.

=========================  ==========================================================================
course convention          Keras translation
=========================  ==========================================================================
summed cost over k outputs ``reduction="sum"`` (sums samples, *averages* outputs) and ``loss_weights=k``
bias row or vector         Keras's bias vector; the weights converted (bias = column 0 of W)
L2 ``f C W``, no bias      ``L2(f C/2)`` on kernels if it is a float32 number, else :class:`CourseL2`
                           (Keras rounds the L2 factor through float32); f = 2 in 07a
eta, no decrease           ``SGD(learning_rate=eta)``
decrease rules             :class:`CourseLearningRate` (epochs counted in integers; Keras's
                           staircase schedules compute ``floor(t * fl(1/s))`` inside ``fit`` and
                           step one batch late at some epoch boundaries, e.g. with 41 batches)
heavy-ball momentum (07a)  ``SGD(momentum=alpha)`` for a float32-exact alpha (07a's code rule *is*
                           Keras's, decreasing rate included), else :class:`CourseSGD`
one-step look-back,        :class:`CourseSGD`
AdaGrad (+ look-back),
biases outside momentum
array_split mini-batches   a generator of the estimator's own batches (``fit(generator, ...)``),
                           which also replays the notebooks' compounded shuffles
dropout (08), L-BFGS-B     no translation: ``course_to_keras`` refuses them and says why
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
from .rules import course_learning_rate
from ..keras_side._tf import import_keras
from ..keras_side.twin import configure_keras

keras = import_keras()
ops = keras.ops


class CourseL2(keras.regularizers.Regularizer):
    r""":math:`\tfrac{fC}2 \sum w^2` with the factor kept in the weights' dtype (no float32
    rounding); ``factor`` f is 2 for 07a's :math:`2 C W` gradient."""

    def __init__(self, C, factor=1):
        self.C, self.factor = float(C), factor

    def __call__(self, x):
        return ops.multiply(self.factor * self.C / 2, ops.sum(ops.square(x)))

    def get_config(self):
        return {"C": self.C, "factor": self.factor}


class CourseLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """The course's per-epoch learning rate, the epoch counted as ``step // steps_per_epoch``.

    ``"inverse_time_compound"`` (08's Dropout class divides its rate every epoch) is looked up in a
    table of its ``epochs`` rates, computed by the NumPy side's own formula."""

    def __init__(self, eta, steps_per_epoch, decrease, decrease_const, decrease_step, epochs=1):
        self.eta, self.steps_per_epoch = float(eta), int(steps_per_epoch)
        self.decrease, self.d, self.step = decrease, float(decrease_const), int(decrease_step)
        self.epochs = int(epochs)

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
        if self.decrease == "inverse_time_compound":
            rates = [course_learning_rate(self.eta, e, self.decrease, self.d) for e in range(self.epochs)]
            last = ops.minimum(epoch_int, self.epochs - 1)
            return ops.take(ops.convert_to_tensor(rates, dtype), ops.cast(last, "int32"))
        return eta

    def get_config(self):
        return {"eta": self.eta, "steps_per_epoch": self.steps_per_epoch, "decrease": self.decrease,
                "decrease_const": self.d, "decrease_step": self.step, "epochs": self.epochs}


class CourseSGD(keras.optimizers.Optimizer):
    """The course's updates as a Keras optimizer (:mod:`scratch_vs_keras.course.rules` states
    them): the optional decayed AdaGrad, then none, one-step look-back or heavy-ball momentum;
    with ``plain_bias`` the bias variables take the plain step ``b -= lr*g`` (07a, 08a)."""

    def __init__(self, learning_rate, momentum="none", alpha=0.0, adagrad=False, adagrad_decay=0.9,
                 plain_bias=False, name="course_sgd", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum, self.alpha = momentum, float(alpha)
        self.adagrad, self.adagrad_decay = adagrad, float(adagrad_decay)
        self.plain_bias = plain_bias

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.rho_prev = self.add_optimizer_variables(var_list, "rho_prev")
        self.G = self.add_optimizer_variables(var_list, "G")
        # by index: inside apply the TF backend hands over its own variables ("dense/bias:0")
        self.is_plain = [self.plain_bias and v.path.endswith("bias") for v in var_list]

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        i = self._get_variable_index(variable)
        if self.is_plain[i]:
            self.assign_sub(variable, ops.multiply(lr, g))
            return
        if self.adagrad:
            G = ops.add(ops.add(ops.multiply(g, g), ops.multiply(self.adagrad_decay, self.G[i])), 1e-7)
            self.assign(self.G[i], G)
            g = ops.divide(g, ops.sqrt(G))
        rho = ops.multiply(lr, g)
        if self.momentum == "lookback":
            self.assign_sub(variable, ops.add(rho, ops.multiply(self.alpha, self.rho_prev[i])))
        elif self.momentum == "heavy_ball":
            rho = ops.add(rho, ops.multiply(self.alpha, self.rho_prev[i]))
            self.assign_sub(variable, rho)
        else:
            self.assign_sub(variable, rho)
        self.assign(self.rho_prev[i], rho)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "alpha": self.alpha, "adagrad": self.adagrad,
                       "adagrad_decay": self.adagrad_decay, "plain_bias": self.plain_bias})
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
            batch = math.ceil(len(self.x) / int(est.minibatches))
            return self.model.fit(self.x, self.y, batch_size=batch, epochs=est.epochs,
                                  shuffle=False, verbose=0, callbacks=callbacks)

        def batches():
            for epoch in self.plan:
                for idx in epoch:
                    yield self.x[idx], self.y[idx]

        return self.model.fit(batches(), steps_per_epoch=int(est.minibatches), epochs=est.epochs,
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
    _check_translatable(est)
    s = est.settings_
    configure_keras("float64")
    k = Y.shape[1]
    parts = {}
    reg = _regularizer(est, stock, parts)
    layers = [keras.Input(shape=(x.shape[1],))]
    for units in est.hidden_sizes():
        layers.append(keras.layers.Dense(units, activation=s["activation"], kernel_regularizer=reg))
    layers.append(keras.layers.Dense(k, activation=est.output, kernel_regularizer=reg))
    model = keras.Sequential(layers, name="course_translation")
    model.set_weights(est.keras_weights())
    parts["bias"] = f"bias vector (course bias={s['bias']!r}: column 0 of W)"
    optimizer = _optimizer(est, _learning_rate(est, stock, parts), stock, parts)
    loss_cls = (keras.losses.MeanSquaredError if s["cost"] == "quadratic"
                else keras.losses.BinaryCrossentropy)
    model.compile(optimizer=optimizer, loss=loss_cls(reduction="sum"), loss_weights=float(k),
                  jit_compile=False)
    parts["cost"] = f"{loss_cls.__name__}(reduction='sum') x loss_weights={float(k)!r}"
    steps = int(est.minibatches)
    parts["batches"] = (f"fit(x, y, batch_size={math.ceil(len(x) / steps)}, shuffle=False)"
                        if "batches" in stock else "fit(generator of the np.array_split batches)")
    return CourseTranslation(model, est, x, Y, plan, "batches" in stock, parts)


def _check_translatable(est):
    """Refuse, with the reason, the two course trainings that ``model.fit`` cannot follow."""
    if est.settings_["solver"] == "lbfgs":
        raise ValueError(
            "solver='lbfgs' has no Keras translation: Keras's optimizers take first-order steps "
            "inside model.fit, while L-BFGS-B (scipy.optimize.fmin_l_bfgs_b) chooses its own "
            "evaluation points by a line search on the whole data. Compare it with solver='sgd'.")
    if est.dropout:
        raise ValueError(
            "`dropout` (08's TLPDropout) has no Keras translation: keras.layers.Dropout draws a "
            "new mask for every sample at every step and scales the kept units by 1/(1 - rate), "
            "while the course removes the same hidden units for a whole epoch, unscaled, and "
            "keeps their momentum aside. Use dropout=0 to compare with Keras.")


def _regularizer(est, stock, parts):
    C, f = float(est.C), est.settings_["l2_factor"]
    if not C:
        parts["L2"] = "none (C = 0)"
        return None
    if "L2" in stock or _float32_exact(f * C / 2):
        parts["L2"] = f"keras.regularizers.L2({f * C / 2!r}) on kernels"
        return keras.regularizers.L2(f * C / 2)
    parts["L2"] = f"CourseL2(C={C!r}{', factor=2' if f == 2 else ''}) on kernels (float64 factor)"
    return CourseL2(C, f)


def _learning_rate(est, stock, parts):
    s, eta, steps = est.settings_, float(est.eta), int(est.minibatches)
    if s["decrease"] == "none":
        parts["learning rate"] = f"constant {eta!r}"
        return eta
    if "learning rate" in stock and s["decrease"] == "inverse_time":
        parts["learning rate"] = "InverseTimeDecay(staircase=True)"
        return keras.optimizers.schedules.InverseTimeDecay(eta, steps, est.decrease_const,
                                                           staircase=True)
    if "learning rate" in stock and s["decrease"] == "step":
        parts["learning rate"] = "ExponentialDecay(staircase=True)"
        return keras.optimizers.schedules.ExponentialDecay(
            eta, est.decrease_step * steps, est.decrease_const, staircase=True)
    parts["learning rate"] = f"CourseLearningRate({s['decrease']!r})"
    return CourseLearningRate(eta, steps, s["decrease"], est.decrease_const, est.decrease_step,
                              est.epochs)


def _optimizer(est, lr, stock, parts):
    s = est.settings_
    # the biases' plain step differs from the weights' only under momentum or AdaGrad
    plain = s["bias_update"] == "plain" and (s["momentum"] != "none" or s["adagrad"])
    if "update" in stock and (s["adagrad"] or s["momentum"] in ("none", "heavy_ball")):
        if s["adagrad"]:
            parts["update"] = "Adagrad()"
            return keras.optimizers.Adagrad(lr)
        if s["momentum"] == "none":
            parts["update"] = "SGD()"
            return keras.optimizers.SGD(lr)
        parts["update"] = f"SGD(momentum={est.alpha!r})"
        return keras.optimizers.SGD(lr, momentum=float(est.alpha))
    if s["momentum"] == "heavy_ball" and not (s["adagrad"] or plain) and _float32_exact(est.alpha):
        parts["update"] = f"SGD(momentum={est.alpha!r})"  # 07a's code rule is Keras's SGD
        return keras.optimizers.SGD(lr, momentum=float(est.alpha))
    if s["adagrad"] or s["momentum"] != "none" or plain:
        name = ", ".join([r for r, on in (("adagrad", s["adagrad"]), (repr(s["momentum"]), s["momentum"] != "none"),
                                           ("plain bias", plain)) if on])
        parts["update"] = f"CourseSGD({name})"
        return CourseSGD(lr, s["momentum"], est.alpha, s["adagrad"], s["adagrad_decay"], plain)
    parts["update"] = "SGD()"
    return keras.optimizers.SGD(lr)
