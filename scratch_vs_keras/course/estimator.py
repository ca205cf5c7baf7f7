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
* **L2.** :math:`\tfrac{fC}2 \sum w^2` over the weights only, bias excluded: gradient
  :math:`f C\,\mathbf W`, with no :math:`1/N`; ``l2_factor`` :math:`f` is 1 in 07, 08, 08a
  (``grad[:, 1:] += C * W[:, 1:]``) and 2 in 07a (``gradW += W * C * 2``).
* **Learning rate** per epoch, **update rules** (look-back, 07a's heavy-ball, AdaGrad followed by
  momentum, the biases' plain step): :mod:`.rules`, which states them with the notebooks' names.
* **Mini-batches**: each epoch the (optionally shuffled) row indices are cut into
  ``minibatches`` nearly equal pieces with ``np.array_split``; the notebooks shuffle the previous
  epoch's order again (``shuffle_from="previous"``).
* **Initialization** (``init``, ``init_bias``, ``output_bias``):
  :func:`.weights.initial_weights`.
* **Presets**: ``variant="08a:TLPAdaGrad"`` and the like set every rule as that notebook class
  does (:mod:`.presets`); 08's dropout and 07/07a's L-BFGS-B live in :mod:`.solvers`.

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
from .presets import VARIANTS, resolve
from .rules import (DECREASE_RULES, MOMENTUM_RULES, CourseL2, CourseSGD,  # noqa: F401
                    course_learning_rate, recorded_cost)
from .solvers import STATES, dropout_plan, train_dropout_epoch, train_lbfgs
from .weights import (INIT_BIASES, INITS, engine_weights, given_weights, initial_weights,  # noqa: F401
                      keras_to_lecture, lecture_to_keras, to_lecture)

COSTS = ("quadratic", "cross_entropy")
BIAS_MODES = ("row", "vector")
ACTIVATIONS = ("sigmoid", "relu")
BIAS_UPDATES = ("same", "plain")
SHUFFLE_FROM = ("original", "previous")
SOLVERS = ("sgd", "lbfgs")


def _check_choice(value, name, choices):
    if value not in choices:
        # The notebooks' "BFGS" classes import fmin_bfgs but call fmin_l_bfgs_b.
        why = (" (07/07a's BFGS classes call SciPy's fmin_l_bfgs_b: use solver='lbfgs')"
               if (name, value) == ("solver", "bfgs") else "")
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}; "
                         f"received {name}={value!r}{why}.")


class CourseMLP(ClassifierMixin, BaseEstimator):
    """The course's multi-layer perceptron classifier (scikit-learn conventions).

    Args:
        n_hidden: units of the hidden layer, or a tuple for several hidden layers.
        variant: a course class, e.g. ``"07a:TLPVectorizedMiniBatch"`` or ``"08a:TLPAdaGrad"``
            (:data:`~scratch_vs_keras.course.presets.VARIANTS`), whose rules fill every knob
            left at ``None``; ``None``: the package defaults.
        activation: hidden activation, ``"sigmoid"`` or ``"relu"``.
        output: output activation (``"sigmoid"``, one unit per class, one-hot targets).
        cost: ``"quadratic"`` (the lecture's) or ``"cross_entropy"``.
        bias: ``"row"`` (a row of ones, W absorbs the bias) or ``"vector"`` (separate b).
        C: L2 strength (gradient ``l2_factor * C * W`` on the weights, bias excluded).
        eta: learning rate.
        epochs: passes over the training data (``solver="lbfgs"``: SciPy's ``maxfun``).
        decrease: ``"none"``, ``"inverse_time"``, ``"power"``, ``"step"`` or
            ``"inverse_time_compound"`` (:func:`~scratch_vs_keras.course.rules.course_learning_rate`).
        decrease_const: :math:`d` of the decrease rule.
        decrease_step: :math:`s` of the step rule (epochs per step; 08a's ``decrease_iter``).
        minibatches: number of mini-batches per epoch (``np.array_split``); a float, as the
            notebooks' ``len(X)/256``, is truncated as ``np.array_split`` truncates it.
        shuffle: draw a new row order every epoch.
        shuffle_from: ``"original"`` (permute the original rows) or ``"previous"`` (permute the
            previous epoch's order, as the notebooks' ``X_data = X_data[ridx]`` does).
        momentum: ``"none"``, ``"lookback"`` (07, 08, 08a) or ``"heavy_ball"`` (07a's code).
        alpha: momentum coefficient.
        bias_update: ``"same"`` (the biases follow the weights' rule) or ``"plain"``
            (:math:`b \\leftarrow b - \\eta g`, outside momentum and AdaGrad: 07a, 08a).
        adagrad: rescale the gradient by the course's decayed AdaGrad before the momentum rule.
        adagrad_decay: :math:`\\gamma` of the decayed AdaGrad; ``None``: ``alpha`` (08a's one alpha).
        l2_factor: 1 (gradient :math:`C W`) or 2 (07a's :math:`2 C W`).
        init: ``"uniform"``, ``"glorot"`` (the course's, 4x), ``"relu"`` or ``"glorot_uniform"``.
        init_bias: ``"drawn"`` (07, 08) or ``"zero"`` (07a, 08a); see
            :func:`~scratch_vs_keras.course.weights.initial_weights`.
        output_bias: the output layer's starting bias with ``init_bias="zero"`` (08a: -2, -1).
        dropout: 08's ``TLPDropout``: each epoch trains the network without
            ``int(n_hidden * (1 - dropout))`` randomly chosen hidden units (so ``dropout`` is about
            the fraction *kept*, unlike Keras's rate), unscaled; 0 trains them all.
        solver: ``"sgd"`` or ``"lbfgs"`` (07/07a's ``TLPVectorizedBFGS``, which calls
            ``scipy.optimize.fmin_l_bfgs_b`` on the flattened weights, whole data).
        gtol: SciPy's ``pgtol`` for ``solver="lbfgs"``.
        random_state: seed (int), ``None`` or a ``numpy.random.RandomState``; the draws come in
            the notebooks' order (weights, then per epoch the shuffle and the dropout units).
            The notebooks seed NumPy's global stream in ``__init__``, so two objects built one
            after the other and then fitted share one stream: pass both the same
            ``RandomState`` to reproduce that.
        warm_start: a second ``fit`` continues from the trained weights and the optimizer's state
            (momentum, AdaGrad), the learning-rate rule restarting at epoch 0 and the random
            stream continuing, as 08a's classes do (``if not hasattr(self, 'W1')``); ``False``
            draws a new start every ``fit`` (07, 07a, 08).
        initial_weights: start from these lecture-layout matrices ``[W1, W2, ...]``, each
            ``(out, in + 1)`` with the bias in column 0 (e.g. a notebook's own start), in place of
            the drawn ones (still drawn, so that ``random_state`` gives the same shuffles);
            ``None`` uses the drawn ones.

    Fitted: ``settings_`` (every knob as resolved), ``cost_`` and ``course_cost_`` (below),
    ``grad_mean_abs_``, ``initial_weights_``, ``W_``/``W1``/``W2``/``b1``/``b2``; ``score_``, the
    training accuracy before the first epoch and after each (recorded for 08/08a's classes, as
    they do, or whenever ``fit`` gets ``XY_test``; else ``None``), ``val_score_`` the same on
    ``XY_test``; ``course_eta_``, the rate the notebook's ``self.eta`` holds after ``fit`` (08's
    ``TLPDropout`` divides it in place, so its next ``fit`` starts there: pass
    ``eta=course_eta_`` to reproduce that; every other class leaves it at ``eta``).

    Two costs, because the notebooks plot one quantity and descend another: ``cost_[e]`` is the
    objective both gradients (ours and Keras's translation) descend, summed over epoch ``e``'s
    mini-batches, :math:`\\sum \\|Y - A\\|^2 + \\tfrac{fC}2 \\sum W^2` (the equivalence proof compares
    it); ``course_cost_`` is the cost exactly as the variant's notebook records it (a mean error
    plus :math:`C\\sqrt{\\mathrm{mean}\\,W^2}`, per mini-batch, per epoch or its mean: see
    :func:`~scratch_vs_keras.course.rules.recorded_cost`), ``None`` without a variant.

    The steps of ``fit`` are public for the package's comparisons and lessons:
    :meth:`prepare` (checked data, initial weights, the batch plan, the engine ``engine_``) and
    :meth:`train` (the epochs of that plan).
    """

    def __init__(self, n_hidden=30, variant=None, activation=None, output="sigmoid", cost=None,
                 bias=None, C=0.0, eta=0.001, epochs=100, decrease=None, decrease_const=0.0,
                 decrease_step=10, minibatches=1, shuffle=None, shuffle_from=None, momentum=None,
                 alpha=0.0, bias_update=None, adagrad=None, adagrad_decay=None, l2_factor=None,
                 init=None, init_bias=None, output_bias=None, dropout=0.0, solver=None, gtol=1e-5,
                 random_state=None, initial_weights=None, warm_start=None):
        self.n_hidden = n_hidden
        self.variant = variant
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
        self.shuffle_from = shuffle_from
        self.momentum = momentum
        self.alpha = alpha
        self.bias_update = bias_update
        self.adagrad = adagrad
        self.adagrad_decay = adagrad_decay
        self.l2_factor = l2_factor
        self.init = init
        self.init_bias = init_bias
        self.output_bias = output_bias
        self.dropout = dropout
        self.solver = solver
        self.gtol = gtol
        self.random_state = random_state
        self.initial_weights = initial_weights
        self.warm_start = warm_start

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
        self.settings_, self.notebook_, self.recording_ = resolve(self.get_params())
        s = self.settings_
        for name, choices in (("activation", ACTIVATIONS), ("cost", COSTS), ("bias", BIAS_MODES),
                              ("decrease", DECREASE_RULES), ("momentum", MOMENTUM_RULES),
                              ("init", INITS), ("init_bias", INIT_BIASES), ("bias_update", BIAS_UPDATES),
                              ("shuffle_from", SHUFFLE_FROM), ("solver", SOLVERS), ("adagrad", (False, True)),
                              ("shuffle", (False, True)), ("l2_factor", (1, 2)),
                              ("warm_start", (False, True))):
            _check_choice(s[name], name, choices)
        _check_choice(self.output, "output", ("sigmoid",))
        check_number(self.C, "C", low=0)
        check_number(self.eta, "eta", low=0, closed="right")
        check_number(self.decrease_const, "decrease_const", low=0)
        check_number(self.alpha, "alpha", low=0, high=1)
        check_number(self.adagrad_decay, "adagrad_decay", low=0, high=1, allow_none=True)
        check_number(s["output_bias"], "output_bias")
        check_number(self.dropout, "dropout", low=0, high=1)
        check_number(self.gtol, "gtol", low=0)
        for name in ("epochs", "decrease_step"):
            check_number(getattr(self, name), name, low=1, integer=True)
        check_number(self.minibatches, "minibatches", low=1)
        if int(self.minibatches) > n_samples:
            raise ValueError(
                f"`minibatches`={self.minibatches} is more than the training rows "
                f"(n_samples={n_samples}); every mini-batch needs at least one row."
            )
        if s["decrease"] == "power" and self.eta >= 1:
            raise ValueError("The 'power' decrease rule eta**(1 + d*epoch) needs `eta` < 1.")
        if s["output_bias"] and s["init_bias"] != "zero":
            raise ValueError("`output_bias` sets the output layer's starting bias, which only "
                             "init_bias='zero' starts at a constant; use init_bias='zero' with it.")
        if self.recording_ in ("epoch", "bfgs") or s["solver"] == "lbfgs":
            if int(self.minibatches) != 1 or self.dropout:
                raise ValueError(f"{self.variant or 'solver=lbfgs'} trains on the whole data at once: "
                                 "use minibatches=1 and dropout=0.")
        if self.dropout and len(self.hidden_sizes()) != 1:
            raise ValueError("`dropout` follows 08's TLPDropout, which has one hidden layer; "
                             f"received n_hidden={self.n_hidden!r}.")
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
        plan (per epoch, ``np.array_split`` of the epoch's row order; with ``dropout`` the kept
        hidden units per epoch in ``kept_units_``); returns ``(X, Y, plan)`` with ``Y`` one-hot."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        self._check_params(X.shape[0])
        s = self.settings_
        self.classes_, Y = self._targets(y)
        sizes = (X.shape[1], *self.hidden_sizes(), len(self.classes_))
        if s["warm_start"] and hasattr(self, "engine_"):
            rs = self._continue_from(sizes)
        else:
            rs = self.random_state_ = check_random_state(self.random_state)
            # drawn even when given, so that one random_state gives the notebook's shuffles either way
            self.initial_weights_ = initial_weights(sizes, s["init"], rs, s["init_bias"], s["output_bias"])
            if self.initial_weights is not None:
                self.initial_weights_ = given_weights(self.initial_weights, sizes)
            self.engine_ = self.build_engine(sizes, self.initial_weights_)
        self.sizes_ = sizes
        plan, self.kept_units_ = [], []
        order = np.arange(X.shape[0])
        for _ in range(self.epochs if s["solver"] == "sgd" else 0):
            if s["shuffle"]:
                perm = rs.permutation(X.shape[0])
                order = order[perm] if s["shuffle_from"] == "previous" else perm
            plan.append(np.array_split(order, int(self.minibatches)))
            self.kept_units_.append(dropout_plan(rs, sizes[1], self.dropout))
        return X, Y, plan

    def _continue_from(self, sizes):
        """Warm start: keep the engine (weights, optimizer state) and the random stream; the
        learning-rate rule starts again at epoch 0."""
        if sizes != self.sizes_:
            raise ValueError(f"warm_start continues the fitted network of layer sizes {self.sizes_}, "
                             f"but this data gives {sizes}; fit the same features and classes, or "
                             "use warm_start=False to start again.")
        self.engine_.optimizer = self._optimizer(self.engine_, self.settings_, self.engine_.optimizer)
        return self.random_state_

    def build_engine(self, sizes, weights):
        """The NumPy engine (a ``scratch.Sequential``) for layer ``sizes``, from lecture-layout
        ``weights``, compiled with the course's summed cost and its optimizer ``CourseSGD``
        (callable before ``fit``: the knobs are then resolved here)."""
        s = self.settings_ if hasattr(self, "settings_") else resolve(self.get_params())[0]
        row = s["bias"] == "row"
        reg = CourseL2(self.C, skip_first_row=row, factor=s["l2_factor"]) if self.C else None
        layers = [Input(shape=(sizes[0],))]
        for i, units in enumerate(sizes[1:]):
            act = self.output if i == len(sizes) - 2 else s["activation"]
            if row:
                layers.append(OnesColumn())
            layers.append(Dense(units, activation=act, use_bias=not row, kernel_regularizer=reg))
        engine = Sequential(layers, name="course_mlp", seed=0, dtype="float64")
        k = sizes[-1]
        loss = (losses.MeanSquaredError(reduction="sum") if s["cost"] == "quadratic"
                else losses.BinaryCrossentropy(reduction="sum"))
        engine.compile(optimizer=self._optimizer(engine, s), loss=loss,
                       loss_weights=float(k))  # Keras averages the k outputs; the course sums them
        engine.set_weights(engine_weights(weights, row))
        return engine

    def _optimizer(self, engine, s, previous=None):
        """``CourseSGD`` for ``engine``; with ``previous`` (warm start) it carries on that one's
        momentum and AdaGrad state from epoch 0."""
        plain = None
        if s["bias_update"] == "plain":  # the bias vectors, or row 0 (the bias) of each kernel
            plain = [True if n.endswith("/bias") else None for n in engine.weight_names()]
            if s["bias"] == "row":
                plain = [np.arange(len(w))[:, None] == 0 for w in engine.weights]
        optimizer = CourseSGD(self.eta, int(self.minibatches), s["decrease"], self.decrease_const,
                              self.decrease_step, s["momentum"], self.alpha, s["adagrad"],
                              s["adagrad_decay"], plain)
        if previous is not None and previous.built:
            optimizer.build(engine.weights)
            for name in STATES:
                setattr(optimizer, name, getattr(previous, name))
        return optimizer

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y, XY_test=None):
        """Train on ``X`` (samples as rows, as scikit-learn) and class labels ``y``; ``XY_test``
        ``(X_test, y_test)`` is scored before the first epoch and after each (``val_score_``),
        as the notebooks' ``fit(..., XY_test=...)``."""
        X, Y, plan = self.prepare(X, y)
        self.score_ = self.val_score_ = None
        on_epoch_end = None
        if XY_test is not None or self.notebook_ in ("08", "08a"):
            self.score_ = [self.score(X, y)]
            if XY_test is not None:
                X_test, y_test = self._check_xy_test(XY_test)
                self.val_score_ = [self.score(X_test, y_test)]

            def on_epoch_end(epoch):
                self.score_.append(self.score(X, y))
                if XY_test is not None:
                    self.val_score_.append(self.score(X_test, y_test))
        self.train(X, Y, plan, on_epoch_end)
        if self.settings_["solver"] == "lbfgs" and on_epoch_end is not None:
            on_epoch_end(None)  # L-BFGS-B has no epochs: the score at its end
        s = self.settings_
        self.course_eta_ = (course_learning_rate(self.eta, self.epochs - 1, s["decrease"], self.decrease_const)
                            if s["decrease"] == "inverse_time_compound" else self.eta)
        return self

    @staticmethod
    def _check_xy_test(XY_test):
        if not isinstance(XY_test, (tuple, list)) or len(XY_test) != 2:
            raise ValueError("`XY_test` must be a pair (X_test, y_test), as the notebooks pass it; "
                             f"received {type(XY_test).__name__}.")
        return XY_test

    def train(self, X, Y, plan, on_epoch_end=None, on_batch_end=None):
        """Run the epochs of ``plan`` on the prepared ``X, Y`` (or, with ``solver="lbfgs"``, SciPy's
        L-BFGS-B on all of it), recording ``cost_``, ``course_cost_`` and ``grad_mean_abs_``; the
        callbacks get ``(epoch)`` and ``(epoch, batch, cost)``."""
        self.cost_, self.grad_mean_abs_ = [], []
        self.course_cost_ = None if self.notebook_ is None else []
        if self.settings_["solver"] == "lbfgs":
            return train_lbfgs(self, X, Y)
        for epoch, batches in enumerate(plan):
            kept = self.kept_units_[epoch] if epoch < len(self.kept_units_) else None
            if kept is None:
                total, grad_abs, recorded = self._train_epoch(self.engine_, X, Y, epoch, batches, on_batch_end)
            else:
                total, grad_abs, recorded = train_dropout_epoch(self, X, Y, epoch, batches, kept, on_batch_end)
            self.cost_.append(total)
            self.grad_mean_abs_.append(grad_abs / len(batches))
            if self.course_cost_ is not None:
                self.course_cost_.append(recorded[0] if self.recording_ == "epoch" else
                                         np.mean(recorded) if self.recording_ == "mean" else recorded)
            if on_epoch_end is not None:
                on_epoch_end(epoch)
        self.grad_mean_abs_ = np.array(self.grad_mean_abs_)
        return self

    def _train_epoch(self, engine, X, Y, epoch, batches, on_batch_end=None):
        """One epoch of mini-batch steps on ``engine``: ``(objective sum, grad_abs, recorded)``."""
        optimizer, row = engine.optimizer, self.settings_["bias"] == "row"
        kernels = [i for i, n in enumerate(engine.weight_names()) if n.endswith("/kernel")]
        total, grad_abs, recorded = 0.0, np.zeros(len(kernels)), []
        for b, idx in enumerate(batches):
            if self.notebook_ is not None:
                weights = to_lecture(engine.weights, row)  # pre-update, as the notebooks record
            with np.errstate(over="ignore", invalid="ignore"):
                cost, grads, A = engine._train_step(X[idx], Y[idx])
            if not np.isfinite(cost):
                raise TrainingDivergedError(
                    f"The cost became {cost} at epoch {epoch}, mini-batch {b}; training "
                    "stopped. Lower `eta` or use a decrease rule.",
                    optimizer.iterations, epoch, b,
                )
            total += cost
            if self.notebook_ is not None:
                recorded.append(recorded_cost(self.notebook_, self.settings_["cost"], Y[idx], A,
                                              weights, self.C, not row))
            for j, i in enumerate(kernels):
                g = grads[i][1:] if row else grads[i]
                grad_abs[j] += np.mean(np.abs(g))
            optimizer.apply(grads, engine.weights)
            if on_batch_end is not None:
                on_batch_end(epoch, b, cost)
        return total, grad_abs, recorded

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
        return to_lecture(self.engine_.weights, self.settings_["bias"] == "row")

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
        return self.W_[0] if self.settings_["bias"] == "row" else self.coefs_[0]

    @property
    def W2(self):
        return self.W_[1] if self.settings_["bias"] == "row" else self.coefs_[1]

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
