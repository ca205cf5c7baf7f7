r"""``Sequential`` and ``Model``: the from-scratch twins of ``keras.Sequential`` and of Keras's
functional ``keras.Model(inputs, outputs)``.

Back-propagation, as in the lecture, vectorized over a mini-batch of :math:`B` samples (rows):

1. forward: for :math:`l = 1..L`, :math:`Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}`,
   :math:`A^{(l)} = g_l(Z^{(l)})`, :math:`A^{(0)} = X`;
2. the final layer's sensitivity :math:`\delta^{(L)} = \partial J/\partial Z^{(L)}` from the loss
   (for the lecture's sigmoid output and summed squared error this is
   :math:`-2(Y - A)\odot A\odot(1 - A)`, the lecture's :math:`\mathbf V^{(2)}` transposed);
3. the recurrence :math:`\delta^{(l-1)} = (\delta^{(l)} [W^{(l)}]^T) \odot g'_{l-1}(Z^{(l-1)})`;
4. the gradients :math:`\partial J/\partial W^{(l)} = [A^{(l-1)}]^T \delta^{(l)}`,
   :math:`\partial J/\partial b^{(l)} = \mathbf 1^T\delta^{(l)}`, plus each weight's penalty gradient.

The loss :math:`J` is Keras's: the reduced data loss plus every layer's regularization term, so
``loss_and_gradients`` returns what ``keras.Model.compute_loss`` returns and its gradients.
"""

import math
import numbers
import warnings

import numpy as np

from . import batching, config, utils
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._validation import as_numeric_array, check_positive_int, describe
from .callbacks import Callback, History, TrainingDivergedError
from .layers import Dense, Layer, Node
from .optimizers.base import dense


def _rows(x):
    """Number of rows of the inputs (one array, or a list of arrays)."""
    return (x[0] if isinstance(x, list) else x).shape[0]


def _take(x, idx):
    """The rows ``idx`` of the inputs (one array, or a list of arrays)."""
    if isinstance(idx, slice):
        return [a[idx] for a in x] if isinstance(x, list) else x[idx]
    return [np.take(a, idx, axis=0) for a in x] if isinstance(x, list) else np.take(x, idx, axis=0)


def _unique_name(layer, taken):
    base = "".join("_" + c.lower() if c.isupper() else c for c in type(layer).__name__).lstrip("_")
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    return name


class Model:
    """A model from a graph of layers, as ``keras.Model(inputs, outputs)`` (the functional API).

    Args:
        inputs: a ``scratch.Input`` node or a list of them.
        outputs: the output node; it must come from a ``Dense`` layer (the loss reads its
            activation, and its pre-activation for Keras's logits shortcut).
        name: the model's name.
        seed: seed of the initial weights (``None``: the next seed of
            :func:`scratch.utils.set_random_seed`'s generator).
        dtype: ``"float32"`` or ``"float64"`` (``None``: ``scratch.config.floatx()``).

    ``x`` is then a dict keyed by input name (or a list in ``inputs`` order). Layers are kept in
    a topological order; layer ``i`` draws its initial weights from
    ``numpy.random.default_rng([seed, i])``.
    """

    def __init__(self, inputs, outputs, name="model", seed=None, dtype=None):
        self._init_state(name, seed, dtype)
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not inputs or not all(isinstance(n, Node) and n.is_input for n in inputs):
            raise TypeError("`inputs` must be scratch.Input nodes (or a list of them).")
        if not isinstance(outputs, Node) or outputs.is_input or not isinstance(outputs.layer, Dense):
            raise ValueError(
                "`outputs` must be the output of a Dense layer (one output, e.g. "
                "Dense(1, activation='sigmoid')(hidden))."
            )
        taken = {n.name for n in inputs if n.name}
        for node in inputs:
            if node.name is None:
                node.name = next(f"input_{i}" if i else "input" for i in range(len(taken) + 1)
                                 if (f"input_{i}" if i else "input") not in taken)
                taken.add(node.name)
        order, seen = [], set()

        def visit(node):
            if node.is_input:
                if not any(node is n for n in inputs):
                    raise ValueError(f"The output depends on {node!r}, which is not in `inputs`.")
                return
            if id(node.layer) in seen:
                return
            for parent in node.inputs:
                visit(parent)
            seen.add(id(node.layer))
            order.append(node)

        visit(outputs)
        used = {id(p) for node in order for p in node.inputs}
        unused = [n.name for n in inputs if id(n) not in used]
        if unused:
            raise ValueError(f"The input(s) {unused} do not lead to the output.")
        self.inputs = inputs
        self.layers = [node.layer for node in order]
        position = {id(node): j for j, node in enumerate(order)}
        self._sources = [
            [("input", next(k for k, n in enumerate(inputs) if n is p)) if p.is_input
             else ("layer", position[id(p)]) for p in node.inputs]
            for node in order
        ]
        taken |= {layer.name for layer in self.layers if layer.name}
        if len({layer.name for layer in self.layers if layer.name}) < sum(1 for l in self.layers if l.name):
            raise ValueError("Two layers have the same name; layer names must be unique.")
        for layer in self.layers:
            if layer.name is None:
                layer.name = _unique_name(layer, taken)
                taken.add(layer.name)
        for i, (node, sources) in enumerate(zip(order, self._sources)):
            ins = [inputs[k].shape if kind == "input" else order[k].shape for kind, k in sources]
            node.layer.build(ins if len(ins) > 1 else ins[0], self.dtype,
                             np.random.default_rng([self.seed, i]))
        self.input_shape = inputs[0].shape if len(inputs) == 1 else None
        self.built = True
        self._pack()

    def _init_state(self, name, seed, dtype):
        self.name = name
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ValueError(f"`seed` must be a non-negative integer or None; received seed={seed!r}.")
        self.seed = utils.draw_seed() if seed is None else int(seed)
        self.dtype = config.standardize_dtype(dtype, "dtype")
        self.inputs = []
        self.input_shape = None
        self.layers = []
        self._sources = []
        self.built = False
        self.loss = None
        self.optimizer = None
        self.metrics = []
        self.loss_weights = None
        self.compiled = False
        self._fit_calls = 0
        self._flat = None
        self._chain = False

    def _ensure_built(self, x):
        pass

    @property
    def output_units(self):
        return self.layers[-1].units

    # -- compile ------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None):
        r"""Set the loss (and the optimizer and metrics, used by training) as ``keras.Model.compile``.

        ``loss_weights`` (a float), as in Keras, multiplies the data loss (not the penalties):
        :math:`J = w\,L + \sum \Omega`.
        """
        if loss_weights is not None and (
            isinstance(loss_weights, bool) or not isinstance(loss_weights, numbers.Real)
            or not np.isfinite(loss_weights) or loss_weights <= 0
        ):
            raise ValueError(
                f"`loss_weights` must be a positive number (one output); received {loss_weights!r}."
            )
        self.loss_weights = None if loss_weights is None else float(loss_weights)
        self.optimizer = _optimizers.get(optimizer)
        self.loss = _losses.get(loss)
        self.metrics = [_metrics.check_name(m) for m in (metrics or [])]
        self.compiled = True
        if self.built:
            self._check_loss_fits_output()

    def _check_loss_fits_output(self):
        if self.loss is None or not self.layers:
            return
        last = self.layers[-1]
        if not isinstance(last, Dense):
            raise ValueError(
                f"The last layer must be a Dense layer (the output); received {last!r}."
            )
        act = last.activation.name
        if act == "softmax" and last.units == 1:
            raise ValueError(
                f"The output layer {last.name!r} has a softmax over a single unit, which always "
                f"outputs 1 (the loss {self.loss.name!r} could never change). For two classes use "
                "Dense(1, activation='sigmoid') with binary_crossentropy, or Dense(2, "
                "activation='softmax') with (sparse_)categorical_crossentropy."
            )
        if isinstance(self.loss, (_losses.CategoricalCrossentropy, _losses.SparseCategoricalCrossentropy)) and last.units < 2:
            raise ValueError(
                f"{self.loss.name} needs an output layer with at least 2 units (one per class); "
                f"{last.name!r} has {last.units}. For two classes use binary_crossentropy with one "
                "sigmoid unit."
            )
        if self.loss.from_logits and act in ("sigmoid", "softmax"):
            warnings.warn(
                f"{self.loss.name} received from_logits=True, but the output layer has a {act} "
                "activation, so it does not produce logits. As Keras, the loss is computed from "
                "the layer's pre-activation anyway.",
                stacklevel=3,
            )

    def _require_loss(self):
        if not self.compiled or self.loss is None:
            raise ValueError(
                "The model has no loss: call model.compile(optimizer=..., loss=...) first."
            )

    # -- data checks --------------------------------------------------------------------------
    def _check_x(self, x, name="x"):
        """The inputs as arrays: one 2-D float array for a single-input model, else a list in
        ``self.inputs`` order (from a dict keyed by input name, or a list)."""
        if len(self.inputs) <= 1 and self.inputs and self.inputs[0].dtype == "float" or not self.inputs:
            return self._check_float_input(x, name, self.input_shape)
        if isinstance(x, dict):
            missing = [n.name for n in self.inputs if n.name not in x]
            if missing:
                raise ValueError(
                    f"`{name}` lacks the input(s) {missing}; the model's inputs are "
                    f"{[n.name for n in self.inputs]}."
                )
            values = [x[n.name] for n in self.inputs]
        elif isinstance(x, (list, tuple)) and len(x) == len(self.inputs):
            values = list(x)
        else:
            raise ValueError(
                f"`{name}` must be a dict keyed by input name, or a list of {len(self.inputs)} "
                f"arrays, for the inputs {[n.name for n in self.inputs]}; received "
                f"{type(x).__name__}."
            )
        out = []
        for node, value in zip(self.inputs, values):
            label = f"{name}[{node.name!r}]"
            if node.dtype == "float":
                out.append(self._check_float_input(value, label, node.shape))
            else:
                out.append(self._check_index_input(value, label, node))
        rows = {len(a) for a in out}
        if len(rows) > 1:
            raise ValueError(
                f"The inputs of `{name}` have different numbers of rows: "
                f"{dict(zip([n.name for n in self.inputs], map(len, out)))}."
            )
        return out

    def _check_float_input(self, x, name, shape):
        x = as_numeric_array(x, name, self.dtype)
        if x.ndim == 1:
            raise ValueError(
                f"`{name}` must be 2-D (samples, features); received {describe(x)}. For a single "
                f"feature use {name}.reshape(-1, 1); for a single sample use {name}.reshape(1, -1)."
            )
        if x.ndim != 2:
            raise ValueError(f"`{name}` must be 2-D (samples, features); received {describe(x)}.")
        expected = shape[0] if shape is not None else None
        if expected is not None and x.shape[1] != expected:
            raise ValueError(
                f"`{name}` has {x.shape[1]} columns (features) but the model's Input expects "
                f"{expected}; received {describe(x)}, expected shape (n_samples, {expected})."
            )
        return x

    def _check_index_input(self, x, name, node):
        x = as_numeric_array(x, name, np.float64)
        if x.ndim == 2 and x.shape[1] == 1:
            x = x[:, 0]
        if x.ndim != 1 or np.any(x != np.round(x)):
            raise ValueError(
                f"`{name}` must hold one integer category index per sample (shape (n,)); "
                f"received {describe(x)}."
            )
        x = x.astype(np.int64)
        for layer, sources in zip(self.layers, self._sources):
            if ("input", self.inputs.index(node)) in sources and hasattr(layer, "input_dim"):
                if x.min() < 0 or x.max() >= layer.input_dim:
                    bad = x[(x < 0) | (x >= layer.input_dim)][0]
                    raise ValueError(
                        f"`{name}` holds index {int(bad)}, outside [0, {layer.input_dim - 1}] of "
                        f"the Embedding {layer.name!r} (input_dim={layer.input_dim}); map unseen "
                        "or missing categories to a reserved index."
                    )
        return x

    def _check_y(self, y, n_rows, name="y"):
        """Targets as the loss expects them, with a clear error for every mismatch."""
        self._require_loss()
        y = as_numeric_array(y, name, self.dtype)
        k = self.output_units
        loss = self.loss
        if y.shape[0] != n_rows:
            raise ValueError(
                f"`x` and `{name}` have different numbers of rows: {n_rows} and {y.shape[0]}; "
                "each sample needs one target."
            )
        if isinstance(loss, _losses.SparseCategoricalCrossentropy):
            if not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
                raise ValueError(
                    f"sparse_categorical_crossentropy expects `{name}` to hold one integer class "
                    f"label per sample, shape ({n_rows},); received {describe(y)}. For one-hot "
                    "targets use categorical_crossentropy."
                )
            y = y.reshape(-1)
            if np.any(y != np.round(y)) or y.min() < 0 or y.max() > k - 1:
                bad = y[(y != np.round(y)) | (y < 0) | (y > k - 1)][0]
                raise ValueError(
                    f"`{name}` holds class labels that are not integers in [0, {k - 1}] (the output "
                    f"layer has {k} units); found {float(bad):g}. Encode the classes as 0..{k - 1}."
                )
            return y
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != k:
            hint = ""
            if k > 1 and y.shape[1] == 1:
                hint = (
                    " For integer class labels use loss='sparse_categorical_crossentropy', or "
                    "one-hot encode them."
                )
            raise ValueError(
                f"`{name}` has shape {y.shape} but the output layer has {k} units, so the loss "
                f"{loss.name} expects shape ({n_rows}, {k}).{hint}"
            )
        if isinstance(loss, (_losses.BinaryCrossentropy, _losses.CategoricalCrossentropy)):
            if y.min() < 0 or y.max() > 1:
                raise ValueError(
                    f"{loss.name} expects targets in [0, 1]; `{name}` ranges over "
                    f"[{float(y.min()):g}, {float(y.max()):g}]. Encode the classes as 0/1 (one-hot for several)."
                )
        if isinstance(loss, _losses.CategoricalCrossentropy):
            sums = y.sum(axis=1)
            if np.any(np.abs(sums - 1) > 1e-6):
                i = int(np.argmax(np.abs(sums - 1)))
                raise ValueError(
                    f"categorical_crossentropy expects each row of `{name}` to be one-hot (sum 1); "
                    f"row {i} sums to {float(sums[i]):g}. For integer labels use "
                    "sparse_categorical_crossentropy."
                )
        return y

    # -- forward ------------------------------------------------------------------------------
    def forward(self, x):
        """Run the layers in order, keeping each layer's cache (a Dense layer's ``(X, Z, A)``)
        for back-propagation."""
        return self._forward(x)[0]

    def _forward(self, x):
        if self._chain:  # a Sequential: each layer feeds the next
            caches, outputs, a = [], [], x
            for layer in self.layers:
                a, cache = layer.forward(a)
                caches.append(cache)
                outputs.append(a)
            return caches, outputs
        xs = x if isinstance(x, list) else [x]
        caches, outputs = [], []
        for layer, sources in zip(self.layers, self._sources):
            args = [xs[k] if kind == "input" else outputs[k] for kind, k in sources]
            out, cache = layer.forward(args if len(args) > 1 else args[0])
            caches.append(cache)
            outputs.append(out)
        return caches, outputs

    def layer_outputs(self, x):
        """Each layer's output for ``x``, by layer name (what Keras's layers output)."""
        x = self._check_x(x)
        self._ensure_built(x)
        return dict(zip([layer.name for layer in self.layers], self._forward(x)[1]))

    def __call__(self, x):
        x = self._check_x(x)
        self._ensure_built(x)
        return self.forward(x)[-1].a

    def predict(self, x, batch_size=None, verbose=0):
        """The network's output for ``x`` (all rows at once, or ``batch_size`` rows at a time)."""
        x = self._check_x(x)
        self._ensure_built(x)
        if batch_size is None:
            return self.forward(x)[-1].a
        batch_size = check_positive_int(batch_size, "batch_size")
        return np.concatenate(
            [self.forward(_take(x, slice(i, i + batch_size)))[-1].a
             for i in range(0, _rows(x), batch_size)]
        )

    # -- loss and gradients -------------------------------------------------------------------
    def penalty(self):
        """The sum of every layer's regularization term (Keras's ``sum(model.losses)``)."""
        return sum((layer.penalty() for layer in self.layers), 0.0)

    def _data_loss(self, y, caches):
        last, out = self.layers[-1], caches[-1]
        is_delta = self.loss.uses_logits_of(last.activation)  # Keras's logits shortcut
        if is_delta:
            value, grad = self.loss.value_and_gradient_from_logits(y, out.z)
        else:
            value, grad = self.loss.value_and_gradient(y, out.a)
        if self.loss_weights is not None:
            value, grad = value * self.loss_weights, grad * self.loss_weights
        return value, grad, is_delta

    def compute_loss(self, x, y):
        """The batch loss as ``keras.Model.compute_loss``: reduced data loss + penalties."""
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, _rows(x))
        return self._loss_of_batch(x, y)

    def _loss_of_batch(self, x, y):
        value, _, _ = self._data_loss(y, self.forward(x))
        return float(value + self.penalty())

    def loss_and_gradients(self, x, y):
        """The batch loss :math:`J` (penalties included) and :math:`\\partial J/\\partial w` for every
        weight, in ``get_weights`` order: ``[dkernel_1, dbias_1, dkernel_2, ...]``."""
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, _rows(x))
        return self._loss_and_gradients(x, y)

    def _loss_and_gradients(self, x, y):
        loss, grads, _ = self._train_pass(x, y)
        return loss, [dense(g) for g in grads]

    def _train_pass(self, x, y, deltas=None, into_buffer=False):
        r"""Forward, loss and backward on one batch: ``(loss, gradients, y_pred)``.

        Backward visits the layers in reverse order; each passes its input's gradient on to the
        layer(s) that fed it (summed where one output feeds several layers). With a list
        ``deltas``, each Dense layer's sensitivity :math:`\delta^{(l)} = \partial J /
        \partial Z^{(l)}` (the lecture's :math:`\mathbf V^{(l)}`, transposed) is collected in it.
        With ``into_buffer`` the gradients are written into the model's flat gradient buffer (the
        returned arrays are views into it, overwritten by the next pass).
        """
        caches, _ = self._forward(x)
        data_loss, grad, output_is_delta = self._data_loss(y, caches)
        last = len(self.layers) - 1
        upstream = {last: grad}
        grads = [None] * len(self.layers)
        regularized = self._regularized_layers
        for i in range(last, -1, -1):
            layer, cache, grad = self.layers[i], caches[i], upstream.pop(i)
            if isinstance(layer, Dense):
                if not (i == last and output_is_delta):  # dJ/dA -> dJ/dZ: the activation's derivative
                    grad = layer.activation.backward(cache.z, cache.a, grad)
                if deltas is not None:
                    deltas.insert(0, grad)
            layer_grads, grad_in = layer.backward(
                grad, cache, grad_is_preactivation=True,
                out=self._grad_views[i] if into_buffer else None,
                need_input_grad=self._feeds_back[i])
            if regularized[i]:
                # an unregularized Embedding keeps its row-wise (sparse) gradient, as in TensorFlow
                for j, p in enumerate(layer.penalty_gradients()):
                    if p is not None:
                        if into_buffer:
                            layer_grads[j] += p
                        else:
                            layer_grads[j] = dense(layer_grads[j]) + p
            grads[i] = layer_grads
            if self._chain:
                if i:
                    upstream[i - 1] = grad_in
            elif grad_in is not None:
                sources = self._sources[i]
                for (kind, k), g in zip(sources, grad_in if len(sources) > 1 else [grad_in]):
                    if kind == "layer":
                        upstream[k] = upstream[k] + g if k in upstream else g
        penalty = self.penalty() if self._any_regularized else 0.0
        return float(data_loss + penalty), [g for gs in grads for g in gs], caches[-1].a

    def _regularized(self):
        """Per layer: does any of its weights carry a regularizer?"""
        return [any(getattr(layer, attr, None) is not None
                    for attr in ("kernel_regularizer", "bias_regularizer", "embeddings_regularizer"))
                for layer in self.layers]

    # -- the flat weight buffer -------------------------------------------------------------------
    def _pack(self):
        """Keep every weight in one contiguous buffer, each layer's weights views into it (and
        likewise one gradient buffer): an optimizer step on Dense layers is then a handful of
        operations on one vector instead of a handful per tensor — the same arithmetic, element
        by element."""
        from .layers import Embedding

        weights = [w for layer in self.layers for w in layer.weights]
        flat = np.empty(sum(w.size for w in weights), dtype=self.dtype)
        grad = np.empty_like(flat)
        start = 0
        self._grad_views = []
        for layer in self.layers:
            views, gviews = [], []
            for w in layer.weights:
                view = flat[start:start + w.size].reshape(w.shape)
                view[...] = w
                views.append(view)
                gviews.append(grad[start:start + w.size].reshape(w.shape))
                start += w.size
            layer.weights = views
            self._grad_views.append(gviews)
        self._flat, self._flat_grad = flat, grad
        self._flat_ok = not any(isinstance(layer, Embedding) for layer in self.layers)
        self._regularized_layers = self._regularized()
        self._any_regularized = any(self._regularized_layers)
        # does a layer pass a gradient back to another layer (not only to the model's inputs)?
        self._feeds_back = [src[0][0] == "layer" or len(src) > 1 for src in self._sources]
        self._chain = all(src == ([("input", 0)] if i == 0 else [("layer", i - 1)])
                          for i, src in enumerate(self._sources))

    def sensitivities(self, x, y):
        r"""Each Dense layer's :math:`\delta^{(l)} = \partial J / \partial Z^{(l)}`, shape ``(B, units)``."""
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, _rows(x))
        deltas = []
        self._train_pass(x, y, deltas)
        return deltas

    def evaluate(self, x, y, batch_size=32, verbose=0, return_dict=False):
        """Loss (and compiled metrics) over ``(x, y)`` as ``keras.Model.evaluate``: batch-size-weighted
        means over batches of ``batch_size`` rows (Keras's default 32), penalties included.

        Returns the loss, or ``[loss, metric, ...]`` when metrics were compiled, or a dict with
        ``return_dict=True``.
        """
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, _rows(x))
        batch_size = check_positive_int(batch_size, "batch_size")
        logs = self._evaluate_arrays(x, y, batch_size)
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def _evaluate_arrays(self, x, y, batch_size):
        names = [(m, _metrics.resolve(m, y, self.output_units)) for m in self.metrics]
        trackers = {"loss": _metrics.Mean(), **{m: _metrics.Mean() for m, _ in names}}
        for start in range(0, _rows(x), batch_size):
            rows = slice(start, start + batch_size)
            xb, yb = _take(x, rows), y[rows]
            caches = self.forward(xb)
            value, _, _ = self._data_loss(yb, caches)
            size = len(yb)
            trackers["loss"].update(value + self.penalty(), size)
            for m, resolved in names:
                trackers[m].update(np.sum(_metrics.compute(resolved, yb, caches[-1].a)) / size, size)
        return {k: t.result() for k, t in trackers.items()}

    # -- training -----------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True):
        """Train with mini-batch gradient descent, as ``keras.Model.fit`` with arrays.

        Args:
            x, y: training data (validated as for ``loss_and_gradients``).
            batch_size: rows per step (Keras's default 32); the last batch of an epoch may be
                shorter and is averaged over its own size.
            epochs: passes over the data (>= 1).
            verbose: 0 silent, 1 (``"auto"``) a progress bar per epoch, 2 one line per epoch.
            callbacks: ``scratch.callbacks.Callback`` objects.
            validation_split: hold out the *last* fraction of the rows (before shuffling).
            validation_data: ``(x_val, y_val)``; takes precedence over ``validation_split``.
            shuffle: visit the rows in a new order each epoch, drawn by
                :func:`scratch.batching.epoch_permutations` from the model's seed.

        Each step: forward, loss :math:`J` (penalties included), backward, then
        ``optimizer.apply(gradients, weights)``. Returns a ``History`` whose ``history`` has Keras's
        keys: ``loss`` (the batch-size-weighted mean of the pre-update batch losses of the epoch),
        each compiled metric, and ``val_loss``/``val_<metric>`` with validation data. Callbacks'
        batch logs have Keras's running values plus ``batch_loss``, the exact loss of the batch
        just trained (before its update). A NaN or
        infinite loss stops training with a ``TrainingDivergedError`` that names the step.
        """
        self._require_loss()
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, _rows(x))
        batch_size = 32 if batch_size is None else check_positive_int(batch_size, "batch_size")
        epochs = check_positive_int(epochs, "epochs")
        if verbose == "auto":
            verbose = 1
        if (isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real)
                or not 0 <= validation_split < 1):
            raise ValueError(
                "`validation_split` must be a fraction in (0, 1) (or 0 for none); received "
                f"validation_split={validation_split!r}."
            )
        if validation_data is not None:
            try:
                x_val, y_val = validation_data
            except (TypeError, ValueError):
                raise ValueError("`validation_data` must be a pair (x_val, y_val).") from None
            x_val = self._check_x(x_val, "x_val")
            y_val = self._check_y(y_val, _rows(x_val), "y_val")
        elif validation_split:
            split_at = batching.validation_split_index(_rows(x), validation_split)
            x, x_val = _take(x, slice(0, split_at)), _take(x, slice(split_at, None))
            y, y_val = y[:split_at], y[split_at:]
        else:
            x_val = y_val = None

        n = _rows(x)
        weights = self.weights
        if weights and not np.shares_memory(weights[0], self._flat):
            self._pack()  # a copied model (copy.deepcopy) lost the link to its flat buffer
        # one optimizer step on the whole weight vector, unless per-tensor clipping or an
        # Embedding's row-wise gradient needs the tensors one by one
        flat = self._flat_ok and not self.optimizer.clipnorm
        orders = (
            batching.epoch_permutations(self.seed, n, epochs, self._fit_calls)
            if shuffle else [None] * epochs
        )
        self._fit_calls += 1
        history = History()
        history.params = {"epochs": epochs, "steps": batching.steps_per_epoch(n, batch_size),
                          "verbose": verbose}
        callbacks = [history] + list(callbacks or [])
        for cb in callbacks:
            cb.model = self
            cb.on_train_begin()
        names = [(m, _metrics.resolve(m, y, self.output_units)) for m in self.metrics]
        batch_callbacks = [cb for cb in callbacks
                           if type(cb).on_train_batch_begin is not Callback.on_train_batch_begin
                           or type(cb).on_train_batch_end is not Callback.on_train_batch_end]
        # overflow and NaN are checked on the loss itself (TrainingDivergedError), not warned
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch, order in enumerate(orders):
                for cb in callbacks:
                    cb.on_epoch_begin(epoch)
                trackers = {"loss": _metrics.Mean(), **{m: _metrics.Mean() for m, _ in names}}
                # one gather per epoch; each batch is then a view of consecutive rows, the same
                # rows as batching.batch_slices(order, batch_size) would pick one batch at a time
                xe, ye = (x, y) if order is None else (_take(x, order), y[order])
                bar = _progress(verbose, history.params["steps"], epoch, epochs)
                for b, start in enumerate(range(0, n, batch_size)):
                    for cb in batch_callbacks:
                        cb.on_train_batch_begin(b)
                    rows = slice(start, start + batch_size)
                    xb, yb = _take(xe, rows), ye[rows]
                    size = len(yb)
                    loss, grads, y_pred = self._train_pass(xb, yb, into_buffer=flat)
                    if not math.isfinite(loss):
                        step = self.optimizer.iterations
                        raise TrainingDivergedError(
                            f"The loss became {loss} at step {step} (epoch {epoch}, batch {b}); "
                            "training stopped. Lower the learning rate, clip the gradients "
                            "(clipnorm=...) or standardize the inputs.",
                            step, epoch, b, history,
                        )
                    trackers["loss"].update(loss, size)
                    for m, resolved in names:
                        trackers[m].update(np.sum(_metrics.compute(resolved, yb, y_pred)) / size, size)
                    if flat:
                        self.optimizer.apply([self._flat_grad], [self._flat], tensors=grads)
                    else:
                        self.optimizer.apply(grads, self.weights)
                    if bar is not None or batch_callbacks:
                        logs = {k: t.result() for k, t in trackers.items()}
                        if bar is not None:
                            bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
                            bar.update(1)
                        batch_logs = {**logs, "batch_loss": loss}
                        for cb in batch_callbacks:
                            cb.on_train_batch_end(b, batch_logs)
                logs = {k: t.result() for k, t in trackers.items()}
                if x_val is not None:
                    val = self._evaluate_arrays(x_val, y_val, batch_size)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                if bar is not None:
                    bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})
                    bar.close()
                elif verbose == 2:
                    print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
        for cb in callbacks:
            cb.on_train_end()
        return history

    # -- weights ------------------------------------------------------------------------------
    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    def weight_names(self):
        """``"dense/kernel"``, ``"dense/bias"``, ... in ``get_weights`` order."""
        return [f"{layer.name}/{n}" for layer in self.layers for n in layer.weight_names()]

    def get_weights(self):
        """Copies of the weights in Keras's order and shapes: ``[kernel_1 (in, out), bias_1 (out,), ...]``."""
        self._require_built("get_weights")
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Load weights given in Keras's order and shapes (e.g. ``keras_model.get_weights()``)."""
        self._require_built("set_weights")
        names, current = self.weight_names(), self.weights
        try:
            weights = list(weights)
        except TypeError:
            raise TypeError(f"`weights` must be a list of arrays; received {type(weights).__name__}.") from None
        if len(weights) != len(current):
            raise ValueError(
                f"`weights` has {len(weights)} arrays but the model has {len(current)}: "
                f"{', '.join(f'{n} {w.shape}' for n, w in zip(names, current))}."
            )
        new = []
        for i, (name, old, w) in enumerate(zip(names, current, weights)):
            w = as_numeric_array(w, f"weights[{i}] ({name})", self.dtype)
            if w.shape != old.shape:
                raise ValueError(
                    f"`weights[{i}]` ({name}) has shape {w.shape}; expected {old.shape} (Keras "
                    "layout: kernel (in, out), bias (out,)). A kernel in the lecture's (out, in) "
                    "layout needs a transpose."
                )
            new.append(w.copy())
        for old, w in zip(current, new):
            old[...] = w  # into the flat buffer's views

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"The model has no weights yet, so {what}() cannot run: start it with "
                "scratch.Input(shape=(n_features,)) or call it on data first."
            )

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def astype(self, dtype):
        """A deep copy of the model computing in ``dtype`` (weights converted, compile kept)."""
        import copy

        clone = copy.deepcopy(self)
        clone.dtype = config.standardize_dtype(dtype, "dtype")
        for layer in clone.layers:
            layer.weights = [w.astype(clone.dtype) for w in layer.weights]
        if clone.built:
            clone._pack()
        return clone

    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts, as ``keras.Model.summary``."""
        rows = [("Layer (type)", "Output Shape", "Param #", "Activation")]
        for layer, shape in zip(self.layers, self._output_shapes()):
            rows.append(
                (
                    f"{layer.name} ({type(layer).__name__})",
                    "(None, " + (", ".join(map(str, shape)) if shape is not None else "?") + ")",
                    str(layer.count_params()) if layer.built else "?",
                    layer.activation.name if hasattr(layer, "activation") else "-",
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "-" * (sum(widths) + 6)
        text = [f'Model: "{self.name}" ({self.dtype})', line]
        for j, r in enumerate(rows):
            text.append("  ".join(c.ljust(w) for c, w in zip(r, widths)))
            if j == 0:
                text.append(line)
        text.append(line)
        total = self.count_params() if self.built else "? (not built)"
        text.append(f"Total params: {total}")
        print_fn("\n".join(text))

    def _output_shapes(self):
        shapes = []
        for layer, sources in zip(self.layers, self._sources):
            ins = [self.inputs[k].shape if kind == "input" else shapes[k] for kind, k in sources]
            if any(s is None for s in ins):
                shapes.append(None)
            else:
                shapes.append(layer.compute_output_shape(ins if len(ins) > 1 else ins[0]))
        return shapes

    def __repr__(self):
        names = ", ".join(f"{n.name}{n.shape}" for n in self.inputs)
        return (f"<scratch.Model {self.name!r}: inputs {names}; {len(self.layers)} layers; "
                f"{self.layers[-1].units} outputs ({self.dtype})>")




class Sequential(Model):
    """A linear stack of layers, as ``keras.Sequential``.

    Args:
        layers: a list starting with ``Input(shape=(n_features,))`` followed by ``Dense`` layers.
            Without an ``Input`` the model is built on the first call with data.
        name: the model's name.
        seed: seed of the initial weights (``None``: the next seed of
            :func:`scratch.utils.set_random_seed`'s generator).
        dtype: ``"float32"`` or ``"float64"`` (``None``: ``scratch.config.floatx()``).
    """

    def __init__(self, layers=None, name="sequential", seed=None, dtype=None):
        self._init_state(name, seed, dtype)
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Append a layer (or set the input with an ``Input``)."""
        if isinstance(layer, Node):
            if not layer.is_input or layer.dtype != "float":
                raise ValueError("A Sequential model starts with a float Input(shape=(n_features,)).")
            if self.layers or self.input_shape is not None:
                raise ValueError("`Input` must come first in a Sequential model, and only once.")
            self.inputs = [layer]
            self.input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential accepts scratch layers (e.g. scratch.layers.Dense); received "
                f"{type(layer).__name__}: {layer!r}."
            )
        if layer.name is None:
            layer.name = _unique_name(layer, {l.name for l in self.layers})
        self._sources.append([("input", 0)] if not self.layers else [("layer", len(self.layers) - 1)])
        self.layers.append(layer)
        if self.input_shape is not None:
            self.build(self.input_shape)

    def build(self, input_shape):
        """Create the weights of every layer not built yet, for inputs of shape ``(n_features,)``.

        Layer ``i`` draws from ``numpy.random.default_rng([seed, i])``, so the weights depend on the
        seed and the architecture only, not on when the layers were added.
        """
        if not self.layers:
            raise ValueError("The model has no layers; add at least one Dense layer.")
        self.input_shape = (int(input_shape[-1]),)
        if not self.inputs:
            from .layers import Input

            self.inputs = [Input(shape=self.input_shape)]
        shape = self.input_shape
        for i, layer in enumerate(self.layers):
            if not layer.built:
                layer.build(shape, self.dtype, np.random.default_rng([self.seed, i]))
            shape = layer.compute_output_shape(shape)
        self.built = True
        self._pack()
        self._check_loss_fits_output()

    def _ensure_built(self, x):
        if not self.built:
            self.build((x.shape[-1],))

    def __repr__(self):
        units = " -> ".join(
            [str(self.input_shape[0]) if self.input_shape else "?"]
            + [f"{l.units} {l.activation.name}" if isinstance(l, Dense) else type(l).__name__
               for l in self.layers]
        )
        return f"<scratch.Sequential {self.name!r}: {units} ({self.dtype})>"


def _progress(verbose, total, epoch, epochs):
    if verbose != 1:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"Epoch {epoch + 1}/{epochs}", unit="step", leave=True)
