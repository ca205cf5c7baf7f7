"""Feedback on a student's own gradients, for the lessons' exercises: which layer and which tensor
is wrong, and by how much — evidence that points to the next step, not a grade.

:func:`check_lecture_gradients` takes gradients in the lecture's layout (``W`` as ``(out, in)``,
samples as columns in the formulas, the summed cost); :func:`check_gradients` takes gradients of
a ``scratch`` model in Keras's layout. Both compare each tensor with the package's back-propagation
(the same numbers as Keras's, see the reports) and, where a tensor is wrong, test the usual
mistakes against it:

- a transposed matrix (``(in, out)`` where ``(out, in)`` was due, or the reverse);
- a missing activation derivative in some layer (e.g. the ``A2 * (1 - A2)`` of V1);
- a constant factor (a missing or extra 1/N, a factor 2 from the square);
- a regularized bias (the course's L2 leaves the bias out);

and says which one fits. Counting back from the output, the first wrong layer is where to look:
the layers after it are right, so the error is in the step back into it.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scratch import activations as _activations


class _WithoutDerivative(_activations.Activation):
    """The same function, with the derivative left out of backprop (a common mistake)."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name

    def __call__(self, z):
        return self.inner(z)

    def backward(self, z, a, grad_a):
        return grad_a


@dataclass
class Feedback:
    """Per tensor: its layer, the relative difference, ok, and a hint; ``str()`` reads as advice."""

    table: pd.DataFrame
    batch_size: int

    @property
    def ok(self):
        return bool(self.table.ok.all())

    def first_wrong(self):
        """The wrong tensor closest to the output (the layers after it are right), or None."""
        bad = self.table[~self.table.ok]
        return None if bad.empty else bad.sort_values("layer", ascending=False).iloc[0]

    def __str__(self):
        lines = []
        for r in self.table.itertuples():
            mark = "✓" if r.ok else "✗"
            detail = (f"matches (relative difference {r.rel_diff:.1e})" if r.ok
                      else f"off by {r.rel_diff:.3g} (relative). {r.hint}")
            lines.append(f"{mark} {r.tensor} (layer {r.layer}): {detail}")
        first = self.first_wrong()
        if first is None:
            lines.append(f"All {len(self.table)} gradients are right.")
        else:
            n_ok = int(self.table.ok.sum())
            lines.append(
                f"{n_ok} of {len(self.table)} gradients are right. Start with {first.tensor} "
                f"(layer {first.layer}): it is the wrong one closest to the output."
            )
        return "\n".join(lines)


def _diagnose(name, layer, given, ref, variants, batch_size, tolerance):
    given = np.asarray(given, dtype=float)
    if given.shape != ref.shape:
        if given.ndim == 2 and given.shape == ref.shape[::-1]:
            rel = _rel(given.T, ref)
            hint = (f"It has shape {given.shape} but {ref.shape} is expected: it is transposed "
                    f"(the lecture's W is (out, in))" + ("; transposed back it is right." if rel <= tolerance
                                                        else "; and even transposed it is off."))
            return float(rel) if rel > tolerance else 1.0, False, hint
        return 1.0, False, f"It has shape {given.shape} but {ref.shape} is expected."
    rel = _rel(given, ref)
    if rel <= tolerance:
        return rel, True, ""
    if given.ndim == 2 and given.shape[0] == given.shape[1] and _rel(given.T, ref) <= tolerance:
        return rel, False, ("It is transposed (a square matrix, so the shapes agree); transposed "
                            "back it is right. The lecture's W and its gradient are (out, in).")
    for label, variant in variants.items():
        if variant is not None and _rel(given, variant) <= tolerance:
            return rel, False, label
    denom = float(np.sum(ref * ref))
    if denom > 0:
        c = float(np.sum(given * ref)) / denom
        if c != 0 and _rel(given, c * ref) <= 1e-6:
            hint = f"It is the right gradient times {c:.6g}"
            if np.isclose(c, batch_size, rtol=1e-6):
                hint += f": the batch size N = {batch_size}, a missing 1/N?"
            elif np.isclose(c, 1 / batch_size, rtol=1e-6):
                hint += f": 1/N for N = {batch_size}, an extra 1/N? (the course sums over the batch)"
            elif np.isclose(abs(c), 2) or np.isclose(abs(c), 0.5):
                hint += ": a factor 2, from the derivative of the square?"
            elif np.isclose(c, -1):
                hint += ": the sign is flipped (Y - A versus A - Y)."
            return rel, False, hint + ("" if hint.endswith(("?", ".")) else ".")
    return rel, False, ("Not a transpose, a factor or a missing derivative: compare its entries "
                        "with your V of this layer and the activations that feed it.")


def _rel(a, b):
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    gap = float(np.max(np.abs(a - b))) if a.size else 0.0
    return 0.0 if gap == 0 else (gap / scale if scale else float("inf"))


def _variant_grads(engine, x, y, layer_index):
    """The engine's gradients with layer ``layer_index``'s activation derivative left out."""
    model = engine.astype(engine.dtype)
    dense = [l for l in model.layers if hasattr(l, "activation")]
    dense[layer_index].activation = _WithoutDerivative(dense[layer_index].activation)
    return model.loss_and_gradients(x, y)[1]


def check_lecture_gradients(student, W, X, Y, C=0.0, cost="quadratic", activation="sigmoid",
                            bias="row", tolerance=1e-9):
    """Check gradients written in the lecture's layout against the package's backprop.

    Args:
        student: ``{"W1": ..., "W2": ...}``, each ``(out, in + 1)`` with the bias gradient in column
            0 (``bias="row"``), or ``{"W1": (out, in), "b1": (out,), ...}`` (``bias="vector"``).
        W: the weights the gradients were taken at, as the lecture's ``(out, in + 1)`` matrices
            (bias in column 0), layer by layer.
        X: the mini-batch, one sample per row (``X.T`` is the lecture's :math:`\\mathbf A^{(1)}`
            without its bias row).
        Y: one-hot targets, one sample per row.
        C, cost, activation, bias: the network's settings, as ``CourseMLP``'s.
        tolerance: the relative difference below which a tensor counts as right.
    """
    from ..course.estimator import CourseMLP

    W = [np.asarray(w, dtype=float) for w in W]
    sizes = (W[0].shape[1] - 1,) + tuple(w.shape[0] for w in W)
    est = CourseMLP(n_hidden=sizes[1:-1], activation=activation, cost=cost, bias="vector", C=C)
    engine = est.build_engine(sizes, W)
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    _, grads = engine.loss_and_gradients(X, Y)

    def lecture(gs):
        out = {}
        for l in range(len(W)):
            kernel, b = gs[2 * l], gs[2 * l + 1]
            if bias == "row":
                out[f"W{l + 1}"] = np.concatenate([b[:, None], kernel.T], axis=1)
            else:
                out[f"W{l + 1}"], out[f"b{l + 1}"] = kernel.T, b
        return out

    ref = lecture(grads)
    variants = {}
    for l in range(len(W) - 1):  # hidden layers' activation derivatives
        variants[f"Layer {l + 1}'s activation derivative is missing: it should multiply the "
                 f"sensitivity coming back from layer {l + 2} (the A * (1 - A) of a sigmoid)."] = \
            lecture(_variant_grads(engine, X, Y, l))
    if C:
        reg = {k: v.copy() for k, v in ref.items()}
        for l, w in enumerate(W):
            if bias == "row":
                reg[f"W{l + 1}"][:, 0] += C * w[:, 0]
            else:
                reg[f"b{l + 1}"] = reg[f"b{l + 1}"] + C * w[:, 0]
        variants["The bias is regularized: the course's L2 adds C * W for the weights only, not "
                 "for the bias (column 0 with a bias row)."] = reg
    rows = []
    for name in ref:
        layer = int(name[1:])
        tensor_variants = {label: v.get(name) for label, v in variants.items()}
        if name not in student:
            rows.append({"tensor": name, "layer": layer, "rel_diff": 1.0, "ok": False,
                         "hint": f"No gradient given for {name}."})
            continue
        rel, ok, hint = _diagnose(name, layer, student[name], ref[name], tensor_variants,
                                  len(X), tolerance)
        rows.append({"tensor": name, "layer": layer, "rel_diff": rel, "ok": ok, "hint": hint})
    return Feedback(pd.DataFrame(rows), len(X))


def check_gradients(student, model, x, y, tolerance=1e-9):
    """Check gradients of a compiled ``scratch`` model given in Keras's layout and order
    (``[kernel_1 (in, out), bias_1, kernel_2, ...]``, or a dict by ``"layer/weight"`` name)."""
    names = model.weight_names()
    if not isinstance(student, dict):
        student = dict(zip(names, student))
    _, grads = model.loss_and_gradients(x, y)
    x_checked, y_checked = model.prepare(x, y)
    dense_layers = [l for l in model.layers if hasattr(l, "activation")]
    variants = {}
    for i, layer in enumerate(dense_layers[:-1]):
        variants[f"{layer.name}'s activation derivative ({layer.activation.name}') is missing in "
                 f"the backward step into it."] = dict(zip(names, _variant_grads(model, x_checked, y_checked, i)))
    reg = dict(zip(names, grads))
    regularized = False
    for layer in dense_layers:
        if layer.kernel_regularizer is not None and layer.use_bias and layer.bias_regularizer is None:
            reg[f"{layer.name}/bias"] = reg[f"{layer.name}/bias"] + layer.kernel_regularizer.gradient(layer.weights[1])
            regularized = True
    if regularized:
        variants["The bias got the kernel's penalty gradient: the regularizer is on the kernel only."] = reg
    from ..scratch.sparse import SparseRows

    raw = model.trace(x_checked, y_checked).raw_gradients
    assigned = dict(zip(names, grads))
    overwritten = False
    for name, g in zip(names, raw):
        if isinstance(g, SparseRows):
            table = np.zeros(g.shape)
            table[g.indices] += g.values  # fancy-index assignment: one row per category survives
            assigned[name] = table
            overwritten = True
    if overwritten:
        variants["Repeated categories did not add up: `table[idx] += rows` keeps one row per "
                 "category; scatter-add them with np.add.at(table, idx, rows)."] = assigned
    order = {layer.name: i + 1 for i, layer in enumerate(model.layers)}
    rows = []
    n = y_checked.shape[0]
    for name, ref in zip(names, grads):
        layer = order[name.split("/")[0]]
        rel, ok, hint = _diagnose(name, layer, student[name], ref,
                                  {label: v.get(name) for label, v in variants.items()}, n, tolerance)
        rows.append({"tensor": name, "layer": layer, "rel_diff": rel, "ok": ok, "hint": hint})
    return Feedback(pd.DataFrame(rows), n)
