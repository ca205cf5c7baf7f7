r"""The course's own multi-layer perceptron, in the lecture's conventions, on the package's engine.

Students arrive with the course notebooks' two-layer perceptron, not with Keras's conventions.
:class:`CourseMLP` has the lecture's knobs and layout and runs on the same NumPy engine as
``scratch.Sequential`` (one back-propagation in the package); what differs is only how the
course states things:

* **Layout.** :math:`\mathbf W^{(l)}` is ``(out, in)`` and samples are columns; with
  ``bias="row"`` the activations get a row of ones and :math:`\mathbf W^{(l)}` absorbs the bias
  as column 0 (``(out, in + 1)``); with ``bias="vector"`` the bias is a separate
  :math:`\mathbf b^{(l)}`. The engine computes in Keras's layout (``kernel = W.T``); the row form
  runs as ``OnesColumn`` + ``Dense(use_bias=False)``, so the two bias forms are two different
  computations of the same numbers (the lecture's self-test, answered by
  :func:`bias_self_test`).
* **Cost.** Summed over the mini-batch and over the :math:`k` outputs, no :math:`1/N`:
  ``cost="quadratic"``: :math:`J = \sum \|\mathbf Y - \mathbf A^{(L)}\|^2`, whose output
  sensitivity is the lecture's :math:`\mathbf V^{(2)} = -2(\mathbf Y - \mathbf A^{(3)}) *
  \mathbf A^{(3)} * (1 - \mathbf A^{(3)})`; ``cost="cross_entropy"``: the sigmoid
  cross-entropy summed over units, :math:`\mathbf V^{(2)} = \mathbf A^{(3)} - \mathbf Y`.
  On the engine this is Keras's loss with ``reduction="sum"`` (which sums samples but *averages*
  the :math:`k` outputs) times ``loss_weights = k``.
* **L2.** :math:`\tfrac C2 \sum w^2` over the weights only, bias excluded: gradient
  :math:`C\,\mathbf W` (the notebooks' ``grad[:, 1:] += C * W[:, 1:]``), with no :math:`1/N`.
* **Learning rate** per epoch :math:`e` (``decrease``): ``"none"`` :math:`\eta`;
  ``"inverse_time"`` :math:`\eta / (1 + d\,e)`; ``"power"`` :math:`\max(\eta^{1 + d e}, \eta/1000)`;
  ``"step"`` :math:`\eta\, d^{\lfloor e / s \rfloor}`.
* **Update** (``momentum``): ``"none"`` :math:`W \leftarrow W - \eta g`; ``"lookback"`` (the
  07/08 notebooks) :math:`\rho = \eta g`, :math:`W \leftarrow W - \rho - \alpha\rho_{prev}`;
  ``"heavy_ball"`` (07a) :math:`c \leftarrow g + \alpha c`, :math:`W \leftarrow W - \eta c`;
  ``adagrad=True`` (the course's decayed AdaGrad) :math:`G \leftarrow g^2 + \gamma G + 10^{-7}`,
  :math:`W \leftarrow W - \eta g / \sqrt G`.
* **Mini-batches**: each epoch the (optionally shuffled) row indices are cut into
  ``minibatches`` nearly equal pieces with ``np.array_split``.
* **Initialization** (``init``), for a layer with ``fan_in`` inputs and ``fan_out`` units:
  ``"uniform"`` :math:`U(-1, 1)` for weights and bias; ``"glorot"`` (the course's)
  :math:`U(-L, L)`, :math:`L = 4\sqrt{6/(\text{fan\_in} + \text{fan\_out} + 1)}`, bias 0;
  ``"relu"`` the same with :math:`L = \sqrt2\sqrt{6/(\text{fan\_in} + \text{fan\_out} + 1)}`;
  ``"glorot_uniform"`` (Keras's) :math:`L = \sqrt{6/(\text{fan\_in} + \text{fan\_out})}`, bias 0.

``cost_[e]`` is the sum over epoch :math:`e`'s mini-batches of the batch objective (before each
update, penalty included); ``grad_mean_abs_[e, l]`` the mean over those mini-batches of
:math:`\mathrm{mean}|\partial J/\partial \mathbf W^{(l)}|` (weights only), for vanishing-gradient
plots.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..scratch import check_number, losses
from ..scratch.callbacks import TrainingDivergedError
from ..scratch.layers import Dense, Input, OnesColumn
from ..scratch.models import Sequential
from ..scratch.optimizers.base import Optimizer
from ..scratch.sparse import dense, squares
from ..scratch.regularizers import Regularizer
from .weights import engine_weights, given_weights, initial_weights, keras_to_lecture, lecture_to_keras  # noqa: F401

DECREASE_RULES = ("none", "inverse_time", "power", "step")
MOMENTUM_RULES = ("none", "lookback", "heavy_ball")
INITS = ("uniform", "glorot", "relu", "glorot_uniform")
COSTS = ("quadratic", "cross_entropy")
BIAS_MODES = ("row", "vector")
ACTIVATIONS = ("sigmoid", "relu")


def course_learning_rate(eta, epoch, decrease="none", decrease_const=0.0, decrease_step=10):
    r"""The course's learning rate for epoch ``epoch`` (0-based) under the rule ``decrease``."""
    if decrease == "none":
        return eta
    if decrease == "inverse_time":
        return eta / (1 + decrease_const * epoch)
    if decrease == "power":
        return max(eta ** (1 + decrease_const * epoch), eta / 1000)
    if decrease == "step":
        return eta * decrease_const ** (epoch // decrease_step)
    raise ValueError(f"Unknown `decrease` rule {decrease!r}; valid: {', '.join(DECREASE_RULES)}.")


class CourseL2(Regularizer):
    r""":math:`\Omega = \tfrac C2 \sum w^2`, :math:`\nabla\Omega = C\,w`, on the weights only.

    With ``skip_first_row`` the kernel's row 0 (the bias row of the ``bias="row"`` form) is left
    out. The factor stays in float64 (Keras's own L2 would round :math:`C/2` through float32).
    """

    def __init__(self, C, skip_first_row=False):
        self.C = float(C)
        self.skip_first_row = bool(skip_first_row)

    def _weights(self, w):
        return w[1:] if self.skip_first_row else w

    def penalty(self, w):
        v = self._weights(w)
        return (self.C / 2) * np.sum(v * v)

    def gradient(self, w):
        grad = self.C * w
        if self.skip_first_row:
            grad[0] = 0.0
        return grad

    def get_config(self):
        return {"C": self.C, "skip_first_row": self.skip_first_row}


class CourseSGD(Optimizer):
    r"""The course's update rules (see the module docstring) with the per-epoch learning rate.

    Args:
        eta: the initial learning rate :math:`\eta`.
        steps_per_epoch: mini-batches per epoch (the epoch is ``iterations // steps_per_epoch``).
        decrease, decrease_const, decrease_step: the learning-rate rule.
        momentum: ``"none"``, ``"lookback"`` or ``"heavy_ball"``; ``alpha`` its coefficient.
        adagrad: use the course's decayed AdaGrad; ``adagrad_decay`` is :math:`\gamma`.
    """

    name = "course_sgd"

    def __init__(self, eta, steps_per_epoch, decrease="none", decrease_const=0.0, decrease_step=10,
                 momentum="none", alpha=0.0, adagrad=False, adagrad_decay=0.9):
        super().__init__(eta)
        self.eta, self.steps_per_epoch = eta, int(steps_per_epoch)
        self.decrease, self.decrease_const, self.decrease_step = decrease, decrease_const, decrease_step
        self.momentum, self.alpha = momentum, alpha
        self.adagrad, self.adagrad_decay = adagrad, adagrad_decay

    @property
    def learning_rate(self):
        epoch = self.iterations // self.steps_per_epoch
        return course_learning_rate(self.eta, epoch, self.decrease, self.decrease_const,
                                    self.decrease_step)

    def build(self, variables):
        self.state = self._slots(variables)  # rho_prev, the momentum cache, or G
        super().build(variables)

    def update_step(self, gradient, variable, learning_rate, index):
        s = self.state[index]
        if self.adagrad:
            s[...] = squares(gradient) + self.adagrad_decay * s + 1e-7
            gradient = dense(gradient)
            variable -= learning_rate * gradient / np.sqrt(s)
        elif self.momentum == "lookback":
            rho = learning_rate * dense(gradient)
            variable -= rho + self.alpha * s
            s[...] = rho
        elif self.momentum == "heavy_ball":
            s[...] = dense(gradient) + self.alpha * s
            variable -= learning_rate * s
        else:
            variable -= learning_rate * dense(gradient)


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}; received {name}={value!r}.")


class CourseMLP(ClassifierMixin, BaseEstimator):
    """The course's multi-layer perceptron classifier (scikit-learn conventions).

    Args:
        n_hidden: units of the hidden layer, or a tuple for several hidden layers.
        activation: hidden activation, ``"sigmoid"`` or ``"relu"``.
        output: output activation (``"sigmoid"``, one unit per class, one-hot targets).
        cost: ``"quadratic"`` (the lecture's) or ``"cross_entropy"``.
        bias: ``"row"`` (a row of ones, W absorbs the bias) or ``"vector"`` (separate b).
        C: L2 strength (gradient ``C * W`` on the weights, bias excluded).
        eta: learning rate.
        epochs: passes over the training data.
        decrease: ``"none"``, ``"inverse_time"``, ``"power"`` or ``"step"``.
        decrease_const: :math:`d` of the decrease rule.
        decrease_step: :math:`s` of the step rule (epochs per step).
        minibatches: number of mini-batches per epoch (``np.array_split``).
        shuffle: reshuffle the rows every epoch.
        momentum: ``"none"``, ``"lookback"`` (07/08 notebooks) or ``"heavy_ball"`` (07a).
        alpha: momentum coefficient.
        adagrad: use the course's decayed AdaGrad (with ``momentum="none"``).
        adagrad_decay: :math:`\\gamma` of the decayed AdaGrad.
        init: ``"uniform"``, ``"glorot"`` (the course's, 4x), ``"relu"`` or ``"glorot_uniform"``.
        random_state: seed (int), ``None`` or a ``numpy.random.RandomState``.
        initial_weights: start from these lecture-layout matrices ``[W1, W2, ...]``, each
            ``(out, in + 1)`` with the bias in column 0 (e.g. a notebook's own start), instead of
            drawing them with ``init``; ``None`` draws them.

    The steps of ``fit`` are public for the package's comparisons and lessons:
    :meth:`prepare` (checked data, initial weights, the batch plan, the engine ``engine_``) and
    :meth:`train` (the epochs of that plan).
    """

    def __init__(self, n_hidden=30, activation="sigmoid", output="sigmoid", cost="quadratic",
                 bias="row", C=0.0, eta=0.001, epochs=100, decrease="none", decrease_const=0.0,
                 decrease_step=10, minibatches=1, shuffle=True, momentum="none", alpha=0.0,
                 adagrad=False, adagrad_decay=0.9, init="uniform", random_state=None,
                 initial_weights=None):
        self.n_hidden = n_hidden
        self.activation = activation
        self.output = output
        self.cost = cost
        self.bias = bias
        self.C = C
        self.eta = eta
        self.epochs = epochs
        self.decrease = decrease
        self.decrease_const = decrease_const
        self.decrease_step = decrease_step
        self.minibatches = minibatches
        self.shuffle = shuffle
        self.momentum = momentum
        self.alpha = alpha
        self.adagrad = adagrad
        self.adagrad_decay = adagrad_decay
        self.init = init
        self.random_state = random_state
        self.initial_weights = initial_weights

    # -- checks ------------------------------------------------------------------------------
    def hidden_sizes(self):
        """The hidden layers' widths, as a tuple (``n_hidden`` checked)."""
        sizes = (self.n_hidden,) if isinstance(self.n_hidden, numbers.Integral) else tuple(self.n_hidden)
        if not sizes or any(isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1 for h in sizes):
            raise ValueError(
                "`n_hidden` must be a positive integer or a non-empty tuple of them; received "
                f"n_hidden={self.n_hidden!r}."
            )
        return tuple(int(h) for h in sizes)

    def _check_params(self, n_samples):
        _check_choice(self.activation, "activation", ACTIVATIONS)
        _check_choice(self.output, "output", ("sigmoid",))
        _check_choice(self.cost, "cost", COSTS)
        _check_choice(self.bias, "bias", BIAS_MODES)
        _check_choice(self.decrease, "decrease", DECREASE_RULES)
        _check_choice(self.momentum, "momentum", MOMENTUM_RULES)
        _check_choice(self.init, "init", INITS)
        check_number(self.C, "C", low=0)
        check_number(self.eta, "eta", low=0, closed="right")
        check_number(self.decrease_const, "decrease_const", low=0)
        check_number(self.alpha, "alpha", low=0, high=1)
        check_number(self.adagrad_decay, "adagrad_decay", low=0, high=1)
        for name in ("epochs", "decrease_step", "minibatches"):
            check_number(getattr(self, name), name, low=1, integer=True)
        if self.minibatches > n_samples:
            raise ValueError(
                f"`minibatches`={self.minibatches} is more than the training rows "
                f"(n_samples={n_samples}); every mini-batch needs at least one row."
            )
        if self.adagrad and self.momentum != "none":
            raise ValueError("`adagrad=True` replaces the momentum rule; use momentum='none' with it.")
        if self.decrease == "power" and self.eta >= 1:
            raise ValueError("The 'power' decrease rule eta**(1 + d*epoch) needs `eta` < 1.")
        self.hidden_sizes()

    def _targets(self, y):
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                raise ValueError(
                    "Unknown label type: `y` must hold class labels (integers or strings), not "
                    "continuous values; CourseMLP is a classifier."
                )
        check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"`y` has 1 class ({classes[0]!r}); a classifier needs at least 2 classes."
            )
        return classes, np.eye(len(classes))[encoded]

    # -- building ------------------------------------------------------------------------------
    def prepare(self, X, y):
        """Validate, take or draw the initial weights, build the engine ``engine_`` and the batch
        plan (per epoch, ``np.array_split`` of the epoch's row order); returns ``(X, Y, plan)``
        with ``Y`` one-hot."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        self._check_params(X.shape[0])
        self.classes_, Y = self._targets(y)
        rs = check_random_state(self.random_state)
        sizes = (X.shape[1], *self.hidden_sizes(), len(self.classes_))
        self.initial_weights_ = (initial_weights(sizes, self.init, rs) if self.initial_weights is None
                                 else given_weights(self.initial_weights, sizes))
        self.engine_ = self.build_engine(sizes, self.initial_weights_)
        plan = []
        for _ in range(self.epochs):
            order = rs.permutation(X.shape[0]) if self.shuffle else np.arange(X.shape[0])
            plan.append(np.array_split(order, self.minibatches))
        return X, Y, plan

    def build_engine(self, sizes, weights):
        """The NumPy engine (a ``scratch.Sequential``) for layer ``sizes``, from lecture-layout
        ``weights``, compiled with the course's summed cost and its optimizer ``CourseSGD``."""
        row = self.bias == "row"
        reg = CourseL2(self.C, skip_first_row=row) if self.C else None
        layers = [Input(shape=(sizes[0],))]
        for i, units in enumerate(sizes[1:]):
            act = self.output if i == len(sizes) - 2 else self.activation
            if row:
                layers.append(OnesColumn())
            layers.append(Dense(units, activation=act, use_bias=not row, kernel_regularizer=reg))
        engine = Sequential(layers, name="course_mlp", seed=0, dtype="float64")
        k = sizes[-1]
        loss = (losses.MeanSquaredError(reduction="sum") if self.cost == "quadratic"
                else losses.BinaryCrossentropy(reduction="sum"))
        engine.compile(
            optimizer=CourseSGD(self.eta, self.minibatches, self.decrease, self.decrease_const,
                                self.decrease_step, self.momentum, self.alpha, self.adagrad,
                                self.adagrad_decay),
            loss=loss,
            loss_weights=float(k),  # Keras averages the k outputs; the course sums them
        )
        engine.set_weights(engine_weights(weights, row))
        return engine

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y):
        """Train on ``X`` (samples as rows, as scikit-learn) and class labels ``y``."""
        X, Y, plan = self.prepare(X, y)
        self.train(X, Y, plan)
        return self

    def train(self, X, Y, plan, on_epoch_end=None, on_batch_end=None):
        """Run the epochs of ``plan`` on the prepared ``X, Y``, recording ``cost_`` and
        ``grad_mean_abs_`` per epoch; the callbacks get ``(epoch)`` and ``(epoch, batch, cost)``."""
        engine = self.engine_
        optimizer = engine.optimizer
        kernels = [i for i, n in enumerate(engine.weight_names()) if n.endswith("/kernel")]
        self.cost_, self.grad_mean_abs_ = [], []
        for epoch, batches in enumerate(plan):
            total, grad_abs = 0.0, np.zeros(len(kernels))
            for b, idx in enumerate(batches):
                with np.errstate(over="ignore", invalid="ignore"):
                    cost, grads, _ = engine._train_step(X[idx], Y[idx])
                if not np.isfinite(cost):
                    raise TrainingDivergedError(
                        f"The cost became {cost} at epoch {epoch}, mini-batch {b}; training "
                        "stopped. Lower `eta` or use a decrease rule.",
                        optimizer.iterations, epoch, b,
                    )
                total += cost
                for j, i in enumerate(kernels):
                    g = grads[i][1:] if self.bias == "row" else grads[i]
                    grad_abs[j] += np.mean(np.abs(g))
                optimizer.apply(grads, engine.weights)
                if on_batch_end is not None:
                    on_batch_end(epoch, b, cost)
            self.cost_.append(total)
            self.grad_mean_abs_.append(grad_abs / len(batches))
            if on_epoch_end is not None:
                on_epoch_end(epoch)
        self.grad_mean_abs_ = np.array(self.grad_mean_abs_)
        return self

    # -- prediction ------------------------------------------------------------------------------
    def _logits(self, X):
        r"""The output pre-activation :math:`Z^{(L)}`: far outside the training range every
        :math:`A = \sigma(Z)` underflows to 0 and ``A / A.sum()`` is 0/0, while :math:`Z` still
        orders the classes. A row whose :math:`Z` overflows float64 is refused."""
        check_is_fitted(self, "engine_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        with np.errstate(over="ignore", invalid="ignore"):
            z = self.engine_.forward(X)[-1].z
        bad = ~np.all(np.isfinite(z), axis=1)
        if bad.any():
            raise ValueError(f"`X` row {int(np.argmax(bad))} is so far outside the training data that "
                             "the network's output overflows float64; check it for a data-entry "
                             "error, and scale `X` as the training data were scaled.")
        return z

    def predict_proba(self, X):
        r"""The output units' activations, normalized to sum to 1 over the classes: computed from
        :math:`\log a_i = -\log(1 + e^{-z_i})` with the log-sum-exp shift (never 0/0 = NaN)."""
        log_a = -np.logaddexp(0.0, -self._logits(X))
        p = np.exp(log_a - log_a.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The class whose output unit is largest (the course's ``argmax`` of :math:`A^{(L)}`,
        taken on :math:`Z^{(L)}`, which the increasing sigmoid orders the same way)."""
        z = self._logits(X)  # first: it raises NotFittedError before `classes_` exists
        return self.classes_[np.argmax(z, axis=1)]

    # -- the lecture's layout ----------------------------------------------------------------------
    def keras_weights(self):
        """The current weights in Keras's layout and order: ``[kernel_1, bias_1, kernel_2, ...]``."""
        check_is_fitted(self, "engine_")
        out = []
        for W in self.W_:
            out.extend(lecture_to_keras(W))
        return out

    @property
    def W_(self):
        """Each layer's lecture matrix ``(out, in + 1)`` with the bias as column 0."""
        check_is_fitted(self, "engine_")
        w = self.engine_.weights
        if self.bias == "row":
            return [K.T.copy() for K in w]
        return [keras_to_lecture(w[i], w[i + 1]) for i in range(0, len(w), 2)]

    @property
    def coefs_(self):
        """Each layer's ``W`` in the lecture's layout ``(out, in)``, without the bias."""
        return [W[:, 1:] for W in self.W_]

    @property
    def intercepts_(self):
        """Each layer's bias ``b`` ``(out,)``."""
        return [W[:, 0] for W in self.W_]

    @property
    def W1(self):
        """Layer 1 as the course writes it: ``(out, in + 1)`` with ``bias="row"``, else ``(out, in)``."""
        return self.W_[0] if self.bias == "row" else self.coefs_[0]

    @property
    def W2(self):
        return self.W_[1] if self.bias == "row" else self.coefs_[1]

    @property
    def b1(self):
        return self.intercepts_[0]

    @property
    def b2(self):
        return self.intercepts_[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


def bias_self_test(X, y, **params):
    """The lecture's self-test, with numbers: train the same network with ``bias="row"`` and
    ``bias="vector"`` from the same initial weights and return, per epoch, the largest relative
    difference of the weights and of the cost (a DataFrame).

    The two are different computations (a matrix product over ``[1, a]`` against a product plus
    a vector), so they agree to round-off, not bit for bit.
    """
    import pandas as pd

    runs = {}
    for mode in BIAS_MODES:
        est = CourseMLP(**{**params, "bias": mode})
        Xv, Y, plan = est.prepare(X, y)
        snapshots = []
        est.train(Xv, Y, plan, on_epoch_end=lambda e, est=est, s=snapshots: s.append(est.W_))
        runs[mode] = (est, snapshots)
    rows = []
    (row_est, row_w), (vec_est, vec_w) = runs["row"], runs["vector"]
    for epoch, (wr, wv) in enumerate(zip(row_w, vec_w)):
        rows.append({
            "epoch": epoch,
            "weights_rel_diff": max(float(np.max(np.abs(a - b)) / np.max(np.abs(b))) for a, b in zip(wr, wv)),
            "cost_row": row_est.cost_[epoch],
            "cost_vector": vec_est.cost_[epoch],
            "cost_rel_diff": abs(row_est.cost_[epoch] - vec_est.cost_[epoch]) / abs(vec_est.cost_[epoch]),
        })
    return pd.DataFrame(rows)
