"""Keras 3.15.1's own normalization layer tests (keras/src/layers/normalization/
batch_normalization_test.py and layer_normalization_test.py), run against the NumPy layers, each
named after its Keras test, with Keras's expected numbers and tolerances (``assertAllClose``:
atol = rtol = 1e-6 unless the test says otherwise). The twin takes flat ``(batch, features)``
inputs, so a Keras case on rank-3 or rank-4 inputs is ported on rank 2 where its point survives
(marked "adapted") and listed in docs/keras_tests.md otherwise, with the other Keras tests that are
not here (masking, renorm, float16 autocast, ``layer.trainable``).
"""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.scratch.layers import BatchNormalization, LayerNormalization

BN = "batch_normalization_test.py::BatchNormalizationTest::"
LN = "layer_normalization_test.py::LayerNormalizationTest::"


def _close(a, b, atol=1e-6, rtol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol, rtol=rtol)


def _built(layer, n, dtype="float64", seed=0):
    layer.build((n,), np.dtype(dtype), np.random.default_rng(seed))
    return layer


def _call(layer, x, training=False):
    return layer.forward(x, training=training)[0] if layer.takes_training else layer.forward(x)[0]


@pytest.mark.parametrize("kwargs, trainable, penalties", [
    pytest.param({"center": True, "scale": True}, 2, 0, id=BN + "test_bn_basics (vector case)"),
    pytest.param({"center": False, "scale": False}, 0, 0, id=BN + "test_bn_basics (no center, no scale)"),
    pytest.param({"beta_regularizer": "l2", "gamma_regularizer": "l2"}, 2, 2,
                 id=BN + "test_bn_basics (regularizers; adapted: rank 2)"),
])
def test_keras_bn_basics(kwargs, trainable, penalties):
    layer = _built(BatchNormalization(**kwargs), 3)
    x = np.random.default_rng(0).normal(size=(2, 3))
    assert _call(layer, x, training=True).shape == (2, 3)
    assert len(layer.weights) == trainable and len(layer.non_trainable_weights) == 2
    assert sum(r is not None for r in layer.weight_regularizers()) == penalties
    if penalties:  # Keras's "l2" is L2(0.01) on gamma (ones) and beta (zeros)
        _close(layer.penalty(), 0.01 * 3)


@pytest.mark.parametrize("axis", [-1, 1])
@pytest.mark.parametrize("moving_mean_initializer", ["zeros", "ones"])
@pytest.mark.parametrize("moving_variance_initializer", ["zeros", "ones"])
def test_keras_bn_correctness(axis, moving_mean_initializer, moving_variance_initializer):
    """batch_normalization_test.py::BatchNormalizationTest::test_correctness (adapted: rank 2,
    (10, 3) for Keras's (5, 2, 3); the masking part is out of scope)"""
    layer = _built(BatchNormalization(axis=axis, momentum=0,
                                      moving_mean_initializer=moving_mean_initializer,
                                      moving_variance_initializer=moving_variance_initializer), 3)
    x = np.random.default_rng(1).normal(loc=5.0, scale=10.0, size=(10, 3))
    out = x
    for _ in range(3):
        out = _call(layer, out, training=True)
    out = (out - layer.beta) / layer.gamma
    _close(np.mean(out, axis=0), 0.0, atol=1e-3)
    _close(np.std(out, axis=0), 1.0, atol=1e-3)
    _close(layer.moving_mean, 0.0, atol=1e-3)
    _close(layer.moving_variance, 1.0, atol=1e-3)
    # inference before training on x does not match; with momentum 0, after it does
    assert not np.allclose(_call(layer, x), _call(layer, x, training=True), atol=1e-6, rtol=1e-6)
    training_out = _call(layer, x, training=True)
    _close(_call(layer, x), training_out)


@pytest.mark.parametrize("kwargs, trainable, penalties", [
    pytest.param({"gamma_regularizer": scratch.regularizers.L2(0.01),
                  "beta_regularizer": scratch.regularizers.L2(0.01)}, 2, 2,
                 id=LN + "test_ln_basics (regularizers; adapted: rank 2)"),
    pytest.param({"gamma_initializer": "ones", "beta_initializer": "ones"}, 2, 0,
                 id=LN + "test_ln_basics (initializers; adapted: rank 2)"),
    pytest.param({"scale": False, "center": False}, 0, 0, id=LN + "test_ln_basics (no scale, no center)"),
    pytest.param({"rms_scaling": True}, 1, 0, id=LN + "test_ln_basics (rms_scaling)"),
])
@pytest.mark.filterwarnings("ignore:rms_scaling=True")
def test_keras_ln_basics(kwargs, trainable, penalties):
    layer = _built(LayerNormalization(**kwargs), 3)
    assert _call(layer, np.random.default_rng(0).normal(size=(3, 3))).shape == (3, 3)
    assert len(layer.weights) == trainable and len(layer.non_trainable_weights) == 0
    assert sum(r is not None for r in layer.weight_regularizers()) == penalties


def test_keras_ln_invalid_axis():
    """layer_normalization_test.py::LayerNormalizationTest::test_invalid_axis"""
    with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints for the argument 'axis'"):
        LayerNormalization(axis={"axis": -1})


def test_keras_ln_correctness():
    """layer_normalization_test.py::LayerNormalizationTest::test_correctness (adapted: rank 2,
    (1000, 8) for Keras's (1000, 2, 2, 2))"""
    layer = _built(LayerNormalization(), 8, "float32")
    x = np.random.default_rng(2).normal(loc=5.0, scale=10.0, size=(1000, 8)).astype("float32")
    out = (_call(layer, x) - layer.beta) / layer.gamma
    _close(np.mean(out), 0.0, atol=1e-1)
    _close(np.std(out), 1.0, atol=1e-1)


def test_keras_ln_output():
    """layer_normalization_test.py::LayerNormalizationTest::test_output"""
    layer = _built(LayerNormalization(beta_initializer="ones", gamma_initializer="ones"), 5, "float32")
    out = _call(layer, np.arange(5).astype("float32")[None, :])
    _close(out, [[-0.41386, 0.29307, 1.0, 1.70693, 2.41386]])


@pytest.mark.filterwarnings("ignore:rms_scaling=True")
def test_keras_ln_output_with_rms_scaling():
    """layer_normalization_test.py::LayerNormalizationTest::test_output_with_rms_scaling"""
    layer = _built(LayerNormalization(rms_scaling=True, gamma_initializer="ones"), 5, "float32")
    out = _call(layer, np.arange(5).astype("float32")[None, :])
    _close(out, [[0.0, 0.70693, 1.41386, 2.12079, 2.82772]])
