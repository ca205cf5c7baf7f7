r"""The mistakes students make in back-propagation, as computations: each :class:`Slip` is the
lecture's forward and backward pass with one step written wrong, so that a student's answer can
be compared with what that slip would have produced.

The pass is the lecture's, samples as columns, a row of ones on top of each layer's input:

.. math::

    \mathbf A^{(1)} = [\mathbf 1; \mathbf X^T], \quad
    \mathbf Z^{(l)} = \mathbf W^{(l)} \mathbf A^{(l)}, \quad
    \mathbf A^{(l+1)} = [\mathbf 1; g(\mathbf Z^{(l)})], \quad
    \mathbf A^{(L+1)} = \sigma(\mathbf Z^{(L)})

    \mathbf V^{(L)} = -2(\mathbf Y - \mathbf A^{(L+1)}) * \sigma'  \text{ (quadratic) or }
    \mathbf A^{(L+1)} - \mathbf Y \text{ (cross-entropy)}, \quad
    \mathbf V^{(l-1)} = g'(\mathbf A^{(l)}) * [\mathbf W^{(l)}]^T \mathbf V^{(l)}

    \nabla^{(l)} = \mathbf V^{(l)} [\mathbf A^{(l)}]^T + C\,\mathbf W^{(l)}_{\text{no bias}}

with ``W`` of shape ``(out, in + 1)`` (bias in column 0), ``X`` ``(N, d)`` and ``Y`` ``(N, k)``.
This module is the *model of mistakes* only: the right answer the checker compares with is the
package's engine (equal to Keras, see the reports), and a test holds the slip-free pass here to it.
"""

from dataclasses import dataclass

import numpy as np

from ..scratch import activations as _activations

DERIVATIVE_TEXT = {
    "sigmoid": "the sigmoid's derivative A * (1 - A)",
    "tanh": "tanh's derivative 1 - A**2",
    "relu": "ReLU's step (1 where Z > 0, else 0)",
}


@dataclass(frozen=True)
class Slip:
    """One wrong step: ``kind`` (a key of :data:`KINDS`), the lecture layer ``layer`` it is in
    (1-based; None where it is everywhere), and ``factor`` for the scaled-term kinds."""

    kind: str
    layer: int = None
    factor: float = None


# kind -> (short label for the class figure, the layer it blames, the next thing to try)
KINDS = {
    "missing_derivative": ("activation derivative missing",
                           "multiply the sensitivity coming back into layer {l} by {deriv}"),
    "derivative_from_z": ("derivative taken from Z, not A",
                          "the derivative is written in the activations A = g(Z): use A{a} "
                          "(A(1 - A), 1 - A**2), not Z{l}"),
    "wrong_activations": ("wrong layer's activations",
                          "the gradient of W{l} is V{l} times the activations that feed "
                          "layer {l}, [A{l}]^T (with the row of ones), not A{other}"),
    "rows_shifted": ("bias row dropped at the wrong end",
                     "drop the bias row's sensitivity from the top, V[1:], not V[:-1]"),
    "data_factor": ("factor on the data term",
                    "the cost is summed over the N samples and the k outputs with no 1/N or 1/k; "
                    "the sign is that of -2(Y - A); the penalty term keeps its own factor"),
    "penalty": ("penalty wrong (multiple of C*W)",
                "the L2 term adds C * W (bias column left out) to every layer's gradient, once"),
    "penalty_on_bias": ("penalty on the bias",
                        "leave the bias out of the penalty: add C * W[:, 1:] to grad[:, 1:] only"),
    "bias_missing": ("bias gradient missing",
                     "the bias gradient is V{l} times the row of ones: sum V{l} over the samples"),
    "bias_last": ("bias column at the end",
                  "the lecture puts the bias in column 0 (the row of ones on top of A{l})"),
    "ones_at_bottom": ("row of ones at the bottom (forward pass)",
                       "put the row of ones on TOP of each layer's input, as the lecture's "
                       "W[:, 0] is the bias"),
    "no_activation": ("activation missing in the forward pass",
                      "apply the activation in the forward pass: A{a} = [1; g(Z{l})]"),
    "transposed": ("transposed matrix", "the lecture's W and its gradient are (out, in + 1)"),
    "scaled": ("whole gradient scaled", "compare your cost with the lecture's summed cost"),
    "other": ("no listed mistake fits", "compare its entries with your V and A of this layer"),
}


def _stack(a, ones_at_bottom=False):
    ones = np.ones((1, a.shape[1]))
    return np.vstack([a, ones] if ones_at_bottom else [ones, a])


def slipped_pass(W, X, Y, activation="sigmoid", cost="quadratic", C=0.0, slip=None):
    """The lecture's pass with ``slip`` (None: no slip); returns ``{"W1": grad (out, in + 1),
    ..., "A1": (in + 1, N), ..., "A{L+1}": (k, N)}`` in the row layout, float64."""
    W = [np.asarray(w, dtype=np.float64) for w in W]
    L, kind, at = len(W), getattr(slip, "kind", None), getattr(slip, "layer", None)
    act, sigmoid = _activations.get(activation), _activations.get("sigmoid")
    bottom = kind == "ones_at_bottom"
    A, Z = [_stack(np.asarray(X, dtype=np.float64).T, bottom)], []
    for l in range(L):
        Z.append(W[l] @ A[l])
        if l == L - 1:
            A.append(sigmoid(Z[l]))
        else:
            A.append(_stack(Z[l] if (kind, at) == ("no_activation", l + 1) else act(Z[l]), bottom))
    out, T = A[L], np.asarray(Y, dtype=np.float64).T
    if cost == "quadratic":
        V = -2 * (T - out)
        if (kind, at) == ("missing_derivative", L):
            pass
        elif (kind, at) == ("derivative_from_z", L):
            V = V * Z[L - 1] * (1 - Z[L - 1])
        else:
            V = V * out * (1 - out)
    else:
        V = out - T
    if kind == "data_factor":
        V = V * slip.factor
    grads = [None] * L
    for l in range(L - 1, -1, -1):
        a_in = A[l]
        if (kind, at) == ("wrong_activations", l + 1):
            a_in = A[l + 1] if slip.factor > 0 else A[l - 1]
        grads[l] = V @ a_in.T
        if l:
            back = W[l].T @ V
            z_full = _stack(Z[l - 1], bottom)
            if (kind, at) == ("missing_derivative", l):
                deriv = np.ones_like(back)
            elif (kind, at) == ("derivative_from_z", l):
                deriv = act.backward(z_full, z_full, np.ones_like(back))
            else:
                deriv = act.backward(z_full, A[l], np.ones_like(back))
            V = deriv * back
            V = V[:-1] if bottom or (kind, at) == ("rows_shifted", l) else V[1:]
    for l in range(L):
        if grads[l].shape == W[l].shape:  # else the student's own `+= C * W` would have failed
            grads[l] = grads[l] + _penalty(W[l], C, slip, l + 1, L, bottom)
        if (kind, at) == ("bias_missing", l + 1):
            grads[l][:, 0] = 0.0
        if (kind, at) == ("bias_last", l + 1):
            grads[l] = np.roll(grads[l], -1, axis=1)
    tensors = {f"W{l + 1}": g for l, g in enumerate(grads)}
    tensors.update({f"A{l + 1}": a for l, a in enumerate(A)})
    return tensors


def _penalty(W, C, slip, layer, L, bottom):
    """The slipped L2 term of layer ``layer``'s gradient: ``C * W`` with the bias column zeroed."""
    kind = getattr(slip, "kind", None)
    P = C * W
    bias_col = -1 if bottom else 0
    if not (kind == "penalty_on_bias" and slip.layer in (None, layer)):
        P[:, bias_col] = 0.0
    if kind == "penalty":
        if slip.layer is None:
            P = P * slip.factor
        elif slip.layer != layer:
            P = P * 0.0  # the penalty on one layer only
    return P


def catalogue(n_layers, activation, cost, C, bias, N, k):
    """The slips worth testing for a network of ``n_layers`` (the output layer is a sigmoid)."""
    slips = []
    out = n_layers
    for l in range(1, out + 1):
        if l < out or cost == "quadratic":
            slips.append(Slip("missing_derivative", l))
            if l == out or activation != "relu":  # relu's step is the same from Z as from A
                slips.append(Slip("derivative_from_z", l))
        slips.append(Slip("wrong_activations", l, +1.0))
        if l > 1:
            slips.append(Slip("wrong_activations", l, -1.0))
        slips.append(Slip("bias_missing", l))
        if bias == "row":
            slips.append(Slip("bias_last", l))
            if l < out:
                slips.append(Slip("rows_shifted", l))
        if l < out:
            slips.append(Slip("no_activation", l))
    if bias == "row":
        slips.append(Slip("ones_at_bottom"))
    factors = {1 / N: "1/N", 1 / k: "1/k", 1 / (N * k): "1/(N k)", 2.0: "2", 0.5: "1/2", -1.0: "-1",
               float(N): "N"}
    slips += [Slip("data_factor", None, f) for f in factors]
    if C:
        slips += [Slip("penalty", None, 0.0), Slip("penalty", None, 2.0), Slip("penalty", None, 0.5),
                  Slip("penalty_on_bias")]
        slips += [Slip("penalty", l) for l in range(1, out + 1)] if out > 1 else []
    return slips


FACTOR_NAMES = {"1/N": "an extra 1/N (a mean over the samples)", "1/k": "an extra 1/k (a mean over "
                "the k outputs)", "1/(N k)": "an extra 1/(N k) (np.mean over samples and outputs)",
                "2": "an extra factor 2", "1/2": "a missing factor 2 (the derivative of the square)",
                "-1": "the sign flipped (A - Y versus Y - A)", "N": "a factor N, a missing 1/N (a "
                "sum where the mean was due)"}


def factor_name(factor, N, k):
    """The name of a data-term factor for a batch of ``N`` samples and ``k`` outputs."""
    for value, name in {1 / N: "1/N", 1 / k: "1/k", 1 / (N * k): "1/(N k)", 2.0: "2", 0.5: "1/2",
                        -1.0: "-1", float(N): "N"}.items():
        if np.isclose(factor, value, rtol=1e-9):
            return name
    return f"{factor:.6g}"


def _upper(text):
    return text[0].upper() + text[1:]


def describe(slip, activation, n_layers, N, k, bias="row"):
    """``(label, layer blamed, what went wrong, next thing to try)`` of ``slip`` (its words for
    the ``bias`` layout)."""
    label, todo = KINDS[slip.kind]
    l = slip.layer
    act = "sigmoid" if l == n_layers else activation
    fields = dict(l=l, a=(l or 0) + 1, deriv=DERIVATIVE_TEXT.get(act, f"{act}'"),
                  other=(l or 0) + (1 if (slip.factor or 0) > 0 else -1))
    if slip.kind == "missing_derivative":
        what = f"Layer {l}'s activation derivative is missing: {DERIVATIVE_TEXT[act]}"
        label = f"{act} derivative missing"
    elif slip.kind == "derivative_from_z":
        what = f"{_upper(DERIVATIVE_TEXT[act])} was computed from Z{l}, not from A{l + 1}"
    elif slip.kind == "wrong_activations":
        what = f"The gradient of W{l} was taken with A{fields['other']}, the wrong layer's activations"
    elif slip.kind == "data_factor":
        name = factor_name(slip.factor, N, k)
        what = (f"The data term has {FACTOR_NAMES[name]}: it is the right one times "
                f"{slip.factor:.6g} = {name}")
        label = f"data term times {name}"
    elif slip.kind == "penalty":
        if slip.layer is not None:
            what = f"The L2 penalty is on layer {l} only"
            label = "penalty on one layer only"
        else:
            what = {0.0: "The L2 penalty C * W is missing", 2.0: "The L2 penalty is doubled (2C * W)",
                    0.5: "The L2 penalty is halved (C/2 * W)"}[slip.factor]
            label = {0.0: "penalty missing", 2.0: "penalty doubled (2C)", 0.5: "penalty halved"}[slip.factor]
    else:
        what = {"rows_shifted": f"The sensitivity V{l} kept the bias row and lost its last row "
                                f"(V{l}[:-1] instead of V{l}[1:]): the rows are shifted by one",
                "penalty_on_bias": "The bias is regularized: the course's L2 leaves column 0 out",
                "bias_missing": f"The bias gradient of layer {l} is missing (column 0 is zero)",
                "bias_last": f"The bias gradient of layer {l} is in the last column, not column 0",
                "ones_at_bottom": "The row of ones is at the bottom of each layer's input, not on top",
                "no_activation": f"Layer {l}'s activation is missing in the forward pass "
                                 f"(A{fields['a']} = Z{l})"}[slip.kind]
    # a penalty on one layer only is wrong in the *other* layers: no single layer to blame
    blamed = None if slip.kind == "penalty" else l if l is not None else (
        1 if slip.kind == "ones_at_bottom" else None)
    if bias == "vector" and slip.kind in ("penalty_on_bias", "bias_missing"):
        what = what.replace("leaves column 0 out", "leaves b out").replace("(column 0 is zero)", "")
        todo = {"penalty_on_bias": "add C * W to the gradient of W only, not C * b to that of b",
                "bias_missing": "the gradient of b{l} is V{l} summed over the samples"}[slip.kind]
    return label, blamed, what, todo.format(**fields)
