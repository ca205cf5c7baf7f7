"""The lecture's weight layout and its Keras twin: a matrix ``W`` of shape ``(out, in + 1)`` with
the bias in column 0 (the row of ones on top of each layer's input), against Keras's kernel
``(in, out)`` and bias ``(out,)``. The course's initial draws live here too."""

import numpy as np


def initial_weights(sizes, init, random_state):
    """The lecture-layout initial matrices ``W_l`` of shape ``(out, in + 1)``, bias in column 0."""
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if init == "uniform":
            weights.append(random_state.uniform(-1.0, 1.0, size=(fan_out, fan_in + 1)))
            continue
        if init == "glorot":
            limit = 4 * np.sqrt(6.0 / (fan_in + fan_out + 1))
        elif init == "relu":
            limit = np.sqrt(2) * np.sqrt(6.0 / (fan_in + fan_out + 1))
        else:  # glorot_uniform, Keras's
            limit = np.sqrt(6.0 / (fan_in + fan_out))
        W = random_state.uniform(-limit, limit, size=(fan_out, fan_in + 1))
        W[:, 0] = 0.0
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


def engine_weights(weights, row):
    """Lecture matrices -> the engine's weights: ``W.T`` (bias row 0) or ``kernel, bias`` pairs."""
    if row:
        return [W.T.copy() for W in weights]
    out = []
    for W in weights:
        out.extend(lecture_to_keras(W))
    return out
