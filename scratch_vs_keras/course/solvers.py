"""The two course trainings that are not one mini-batch step after another on the whole network:
08's ``TLPDropout`` (an epoch on a thinned network) and 07/07a's ``TLPVectorizedBFGS`` (SciPy's
L-BFGS-B on the flattened weights). Both drive a ``CourseMLP``'s engine; neither has a Keras
translation (:func:`scratch_vs_keras.course.keras.course_to_keras` says why)."""

import numpy as np

from .rules import bfgs_value
from .weights import engine_weights, to_lecture

STATES = ("rho_prev", "G")  # CourseSGD's per-variable state


def dropout_plan(random_state, n_hidden, dropout):
    """The hidden units 08's ``TLPDropout`` keeps for one epoch (sorted), ``None`` without dropout:
    a permutation of the units whose first ``int(n_hidden * (1 - dropout))`` are left out."""
    if not dropout:
        return None
    perm = random_state.permutation(n_hidden)
    return np.sort(perm[int(n_hidden * (1 - dropout)):])


def train_dropout_epoch(est, X, Y, epoch, batches, kept, on_batch_end=None):
    """One epoch of ``est`` on the network thinned to the hidden units ``kept``.

    As the notebook does: the kept rows of ``W1`` and the bias and kept columns of ``W2`` (and the
    look-back's previous steps for them) train as a smaller network for the whole epoch, unscaled,
    then go back into the full matrices; the left-out units keep their weights and state.
    Returns what :meth:`CourseMLP._train_epoch` returns.
    """
    row = est.settings_["bias"] == "row"
    full, opt = est.engine_, est.engine_.optimizer
    if not opt.built:
        opt.build(full.weights)
    cols = np.concatenate([[0], kept + 1])  # W2's bias column and the kept units' columns

    def thin(arrays):
        W = to_lecture(arrays, row)
        return [W[0][kept], W[1][:, cols]]

    def merge(full_arrays, thin_arrays):
        W, T = to_lecture(full_arrays, row), to_lecture(thin_arrays, row)
        W[0][kept], W[1][:, cols] = T[0], T[1]
        return engine_weights(W, row)

    sub = est.build_engine((X.shape[1], len(kept), Y.shape[1]), thin(full.weights))
    sub_opt = sub.optimizer
    sub_opt.build(sub.weights)
    sub_opt.iterations = opt.iterations
    for name in STATES:
        setattr(sub_opt, name, engine_weights(thin(getattr(opt, name)), row))
    result = est._train_epoch(sub, X, Y, epoch, batches, on_batch_end)
    full.set_weights(merge(full.weights, sub.weights))
    for name in STATES:
        setattr(opt, name, merge(getattr(opt, name), getattr(sub_opt, name)))
    opt.iterations = sub_opt.iterations
    return result


def _pack(mats, row):
    """Lecture matrices -> the notebooks' flat vector: each ``W`` (bias column 0) flattened with
    ``bias="row"`` (07), else the weights then the biases (07a packs ``W1, W2, b1, b2``)."""
    if row:
        return np.hstack([W.flatten() for W in mats])
    return np.hstack([W[:, 1:].flatten() for W in mats] + [W[:, 0].flatten() for W in mats])


def _unpack(theta, shapes, row):
    """The inverse of :func:`_pack` for lecture matrices of ``shapes``."""
    sizes = [out * (cols if row else cols - 1) for out, cols in shapes]
    parts = np.split(theta, np.cumsum(sizes + ([] if row else [out for out, _ in shapes[:-1]])))
    if row:
        return [p.reshape(shape) for p, shape in zip(parts, shapes)]
    n = len(shapes)
    return [np.concatenate([b[:, None], w.reshape(out, cols - 1)], axis=1)
            for w, b, (out, cols) in zip(parts[:n], parts[n:], shapes)]


def train_lbfgs(est, X, Y):
    """``est`` trained by ``scipy.optimize.fmin_l_bfgs_b`` on the whole data, as 07/07a's
    ``TLPVectorizedBFGS``: ``maxfun=epochs``, ``pgtol=gtol``, from the notebook's flat vector.

    SciPy gets our gradient of the objective and, for a notebook variant, that notebook's function
    value (:func:`~scratch_vs_keras.course.rules.bfgs_value`), else the objective. Every
    evaluation appends the objective to ``cost_`` and the value SciPy got to ``course_cost_``.
    """
    from scipy.optimize import fmin_l_bfgs_b

    engine, row = est.engine_, est.settings_["bias"] == "row"
    shapes = [W.shape for W in est.initial_weights_]

    def value_and_gradient(theta):
        mats = _unpack(theta, shapes, row)
        engine.set_weights(engine_weights(mats, row))
        cost, grads, A = engine._train_step(X, Y)
        est.cost_.append(cost)
        value = cost
        if est.notebook_ is not None:
            value = bfgs_value(est.notebook_, Y, A, mats, est.C, not row)
            est.course_cost_.append(value)
        return value, _pack(to_lecture(grads, row), row)

    theta, _, info = fmin_l_bfgs_b(value_and_gradient, _pack(to_lecture(engine.weights, row), row),
                                   maxfun=est.epochs, pgtol=est.gtol)
    engine.set_weights(engine_weights(_unpack(theta, shapes, row), row))
    est.n_iter_ = info["nit"]
    est.grad_mean_abs_ = np.empty((0, len(shapes)))
    return est
