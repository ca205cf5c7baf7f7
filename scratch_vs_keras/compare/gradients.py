r"""One batch, both sides: forward activations, the loss and every gradient, NumPy vs Keras.

The Keras numbers come from ``tf.GradientTape`` over the twin's own ``compute_loss`` (so the
regularization penalties and Keras's logits shortcut count exactly as in ``fit``); the NumPy
numbers from :meth:`scratch.Sequential.loss_and_gradients`. The NumPy gradients are also checked
against central finite differences,

.. math:: \frac{\partial J}{\partial w} \approx \frac{J(w + h) - J(w - h)}{2h}, \quad h = 10^{-6},

evaluated in float64 (on a float64 copy of a float32 model, since float32 cannot resolve a
:math:`10^{-6}` step). Their relative difference is taken against the larger of the tensor's
largest finite difference and the noise floor :math:`10^6\,\varepsilon |J| / h` (about
:math:`2\cdot10^{-4}|J|`): below it a central difference cannot resolve six digits.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .diff import (FD_MIN_COMPARED, FD_STEP_RANGE, max_abs_diff, rel_diff, rel_diff_in_context,
                   tolerance)
from ..scratch.batching import num_rows
from .table import format_table
from ..timing import phase

COLUMNS = ["layer", "tensor", "quantity", "max_abs_diff", "rel_diff", "tolerance", "status", "note"]
_ALL_COLUMNS = COLUMNS + ["ok"]


def _constant(x):
    from ..keras_side._tf import tensorflow

    tf = tensorflow()

    return {k: tf.constant(v) for k, v in x.items()} if isinstance(x, dict) else tf.constant(x)


def keras_trace(keras_model, x, y, outputs=True):
    """A compiled Keras model on one batch: ``(layer outputs, loss, gradients)``.

    The loss is the model's own ``compute_loss`` on ``model(x)`` (so penalties and the logits
    shortcut count as in ``fit``), differentiated with ``tf.GradientTape``. Layer outputs are a dict
    by layer name (``None`` with ``outputs=False``); gradients a dict by ``"layer/weight"`` name in
    the model's weight order. ``x`` is an array or a dict by input name.
    """
    from ..keras_side._tf import tensorflow

    tf = tensorflow()

    from ..keras_side import keras_weight_names, training_states

    x_t, y_t = _constant(x), tf.constant(y)
    states = training_states(keras_model)
    before = [s.numpy() for s in states]  # the layer outputs below see the same dropout mask
    with tf.GradientTape() as tape:
        y_pred = keras_model(x_t, training=True)
        loss = keras_model.compute_loss(x=x_t, y=y_t, y_pred=y_pred, training=True)
    grads = tape.gradient(loss, keras_model.trainable_weights)
    # an Embedding's gradient is an IndexedSlices: densified, repeated rows are summed
    grads = dict(zip(keras_weight_names(keras_model), [tf.convert_to_tensor(g).numpy() for g in grads]))
    layer_outputs = None
    if outputs:
        from ..keras_side._tf import import_keras

        keras = import_keras()

        layers = [layer for layer in keras_model.layers if not isinstance(layer, keras.layers.InputLayer)]
        probe = keras.Model(keras_model.inputs, [layer.output for layer in layers])
        after = [s.numpy() for s in states]
        for s, value in zip(states, before):
            s.assign(value)
        values = probe(x_t, training=True)
        for s, value in zip(states, after):
            s.assign(value)
        values = values if isinstance(values, (list, tuple)) else [values]
        layer_outputs = {layer.name: v.numpy() for layer, v in zip(layers, values)}
    return layer_outputs, float(loss.numpy()), grads


def dense_names(model):
    from ..scratch.layers import Dense

    return {layer.name for layer in model.layers if isinstance(layer, Dense)}


def finite_difference_gradients(model, x, y, step=1e-6, max_entries=None, seed=0):
    r"""Central finite differences of ``model``'s batch loss, in float64.

    Args:
        model: a compiled scratch model (converted to a float64 copy if it is float32).
        x, y: the batch, already validated.
        step: the step :math:`h`.
        max_entries: check at most this many entries per tensor (chosen at random with ``seed``);
            ``None`` checks every entry.

    Returns ``(results, model64)``: per weight tensor ``(indices, central, kink, sides)`` with the
    flat indices checked, the central differences, a mask of the entries where the loss has a kink
    within :math:`\pm h` (a relu unit sitting exactly at 0, say), where no derivative exists, and
    at those entries the left and right one-sided slopes (``sides[0]``, ``sides[1]``; NaN
    elsewhere). Backprop's convention at a kink (relu'(0) = 0) picks one side's slope when the
    kink sits at the weight itself; the comparison accepts an entry that equals one of them and
    leaves the rest to the Keras comparison.

    A kink is told from curvature by how the jump between the one-sided slopes,
    :math:`|J(w+h) - 2J(w) + J(w-h)| / h`, shrinks with :math:`h`: on a smooth curve it is
    :math:`|J''|\,h`, so it falls to a quarter at :math:`h/4` and again at :math:`h/16`; at a kink
    it stays of the order of the change of slope. An entry whose jump is noticeable is a kink unless
    both ratios are a quarter.
    """
    m = model if model.dtype == "float64" else model.astype("float64")
    x = [a if a.dtype.kind == "i" else a.astype(np.float64) for a in x] if isinstance(x, list) \
        else np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    rng = np.random.default_rng(seed)
    base = m.loss_of_batch(x, y, training=True)

    def losses(flat, idx, h):
        plus, minus = np.empty(idx.size), np.empty(idx.size)
        for j, i in enumerate(idx):
            orig = flat[i]
            flat[i] = orig + h
            plus[j] = m.loss_of_batch(x, y, training=True)
            flat[i] = orig - h
            minus[j] = m.loss_of_batch(x, y, training=True)
            flat[i] = orig
        return plus, minus

    def jumps(flat, idx, h):
        plus, minus = losses(flat, idx, h)
        return (plus - minus) / (2 * h), np.abs((plus - base) - (base - minus)) / h

    results = []
    for w in m.weights:
        flat = w.reshape(-1)  # a view: perturbing it perturbs the model
        idx = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            idx = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
        central, jump = jumps(flat, idx, step)
        scale = max(float(np.max(np.abs(central))), 1e-8)
        # a jump within a thousand times the round-off of J's evaluation is noise, not a kink
        noise = 1e3 * np.finfo(np.float64).eps * max(abs(base), 1e-300) / step
        kink = (jump > 1e-4 * scale) & (jump > noise)
        if kink.any():
            cand = idx[kink]
            _, jump4 = jumps(flat, cand, step / 4)
            _, jump16 = jumps(flat, cand, step / 16)
            quarter = lambda a, b: (a > 0.2 * b) & (a < 0.3 * b)  # noqa: E731
            kink[kink] = ~(quarter(jump4, jump[kink]) & quarter(jump16, jump4))
        sides = np.full((2, idx.size), np.nan)
        if kink.any():
            # second-order one-sided slopes: exact to O(h^2) when the kink sits at w itself
            # (a relu unit whose pre-activation is exactly 0, as with zero biases)
            plus, minus = losses(flat, idx[kink], step)
            plus2, minus2 = losses(flat, idx[kink], 2 * step)
            sides[0, kink] = (3 * base - 4 * minus + minus2) / (2 * step)
            sides[1, kink] = (-3 * base + 4 * plus - plus2) / (2 * step)
        results.append((idx, central, kink, sides))
    return results, m


def keras_sensitivities(keras_model, x, y):
    """Each Dense layer's :math:`\\delta = \\partial J/\\partial Z` in a Keras model, with the loss
    from its own ``compute_loss``: the layers are applied as ``Dense.call`` does (``x @ kernel +
    bias``, then the activation), with the tape watching each pre-activation ``Z``."""
    from ..keras_side._tf import tensorflow

    tf = tensorflow()
    from keras import ops

    h = _constant(x)
    zs = []
    with tf.GradientTape() as tape:
        for layer in keras_model.layers:
            z = ops.matmul(h, layer.kernel)
            if layer.use_bias:
                z = ops.add(z, layer.bias)
            tape.watch(z)
            zs.append(z)
            h = layer.activation(z)
        loss = keras_model.compute_loss(x=_constant(x), y=tf.constant(y), y_pred=h, training=True)
    return [d.numpy() for d in tape.gradient(loss, zs)]


@dataclass
class GradientComparison:
    """The outcome of :func:`compare_gradients`: a tidy table and a verdict.

    Each row's ``status`` is ``"ok"`` (compared, within tolerance), ``"MISMATCH"`` (compared,
    beyond it) or ``"not checked"`` (too few entries could be compared: see
    :data:`~.diff.FD_MIN_COMPARED`); ``ok`` is true for ``"ok"`` rows only, so a comparison is
    :attr:`ok` only if every check compared real numbers within tolerance.
    """

    table: pd.DataFrame
    dtype: str
    batch_size: int
    scratch_loss: float
    keras_loss: float

    @property
    def ok(self):
        return bool(self.table["ok"].all())

    @property
    def status(self):
        """``"MATCH"``, ``"MISMATCH"`` (any check beyond tolerance) or ``"NOT CHECKED"``."""
        return summary_status(self.table["status"])

    def worst(self, quantity=None):
        """The largest relative difference of the compared checks (of one quantity, or overall)."""
        t = self.table if quantity is None else self.table[self.table["quantity"] == quantity]
        return float(t["rel_diff"].max())

    def verdict(self):
        """One line: MATCH, MISMATCH or NOT CHECKED, with the worst relative differences."""
        twin = self.table[self.table["quantity"] != "finite_difference"]
        fd = self.table[self.table["quantity"] == "finite_difference"]
        detail = f"NumPy vs Keras worst relative difference {twin['rel_diff'].max():.1e}"
        if len(fd):
            detail += f", backprop vs finite differences {fd['rel_diff'].max():.1e}"
        status = self.status
        if status == "MATCH":
            return (
                f"MATCH: all {len(self.table)} checks within tolerance ({self.dtype}, batch of "
                f"{self.batch_size}; {detail})."
            )
        if status == "NOT CHECKED":
            skipped = self.table[self.table["status"] == "not checked"]
            first = skipped.iloc[0]
            return (
                f"NOT CHECKED: {len(skipped)} of {len(self.table)} checks compared too few entries "
                f"to count; first: {first['layer']}/{first['tensor']} {first['quantity']} "
                f"({first['note']}). The others are within tolerance ({detail})."
            )
        bad = self.table[self.table["status"] == "MISMATCH"]
        first = bad.iloc[0]
        return (
            f"MISMATCH: {len(bad)} of {len(self.table)} checks out of tolerance; first: "
            f"{first['layer']}/{first['tensor']} {first['quantity']} relative difference "
            f"{first['rel_diff']:.2e} > {first['tolerance']:.0e} ({detail})."
        )

    def __str__(self):
        return format_table(self.table, COLUMNS) + "\n" + self.verdict()


def summary_status(statuses):
    """The overall verdict of a column of per-check statuses: MISMATCH beats NOT CHECKED beats MATCH."""
    statuses = set(statuses)
    if "MISMATCH" in statuses:
        return "MISMATCH"
    if statuses - {"ok", "MATCH"}:
        return "NOT CHECKED"
    return "MATCH"


def summed_magnitudes(model, x, y):
    r"""Per trainable weight tensor (the gradients' order), the largest entry of the sum of the magnitudes
    of the terms its batch gradient adds up: :math:`|X|^T|\delta|` for a kernel,
    :math:`\mathbf 1^T|\delta|` for a bias (plus the penalty gradient's magnitude); 0 for other
    layers' weights.

    Two correct programs that add the same terms in another order differ by round-off of about
    :math:`\varepsilon` times this sum, not times the result: when +1/B and -1/B terms cancel
    (a mean absolute error's bias gradient, say), the result is round-off and has no digits of
    its own to compare.
    """
    from ..scratch.layers import Dense

    with model.keeping_state():
        trace = model.trace(x, y)
    deltas, caches = list(trace.deltas), trace.caches
    scales = []
    for layer, cache in zip(model.layers, caches):
        if not isinstance(layer, Dense):
            scales += [0.0] * len(layer.weights)
            continue
        delta = deltas.pop(0)
        # the layer's own backward, on magnitudes: every product and sum of non-negative terms
        terms, _ = layer.backward(np.abs(delta), cache._replace(x=np.abs(cache.x)),
                                  grad_is_preactivation=True, need_input_grad=False)
        for term, penalty in zip(terms, layer.penalty_gradients()):
            scales.append(float(np.max(term + (0 if penalty is None else np.abs(penalty)))))
    return scales


def gradient_differences(model, x, y, grads, reference):
    """Per weight tensor, ``(rel_diff, note)`` of ``grads`` against ``reference`` (both in
    the gradients' order, computed on the batch ``x, y`` at the same weights).

    A Dense weight is measured relative to the larger of its own largest entry and its summed
    terms' magnitude (:func:`summed_magnitudes`), since two correct programs may add the terms in
    another order; any other weight relative to itself, or to the largest gradient when it is zero
    up to round-off (:func:`~.diff.rel_diff_in_context`).
    """
    largest = max(float(np.max(np.abs(r))) for r in reference)
    out = []
    for g, kg, terms in zip(grads, reference, summed_magnitudes(model, x, y)):
        top = float(np.max(np.abs(kg)))
        if terms:
            r, note = rel_diff(g, kg, floor=terms), ""
            if r and terms > 10 * top:
                note = f"terms cancel: relative to their summed magnitude {terms:.2e}"
        else:
            r, zero = rel_diff_in_context(g, kg, largest, model.dtype)
            note = "zero up to round-off: relative to the largest gradient" if zero and r else ""
        out.append((r, note))
    return out


def _one_sided_where_it_fits(backprop, central, kink, sides, tol, floor):
    """At kink entries, the one-sided slope closer to backprop, where it agrees within ``tol``
    (relative to the tensor's scale, as the comparison measures): those entries count as
    compared; the others stay kinks, not compared."""
    if not kink.any():
        return central, kink
    scale = max(float(np.max(np.abs(central[~kink]))) if (~kink).any() else 0.0,
                float(np.nanmax(np.abs(sides))), floor)
    gaps = np.abs(sides - backprop)
    pick = np.nanargmin(np.where(np.isnan(gaps), np.inf, gaps), axis=0)
    one_sided = sides[pick, np.arange(central.size)]
    fits = kink & (np.abs(one_sided - backprop) <= tol * scale)
    return np.where(fits, one_sided, central), kink & ~fits


def _check_fd_arguments(fd_step, fd_max_entries):
    low, high = FD_STEP_RANGE
    if isinstance(fd_step, bool) or not isinstance(fd_step, (int, float, np.floating)) \
            or not np.isfinite(fd_step) or not low <= fd_step <= high:
        raise ValueError(
            f"`fd_step` must be a number in [{low:g}, {high:g}]: outside it a central difference "
            f"cannot check six digits (truncation error above, round-off below); the default 1e-6 "
            f"balances the two. Received fd_step={fd_step!r}."
        )
    if fd_max_entries is not None and (isinstance(fd_max_entries, bool) or not isinstance(
            fd_max_entries, (int, np.integer)) or fd_max_entries < 1):
        raise ValueError(
            f"`fd_max_entries` must be a positive integer (entries checked per tensor) or None "
            f"(every entry); received fd_max_entries={fd_max_entries!r}."
        )


def draws_masks(model):
    """Whether a training pass of ``model`` draws random numbers (a Dropout layer with rate > 0,
    a GaussianNoise layer with stddev > 0), so that two passes on one batch differ."""
    return any(layer.draws_in_training for layer in model.layers)


def _add_state_rows(add, model, keras_model, tol):
    """One "state" row per non-trainable weight (BatchNormalization's moving statistics), both
    sides after their one training pass moved them."""
    from ..keras_side import keras_variables

    trainable = set(model.trainable_weight_names())
    theirs = keras_variables(keras_model)
    for name, value in zip(model.weight_names(), model.get_weights()):
        if name not in trainable:
            layer, tensor = name.split("/")
            add(layer, tensor, "state", value, theirs[name].numpy(), tol)


def compare_gradients(model, x, y, keras_model=None, finite_differences=True, fd_step=1e-6,
                      fd_max_entries=None):
    """Compare one batch's forward pass, loss and gradients between ``model`` and its Keras twin.

    Args:
        model: a compiled ``scratch.Sequential``.
        x, y: the batch (validated like ``fit`` validates it).
        keras_model: the twin; built with :func:`scratch_vs_keras.to_keras` when omitted. Its
            weights must equal ``model``'s.
        finite_differences: also check the NumPy gradients against central differences.
        fd_step: the finite-difference step, in ``FD_STEP_RANGE`` (default 1e-6).
        fd_max_entries: check at most this many entries per tensor by finite differences.

    The rows: each layer's output (``forward``), the loss, each non-trainable weight after the
    pass moved it (``state``: BatchNormalization's moving statistics), each gradient, and the
    finite differences.

    Returns a :class:`GradientComparison`; ``str()`` of it is a readable table with a verdict. A
    finite-difference row whose tensor had fewer than ``FD_MIN_COMPARED`` of its examined entries
    away from kinks is "not checked", and the comparison is then not a MATCH.
    """
    with phase("comparison"):
        return _compare_gradients(model, x, y, keras_model, finite_differences, fd_step,
                                  fd_max_entries)


def _compare_gradients(model, x, y, keras_model, finite_differences, fd_step, fd_max_entries):
    from ..keras_side import keras_inputs, to_keras

    _check_fd_arguments(fd_step, fd_max_entries)
    if finite_differences and draws_masks(model):
        raise ValueError(
            "Finite differences need one loss function, but a Dropout layer draws a new mask at "
            "every training pass; pass finite_differences=False (the NumPy vs Keras rows still "
            "compare one pass with the same mask) or compare the model without Dropout."
        )
    x, y = model.prepare(x, y)
    if keras_model is None:
        keras_model = to_keras(model)
    step_tol = tolerance("step", model.dtype)
    rows = []

    def add(layer, tensor, quantity, value, reference, tol, note="", floor=0.0, rel=None,
            checked=True):
        r = rel_diff(value, reference, floor) if rel is None else rel
        status = ("ok" if r <= tol else "MISMATCH") if checked else "not checked"
        rows.append({"layer": layer, "tensor": tensor, "quantity": quantity,
                     "max_abs_diff": max_abs_diff(value, reference) if checked else float("nan"),
                     "rel_diff": r if checked else float("nan"), "tolerance": tol,
                     "status": status, "note": note, "ok": status == "ok"})

    trace = model.trace(x, y)
    outputs, loss, grads = trace.outputs, trace.loss, trace.gradients
    k_outputs, k_loss, k_grads = keras_trace(keras_model, keras_inputs(model, x), y)

    for name, out in outputs.items():
        add(name, "activation" if name in dense_names(model) else "output", "forward", out,
            k_outputs[name], step_tol)
    add("model", "loss", "loss", loss, k_loss, step_tol)
    _add_state_rows(add, model, keras_model, step_tol)
    names = model.trainable_weight_names()
    k_grads = [k_grads[n] for n in names]
    for name, g, kg, (r, note) in zip(names, grads, k_grads,
                                      gradient_differences(model, x, y, grads, k_grads)):
        layer, tensor = name.split("/")
        add(layer, tensor, "gradient", g, kg, step_tol, note, rel=r)

    if finite_differences:
        fd, m64 = finite_difference_gradients(model, x, y, step=fd_step, max_entries=fd_max_entries)
        with m64.keeping_state():
            _, grads64 = m64.loss_and_gradients(x, y)
        fd_tol = tolerance("finite_difference", "float64")
        # Central differences carry round-off noise of about eps*|J|/h; a gradient tensor smaller
        # than 1e6 times that cannot be resolved to 1e-6, so it is compared against this floor.
        floor = 1e6 * np.finfo(np.float64).eps * max(abs(loss), 1e-300) / fd_step
        for name, (idx, values, kink, sides), g in zip(names, fd, grads64):
            layer, tensor = name.split("/")
            at_kink = int(kink.sum())
            values, kink = _one_sided_where_it_fits(g.reshape(-1)[idx], values, kink, sides, fd_tol,
                                                    floor)
            compared = int((~kink).sum())
            checked = compared >= max(1, int(np.ceil(FD_MIN_COMPARED * idx.size)))
            notes = []
            if at_kink > kink.sum():
                notes.append(f"{at_kink - int(kink.sum())} of {idx.size} entries at a kink, "
                             "compared with a one-sided slope")
            if kink.any():
                notes.append(f"{int(kink.sum())} of {idx.size} entries at a kink, not compared")
            note = "; ".join(notes)
            if not checked:
                note = (f"not checked: {int(kink.sum())} of {idx.size} entries at a kink, at "
                        f"least {FD_MIN_COMPARED:.0%} must be compared")
            add(layer, tensor, "finite_difference", g.reshape(-1)[idx][~kink], values[~kink],
                fd_tol, note, floor, checked=checked)

    table = pd.DataFrame(rows, columns=_ALL_COLUMNS)
    return GradientComparison(table, model.dtype, int(num_rows(x)), loss, k_loss)
