"""The lecture's weight layout and its Keras twin: a matrix ``W`` of shape ``(out, in + 1)`` with
the bias in column 0 (the row of ones on top of each layer's input), against Keras's kernel
``(in, out)`` and bias ``(out,)``. The course's initial draws live here too."""

import numpy as np


INITS = ("uniform", "glorot", "relu", "glorot_uniform")
INIT_BIASES = ("drawn", "zero")


def _limit(init, fan_in, fan_out, output, plus_one):
    """The half-width of layer ``fan_in -> fan_out``'s uniform draw (``None``: ``U(-1, 1)``)."""
    fans = fan_in + fan_out + (1 if plus_one else 0)
    if init == "uniform":
        return None
    if init == "glorot" or (init == "relu" and output):  # the course's ReLU keeps the 4x sigmoid bound on its output layer
        return 4 * np.sqrt(6.0 / fans)
    if init == "relu":
        return np.sqrt(2) * np.sqrt(6.0 / fans)
    return np.sqrt(6.0 / (fan_in + fan_out))  # glorot_uniform, Keras's


def initial_weights(sizes, init, random_state, init_bias="drawn", output_bias=0.0):
    r"""The lecture-layout initial matrices ``W_l`` of shape ``(out, in + 1)``, bias in column 0.

    ``init``: ``"uniform"`` :math:`U(-1, 1)`; ``"glorot"`` (the course's) :math:`U(-L, L)`,
    :math:`L = 4\sqrt{6/(\text{fan\_in} + \text{fan\_out} [+ 1])}`; ``"relu"`` the same with
    :math:`\sqrt2` instead of 4 on the hidden layers (the output layer, a sigmoid, keeps 4);
    ``"glorot_uniform"`` (Keras's) :math:`L = \sqrt{6/(\text{fan\_in} + \text{fan\_out})}`.

    ``init_bias``: ``"drawn"`` (07, 08: the notebooks draw the whole ``(out, in + 1)`` matrix, the
    bias input counted in the fan as the ``+ 1``; ``"uniform"`` keeps the drawn bias, the other
    schemes set it to 0 after drawing) or ``"zero"`` (07a, 08a: only the ``(out, in)`` weights are
    drawn, no ``+ 1``, the biases start at 0 and the output layer's at ``output_bias``, e.g. 08a's
    -2 after Glorot and -1 after ReLU).
    """
    weights = []
    pairs = list(zip(sizes[:-1], sizes[1:]))
    for i, (fan_in, fan_out) in enumerate(pairs):
        output = i == len(pairs) - 1
        drawn = init_bias == "drawn"
        limit = _limit(init, fan_in, fan_out, output, plus_one=drawn)
        shape = (fan_out, fan_in + 1) if drawn else (fan_out, fan_in)
        draw = random_state.uniform(-1.0 if limit is None else -limit, 1.0 if limit is None else limit,
                                    size=shape)
        if drawn:
            W = draw
            if limit is not None:
                W[:, 0] = 0.0
        else:
            W = np.concatenate([np.full((fan_out, 1), output_bias if output else 0.0), draw], axis=1)
        weights.append(W)
    return weights


def given_weights(weights, sizes):
    """Copies of the user's lecture-layout matrices, checked against the layer sizes."""
    expected = [(fan_out, fan_in + 1) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    if not isinstance(weights, (list, tuple)) or len(weights) != len(expected):
        raise ValueError(f"`initial_weights` must be a list of {len(expected)} matrices of shapes "
                         f"{expected} (out, in + 1; bias in column 0); received {type(weights).__name__} "
                         f"of {len(weights) if hasattr(weights, '__len__') else 'no'} items.")
    out = []
    for i, (W, shape) in enumerate(zip(weights, expected)):
        W = np.array(W, dtype=np.float64)
        if W.shape != shape or not np.all(np.isfinite(W)):
            raise ValueError(f"`initial_weights[{i}]` must be a finite matrix of shape {shape} "
                             f"(out, in + 1; bias in column 0); received shape {W.shape}.")
        out.append(W)
    return out


def lecture_to_keras(W):
    """``(kernel (in, out), bias (out,))`` from a lecture matrix ``W (out, in + 1)``, bias column 0."""
    return W[:, 1:].T.copy(), W[:, 0].copy()


def keras_to_lecture(kernel, bias):
    """The lecture matrix ``(out, in + 1)`` (bias column 0) from Keras's ``kernel`` and ``bias``."""
    return np.concatenate([np.asarray(bias)[:, None], np.asarray(kernel).T], axis=1)


def to_lecture(arrays, row):
    """The engine's arrays (weights, or optimizer state shaped like them) -> lecture matrices."""
    if row:
        return [K.T.copy() for K in arrays]
    return [keras_to_lecture(arrays[i], arrays[i + 1]) for i in range(0, len(arrays), 2)]


def engine_weights(weights, row):
    """Lecture matrices -> the engine's weights: ``W.T`` (bias row 0) or ``kernel, bias`` pairs."""
    if row:
        return [W.T.copy() for W in weights]
    out = []
    for W in weights:
        out.extend(lecture_to_keras(W))
    return out
