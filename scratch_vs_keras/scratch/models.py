r"""``Sequential``: the from-scratch twin of ``keras.Sequential`` for multi-layer perceptrons.

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

import warnings

import numpy as np

from . import config
from . import losses as _losses
from . import utils
from ._validation import as_numeric_array, check_positive_int, describe
from .layers import Input, Layer


class Sequential:
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
        self.name = name
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ValueError(f"`seed` must be a non-negative integer or None; received seed={seed!r}.")
        self.seed = utils.draw_seed() if seed is None else int(seed)
        self.dtype = config.standardize_dtype(dtype, "dtype")
        self.input_shape = None
        self.layers = []
        self.built = False
        self.loss = None
        self.optimizer = None
        self.compiled = False
        for layer in layers or []:
            self.add(layer)

    # -- building -----------------------------------------------------------------------------
    def add(self, layer):
        """Append a layer (or set the input with an ``Input``)."""
        if isinstance(layer, Input):
            if self.layers or self.input_shape is not None:
                raise ValueError("`Input` must come first in a Sequential model, and only once.")
            self.input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential accepts scratch layers (e.g. scratch.layers.Dense); received "
                f"{type(layer).__name__}: {layer!r}."
            )
        if layer.name is None:
            taken = {l.name for l in self.layers}
            base = type(layer).__name__.lower()
            name, i = base, 0
            while name in taken:
                i += 1
                name = f"{base}_{i}"
            layer.name = name
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
        width = self.input_shape[0]
        for i, layer in enumerate(self.layers):
            if not layer.built:
                layer.build(width, self.dtype, np.random.default_rng([self.seed, i]))
            width = layer.units
        self.built = True
        self._check_loss_fits_output()

    def _ensure_built(self, x):
        if not self.built:
            self.build((x.shape[-1],))

    @property
    def output_units(self):
        return self.layers[-1].units

    # -- compile ------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Set the loss (and the optimizer and metrics, used by training) as ``keras.Model.compile``."""
        self.optimizer = optimizer
        self.loss = _losses.get(loss)
        self.metrics = list(metrics or [])
        self.compiled = True
        if self.built:
            self._check_loss_fits_output()

    def _check_loss_fits_output(self):
        if self.loss is None or not self.layers:
            return
        last = self.layers[-1]
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
        x = as_numeric_array(x, name, self.dtype)
        if x.ndim == 1:
            raise ValueError(
                f"`{name}` must be 2-D (samples, features); received {describe(x)}. For a single "
                f"feature use {name}.reshape(-1, 1); for a single sample use {name}.reshape(1, -1)."
            )
        if x.ndim != 2:
            raise ValueError(f"`{name}` must be 2-D (samples, features); received {describe(x)}.")
        expected = self.input_shape[0] if self.input_shape is not None else None
        if expected is not None and x.shape[1] != expected:
            raise ValueError(
                f"`{name}` has {x.shape[1]} columns (features) but the model's Input expects "
                f"{expected}; received {describe(x)}, expected shape (n_samples, {expected})."
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
        """Run the layers, keeping each layer's cache ``(X, Z, A)`` for back-propagation."""
        caches = []
        a = x
        for layer in self.layers:
            a, cache = layer.forward(a)
            caches.append(cache)
        return caches

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
            [self.forward(x[i : i + batch_size])[-1].a for i in range(0, len(x), batch_size)]
        )

    # -- loss and gradients -------------------------------------------------------------------
    def penalty(self):
        """The sum of every layer's regularization term (Keras's ``sum(model.losses)``)."""
        return sum((layer.penalty() for layer in self.layers), 0.0)

    def _data_loss(self, y, caches):
        last, out = self.layers[-1], caches[-1]
        if self.loss.uses_logits_of(last.activation):
            value, grad = self.loss.value_and_gradient_from_logits(y, out.z)
            return value, grad, True
        value, grad = self.loss.value_and_gradient(y, out.a)
        return value, grad, False

    def compute_loss(self, x, y):
        """The batch loss as ``keras.Model.compute_loss``: reduced data loss + penalties."""
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, x.shape[0])
        return self._loss_of_batch(x, y)

    def _loss_of_batch(self, x, y):
        value, _, _ = self._data_loss(y, self.forward(x))
        return float(value + self.penalty())

    def loss_and_gradients(self, x, y):
        """The batch loss :math:`J` (penalties included) and :math:`\\partial J/\\partial w` for every
        weight, in ``get_weights`` order: ``[dkernel_1, dbias_1, dkernel_2, ...]``."""
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, x.shape[0])
        return self._loss_and_gradients(x, y)

    def _loss_and_gradients(self, x, y):
        caches = self.forward(x)
        data_loss, grad, is_delta = self._data_loss(y, caches)
        grads = []
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            layer_grads, grad = layer.backward(grad, cache, grad_is_preactivation=is_delta)
            is_delta = False
            penalty_grads = layer.penalty_gradients()
            grads = [g + p for g, p in zip(layer_grads, penalty_grads)] + grads
        return float(data_loss + self.penalty()), grads

    def evaluate(self, x, y, batch_size=32, verbose=0):
        """The loss over ``(x, y)`` as ``keras.Model.evaluate``: the batch-size-weighted mean of the
        batch losses (penalties included), batches of ``batch_size`` rows (Keras's default 32)."""
        x = self._check_x(x)
        self._ensure_built(x)
        y = self._check_y(y, x.shape[0])
        batch_size = check_positive_int(batch_size, "batch_size")
        total, count = 0.0, 0
        for i in range(0, len(x), batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            total += self._loss_of_batch(xb, yb) * len(xb)
            count += len(xb)
        return total / count

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
        k = 0
        for layer in self.layers:
            n = len(layer.weights)
            layer.weights = new[k : k + n]
            k += n

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
        return clone

    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts, as ``keras.Model.summary``."""
        rows = [("Layer (type)", "Output Shape", "Param #", "Activation")]
        for layer in self.layers:
            rows.append(
                (
                    f"{layer.name} ({type(layer).__name__})",
                    f"(None, {layer.units})",
                    str(layer.count_params()) if layer.built else "?",
                    layer.activation.name,
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

    def __repr__(self):
        units = " -> ".join(
            [str(self.input_shape[0]) if self.input_shape else "?"]
            + [f"{l.units} {l.activation.name}" for l in self.layers]
        )
        return f"<scratch.Sequential {self.name!r}: {units} ({self.dtype})>"
