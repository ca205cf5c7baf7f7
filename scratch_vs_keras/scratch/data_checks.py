"""The checks of a model's inputs, as plain functions: arrays in, checked arrays out.

A model's ``x`` is one 2-D float array (a single float input) or, for a functional model with
several inputs, a dict keyed by input name (or a list in ``model.inputs`` order); an integer
input holds one category index per sample. The targets are checked by the loss itself
(:meth:`scratch.losses.Loss.check_targets`), which knows what it expects.

Every message names the argument, what came and what is expected, so that a student's mistake
surfaces here in words instead of as a broadcasting error inside NumPy.
"""

import numpy as np

from ._validation import as_numeric_array, describe


def check_inputs(x, inputs, dtype, consumers, name="x"):
    """The inputs as arrays: one 2-D ``dtype`` array for a single float input, else a list in
    ``inputs`` order.

    Args:
        x: an array (single float input), or a dict keyed by input name, or a list of arrays.
        inputs: the model's input nodes (``scratch.Input``); empty before a ``Sequential`` knows
            its input (then any number of columns is accepted).
        dtype: the model's float dtype.
        consumers: per input, the layers it feeds; those that take category indices
            (:attr:`Layer.takes_indices`) check the range themselves (``layer.check_indices``).
        name: the argument's name in messages (``"x"``, ``"x_val"``).
    """
    if not inputs or (len(inputs) == 1 and inputs[0].dtype == "float"):
        shape = inputs[0].shape if inputs else None
        return check_float_input(x, name, dtype, shape)
    values = _input_values(x, inputs, name)
    out = []
    for node, value, layers in zip(inputs, values, consumers):
        label = f"{name}[{node.name!r}]"
        if node.dtype == "float":
            out.append(check_float_input(value, label, dtype, node.shape))
            continue
        indices = check_index_input(value, label)
        for layer in layers:
            if layer.takes_indices:
                layer.check_indices(indices, label)
        out.append(indices)
    rows = {len(a) for a in out}
    if len(rows) > 1:
        raise ValueError(
            f"The inputs of `{name}` have different numbers of rows: "
            f"{dict(zip([n.name for n in inputs], map(len, out)))}."
        )
    return out


def _input_values(x, inputs, name):
    """The values of a multi-input ``x`` (a dict by input name, or a list), in ``inputs`` order."""
    names = [n.name for n in inputs]
    if isinstance(x, dict):
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError(f"`{name}` lacks the input(s) {missing}; the model's inputs are {names}.")
        return [x[n] for n in names]
    if isinstance(x, (list, tuple)) and len(x) == len(inputs):
        return list(x)
    raise ValueError(
        f"`{name}` must be a dict keyed by input name, or a list of {len(inputs)} arrays, for the "
        f"inputs {names}; received {type(x).__name__}."
    )


def check_float_input(x, name, dtype, shape=None):
    """A finite 2-D ``(samples, features)`` array of ``dtype``; ``shape`` ``(n_features,)`` if known."""
    x = as_numeric_array(x, name, dtype)
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


def check_index_input(x, name):
    """One integer category index per sample, shape ``(n,)`` (``(n, 1)`` is flattened); the
    layer fed by it checks the range (``Embedding.check_indices``)."""
    x = as_numeric_array(x, name, np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or np.any(x != np.round(x)):
        raise ValueError(
            f"`{name}` must hold one integer category index per sample (shape (n,)); "
            f"received {describe(x)}."
        )
    return x.astype(np.int64)


def check_same_rows(n_rows, y, x_name="x", y_name="y"):
    """``y`` has one row per sample of the inputs."""
    if y.shape[0] != n_rows:
        raise ValueError(
            f"`{x_name}` and `{y_name}` have different numbers of rows: {n_rows} and {y.shape[0]}; "
            "each sample needs one target."
        )
