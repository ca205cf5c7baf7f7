"""L1, L2 and L1L2 on kernels and biases: penalties and their gradients against Keras."""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from conftest import make_model

R = scratch.regularizers

REGS = {
    "l1": lambda: R.L1(0.013),
    "l2": lambda: R.L2(0.021),
    "l1l2": lambda: R.L1L2(l1=0.007, l2=0.03),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("on", ["kernel", "bias", "both"])
@pytest.mark.parametrize("reg", sorted(REGS))
def test_penalty_counts_in_loss_and_gradients(reg, on, dtype, rng):
    kw = {}
    if on in ("kernel", "both"):
        kw["kernel_regularizer"] = REGS[reg]()
    if on in ("bias", "both"):
        kw["bias_regularizer"] = REGS[reg]()
    # nonzero biases, so that a bias penalty is not trivially zero
    kw["bias_initializer"] = scratch.initializers.RandomUniform(-0.5, 0.5, seed=1)
    model = make_model(hidden=(5, 4), activation="relu", dtype=dtype, seed=2, **kw)
    x = rng.normal(size=(9, 4))
    y = rng.integers(0, 2, size=9)
    result = compare_gradients(model, x, y)
    assert result.ok, str(result)
    # the penalty really is part of the loss
    assert model.penalty() > 0
    data_only = make_model(hidden=(5, 4), activation="relu", dtype=dtype, seed=2)
    data_only.set_weights(model.get_weights())
    gap = model.compute_loss(x, y) - data_only.compute_loss(x, y)
    bound = 1e-12 if dtype == "float64" else 1e-6  # the losses themselves are float32 numbers
    assert gap == pytest.approx(float(model.penalty()), rel=0, abs=bound)


@pytest.mark.parametrize("reg", sorted(REGS))
def test_penalty_value_equals_keras_regularizer_exactly(reg, rng):
    import keras

    keras.config.set_floatx("float64")
    w = rng.normal(size=(7, 3))
    ours = REGS[reg]()
    theirs = {"l1": keras.regularizers.L1, "l2": keras.regularizers.L2}.get(reg)
    k = theirs(getattr(ours, reg)) if theirs else keras.regularizers.L1L2(l1=ours.l1, l2=ours.l2)
    expected = float(k(keras.ops.convert_to_tensor(w, dtype="float64")))
    assert abs(float(ours(w)) - expected) <= 1e-15 * expected


def test_unrounded_factor_would_be_off_by_more_than_the_tolerance(rng):
    """Keras's float64 L2 penalty uses float32(l2): the exact 0.01 differs by ~2e-8 relative."""
    import keras

    w = rng.normal(size=(50, 50))
    keras_penalty = float(keras.regularizers.L2(0.01)(keras.ops.convert_to_tensor(w, dtype="float64")))
    textbook = 0.01 * float((w * w).sum())
    assert abs(textbook - keras_penalty) / keras_penalty > 1e-9
    assert abs(float(R.L2(0.01)(w)) - keras_penalty) / keras_penalty <= 1e-15
