"""Solutions of lesson 4 (instructor copy); see solutions/01_backprop_equations.py."""

import keras
import numpy as np


def heavy_ball_step(W, grad, rho_prev, eta, alpha):
    """07a's momentum: rho = eta * grad + alpha * rho_prev, then W - rho; returns (W, rho)."""
    rho = eta * grad + alpha * rho_prev
    return W - rho, rho


def adagrad_lookback_step(W, grad, G_prev, rho_prev, eta, alpha):
    """08a's update of one weight matrix. Returns (W, G, rho), each (out, in)."""
    G = grad * grad + alpha * G_prev + 1e-7
    rho = eta * (grad / np.sqrt(G))
    return W - (rho + alpha * rho_prev), G, rho


def build_keras_model():
    """The course network in Keras, compiled with SGD(momentum=0.5) on a halving rate."""
    features = keras.Input(shape=(4,), name="features")
    hidden = keras.layers.Dense(6, activation="sigmoid", name="hidden")(features)
    output = keras.layers.Dense(3, activation="sigmoid", name="output")(hidden)
    model = keras.Model(inputs=features, outputs=output)
    rate = keras.optimizers.schedules.ExponentialDecay(0.125, decay_steps=4, decay_rate=0.5,
                                                       staircase=True)
    model.compile(optimizer=keras.optimizers.SGD(rate, momentum=0.5),
                  loss=keras.losses.BinaryCrossentropy(reduction="sum"), loss_weights=3.0)
    return model
