"""Every activation, as a hidden layer, against Keras: forward, loss, gradients, finite differences."""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from conftest import ACTIVATIONS, make_model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_activation_matches_keras(activation, dtype, rng):
    x = rng.normal(scale=2.0, size=(13, 4))
    y = rng.integers(0, 2, size=13)
    model = make_model(hidden=(6, 5), activation=activation, dtype=dtype, seed=3)
    result = compare_gradients(model, x, y)
    assert result.ok, str(result)
    bound = 1e-12 if dtype == "float64" else 1e-5
    twin = result.table[result.table.quantity != "finite_difference"]
    assert (twin.rel_diff <= bound).all()
    assert (result.table[result.table.quantity == "finite_difference"].rel_diff <= 1e-6).all()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activation_function_and_derivative_match_keras_elementwise(activation):
    """Over a wide range of inputs (including saturation), value and derivative match tf autodiff."""
    import keras
    import tensorflow as tf

    z = np.linspace(-40, 40, 2001).reshape(-1, 3)[:666].copy()
    z[::7] = 0.0  # the kinks
    g = np.cos(np.arange(z.size)).reshape(z.shape)  # an arbitrary upstream gradient
    act = scratch.activations.get(activation)
    a = act(z)
    dz = act.backward(z, a, g)
    zt = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(zt)
        at = keras.activations.get(activation)(zt)
    dzt = tape.gradient(at, zt, output_gradients=tf.constant(g)).numpy()
    at = at.numpy()
    assert np.max(np.abs(a - at)) <= 1e-12 * np.max(np.abs(at))
    assert np.max(np.abs(dz - dzt)) <= 1e-12 * np.max(np.abs(dzt))


def test_textbook_constants_would_not_match():
    """The float32-rounded constants matter: with the textbook slope leaky_relu is off by ~1e-9."""
    import keras
    import tensorflow as tf

    z = np.linspace(-5, -0.1, 50)
    exact = np.where(z > 0, z, 0.2 * z)
    keras_value = keras.activations.leaky_relu(tf.constant(z)).numpy()
    assert np.max(np.abs(exact - keras_value)) / np.max(np.abs(keras_value)) > 1e-9
    ours = scratch.activations.leaky_relu(z)
    assert np.max(np.abs(ours - keras_value)) == 0.0
