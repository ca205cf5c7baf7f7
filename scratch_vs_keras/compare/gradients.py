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

from .diff import max_abs_diff, rel_diff, rel_diff_in_context, tolerance
from .table import format_table

COLUMNS = ["layer", "tensor", "quantity", "max_abs_diff", "rel_diff", "tolerance", "ok", "note"]


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

    from ..keras_side import keras_weight_names

    x_t, y_t = _constant(x), tf.constant(y)
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
        values = probe(x_t, training=True)
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

    Returns ``(results, model64)``: per weight tensor ``(indices, central, kink)`` with the flat
    indices checked, the central differences, and a mask of the entries where the loss has a kink
    within :math:`\pm h` (a relu unit sitting exactly at 0, say): there the one-sided slopes
    :math:`(J(w+h) - J(w))/h` and :math:`(J(w) - J(w-h))/h` disagree, no derivative exists to
    check, and Keras's convention (relu'(0) = 0) is checked by the Keras comparison instead.
    """
    m = model if model.dtype == "float64" else model.astype("float64")
    x = [a if a.dtype.kind == "i" else a.astype(np.float64) for a in x] if isinstance(x, list) \
        else np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    rng = np.random.default_rng(seed)
    base = m._loss_of_batch(x, y)
    results = []
    for w in m.weights:
        flat = w.reshape(-1)  # a view: perturbing it perturbs the model
        idx = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            idx = np.sort(rng.choice(flat.size, size=max_entries, replace=False))
        plus, minus = np.empty(idx.size), np.empty(idx.size)
        for j, i in enumerate(idx):
            orig = flat[i]
            flat[i] = orig + step
            plus[j] = m._loss_of_batch(x, y)
            flat[i] = orig - step
            minus[j] = m._loss_of_batch(x, y)
            flat[i] = orig
        central = (plus - minus) / (2 * step)
        jump = np.abs((plus - base) - (base - minus)) / step
        scale = max(float(np.max(np.abs(central))), 1e-8)
        results.append((idx, central, jump > 1e-4 * scale))
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
    """The outcome of :func:`compare_gradients`: a tidy table and a verdict."""

    table: pd.DataFrame
    dtype: str
    batch_size: int
    scratch_loss: float
    keras_loss: float

    @property
    def ok(self):
        return bool(self.table["ok"].all())

    def worst(self, quantity=None):
        """The largest relative difference (of one quantity, or overall)."""
        t = self.table if quantity is None else self.table[self.table["quantity"] == quantity]
        return float(t["rel_diff"].max())

    def verdict(self):
        """One line: MATCH or MISMATCH, with the worst relative differences."""
        twin = self.table[self.table["quantity"] != "finite_difference"]
        fd = self.table[self.table["quantity"] == "finite_difference"]
        detail = f"NumPy vs Keras worst relative difference {twin['rel_diff'].max():.1e}"
        if len(fd):
            detail += f", backprop vs finite differences {fd['rel_diff'].max():.1e}"
        if self.ok:
            return (
                f"MATCH: all {len(self.table)} checks within tolerance ({self.dtype}, batch of "
                f"{self.batch_size}; {detail})."
            )
        bad = self.table[~self.table["ok"]].iloc[0]
        return (
            f"MISMATCH: {int((~self.table['ok']).sum())} of {len(self.table)} checks out of "
            f"tolerance; first: {bad['layer']}/{bad['tensor']} {bad['quantity']} relative "
            f"difference {bad['rel_diff']:.2e} > {bad['tolerance']:.0e} ({detail})."
        )

    def __str__(self):
        return format_table(self.table, COLUMNS) + "\n" + self.verdict()


def summed_magnitudes(model, x, y):
    r"""Per weight tensor (``get_weights`` order), the largest entry of the sum of the magnitudes
    of the terms its batch gradient adds up: :math:`|X|^T|\delta|` for a kernel,
    :math:`\mathbf 1^T|\delta|` for a bias (plus the penalty gradient's magnitude); 0 for other
    layers' weights.

    Two correct programs that add the same terms in another order differ by round-off of about
    :math:`\varepsilon` times this sum, not times the result: when +1/B and -1/B terms cancel
    (a mean absolute error's bias gradient, say), the result is round-off and has no digits of
    its own to compare.
    """
    from ..scratch.layers import Dense

    deltas = model.sensitivities(x, y)
    caches = model._forward(x)[0]
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


def compare_gradients(model, x, y, keras_model=None, finite_differences=True, fd_step=1e-6,
                      fd_max_entries=None):
    """Compare one batch's forward pass, loss and gradients between ``model`` and its Keras twin.

    Args:
        model: a compiled ``scratch.Sequential``.
        x, y: the batch (validated like ``fit`` validates it).
        keras_model: the twin; built with :func:`scratch_vs_keras.to_keras` when omitted. Its
            weights must equal ``model``'s.
        finite_differences: also check the NumPy gradients against central differences.
        fd_step: the finite-difference step.
        fd_max_entries: check at most this many entries per tensor by finite differences.

    Returns a :class:`GradientComparison`; ``str()`` of it is a readable table with a verdict.
    """
    from ..keras_side import to_keras

    from ..scratch.models import _rows

    x = model._check_x(x)
    model._ensure_built(x)
    y = model._check_y(y, _rows(x))
    if keras_model is None:
        keras_model = to_keras(model)
    step_tol = tolerance("step", model.dtype)
    rows = []

    def add(layer, tensor, quantity, value, reference, tol, note="", floor=0.0, rel=None):
        r = rel_diff(value, reference, floor) if rel is None else rel
        rows.append(
            {
                "layer": layer,
                "tensor": tensor,
                "quantity": quantity,
                "max_abs_diff": max_abs_diff(value, reference),
                "rel_diff": r,
                "tolerance": tol,
                "ok": bool(r <= tol),
                "note": note,
            }
        )

    from ..keras_side import keras_inputs

    outputs = dict(zip([layer.name for layer in model.layers], model._forward(x)[1]))
    loss, grads = model._loss_and_gradients(x, y)
    k_outputs, k_loss, k_grads = keras_trace(keras_model, keras_inputs(model, x), y)

    for name, out in outputs.items():
        add(name, "activation" if name in dense_names(model) else "output", "forward", out,
            k_outputs[name], step_tol)
    add("model", "loss", "loss", loss, k_loss, step_tol)
    names = model.weight_names()
    k_grads = [k_grads[n] for n in names]
    largest = max(float(np.max(np.abs(kg))) for kg in k_grads)
    for name, g, kg, terms in zip(names, grads, k_grads, summed_magnitudes(model, x, y)):
        layer, tensor = name.split("/")
        top = float(np.max(np.abs(kg)))
        if terms:  # a Dense weight: relative to the larger of the result and its summed terms
            r, note = rel_diff(g, kg, floor=terms), ""
            if r and terms > 10 * top:
                note = f"terms cancel: relative to their summed magnitude {terms:.2e}"
        else:
            r, zero = rel_diff_in_context(g, kg, largest, model.dtype)
            note = "zero up to round-off: relative to the largest gradient" if zero and r else ""
        add(layer, tensor, "gradient", g, kg, step_tol, note, rel=r)

    if finite_differences:
        fd, m64 = finite_difference_gradients(model, x, y, step=fd_step, max_entries=fd_max_entries)
        _, grads64 = m64._loss_and_gradients(m64._check_x(x), m64._check_y(y, _rows(x)))
        fd_tol = tolerance("finite_difference", "float64")
        # Central differences carry round-off noise of about eps*|J|/h; a gradient tensor smaller
        # than 1e6 times that cannot be resolved to 1e-6, so it is compared against this floor.
        floor = 1e6 * np.finfo(np.float64).eps * max(abs(loss), 1e-300) / fd_step
        for name, (idx, values, kink), g in zip(names, fd, grads64):
            layer, tensor = name.split("/")
            note = ""
            if kink.any():
                note = f"{int(kink.sum())} of {idx.size} entries at a kink, not compared"
            add(layer, tensor, "finite_difference", g.reshape(-1)[idx][~kink], values[~kink],
                fd_tol, note, floor)

    table = pd.DataFrame(rows, columns=COLUMNS)
    return GradientComparison(table, model.dtype, int(_rows(x)), loss, k_loss)
