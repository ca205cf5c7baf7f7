"""``Sequential``: a linear stack of layers, as ``keras.Sequential`` (a :class:`~.functional.Model`
whose graph is a chain: each layer reads the previous layer's output)."""

import numpy as np

from .functional import Model, unique_name
from .layers import Dense, Input, Layer, Node


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
            layer.name = unique_name(layer, {l.name for l in self.layers})
        self._graph_sources.append([("input", 0)] if not self.layers
                                   else [("layer", len(self.layers) - 1)])
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
            self.inputs = [Input(shape=self.input_shape)]
        shape = self.input_shape
        for i, layer in enumerate(self.layers):
            if not layer.built:
                layer.build(shape, self.dtype, np.random.default_rng([self.seed, i]))
            shape = layer.compute_output_shape(shape)
        self.built = True
        self._pack()
        self._check_loss_fits_output()

    def _build_for(self, x):
        if not self.built:
            self.build((x.shape[-1],))

    def __repr__(self):
        units = " -> ".join(
            [str(self.input_shape[0]) if self.input_shape else "?"]
            + [f"{l.units} {l.activation.name}" if isinstance(l, Dense) else type(l).__name__
               for l in self.layers]
        )
        return f"<scratch.Sequential {self.name!r}: {units} ({self.dtype})>"
