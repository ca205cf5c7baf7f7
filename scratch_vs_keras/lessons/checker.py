"""Feedback on a student's own gradients, for the lessons' exercises and the ``check`` command:
which layer and which tensor is wrong, which mistake fits, which entries are off and what to try
next: evidence that points to the next step, not a grade.

:func:`~.lecture.check_lecture_gradients` takes gradients in the lecture's layout (``W`` as
``(out, in + 1)``, the summed cost); :func:`check_gradients` takes gradients of a ``scratch``
model in Keras's layout. Both take the student's *function* (probed at several random points,
biases non-zero, in float64 and float32) or, as numbers, its answer at one point; both compare
each tensor with the package's back-propagation (the same numbers as Keras's, see the reports)
within a tolerance that knows the answer's float type (:data:`~.evidence.TOLERANCE`), and test
the mistakes students make (:mod:`.mistakes`) against a wrong tensor. A missing or unknown key, a
skeleton still raising ``NotImplementedError`` or a function that raises is a message in the
returned :class:`~.evidence.Feedback`, never an exception from the checker.
"""

import numpy as np

from ..scratch import activations as _activations
from ..scratch.sparse import SparseRows
from .answers import Refused, as_tensors, call_student
from .evidence import TOLERANCE, Candidate, Feedback, answer_dtype, diagnose_tensor, table_of
from .lecture import check_lecture_gradients
from .mistakes import DERIVATIVE_TEXT

__all__ = ["Feedback", "check_gradients", "check_lecture_gradients"]


class _WithoutDerivative(_activations.Activation):
    """The same function, with the derivative left out of backprop (a common mistake)."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name

    def __call__(self, z):
        return self.inner(z)

    def backward(self, z, a, grad_a):
        return grad_a


def _candidates(model, x, y, names, grads):
    """The Keras-layout mistakes at the model's weights: ``{name: [Candidate]}``."""
    out = {n: [] for n in names}
    dense = [l for l in model.layers if hasattr(l, "activation")]
    for i, layer in enumerate(dense[:-1]):
        copy = model.astype(model.dtype)
        copy_dense = [l for l in copy.layers if hasattr(l, "activation")]
        copy_dense[i].activation = _WithoutDerivative(copy_dense[i].activation)
        act = layer.activation.name
        what = (f"{layer.name}'s activation derivative ({act}') is missing in the backward step "
                f"into it")
        todo = (f"multiply the gradient coming back into {layer.name} by "
                f"{DERIVATIVE_TEXT.get(act, act + chr(39))}")
        for n, g in zip(names, copy.loss_and_gradients(x, y)[1]):
            out[n].append(Candidate(f"{act} derivative missing", model.layers.index(layer) + 1,
                                    what, todo, g))
    by_name = dict(zip(names, grads))
    for layer in dense:
        if layer.kernel_regularizer is not None and layer.use_bias and layer.bias_regularizer is None:
            n = f"{layer.name}/bias"
            out[n].append(Candidate(
                "penalty on the bias", None, "The bias got the kernel's penalty gradient",
                "the regularizer is on the kernel only: leave the bias out of it",
                by_name[n] + layer.kernel_regularizer.gradient(layer.weights[1])))
    raw = model.trace(x, y).raw_gradients
    for n, g in zip(names, raw):
        if isinstance(g, SparseRows):
            table = np.zeros(g.shape)
            table[g.indices] += g.values  # fancy-index assignment: one row per category survives
            out[n].append(Candidate(
                "repeated categories overwritten", None, "Repeated categories did not add up: "
                "`table[idx] += rows` keeps one row per category",
                "scatter-add them with np.add.at(table, idx, rows)", table))
    return out


def _penalties(model, names):
    out = {}
    for layer in model.layers:
        reg = getattr(layer, "kernel_regularizer", None)
        if reg is not None:
            out[f"{layer.name}/kernel"] = reg.gradient(layer.weights[0])
    return out


def _verdicts(answer, model, x, y, tolerance, dtype):
    names = model.weight_names()
    x, y = model.prepare(x, y)
    _, grads = model.loss_and_gradients(x, y)
    cands, penalties = _candidates(model, x, y, names, grads), _penalties(model, names)
    order = {layer.name: i + 1 for i, layer in enumerate(model.layers)}
    out = []
    for n, ref in zip(names, grads):
        out.append(diagnose_tensor(n, order[n.split("/")[0]], answer[n].astype(np.float64), ref,
                                   tolerance, dtype, cands[n], penalties.get(n),
                                   sizes=(_rows(x), model.output_units)))
    return out


def _cast(a, dtype):
    """``a`` (an array, or a list or dict of them: a model's inputs) with its floats in ``dtype``."""
    if isinstance(a, dict):
        return {k: _cast(v, dtype) for k, v in a.items()}
    if isinstance(a, (list, tuple)):
        return [_cast(v, dtype) for v in a]
    a = np.asarray(a)
    return a.astype(dtype) if a.dtype.kind == "f" else a


def check_gradients(student, model, x, y, tolerance=None, points=3, seed=0):
    """Check gradients of a compiled ``scratch`` model in Keras's layout and order.

    Args:
        student: ``[kernel_1 (in, out), bias_1, kernel_2, ...]`` in ``get_weights`` order, or a
            dict by ``"layer/weight"`` name, taken at the model's weights; or a function
            ``gradients(weights, x, y)`` returning that list or dict for ``weights`` in
            ``get_weights`` order, probed at the model's weights and ``points - 1`` random
            shifts of them (U(-0.5, 0.5) on every weight, biases included), in float64 and float32.
        model: the compiled ``scratch`` model. x, y: the batch.
        tolerance: the float64 relative tolerance (default :data:`~.evidence.TOLERANCE`).
    """
    names = model.weight_names()
    try:
        if callable(student):
            return _probe_function(student, model, x, y, tolerance, points, seed)
        answer = as_tensors(student, names, (), "your gradients")
        dtype = answer_dtype(*answer.values())
        return Feedback(table_of(_verdicts(answer, model, x, y, _tolerance(dtype, tolerance), dtype)),
                        _rows(x))
    except Refused as refused:
        return refused.feedback


def _tolerance(dtype, tolerance):
    return tolerance if tolerance is not None and dtype == "float64" else TOLERANCE[dtype]


def _probe_function(student, model, x, y, tolerance, points, seed):
    """The function's answers at the model's weights and random shifts of them, both dtypes."""
    names, rng = model.weight_names(), np.random.default_rng(seed)
    base = model.get_weights()
    shifted = [base] + [[w + rng.uniform(-0.5, 0.5, size=w.shape) for w in base]
                        for _ in range(points - 1)]
    fname = getattr(student, "__name__", "gradients")
    verdicts, labels = [], []
    for i, weights in enumerate(shifted):
        for dtype in ("float64", "float32"):
            ws, xs, ys = (_cast(a, np.dtype(dtype)) for a in (weights, x, y))
            out = call_student(student, ([w.copy() for w in ws], xs, ys), f"your function {fname}()")
            answer = as_tensors(out, names, (), f"what {fname}() returned")
            seen = dtype if dtype == "float32" else answer_dtype(*answer.values())
            probe = model.astype("float64")
            probe.set_weights([np.asarray(w, np.float64) for w in ws])
            verdicts += _verdicts(answer, probe, _cast(xs, np.float64), _cast(ys, np.float64),
                                  _tolerance(seen, tolerance), seen)
            labels.append(f"{'your weights' if i == 0 else f'random {i}'}, {seen}")
    return Feedback(table_of(verdicts), _rows(x), probes=labels)


def _rows(x):
    first = next(iter(x.values())) if isinstance(x, dict) else (x[0] if isinstance(x, list) else x)
    return len(first)
