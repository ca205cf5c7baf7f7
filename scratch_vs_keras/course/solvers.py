"""The two course trainings that are not one mini-batch step after another on the whole network:
08's ``TLPDropout`` (an epoch on a thinned network) and 07/07a's ``TLPVectorizedBFGS`` (SciPy's
L-BFGS-B on the flattened weights). Both drive a ``CourseMLP``'s engine; neither has a Keras
translation (:func:`scratch_vs_keras.course.keras.course_to_keras` says why)."""

import numpy as np

from .rules import CourseL2, bfgs_value
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


def _notebook_arrays(theta, shapes, row):
    """The inverse of :func:`_pack` as the notebook's ``_unpack`` holds it: views of ``theta``, the
    kernels ``W_l`` (``(out, in + 1)`` with ``bias="row"``, else ``(out, in)``) and, without the
    bias row, the bias columns ``b_l`` ``(out, 1)`` (``None`` with it)."""
    if row:
        sizes = [out * cols for out, cols in shapes]
        return [p.reshape(shape) for p, shape in zip(np.split(theta, np.cumsum(sizes)[:-1]), shapes)], None
    sizes = [out * (cols - 1) for out, cols in shapes] + [out for out, _ in shapes]
    parts, n = np.split(theta, np.cumsum(sizes)[:-1]), len(shapes)
    Ws = [w.reshape(out, cols - 1) for w, (out, cols) in zip(parts[:n], shapes)]
    return Ws, [b.reshape(out, 1) for b, (out, _) in zip(parts[n:], shapes)]


def _unpack(theta, shapes, row):
    """The inverse of :func:`_pack` for lecture matrices of ``shapes``."""
    Ws, bs = _notebook_arrays(theta, shapes, row)
    return Ws if row else [np.hstack([b, W]) for W, b in zip(Ws, bs)]


def notebook_value_and_gradient(est, Ws, bs, X, Y):
    r"""07/07a's ``_calc_cost_gradient_packed`` on the notebook's own arrays, in its own order.

    Sigmoid :math:`\sigma`, one hidden layer, samples as columns: :math:`A_1 = [1; X^T]` (07) or
    :math:`X^T` (07a, whose :math:`Z_l = W_l A_l + b_l`), :math:`A_3 = \sigma(W_2 A_2)`,
    :math:`V_2 = -2(Y - A_3) \odot A_3 \odot (1 - A_3)`, :math:`V_1 = A_2 \odot (1 - A_2) \odot
    W_2^T V_2`, :math:`\nabla W_l = V_{l+1} A_l^T + f C W_l` (bias excluded), :math:`\nabla b_l =
    \sum_n V_{l+1}`; ``X`` ``(N, d)``, ``Y`` ``(k, N)``.

    Why a second evaluation of the gradient beside the engine's: it is the same gradient, but the
    engine multiplies in Keras's layout (:math:`X W`), and L-BFGS-B turns those last-bit
    differences into 4e-7 in the weights within the notebooks' 100 evaluations. Here every sum runs
    in the notebook's order, so SciPy sees the notebook's numbers bit for bit.

    Returns ``(value SciPy gets, objective, flat gradient, A_3)``.
    """
    from scipy.special import expit  # the notebooks' sigmoid

    row, (W1, W2) = bs is None, Ws
    reg = CourseL2(est.C, skip_first_row=row, factor=est.settings_["l2_factor"])
    ones = np.ones((1, X.shape[0]))
    A1 = np.vstack((ones, X.T)) if row else X.T
    A2 = expit(W1 @ A1) if row else expit(W1 @ A1 + bs[0])
    A2 = np.vstack((ones, A2)) if row else A2
    A3 = expit(W2 @ A2) if row else expit(W2 @ A2 + bs[1])
    V2 = -2 * (Y - A3) * A3 * (1 - A3)
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    grads = [(V1[1:, :] if row else V1) @ A1.T, V2 @ A2.T]
    for grad, W in zip(grads, Ws):
        grad += reg.gradient(W.T).T  # the bias column gets + 0.0, which changes no bit
    if not row:
        grads += [np.sum(V, axis=1).reshape((-1, 1)) for V in (V1, V2)]
    coefs = [W[:, 1:] for W in Ws] if row else Ws
    value = bfgs_value(est.notebook_, Y, A3, coefs, est.C, not row)
    objective = np.sum((Y - A3) ** 2) + sum(reg.penalty(W.T) for W in Ws)
    return value, objective, np.hstack([g.flatten() for g in grads]), A3


def _notebook_arithmetic(est, shapes):
    """Whether ``est`` is one of 07/07a's BFGS classes as the notebook defines it (and so can be
    evaluated by :func:`notebook_value_and_gradient`)."""
    s = est.settings_
    return (est.notebook_ in ("07", "07a") and len(shapes) == 2 and s["activation"] == "sigmoid"
            and s["cost"] == "quadratic")


def train_lbfgs(est, X, Y):
    """``est`` trained by ``scipy.optimize.fmin_l_bfgs_b`` on the whole data, as 07/07a's
    ``TLPVectorizedBFGS``: ``maxfun=epochs``, ``pgtol=gtol``, from the notebook's flat vector.

    For 07/07a's classes SciPy gets :func:`notebook_value_and_gradient` (the notebook's value and
    gradient in the notebook's arithmetic); otherwise the engine's objective and gradient. Every
    evaluation appends the objective to ``cost_`` and, for a notebook variant, the value SciPy got
    to ``course_cost_``.
    """
    from scipy.optimize import fmin_l_bfgs_b

    engine, row = est.engine_, est.settings_["bias"] == "row"
    shapes = [W.shape for W in est.initial_weights_]
    X, Y_nb = np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(Y.T, dtype=np.float64)
    notebook = _notebook_arithmetic(est, shapes)

    def value_and_gradient(theta):
        if notebook:
            value, cost, grad, _ = notebook_value_and_gradient(est, *_notebook_arrays(theta, shapes, row),
                                                               X, Y_nb)
            est.course_cost_.append(value)
        else:
            engine.set_weights(engine_weights(_unpack(theta, shapes, row), row))
            cost, grads, A = engine._train_step(X, Y)
            value, grad = cost, _pack(to_lecture(grads, row), row)
            if est.notebook_ is not None:  # a notebook class with a knob changed
                mats = _unpack(theta, shapes, row)
                value = bfgs_value(est.notebook_, Y, A, [W[:, 1:] for W in mats], est.C, not row)
                est.course_cost_.append(value)
        est.cost_.append(cost)
        return value, grad

    theta, _, info = fmin_l_bfgs_b(value_and_gradient, _pack(to_lecture(engine.weights, row), row),
                                   maxfun=est.epochs, pgtol=est.gtol)
    engine.set_weights(engine_weights(_unpack(theta, shapes, row), row))
    est.n_iter_ = info["nit"]
    est.grad_mean_abs_ = np.empty((0, len(shapes)))
    return est
