"""The layer base class and the symbolic tensors of the functional API: ``Node``, ``Input``, ``Layer``."""

import numpy as np

from .._validation import check_positive_int


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
                f"received shape={shape!r}. For a matrix of several category columns (the "
                "course's Input(shape=(k,), dtype='int64') read with tf.gather(x, j, axis=1) or "
                "keras.ops.take), write one Input per column, [Input(shape=(), dtype='int32', "
                "name=c) for c in columns], each into its own Embedding, and feed "
                "{c: X[:, j] for j, c in enumerate(columns)}: the same network and weights."
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
    * for state that training moves but the optimizer does not (``BatchNormalization``'s moving
      statistics): ``self.non_trainable_weights``, named by ``non_trainable_weight_names()``
      and updated in place by ``forward(x, training=True)``, as Keras's ``call`` assigns them;


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
    #: whether ``forward`` takes ``training`` (True in ``fit``'s passes, False at inference), as
    #: Keras's ``call(inputs, training)``: ``Dropout`` behaves differently in the two
    takes_training = False
    #: whether a training-mode ``forward`` draws random numbers (``Dropout``, ``GaussianNoise``),
    #: so that two training passes on one batch differ
    draws_in_training = False

    def __init__(self, name=None):
        self.name = name
        self.built = False
        self.weights = []  # the trainable weights: the optimizer's, with a gradient each
        self.non_trainable_weights = []  # Keras's non-trainable weights, after them in get_weights
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

    def non_trainable_weight_names(self):
        return []

    def training_state(self):
        """A snapshot of what a training-mode ``forward`` moves on (the non-trainable weights;
        ``Dropout``: its count of masks drawn), for :meth:`restore_training_state`."""
        return [w.copy() for w in self.non_trainable_weights]

    def restore_training_state(self, state):
        """Put back a :meth:`training_state` snapshot (a measurement leaves the state unmoved)."""
        for w, saved in zip(self.non_trainable_weights, state):
            w[...] = saved

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
        """Every weight, non-trainable ones included, as Keras counts them."""
        return int(sum(w.size for w in self.weights + self.non_trainable_weights))
