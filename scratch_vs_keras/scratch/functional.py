r"""``Model``: the graph of layers with its forward and backward pass, Keras's functional
``keras.Model(inputs, outputs)``; ``Sequential`` (:mod:`.sequential`) is the chain special case
and training (compile/fit/evaluate/predict) comes from :class:`.trainer.Trainer`.

Back-propagation, as in the lecture, vectorized over a mini-batch of :math:`B` samples (rows):

1. forward: for :math:`l = 1..L`, :math:`Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}`,
   :math:`A^{(l)} = g_l(Z^{(l)})`, :math:`A^{(0)} = X`;
2. the final layer's sensitivity :math:`\delta^{(L)} = \partial J/\partial Z^{(L)}` from the loss
   (for the lecture's sigmoid output and summed squared error this is
   :math:`-2(Y - A)\odot A\odot(1 - A)`, the lecture's :math:`\mathbf V^{(2)}` transposed);
3. the recurrence :math:`\delta^{(l-1)} = (\delta^{(l)} [W^{(l)}]^T) \odot g'_{l-1}(Z^{(l-1)})`;
4. the gradients :math:`\partial J/\partial W^{(l)} = [A^{(l-1)}]^T \delta^{(l)}`,
   :math:`\partial J/\partial b^{(l)} = \mathbf 1^T\delta^{(l)}`, plus each weight's penalty gradient.

Each layer does its own part of steps 3 and 4 in ``layer.backward`` (its activation's derivative
included); the model only hands each layer the gradient of its output, summed where one output
feeds several layers, and hands the output layer :math:`\delta^{(L)}` itself where Keras's
logits shortcut gives it. The loss :math:`J` is Keras's: the reduced data loss plus every
layer's regularization term, so ``loss_and_gradients`` returns what ``keras.Model.compute_loss``
returns and its gradients.

**The public contract** with the package's other parts (``compare``, ``lessons``, ``keras_side``,
the experiments): :meth:`Model.prepare` (checked arrays), :meth:`Model.trace` (one pass with its
caches, outputs, loss, gradients and sensitivities), :meth:`Model.loss_of_batch` (for finite
differences), :meth:`Model.sources` (the graph), ``epoch_orders`` and
:func:`scratch.batching.batches` (the batches ``fit`` trains on). Anything with a leading
underscore is private and may change.
"""

import contextlib
import copy
from collections import namedtuple

import numpy as np

from . import config, utils
from ._validation import as_numeric_array, check_number
from .batching import num_rows
from .data_checks import check_inputs, check_same_rows
from .layers import Dense, Node
from .sparse import dense
from .trainer import Trainer
from .weight_buffer import WeightBuffer

#: One forward and backward pass on a batch (:meth:`Model.trace`): the checked ``x`` and ``y``;
#: per layer its ``caches`` (a Dense layer's ``(x, z, a)``) and ``outputs`` (by layer name); the
#: ``loss`` :math:`J` (penalties included); ``gradients`` :math:`\partial J/\partial w` in
#: ``trainable_weight_names`` order (dense arrays), ``raw_gradients`` as the layers return them (an
#: Embedding's as ``sparse.SparseRows``); ``deltas``, each Dense layer's sensitivity
#: :math:`\delta^{(l)} = \partial J/\partial Z^{(l)}`, shape ``(B, units)`` (the lecture's
#: :math:`\mathbf V^{(l)}` transposed), in layer order; ``y_pred``, the model's output. (The
#: gradients' order is ``get_weights``'s unless a layer has non-trainable weights, such as
#: BatchNormalization's moving statistics, which have no gradient.)
Trace = namedtuple("Trace", ["x", "y", "caches", "outputs", "loss", "gradients", "raw_gradients",
                             "deltas", "y_pred"])


def unique_name(layer, taken):
    """Keras's default layer name: the class name in snake case, ``_1``, ``_2`` ... if taken."""
    base = "".join("_" + c.lower() if c.isupper() else c for c in type(layer).__name__).lstrip("_")
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    return name


def _topological_order(inputs, outputs):
    """The nodes that lead from ``inputs`` to ``outputs``, each after the nodes it reads."""
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
    return order


def _check_graph_ends(inputs, outputs):
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not inputs or not all(isinstance(n, Node) and n.is_input for n in inputs):
        raise TypeError("`inputs` must be scratch.Input nodes (or a list of them).")
    if not isinstance(outputs, Node) or outputs.is_input or not isinstance(outputs.layer, Dense):
        raise ValueError(
            "`outputs` must be the output of a Dense layer (one output, e.g. "
            "Dense(1, activation='sigmoid')(hidden))."
        )
    return inputs


class Model(Trainer):
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
        inputs = _check_graph_ends(inputs, outputs)
        taken = {n.name for n in inputs if n.name}
        for node in inputs:
            if node.name is None:
                node.name = next(f"input_{i}" if i else "input" for i in range(len(taken) + 1)
                                 if (f"input_{i}" if i else "input") not in taken)
                taken.add(node.name)
        order = _topological_order(inputs, outputs)
        self.inputs = inputs
        self.layers = [node.layer for node in order]
        position = {id(node): j for j, node in enumerate(order)}
        self._graph_sources = [
            [("input", next(k for k, n in enumerate(inputs) if n is p)) if p.is_input
             else ("layer", position[id(p)]) for p in node.inputs]
            for node in order
        ]
        self._name_layers(taken)
        for i, (node, sources) in enumerate(zip(order, self._graph_sources)):
            ins = [inputs[k].shape if kind == "input" else order[k].shape for kind, k in sources]
            node.layer.build(ins if len(ins) > 1 else ins[0], self.dtype,
                             np.random.default_rng([self.seed, i]))
        self.input_shape = inputs[0].shape if len(inputs) == 1 else None
        self.built = True
        self._pack()

    def _name_layers(self, taken):
        named = [layer.name for layer in self.layers if layer.name]
        if len(set(named)) < len(named):
            raise ValueError("Two layers have the same name; layer names must be unique.")
        taken |= set(named)
        for layer in self.layers:
            if layer.name is None:
                layer.name = unique_name(layer, taken)
                taken.add(layer.name)

    def _init_state(self, name, seed, dtype):
        self.name = name
        check_number(seed, "seed", low=0, integer=True, allow_none=True)
        self.seed = utils.draw_seed() if seed is None else int(seed)
        self.dtype = config.standardize_dtype(dtype, "dtype")
        self.inputs = []
        self.input_shape = None
        self.layers = []
        self._graph_sources = []
        self.built = False
        self._init_training_state()
        self._buffer = None
        self._chain = False

    # -- the graph ------------------------------------------------------------------------------
    @property
    def sources(self):
        """Per layer (in ``self.layers`` order), where its inputs come from: ``("input", k)`` for
        the model's input ``k``, ``("layer", j)`` for the output of layer ``j``."""
        return self._graph_sources


    @property
    def output_units(self):
        return self.layers[-1].units

    def _consumers(self):
        """Per model input, the layers that read it."""
        return [[layer for layer, src in zip(self.layers, self._graph_sources) if ("input", k) in src]
                for k in range(len(self.inputs))]

    def _pack(self):
        """Put the weights into one :class:`WeightBuffer` and note the facts about the graph that
        every pass reads: which layers pass a gradient back to another layer, which are
        regularized, and whether the graph is a plain chain (each layer feeds the next)."""
        self._buffer = WeightBuffer(self.layers, self.dtype)
        self._regularized_layers = [layer.regularized for layer in self.layers]
        self._any_regularized = any(self._regularized_layers)
        self._feeds_back = [src[0][0] == "layer" or len(src) > 1 for src in self._graph_sources]
        self._chain = all(src == ([("input", 0)] if i == 0 else [("layer", i - 1)])
                          for i, src in enumerate(self._graph_sources))

    def __setstate__(self, state):
        """A copy (``copy.deepcopy``, ``pickle``) packs its own weight buffer again: the copied
        layers' weights are separate arrays, no longer views into one buffer."""
        self.__dict__.update(state)
        if self.built:
            self._pack()

    # -- the public contract: checked data, one traced pass -------------------------------------
    def prepare(self, x, y=None, x_name="x", y_name="y"):
        """``(x, y)`` checked as ``fit`` checks them, building the model first if it needs data.

        ``x``: one 2-D float array, or a list in ``self.inputs`` order for several inputs (from
        a dict by input name or a list); ``y``: the targets in the shape the loss takes (``None``
        if not given; a loss must be compiled otherwise). Checking is idempotent, so prepared
        arrays may be passed again. Raises TypeError/ValueError naming ``x_name``/``y_name``.
        """
        x = check_inputs(x, self.inputs, self.dtype, self._consumers(), x_name)
        self._build_for(x)
        if y is None:
            return x, None
        return x, self._check_targets(y, num_rows(x), x_name, y_name)

    def _check_targets(self, y, n_rows, x_name="x", y_name="y"):
        self._require_loss()
        y = as_numeric_array(y, y_name, self.dtype)
        check_same_rows(n_rows, y, x_name, y_name)
        return self.loss.check_targets(y, self.output_units, y_name)

    def _build_for(self, x):
        """Build the model for the checked inputs ``x`` if it was not built (``Sequential``)."""

    def trace(self, x, y):
        r"""One forward and backward pass on the batch ``(x, y)``, every intermediate kept: a
        :data:`Trace` with the caches, each layer's output, the loss :math:`J`, the gradients in
        ``trainable_weight_names`` order and each Dense layer's sensitivity
        :math:`\delta^{(l)} = \partial J/\partial Z^{(l)}`. ``x``, ``y`` are checked (:meth:`prepare`).
        """
        x, y = self.prepare(x, y)
        deltas = []
        loss, raw, caches, outputs = self._pass(x, y, deltas)
        names = [layer.name for layer in self.layers]
        return Trace(x, y, caches, dict(zip(names, outputs)), loss, [dense(g) for g in raw], raw,
                     deltas, caches[-1].a)

    def loss_of_batch(self, x, y, training=False):
        """The batch loss :math:`J` (penalties included) of arrays from :meth:`prepare`, without
        checking them again (finite differences call this thousands of times).

        ``training=True``: the loss a ``fit`` step differentiates (BatchNormalization with the
        batch's statistics, Dropout with its next mask), every layer's state left unmoved."""
        if not training:
            value, _, _ = self._data_loss(y, self.forward(x))
        else:
            with self.keeping_state():
                value, _, _ = self._data_loss(y, self._forward_pass(x, training=True)[0])
        return float(value + self.penalty())

    @contextlib.contextmanager
    def keeping_state(self):
        """Training-mode passes inside leave every layer's state as they found it (the moving
        statistics, Dropout's count of masks): for measurements that must not move it."""
        saved = [layer.training_state() for layer in self.layers]
        try:
            yield
        finally:
            for layer, state in zip(self.layers, saved):
                layer.restore_training_state(state)

    def loss_and_gradients(self, x, y):
        """The batch loss :math:`J` (penalties included) and :math:`\\partial J/\\partial w` for every
        trainable weight, in :meth:`trainable_weight_names` order: ``[dkernel_1, dbias_1, ...]``."""
        x, y = self.prepare(x, y)
        loss, grads, _ = self._train_step(x, y)
        return loss, [dense(g) for g in grads]

    def sensitivities(self, x, y):
        r"""Each Dense layer's :math:`\delta^{(l)} = \partial J / \partial Z^{(l)}`, shape ``(B, units)``."""
        return self.trace(x, y).deltas

    def layer_outputs(self, x):
        """Each layer's output for ``x``, by layer name (what Keras's layers output)."""
        x, _ = self.prepare(x)
        return dict(zip([layer.name for layer in self.layers], self._forward_pass(x)[1]))

    # -- forward and backward -------------------------------------------------------------------
    def forward(self, x):
        """Run the layers in order on checked inputs, keeping each layer's cache (a Dense layer's
        ``(X, Z, A)``) for back-propagation; returns the caches."""
        return self._forward_pass(x)[0]

    def _forward_pass(self, x, training=False):
        """``(caches, outputs)``, one of each per layer; ``training`` as Keras's (``_pass``, the
        pass ``fit`` trains on, runs with ``training=True``)."""
        caches, outputs = [], []
        if self._chain:  # each layer feeds the next
            a = x
            for layer in self.layers:
                a, cache = layer.forward(a, training) if layer.takes_training else layer.forward(a)
                caches.append(cache)
                outputs.append(a)
            return caches, outputs
        xs = x if isinstance(x, list) else [x]
        for layer, sources in zip(self.layers, self._graph_sources):
            args = [xs[k] if kind == "input" else outputs[k] for kind, k in sources]
            args = args if len(args) > 1 else args[0]
            out, cache = layer.forward(args, training) if layer.takes_training else layer.forward(args)
            caches.append(cache)
            outputs.append(out)
        return caches, outputs

    def penalty(self):
        """The sum of every layer's regularization term (Keras's ``sum(model.losses)``)."""
        return sum((layer.penalty() for layer in self.layers), 0.0)

    def _data_loss(self, y, caches, sample_weight=None):
        """``(value, gradient, is_delta)``: the reduced data loss (each sample's loss weighted by
        ``sample_weight``) and its gradient w.r.t. the output :math:`A`, or w.r.t. :math:`Z`
        where Keras takes the logits shortcut (``is_delta``)."""
        last, out = self.layers[-1], caches[-1]
        is_delta = self.loss.uses_logits_of(last.activation)
        if is_delta:
            value, grad = self.loss.value_and_gradient_from_logits(y, out.z, sample_weight)
        else:
            value, grad = self.loss.value_and_gradient(y, out.a, sample_weight)
        if self.loss_weights is not None:
            value, grad = value * self.loss_weights, grad * self.loss_weights
        return value, grad, is_delta

    def _train_step(self, x, y, deltas=None, into_buffer=False):
        """Forward, loss and backward on one batch of checked arrays: ``(loss, gradients, y_pred)``,
        the gradients as the layers return them (see :meth:`_backward_pass`)."""
        loss, grads, caches, _ = self._pass(x, y, deltas, into_buffer)
        return loss, grads, caches[-1].a

    def _pass(self, x, y, deltas=None, into_buffer=False, sample_weight=None):
        """``(loss, gradients, caches, outputs)`` of one batch: what ``fit`` runs every step."""
        caches, outputs = self._forward_pass(x, training=True)
        data_loss, grad, output_is_delta = self._data_loss(y, caches, sample_weight)
        grads = self._backward_pass(caches, grad, output_is_delta, deltas, into_buffer)
        penalty = self.penalty() if self._any_regularized else 0.0
        return float(data_loss + penalty), grads, caches, outputs

    def _backward_pass(self, caches, grad, output_is_delta, deltas=None, into_buffer=False):
        r"""The gradients of every weight, layers visited in reverse order.

        Each layer receives :math:`\partial J/\partial` its output (the output layer
        :math:`\delta^{(L)}` itself when ``output_is_delta``) and passes its input's gradient on
        to the layer(s) that fed it, summed where one output feeds several layers; penalty
        gradients are added to regularized layers' weights. With a list ``deltas``, each
        sensitivity :math:`\delta^{(l)}` of a layer with a pre-activation is collected in it.
        With ``into_buffer`` the gradients are written into the weight buffer's gradient views
        (overwritten by the next pass). An unregularized Embedding's gradient stays row-wise
        (``SparseRows``), as in TensorFlow.
        """
        last = len(self.layers) - 1
        upstream = {last: grad}
        grads = [None] * len(self.layers)
        views = self._buffer.gradient_views if into_buffer else None
        for i in range(last, -1, -1):
            layer, cache, grad = self.layers[i], caches[i], upstream.pop(i)
            is_delta = i == last and output_is_delta
            if deltas is not None and layer.has_preactivation:
                if not is_delta:
                    grad, is_delta = layer.sensitivity(grad, cache), True
                deltas.insert(0, grad)
            layer_grads, grad_in = layer.backward(
                grad, cache, grad_is_preactivation=is_delta,
                out=None if views is None else views[i], need_input_grad=self._feeds_back[i])
            if self._regularized_layers[i]:
                for j, p in enumerate(layer.penalty_gradients()):
                    if p is not None:
                        layer_grads[j] = _plus(layer_grads[j], p, in_place=into_buffer)
            grads[i] = layer_grads
            if self._chain:  # the common case, inline: the input gradient goes to layer i - 1
                if i:
                    upstream[i - 1] = grad_in
            elif grad_in is not None:
                self._send_back(i, grad_in, upstream)
        return [g for gs in grads for g in gs]

    def _send_back(self, i, grad_in, upstream):
        """Hand layer ``i``'s input gradient to the layer(s) that fed it (summed where shared)."""
        sources = self._graph_sources[i]
        for (kind, k), g in zip(sources, grad_in if len(sources) > 1 else [grad_in]):
            if kind == "layer":
                upstream[k] = upstream[k] + g if k in upstream else g

    # -- weights --------------------------------------------------------------------------------
    @property
    def weights(self):
        """The trainable weights (the optimizer's), in :meth:`trainable_weight_names` order."""
        return [w for layer in self.layers for w in layer.weights]

    def _all_weights(self):
        """Every weight in Keras's ``get_weights`` order: per layer, trainable then non-trainable."""
        return [w for layer in self.layers for w in layer.weights + layer.non_trainable_weights]

    def trainable_weight_names(self):
        """``"dense/kernel"``, ``"dense/bias"``, ... of the trainable weights: the order of the
        gradients (:meth:`loss_and_gradients`, :meth:`trace`)."""
        return [f"{layer.name}/{n}" for layer in self.layers for n in layer.weight_names()]

    def weight_names(self):
        """``"dense/kernel"``, ``"dense/bias"``, ... in ``get_weights`` order (Keras's: per layer,
        trainable weights then non-trainable ones, ``"batch_normalization/moving_mean"``)."""
        return [f"{layer.name}/{n}" for layer in self.layers
                for n in layer.weight_names() + layer.non_trainable_weight_names()]

    def get_weights(self):
        """Copies of the weights in Keras's order and shapes: ``[kernel_1 (in, out), bias_1 (out,), ...]``."""
        self._require_built("get_weights")
        return [w.copy() for w in self._all_weights()]

    def set_weights(self, weights):
        """Load weights given in Keras's order and shapes (e.g. ``keras_model.get_weights()``)."""
        self._require_built("set_weights")
        names, current = self.weight_names(), self._all_weights()
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
            old[...] = w  # into the weight buffer's views

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
        clone = copy.deepcopy(self)
        clone.dtype = config.standardize_dtype(dtype, "dtype")
        for layer in clone.layers:
            layer.weights = [w.astype(clone.dtype) for w in layer.weights]
            layer.non_trainable_weights = [w.astype(clone.dtype) for w in layer.non_trainable_weights]
        if clone.built:
            clone._pack()
        return clone

    # -- description ----------------------------------------------------------------------------
    def summary(self, print_fn=print):
        """Print the layers, their output shapes and parameter counts, as ``keras.Model.summary``."""
        rows = [("Layer (type)", "Output Shape", "Param #", "Activation")]
        for layer, shape in zip(self.layers, self._output_shapes()):
            activation = getattr(layer, "activation", None)
            rows.append((
                f"{layer.name} ({type(layer).__name__})",
                "(None, " + (", ".join(map(str, shape)) if shape is not None else "?") + ")",
                str(layer.count_params()) if layer.built else "?",
                activation.name if activation is not None else "-",
            ))
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
        for layer, sources in zip(self.layers, self._graph_sources):
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


def _plus(gradient, penalty_gradient, in_place):
    """``gradient + penalty_gradient``; in place into the weight buffer's view when asked (a
    regularized Embedding's row-wise gradient is densified first)."""
    if in_place:
        gradient += penalty_gradient
        return gradient
    return dense(gradient) + penalty_gradient
