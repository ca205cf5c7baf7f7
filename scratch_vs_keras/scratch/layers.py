r"""Layers of the NumPy twin: ``Input`` and ``Dense``, with Keras's arguments and weight layout.

Keras stores a Dense layer as ``kernel`` of shape ``(in, out)`` and ``bias`` of shape ``(out,)``
and keeps samples as **rows**:

.. math:: Z = X W + b, \qquad A = g(Z), \qquad X: (B, \text{in}),\; Z, A: (B, \text{out}).

The lecture writes the same layer with samples as **columns** and :math:`\mathbf W` as
``(out, in)``: :math:`\mathbf Z^{(l)} = \mathbf W^{(l)} \mathbf A^{(l)} + \mathbf b`. The two are
transposes of each other: ``kernel == W.T``, ``Z == Z_lecture.T``. Backward, with the sensitivity
:math:`\delta = \partial J/\partial Z` (the lecture's :math:`\mathbf V^{(l)}`, transposed):

.. math::
    \frac{\partial J}{\partial W} = X^T \delta \;(\text{the lecture's } \nabla^{(l)} = \mathbf V^{(l)} [\mathbf A^{(l)}]^T),
    \qquad \frac{\partial J}{\partial b} = \textstyle\sum_{\text{rows}} \delta,
    \qquad \frac{\partial J}{\partial X} = \delta\, W^T \;(= [\mathbf W^{(l)}]^T \mathbf V^{(l)}).
"""

import warnings
from collections import namedtuple

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import regularizers as _regularizers
from ._validation import check_positive_int
from .sparse import SparseRows

#: What a Dense layer remembers from its forward pass for the backward pass.
DenseCache = namedtuple("DenseCache", ["x", "z", "a"])


class Node:
    """A symbolic tensor of the functional API (Keras's ``KerasTensor``): a shape per sample,
    a dtype, and the layer that produces it (``None`` for an ``Input``)."""

    def __init__(self, shape, dtype="float", name=None, layer=None, inputs=()):
        self.shape, self.dtype, self.name = tuple(shape), dtype, name
        self.layer, self.inputs = layer, list(inputs)

    @property
    def is_input(self):
        return self.layer is None

    def __repr__(self):
        source = "Input" if self.is_input else self.layer.name
        return f"<Node {self.name or source} shape=(None, {', '.join(map(str, self.shape))}) from {source}>"


def Input(shape, dtype=None, name=None):
    """A model input, as ``keras.Input``: ``Input(shape=(n_features,))`` for numbers, or
    ``Input(shape=(), dtype="int32", name=...)`` for one category index per sample (fed to an
    ``Embedding``).

    Returns a :class:`Node`; ``Sequential([Input(...), ...])`` and ``Model(inputs, outputs)``
    both take it.
    """
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        shape = None
    integer = dtype is not None and np.issubdtype(np.dtype(dtype), np.integer)
    if integer:
        if shape not in ((), (1,)):
            raise ValueError(
                f"An integer `Input` holds one category index per sample: shape=() (or (1,)); "
                f"received shape={shape!r}."
            )
        return Node((), "int", name)
    if shape is None or len(shape) != 1:
        raise ValueError(
            "`shape` must be a one-element tuple, the number of features, e.g. "
            f"Input(shape=(30,)); received shape={shape!r}. Only flat tabular inputs are "
            "supported (and shape=() with an integer dtype for category indices)."
        )
    check_positive_int(shape[0], "shape[0]")
    return Node((int(shape[0]),), "float", name)


class Layer:
    r"""Base class of the NumPy layers. Weights live in ``self.weights`` in Keras's order.

    A layer is one class in one file: it says what it computes forward and backward, which of
    its weights are regularized, and what inputs it takes; the model only wires layers together.
    To add a layer, subclass ``Layer`` and write

    * ``compute_output_shape(input_shape)``, and ``build(input_shape, dtype, rng)`` if it has weights
      (a list ``self.weights`` in Keras's order, named by ``weight_names()``);
    * ``forward(x) -> (output, cache)``: ``cache`` is what ``backward`` needs;
    * ``backward(grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True)
      -> (weight_gradients, input_gradient)``: ``grad`` is :math:`\partial J/\partial` output;
    * ``weight_regularizers()`` if a weight can carry a penalty;

    and its Keras mapping in :mod:`scratch_vs_keras.keras_side.twin` (``keras_layer``).
    """

    #: whether the layer takes category indices (an integer ``Input``) and checks their range
    #: with ``check_indices``, rather than float features
    takes_indices = False
    #: whether the layer computes a pre-activation :math:`Z` and then :math:`A = g(Z)`: its
    #: sensitivity :math:`\delta = \partial J/\partial Z` (the lecture's :math:`\mathbf V`) is then
    #: ``sensitivity(grad, cache)``, and the loss's logits shortcut can hand it over directly
    has_preactivation = False
    #: whether ``backward`` gives a weight's gradient as rows (``sparse.SparseRows``), which an
    #: optimizer must see one tensor at a time
    sparse_gradients = False

    def __init__(self, name=None):
        self.name = name
        self.built = False
        self.weights = []
        self.inbound = None  # the Node(s) this layer was called on (functional API)

    def __call__(self, inputs):
        """Apply the layer to symbolic input(s), as in Keras's functional API; returns a Node."""
        if self.inbound is not None:
            raise ValueError(
                f"Layer {self.name or type(self).__name__} is already used in a model; sharing a "
                "layer between two places is not supported, create another layer."
            )
        nodes = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not all(isinstance(n, Node) for n in nodes):
            raise TypeError(
                f"{type(self).__name__} must be called on the output of scratch.Input or of another "
                f"layer; received {inputs!r}."
            )
        self._check_inputs(nodes)
        self.inbound = inputs
        shapes = [n.shape for n in nodes]
        shape = self.compute_output_shape(shapes if isinstance(inputs, (list, tuple)) else shapes[0])
        return Node(shape, "float", layer=self, inputs=nodes)

    def _check_inputs(self, nodes):
        if len(nodes) != 1 or nodes[0].dtype != "float" or len(nodes[0].shape) != 1:
            raise ValueError(
                f"{type(self).__name__} takes one input of shape (None, n); received {nodes}."
            )

    def build(self, input_shape, dtype, rng):
        """Create the weights for inputs of ``input_shape`` (per sample) in ``dtype``."""
        self.built = True

    def compute_output_shape(self, input_shape):
        """The shape (per sample) of the output for inputs of ``input_shape``."""
        raise NotImplementedError

    def forward(self, x):
        """``(output, cache)`` for the batch ``x`` (a list of arrays for several inputs)."""
        raise NotImplementedError

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        r"""``(weight_gradients, input_gradient)`` from ``grad`` :math:`= \partial J/\partial`
        output: the gradients follow ``self.weights``; the input gradient is a list for several
        inputs, ``None`` with ``need_input_grad=False``. ``out``: arrays shaped like the weights to
        write the gradients into. ``grad_is_preactivation``: ``grad`` is already
        :math:`\partial J/\partial Z` (layers with ``has_preactivation`` only)."""
        raise NotImplementedError

    def weight_names(self):
        return []

    def weight_regularizers(self):
        """The regularizer of each weight (``None`` where a weight has none), in weight order."""
        return [None] * len(self.weights)

    @property
    def regularized(self):
        """Whether any weight of the layer carries a penalty."""
        return any(reg is not None for reg in self.weight_regularizers())

    def penalty(self):
        r"""The layer's regularization term :math:`\Omega` (added to the loss once per batch)."""
        total = 0.0
        for w, reg in zip(self.weights, self.weight_regularizers()):
            if reg is not None:
                total = total + reg.penalty(w)
        return total

    def penalty_gradients(self):
        r""":math:`\partial\Omega/\partial w` per weight, ``None`` where a weight is unregularized."""
        return [None if reg is None else reg.gradient(w)
                for w, reg in zip(self.weights, self.weight_regularizers())]

    def count_params(self):
        return int(sum(w.size for w in self.weights))


class OnesColumn(Layer):
    r"""The lecture's bias row, in samples-as-rows layout: :math:`X \mapsto [\mathbf 1, X]`.

    Followed by ``Dense(..., use_bias=False)``, whose kernel row 0 then plays the bias:
    :math:`[\mathbf 1, A] W = A W_{1:} + \mathbf 1 W_0` (the lecture's
    :math:`\mathbf W \cdot \mathbf a_{bias}` with :math:`\mathbf W` absorbing the bias column).
    No weights; backward drops the gradient of the constant column.
    """

    def compute_output_shape(self, input_shape):
        return (input_shape[-1] + 1,)

    def forward(self, x):
        ones = np.ones((x.shape[0], 1), dtype=x.dtype)
        return np.concatenate([ones, x], axis=1), None

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; the gradient of the constant column is dropped."""
        return [], grad[:, 1:]

    def __repr__(self):
        return f"OnesColumn(name={self.name!r})"


class Dense(Layer):
    r"""A fully connected layer, ``A = activation(X @ kernel + bias)``.

    Args:
        units: number of output units.
        activation: a Keras activation name (``"relu"``, ``"sigmoid"`` ...) or ``None`` (linear).
        use_bias: whether the layer has a bias vector.
        kernel_initializer: initializer name or object (Keras's default ``"glorot_uniform"``).
        bias_initializer: initializer name or object (default ``"zeros"``).
        kernel_regularizer: ``None`` or a regularizer (``L1``, ``L2``, ``L1L2``) on the kernel.
        bias_regularizer: ``None`` or a regularizer on the bias.
        name: optional name (``"dense"``, ``"dense_1"``, ... by default).
    """

    has_preactivation = True

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        name=None,
    ):
        super().__init__(name=name)
        self.units = check_positive_int(units, "units")
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _initializers.get(bias_initializer, "bias_initializer")
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = _regularizers.get(bias_regularizer, "bias_regularizer")
        if self.units == 1 and self.activation.name == "softmax":
            # Keras warns too, when the layer first runs
            warnings.warn(
                "Dense(1, activation='softmax') is a softmax over one unit: it outputs 1 for every "
                "input and passes back no gradient. For one output use activation='sigmoid'; for "
                "k classes use Dense(k, activation='softmax').",
                stacklevel=2,
            )

    # -- weights ------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        return (self.units,)

    def build(self, input_shape, dtype, rng):
        """Create ``kernel`` (in, units) and ``bias`` (units,) from the initializers."""
        self.input_dim = int(input_shape[-1])
        kernel = self.kernel_initializer((self.input_dim, self.units), dtype, rng)
        self.weights = [kernel]
        if self.use_bias:
            self.weights.append(self.bias_initializer((self.units,), dtype, rng))
        self.built = True

    @property
    def kernel(self):
        return self.weights[0]

    @property
    def bias(self):
        return self.weights[1] if self.use_bias else None

    def weight_names(self):
        return ["kernel", "bias"] if self.use_bias else ["kernel"]

    def weight_regularizers(self):
        return [self.kernel_regularizer, self.bias_regularizer][: len(self.weights)]

    # -- forward / backward -------------------------------------------------------------------
    def forward(self, x):
        r""":math:`Z = X W + b`, :math:`A = g(Z)`; returns ``A`` and the cache ``(X, Z, A)``."""
        z = np.dot(x, self.weights[0])
        if self.use_bias:
            z += self.weights[1]
        a = self.activation(z)
        return a, DenseCache(x, z, a)

    def sensitivity(self, grad, cache):
        r"""The sensitivity :math:`\delta = \partial J/\partial Z = \partial J/\partial A \odot g'(Z)`
        (softmax: its vector-Jacobian product), the lecture's :math:`\mathbf V^{(l)}` transposed."""
        return self.activation.backward(cache.z, cache.a, grad)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        r"""Gradients of the data loss w.r.t. ``kernel``, ``bias`` and the layer's input.

        ``grad`` is :math:`\partial J/\partial A`, or with ``grad_is_preactivation=True`` already
        :math:`\delta = \partial J/\partial Z` (as the cross-entropy logits shortcut gives it):

        .. math:: \delta = \frac{\partial J}{\partial A} \odot g'(Z), \quad
                  \frac{\partial J}{\partial W} = X^T\delta, \quad
                  \frac{\partial J}{\partial b} = \mathbf 1^T \delta, \quad
                  \frac{\partial J}{\partial X} = \delta W^T.

        Returns ``(weight_gradients, grad_x)``; ``weight_gradients`` follows ``self.weights``. With
        ``out`` (arrays shaped like the weights) the gradients are written there instead of into
        new arrays; ``need_input_grad=False`` skips :math:`\partial J/\partial X` (the first layer).
        """
        # (sensitivity() inline: this runs every training step)
        delta = grad if grad_is_preactivation else self.activation.backward(cache.z, cache.a, grad)
        if out is None:
            out = [np.empty_like(w) for w in self.weights]
        np.dot(cache.x.T, delta, out=out[0])
        if self.use_bias:
            # 1^T delta as a column sum over the batch. Any summation order is round-off away from
            # TensorFlow's; where +1/B and -1/B terms cancel, the comparison measures the gap
            # against the terms (compare.gradients.summed_magnitudes), not the near-zero result
            np.add.reduce(delta, axis=0, out=out[1])
        grad_x = np.dot(delta, self.weights[0].T) if need_input_grad else None
        return out, grad_x

    def get_config(self):
        def name_of(obj):
            return None if obj is None else repr(obj)

        return {
            "name": self.name,
            "units": self.units,
            "activation": self.activation.name,
            "use_bias": self.use_bias,
            "kernel_initializer": repr(self.kernel_initializer),
            "bias_initializer": repr(self.bias_initializer),
            "kernel_regularizer": name_of(self.kernel_regularizer),
            "bias_regularizer": name_of(self.bias_regularizer),
        }

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation.name!r}, name={self.name!r})"


#: What an Embedding layer remembers: the indices it gathered.
EmbeddingCache = namedtuple("EmbeddingCache", ["indices"])


class Embedding(Layer):
    r"""A lookup table: row :math:`i` of ``embeddings`` for category index :math:`i`, as Keras's.

    Forward, for indices :math:`c_s` of the batch: :math:`E_s = W_{c_s}` (a row gather, shape
    ``(B, output_dim)``). Backward: :math:`\partial J/\partial W_i = \sum_{s: c_s = i}
    \partial J/\partial E_s` — the rows' gradients scattered back and *added* where an index
    repeats in the batch (``np.add.at``; a plain assignment would keep only one of them).

    Args:
        input_dim: the number of categories (valid indices ``0 .. input_dim - 1``).
        output_dim: the length of each embedding vector.
        embeddings_initializer: Keras's default ``"uniform"`` is U(-0.05, 0.05).
        embeddings_regularizer: ``None`` or a regularizer.
        name: optional name.
    """

    takes_indices = True
    sparse_gradients = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, name=None):
        super().__init__(name=name)
        self.input_dim = check_positive_int(input_dim, "input_dim")
        self.output_dim = check_positive_int(output_dim, "output_dim")
        if embeddings_initializer == "uniform":  # Keras's name for RandomUniform(-0.05, 0.05)
            embeddings_initializer = "random_uniform"
        self.embeddings_initializer = _initializers.get(embeddings_initializer, "embeddings_initializer")
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer, "embeddings_regularizer")

    def _check_inputs(self, nodes):
        if len(nodes) != 1 or nodes[0].dtype != "int":
            raise ValueError(
                f"Embedding {self.name or ''} takes one integer input "
                f"(scratch.Input(shape=(), dtype='int32')); received {nodes}."
            )

    def compute_output_shape(self, input_shape):
        return (self.output_dim,)

    def build(self, input_shape, dtype, rng):
        self.weights = [self.embeddings_initializer((self.input_dim, self.output_dim), dtype, rng)]
        self.built = True

    def weight_names(self):
        return ["embeddings"]

    def weight_regularizers(self):
        return [self.embeddings_regularizer][: len(self.weights)]

    def check_indices(self, indices, name):
        """Every index in ``[0, input_dim)``; else a ValueError naming ``name`` and the layer."""
        if indices.size and (indices.min() < 0 or indices.max() >= self.input_dim):
            bad = indices[(indices < 0) | (indices >= self.input_dim)][0]
            raise ValueError(
                f"`{name}` holds index {int(bad)}, outside [0, {self.input_dim - 1}] of the "
                f"Embedding {self.name!r} (input_dim={self.input_dim}); map unseen or missing "
                "categories to a reserved index."
            )

    def forward(self, indices):
        r""":math:`E_s = W_{c_s}`: the rows of the table for the batch's indices."""
        idx = np.asarray(indices).reshape(-1)
        self.check_indices(idx, f"{self.name} input")
        return self.weights[0][idx], EmbeddingCache(idx)

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """The table's gradient as rows, one per sample (``SparseRows``, TensorFlow's
        ``IndexedSlices``); its dense form scatter-adds them, repeated indices summed."""
        return [SparseRows(cache.indices, grad, self.weights[0].shape)], None

    def __repr__(self):
        return f"Embedding({self.input_dim}, {self.output_dim}, name={self.name!r})"


#: What a Concatenate layer remembers: the widths of its inputs.
ConcatenateCache = namedtuple("ConcatenateCache", ["widths"])


class Concatenate(Layer):
    r"""Joins its inputs side by side: :math:`[X_1, X_2, \dots]` along the features; backward
    splits the gradient into the same widths."""

    def _check_inputs(self, nodes):
        if len(nodes) < 2 or any(n.dtype != "float" or len(n.shape) != 1 for n in nodes):
            raise ValueError(
                f"Concatenate takes a list of at least two inputs of shape (None, n); received {nodes}."
            )

    def compute_output_shape(self, input_shape):
        return (sum(s[-1] for s in input_shape),)

    def forward(self, inputs):
        return np.concatenate(inputs, axis=1), ConcatenateCache([a.shape[1] for a in inputs])

    def backward(self, grad, cache, grad_is_preactivation=False, out=None, need_input_grad=True):
        """No weights; the gradient split back into the inputs' widths."""
        edges = np.cumsum(cache.widths)[:-1]
        return [], np.split(grad, edges, axis=1)

    def __repr__(self):
        return f"Concatenate(name={self.name!r})"
