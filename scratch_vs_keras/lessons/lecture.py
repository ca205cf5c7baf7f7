r"""Checking gradients written in the lecture's layout (``W`` as ``(out, in + 1)``, samples as
columns in the formulas, the summed cost), from numbers or by probing the student's function.

The student's function, for an ``L``-layer network (the course's two-layer one: ``L = 2``)::

    gradients(W1, W2, X, Y) -> (grad_W1, grad_W2)                  # bias="row"
    gradients(W1, b1, W2, b2, X, Y) -> (grad_W1, grad_b1, grad_W2, grad_b2)   # bias="vector"

with ``W_l`` of shape ``(out, in + 1)`` (bias in column 0; ``(out, in)`` and ``b_l (out,)`` with
``bias="vector"``), ``X`` ``(N, d)`` one sample per row (``X.T`` is :math:`\mathbf A^{(1)}`
without its row of ones) and ``Y`` ``(N, k)`` one-hot. It may return a dict by these names
instead, and may add its forward pass, ``"A1"`` ``(d + 1, N)`` ... ``"A{L+1}"`` ``(k, N)`` (rows
of ones included or not): a wrong forward pass is then blamed on the layer it is in.

The function is probed at several random points, weights and biases drawn from U(-1, 1) (never
the zero biases of the course's Glorot start, which hide a regularized bias), once in float64 and
once with the same numbers in float32; a float32 answer is held to float32's tolerance.
"""

import numpy as np

from ..course.weights import keras_to_lecture
from .answers import Refused, as_tensors, call_student
from .evidence import TOLERANCE, Candidate, Feedback, answer_dtype, diagnose_tensor, table_of
from .mistakes import catalogue, describe, slipped_pass

ACTIVATIONS = ("sigmoid", "tanh", "relu")
COSTS = ("quadratic", "cross_entropy")
#: Probe sizes: d = 3 inputs, 5 hidden units, k = 3 outputs, N = 8 rows: no two of the layers'
#: shapes alike, so a transposed tensor or the wrong layer's activations show in the shape.
PROBE_SIZES, PROBE_ROWS = (3, 5, 3), 8


def expected_keys(n_layers, bias):
    """The gradient names, in the order a tuple answer gives them."""
    names = []
    for l in range(1, n_layers + 1):
        names += [f"W{l}"] + ([f"b{l}"] if bias == "vector" else [])
    return names


def check_settings(C=0.0, cost="quadratic", activation="sigmoid", bias="row", points=3):
    """ValueError naming the setting and its choices, for a network the checker cannot build."""
    for value, name, choices in ((cost, "cost", COSTS), (activation, "activation", ACTIVATIONS),
                                 (bias, "bias", ("row", "vector"))):
        if value not in choices:
            raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}; received "
                             f"{name}={value!r}.")
    if isinstance(C, bool) or not isinstance(C, (int, float)) or not np.isfinite(C) or C < 0:
        raise ValueError(f"`C` must be a finite number >= 0 (the L2 strength); received C={C!r}.")
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise ValueError(f"`points` must be a positive integer (random probe points); received {points!r}.")


def _check_point(W, X, Y):
    """The lecture-layout point ``(W list, X, Y)`` as float arrays; ValueError naming the argument."""
    if W is None or X is None or Y is None:
        raise ValueError("Numbers are checked at the point they were taken at: pass W (the list of "
                         "weight matrices), X and Y too, or pass your gradient function instead.")
    Ws = [np.asarray(w) for w in W]
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y):
        raise ValueError(f"`X` must be (N, d) and `Y` (N, k) one-hot with the same N; received "
                         f"X {X.shape}, Y {Y.shape}.")
    inputs = X.shape[1]
    for l, w in enumerate(Ws):
        if w.ndim != 2 or w.shape[1] != inputs + 1:
            raise ValueError(f"`W[{l}]` must be (out, {inputs + 1}) (the layer's inputs plus the bias "
                             f"column 0); received shape {w.shape}.")
        inputs = w.shape[0]
    if Ws[-1].shape[0] != Y.shape[1]:
        raise ValueError(f"`Y` has {Y.shape[1]} columns but the last W has {Ws[-1].shape[0]} outputs.")
    return Ws, X, Y


def random_point(rng, sizes=PROBE_SIZES, n=PROBE_ROWS):
    """Weights (biases included) from U(-1, 1), ``X`` ~ N(0, 1), one-hot ``Y``."""
    W = [rng.uniform(-1, 1, size=(o, i + 1)) for i, o in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(n, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    return W, X, Y


def reference(W, X, Y, activation, cost, C):
    """The engine's gradients (row layout, ``W{l}``) and forward pass (``A{l}``, rows of ones
    on top) at the lecture-layout point, in float64."""
    from ..course.estimator import CourseMLP

    W = [np.asarray(w, dtype=np.float64) for w in W]
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    sizes = (W[0].shape[1] - 1,) + tuple(w.shape[0] for w in W)
    est = CourseMLP(n_hidden=sizes[1:-1], activation=activation, cost=cost, bias="vector", C=C)
    engine = est.build_engine(sizes, W)
    _, grads = engine.loss_and_gradients(X, Y)
    out = {f"W{l + 1}": keras_to_lecture(grads[2 * l], grads[2 * l + 1]) for l in range(len(W))}
    outputs = list(engine.layer_outputs(X).values())
    out["A1"] = np.vstack([np.ones((1, len(X))), X.T])
    for l, a in enumerate(outputs):
        out[f"A{l + 2}"] = a.T if l == len(W) - 1 else np.vstack([np.ones((1, len(X))), a.T])
    return out


def _layout(row, bias, L):
    """Row-layout tensors in the student's ``bias`` layout (A's untouched)."""
    out = {k: v for k, v in row.items() if k.startswith("A")}
    for l in range(1, L + 1):
        G = row[f"W{l}"]
        if bias == "row":
            out[f"W{l}"] = G
        else:
            out[f"W{l}"], out[f"b{l}"] = G[:, 1:], G[:, 0]
    return out


def _fits(answer, variant, ref, tol, names):
    return all(answer[n].shape == variant[n].shape and
               np.max(np.abs(answer[n] - variant[n]), initial=0) <= tol * _scale(ref, n) for n in names)


def _scale(ref, name):
    """A tensor's scale: the largest entry of its layer's gradient (W and b together), or of
    the activations A."""
    if name.startswith("A"):
        return float(np.max(np.abs(ref[name]))) or 1.0
    return max(float(np.max(np.abs(v), initial=0)) for k, v in ref.items()
               if k[1:] == name[1:] and k[0] in "Wb") or 1.0


class _Point:
    """One probe: the point, the reference there, every slip's variant (those that change
    something), in the student's layout."""

    def __init__(self, point, label, settings, tol, dtype):
        activation, cost, C, bias = settings
        W = [np.asarray(w, np.float64) for w in point[0]]
        X, Y = np.asarray(point[1], np.float64), np.asarray(point[2], np.float64)
        self.W, self.X, self.Y, self.label, self.tol, self.dtype = W, X, Y, label, tol, dtype
        self.L, self.bias, self.C, self.activation = len(W), bias, C, activation
        self.names = expected_keys(self.L, bias)
        self.ref = _layout(reference(W, X, Y, activation, cost, C), bias, self.L)
        N, k = self.sizes = len(X), Y.shape[1]
        self.slips = {}
        for slip in catalogue(self.L, activation, cost, C, bias, N, k):
            v = _layout(slipped_pass(W, X, Y, activation, cost, C, slip), bias, self.L)
            if not _fits(v, self.ref, self.ref, tol, self.names):
                self.slips[slip] = (v, describe(slip, activation, self.L, N, k, bias))

    def fitting(self, answer):
        """The slips that explain every gradient tensor of ``answer`` at this point."""
        return [s for s, (v, _) in self.slips.items() if _fits(answer, v, self.ref, self.tol, self.names)]

    def verdicts(self, answer, chosen=None):
        forward, fwd_blame = self._forward(answer)
        out = list(forward)
        for name in self.names:
            layer = int(name[1:])
            given = answer[name].astype(np.float64)
            if chosen is not None and fwd_blame is None:
                label, blame, what, todo = self.slips[chosen][1]
                cands = [Candidate(label, blame, what, todo, self.slips[chosen][0][name])]
            else:
                cands = [Candidate(*d, v[name]) for v, d in self.slips.values()]
            v = diagnose_tensor(name, layer, given, self.ref[name], self.tol, self.dtype, cands,
                                self._penalty(name), 0 if name.startswith("W") and self.bias == "row"
                                else None, _scale(self.ref, name), self.sizes)
            if not v.ok and fwd_blame is not None:
                v.mistake, v.blame = fwd_blame[0], fwd_blame[1]
                v.hint = (f"It follows from the forward pass: {fwd_blame[2]}; fix layer "
                          f"{fwd_blame[1]}'s forward pass first.")
            out.append(v)
        return out

    def _forward(self, answer):
        """Verdicts on the A's the student gave; the first wrong one blames its layer."""
        out, blame = [], None
        for l in range(1, self.L + 2):
            name = f"A{l}"
            if name not in answer:
                continue
            given, ref = answer[name].astype(np.float64), self.ref[name]
            strip = l <= self.L and given.shape == ref[1:].shape
            cut = (lambda a: a[1:]) if strip else (lambda a: a)
            layer = max(l - 1, 1)
            cands = [Candidate(*d, cut(v[name])) for s, (v, d) in self.slips.items()
                     if s.kind in ("no_activation", "ones_at_bottom")]
            v = diagnose_tensor(name, layer, given, cut(ref), self.tol, self.dtype, cands,
                                scale=_scale(self.ref, name))
            if not v.ok and blame is None:
                where = "its input X with the row of ones" if l == 1 else f"its output A{l}"
                v.hint = f"Layer {layer}'s forward pass is wrong ({where}). {v.hint}"
                v.blame = layer
                blame = (v.mistake if v.mistake != "no listed mistake fits" else
                         "forward pass wrong", layer, f"A{l} is wrong")
            out.append(v)
        return out, blame

    def _penalty(self, name):
        if not self.C or name.startswith("b"):
            return None
        W = self.C * np.asarray(self.W[int(name[1:]) - 1], dtype=np.float64)
        if self.bias == "vector":
            return W[:, 1:]
        W[:, 0] = 0.0
        return W


def _tolerance(dtype, tolerance):
    if tolerance is None:
        return TOLERANCE[dtype]
    return tolerance if dtype == "float64" else max(tolerance, TOLERANCE["float32"])


def _as32(point):
    W, X, Y = point
    return [np.asarray(w, dtype=np.float32) for w in W], np.asarray(X, np.float32), np.asarray(Y, np.float32)


def _args(point, bias):
    W, X, Y = point
    args = []
    for w in W:
        args += [w.copy()] if bias == "row" else [w[:, 1:].copy(), w[:, 0].copy()]
    return args + [X.copy(), Y.copy()]


def _judge(answers, points):
    """The verdicts of every probe; a slip that explains every wrong probe is named for all."""
    wrong = [i for i, (a, p) in enumerate(zip(answers, points))
             if not all(v.ok for v in p.verdicts(a))]
    common = None
    for i in wrong:
        fits = points[i].fitting(answers[i])
        common = fits if common is None else [s for s in common if s in fits]
    chosen = common[0] if common else None
    verdicts = []
    for a, p in zip(answers, points):
        verdicts += p.verdicts(a, chosen if chosen in p.slips else None)
    return verdicts


def check_lecture_gradients(student, W=None, X=None, Y=None, C=0.0, cost="quadratic",
                            activation="sigmoid", bias="row", tolerance=None, points=3, seed=0):
    """Check gradients written in the lecture's layout against the package's backprop.

    Args:
        student: the gradient function (see the module's docstring for its signature), probed
            at ``points`` random points (and at ``W, X, Y`` when given) in float64 and float32;
            or its numbers at ``W, X, Y``: ``{"W1": ..., "W2": ...}``, each ``(out, in + 1)``
            with the bias gradient in column 0 (``bias="row"``), or ``{"W1": (out, in),
            "b1": (out,), ...}`` (``bias="vector"``), a tuple in that order, optionally with the
            forward pass ``"A1"`` ... ``"A{L+1}"``.
        W: the lecture's ``(out, in + 1)`` matrices (bias in column 0), layer by layer.
        X: the mini-batch ``(N, d)``, one sample per row. Y: one-hot targets ``(N, k)``.
        C, cost, activation, bias: the network's settings, as ``CourseMLP``'s (``activation``
            also ``"tanh"``).
        tolerance: the relative difference below which a float64 tensor counts as right
            (default :data:`~.evidence.TOLERANCE`; a float32 answer gets float32's).
        points: random probe points for a function. seed: their seed.

    Returns:
        :class:`~.evidence.Feedback`: per tensor right or wrong, the mistake that fits, the
        layer to look at, the entries off and the next step; "not done", "error" or "bad answer"
        (with a message) where the answer cannot be checked. It never raises for the answer.
    """
    check_settings(C, cost, activation, bias, points)
    settings = (activation, cost, float(C), bias)
    given = None if W is None and X is None and Y is None else _check_point(W, X, Y)
    L = len(given[0]) if given else len(PROBE_SIZES) - 1
    keys = (expected_keys(L, bias), [f"A{l}" for l in range(1, L + 2)])
    try:
        if callable(student):
            return _probe_function(student, given, settings, tolerance, keys, points, seed)
        return _check_numbers(student, given or _check_point(W, X, Y), settings, tolerance, keys)
    except Refused as refused:
        return refused.feedback


def _check_numbers(student, given, settings, tolerance, keys):
    answer = as_tensors(student, *keys, "your gradients")
    dtype = answer_dtype(*given[0], given[1], *answer.values())
    point = _Point(given, "your point", settings, _tolerance(dtype, tolerance), dtype)
    fb = Feedback(table_of(_judge([answer], [point])), len(given[1]))
    if settings[2] and fb.ok and all(not np.any(np.asarray(w)[:, 0]) for w in given[0]):
        fb.message = ("Note: your point has zero biases, where a regularized bias cannot be told "
                      "from a right one; pass your function to probe random points.")
    return fb


def _probe_function(student, given, settings, tolerance, keys, points, seed):
    rng = np.random.default_rng(seed)
    sizes = ((given[1].shape[1],) + tuple(w.shape[0] for w in given[0])) if given else PROBE_SIZES
    raw = ([(given, "your point")] if given else []) + [
        (random_point(rng, sizes), f"random {i + 1}") for i in range(points)]
    runs = [(p, f"{label}, float64", False) for p, label in raw] + [
        (_as32(p), f"{label}, float32", True) for p, label in raw]
    fname = getattr(student, "__name__", "gradients")
    answers, probes = [], []
    for p, label, single in runs:
        out = call_student(student, _args(p, settings[3]), f"your function {fname}()")
        answers.append(as_tensors(out, *keys, f"what {fname}() returned"))
        dtype = "float32" if single else answer_dtype(*answers[-1].values())
        probes.append(_Point(p, label, settings, _tolerance(dtype, tolerance), dtype))
    return Feedback(table_of(_judge(answers, probes)), len(runs[0][0][1]),
                    probes=[p.label for p in probes])
