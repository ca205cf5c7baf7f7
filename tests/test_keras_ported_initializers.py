"""Keras 3.15.1's own initializer tests (initializers/constant_initializers_test.py and
random_initializers_test.py), run against the NumPy side, each named after its Keras test; plus
``compute_fans`` for every rank and the Orthogonal draw's distribution. Keras tests that are not
here are listed in docs/keras_tests.md.

Keras's random initializers draw from TensorFlow's stateless generators, which NumPy cannot
reproduce; the NumPy side draws from its own seeded generator (bit for bit reproducible), so the
ported checks are Keras's statistical ones, and the twin receives the drawn weights.
"""

import numpy as np
import pytest

from scratch_vs_keras import scratch

I = scratch.initializers
C = "constant_initializers_test.py::ConstantInitializersTest::"
RI = "random_initializers_test.py::RandomInitializersTest::"


def _round_trip(init, shape):
    """The config rebuilds an initializer that draws the same values (seeded or constant)."""
    again = type(init)(**init.get_config())
    np.testing.assert_array_equal(init(shape), again(shape))


@pytest.mark.parametrize("init, expected", [
    pytest.param(I.Zeros(), np.zeros((3, 3)), id=C + "test_zeros_initializer"),
    pytest.param(I.Ones(), np.ones((3, 3)), id=C + "test_ones_initializer"),
    pytest.param(I.Constant(value=6.0), np.full((3, 3), 6.0), id=C + "test_constant_initializer"),
    pytest.param(I.Identity(gain=2), np.eye(3) * 2, id=C + "test_identity_initializer"),
])
def test_keras_constant_initializers(init, expected):
    values = init((3, 3))
    assert values.shape == (3, 3)
    np.testing.assert_allclose(values, expected, rtol=1e-6, atol=1e-6)
    _round_trip(init, (3, 3))


def test_keras_constant_initializer_array_value():
    """constant_initializers_test.py::ConstantInitializersTest::test_constant_initializer_array_value"""
    value = np.random.default_rng(0).random((3, 3))
    init = I.Constant(value=value)
    np.testing.assert_allclose(init((3, 3)), np.full((3, 3), value), rtol=1e-6, atol=1e-6)
    _round_trip(init, (3, 3))
    # broadcast as Keras's value * ones(shape) does, refused where it cannot
    np.testing.assert_array_equal(I.Constant(np.array([1.0, 2.0]))((3, 2)), [[1, 2]] * 3)
    with pytest.raises(ValueError, match="does not broadcast to the weight's shape"):
        I.Constant(np.array([1.0, 2.0]))((3, 3))


def test_keras_identity_compatible_class_name():
    """constant_initializers_test.py::ConstantInitializersTest::test_identity_initializer (get)"""
    assert isinstance(I.get("IdentityInitializer"), I.Identity)
    with pytest.raises(ValueError, match="only be used for 2D matrices"):
        I.Identity()((2, 2, 2))


def test_keras_random_normal():
    """random_initializers_test.py::RandomInitializersTest::test_random_normal (the parts without
    SeedGenerator objects)"""
    init = I.RandomNormal(mean=0.0, stddev=1.0, seed=1234)
    values = init((25, 20))
    assert (init.mean, init.stddev, init.seed) == (0.0, 1.0, 1234)
    assert values.shape == (25, 20)
    assert abs(np.std(values) - 1.0) <= 1e-1
    np.testing.assert_array_equal(I.RandomNormal(stddev=1.0, seed=1337)((25, 20)),
                                  I.RandomNormal(stddev=1.0, seed=1337)((25, 20)))
    unseeded = I.RandomNormal(stddev=1.0)
    assert not np.allclose(unseeded((25, 20)), type(unseeded)(**unseeded.get_config())((25, 20)))
    _round_trip(I.RandomNormal(stddev=1.0, seed=1337), (25, 20))


def test_keras_random_uniform():
    """random_initializers_test.py::RandomInitializersTest::test_random_uniform"""
    init = I.RandomUniform(minval=-1.0, maxval=1.0, seed=1234)
    values = init((5, 5))
    assert (init.minval, init.maxval, init.seed) == (-1.0, 1.0, 1234)
    assert values.shape == (5, 5) and values.min() >= -1.0 and values.max() < 1.0
    _round_trip(init, (5, 5))


@pytest.mark.parametrize("mode, fan", [("fan_in", 25), ("fan_out", 20)])
def test_keras_variance_scaling(mode, fan):
    """random_initializers_test.py::RandomInitializersTest::test_variance_scaling"""
    init = I.VarianceScaling(scale=2.0, seed=1234, mode=mode)
    values = init((25, 20))
    assert (init.scale, init.seed, values.shape) == (2.0, 1234, (25, 20))
    assert abs(np.std(values) - np.sqrt(2.0 / fan)) <= 1e-1
    _round_trip(init, (25, 20))


def test_keras_orthogonal():
    """random_initializers_test.py::RandomInitializersTest::test_orthogonal"""
    init = I.Orthogonal(gain=2.0, seed=1234)
    array = init((5, 5))
    assert (init.seed, init.gain, array.shape) == (1234, 2.0, (5, 5))
    for column in array.T:
        assert abs(np.linalg.norm(column) - 2.0) < 1.5e-3
    for i in range(5):
        for j in range(i + 1, 5):
            assert abs(np.dot(array[:, i], array[:, j])) < 1.5e-3
    _round_trip(init, (5, 5))
    assert isinstance(I.get("OrthogonalInitializer"), I.Orthogonal)


def test_keras_get_method():
    """random_initializers_test.py::RandomInitializersTest::test_get_method (get(None) excepted:
    a scratch layer needs an initializer, so it is refused rather than returned)"""
    assert isinstance(I.get("glorot_normal"), I.GlorotNormal)
    with pytest.raises(ValueError):
        I.get("typo")


def test_keras_get_method_with_numpy_array():
    """random_initializers_test.py::RandomInitializersTest::test_get_method_with_tensor (the NumPy part)"""
    tensor = np.random.default_rng(1).uniform(size=(5, 5)).astype("float32")
    init = I.get(tensor)
    np.testing.assert_allclose(init((5, 5)), tensor, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match=r"Expected `shape` to be"):
        init((10, 10))


@pytest.mark.parametrize("kwargs, match", [
    pytest.param({"scale": -1.0}, "Argument `scale` must be positive float.",
                 id=RI + "test_variance_scaling_invalid_scale"),
    pytest.param({"scale": 2.0, "mode": "invalid_mode"}, "Invalid `mode` argument:",
                 id=RI + "test_variance_scaling_invalid_mode"),
    pytest.param({"scale": 2.0, "distribution": "invalid_dist"},
                 "Invalid `distribution` argument:",
                 id=RI + "test_variance_scaling_invalid_distribution"),
])
def test_keras_variance_scaling_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        I.VarianceScaling(seed=1234, **kwargs)


def test_keras_compute_fans_with_axes():
    """random_initializers_test.py::RandomInitializersTest::test_compute_fans_with_axes"""
    assert I.compute_fans((512, 8, 64), input_axes=[0], output_axes=[1, 2]) == (512, 512)
    assert I.compute_fans((512, 8, 64), input_axes=[0, 1], output_axes=[2]) == (512 * 8, 64)


def test_keras_variance_scaling_with_axes():
    """random_initializers_test.py::RandomInitializersTest::test_variance_scaling_with_axes"""
    with_axes = I.VarianceScaling(scale=2.0, seed=1234, mode="fan_in", input_axes=[0], output_axes=[1, 2])
    values = with_axes((32, 4, 16))
    assert values.shape == (32, 4, 16)
    assert abs(np.std(values) - np.sqrt(2.0 / 32)) <= 1e-1
    assert abs(np.std(I.VarianceScaling(scale=2.0, seed=1234)((32, 4, 16))) - np.sqrt(2.0 / 128)) <= 1e-1


def test_keras_variance_scaling_serialization_with_axes():
    """random_initializers_test.py::RandomInitializersTest::test_variance_scaling_serialization_with_axes"""
    init = I.VarianceScaling(input_axes=[0], output_axes=[1, 2], seed=3)
    assert init.get_config()["input_axes"] == [0] and init.get_config()["output_axes"] == [1, 2]
    _round_trip(init, (4, 2, 3))


# -- compute_fans for every rank, and what it changes --------------------------------------------
@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((5, 3), (5, 3)),
    ((32, 4, 16), (4 * 32, 16 * 32)), ((3, 3, 16, 32), (16 * 9, 32 * 9)), ((2, 2, 2, 3, 5), (3 * 8, 5 * 8))])
def test_compute_fans_for_every_rank(shape, fans):
    """Leading dimensions are a receptive field multiplying both fans (Keras's rule)."""
    assert I.compute_fans(shape) == fans


def test_variance_scaling_on_three_dimensions_has_keras_standard_deviation():
    """Issue 16: VarianceScaling(scale=2, mode='fan_in') on (32, 4, 16) has stddev sqrt(2/128)
    (uniform: limit sqrt(6/128)), not sqrt(2/32)."""
    values = I.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=0)((32, 4, 16))
    limit = np.sqrt(3 * 2.0 / 128)
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.99 * limit


def test_orthogonal_draws_are_haar_distributed_and_reproducible():
    """Each entry of a Haar-orthogonal n x n matrix has mean 0 and variance 1/n; wide shapes get
    orthonormal rows; the same seed gives the same bits."""
    draws = np.stack([I.Orthogonal(seed=s)((4, 4)) for s in range(4000)])
    assert np.allclose(draws.mean(axis=0), 0.0, atol=0.03)
    assert np.allclose((draws ** 2).mean(axis=0), 0.25, atol=0.02)
    assert np.allclose(np.einsum("kij,kil->kjl", draws, draws), np.eye(4), atol=1e-12)
    wide = I.Orthogonal(gain=0.5, seed=1)((3, 5))
    np.testing.assert_allclose(wide @ wide.T, 0.25 * np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(I.Orthogonal(seed=7)((6, 2, 3)), I.Orthogonal(seed=7)((6, 2, 3)))


def test_new_initializers_reach_the_keras_twin_with_identical_weights():
    """Orthogonal, Identity and an array Constant in Dense layers: to_keras builds Keras layers
    with the same initializer classes and copies the drawn weights."""
    from scratch_vs_keras import to_keras

    model = scratch.Sequential([
        scratch.Input(shape=(4,)),
        scratch.layers.Dense(4, activation="tanh", kernel_initializer=I.Orthogonal(gain=1.5, seed=2),
                             bias_initializer=I.Constant(np.array([0.1, -0.2, 0.3, 0.0]))),
        scratch.layers.Dense(4, kernel_initializer=I.Identity(gain=0.5)),
    ], seed=0, dtype="float64")
    twin = to_keras(model, compile=False)
    for ours, theirs in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    kinds = [type(layer.kernel_initializer).__name__ for layer in twin.layers]
    assert kinds == ["Orthogonal", "Identity"]
    assert type(twin.layers[0].bias_initializer).__name__ == "Constant"
