"""Solutions of lesson 5 (instructor copy); see solutions/01_backprop_equations.py."""

import keras
import numpy as np


def my_gradients(weights, x, y):
    """{"hidden/kernel": (30, 8), "hidden/bias": (8,), "out/kernel": (13, 1), "out/bias": (1,)}."""
    hidden_kernel, hidden_bias, out_kernel, out_bias = weights
    B = len(y)
    z_hidden = x["all_features"] @ hidden_kernel + hidden_bias
    joined = np.concatenate([np.maximum(z_hidden, 0), x["shortcut"]], axis=1)
    z = joined @ out_kernel + out_bias
    delta = (1 / (1 + np.exp(-z)) - y.reshape(-1, 1)) / B           # (B, 1)
    delta_hidden = (delta @ out_kernel[:8].T) * (z_hidden > 0)       # the join's first 8 columns
    return {"hidden/kernel": x["all_features"].T @ delta_hidden,
            "hidden/bias": delta_hidden.sum(axis=0),
            "out/kernel": joined.T @ delta, "out/bias": delta.sum(axis=0)}


def build_keras_model():
    """The two-input network of exercise 1, written with Keras's functional API."""
    features = keras.Input(shape=(30,), name="all_features")
    shortcut = keras.Input(shape=(5,), name="shortcut")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(features)
    joined = keras.layers.concatenate([hidden, shortcut], name="join")
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(joined)
    model = keras.Model(inputs=[features, shortcut], outputs=out)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model
