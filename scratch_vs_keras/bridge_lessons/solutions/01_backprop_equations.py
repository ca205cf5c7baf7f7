"""Solutions of lesson 1 (instructor copy). The runner (``scratch-vs-keras lessons --solutions``)
replaces each function of the lesson's ``exercise`` cells with the function of the same name
here; everything else in this file is ignored."""

import keras
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def my_gradients(W1, W2, X, Y):
    """The summed squared error's gradients: {"W1": (hidden, d + 1), "W2": (k, hidden + 1)}."""
    A1 = np.vstack([np.ones(len(X)), X.T])            # (d + 1, N)
    Z1 = W1 @ A1
    A2 = np.vstack([np.ones(len(X)), sigmoid(Z1)])    # (hidden + 1, N)
    Z2 = W2 @ A2
    A3 = sigmoid(Z2)                                   # (k, N)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    grad2 = V2 @ A2.T
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    grad1 = V1[1:] @ A1.T                              # the bias row has no sensitivity
    return {"W1": grad1, "W2": grad2, "A1": A1, "A2": A2, "A3": A3}


def build_keras_model():
    """The lecture's network in Keras: Input "features" -> Dense "hidden" -> Dense "output"."""
    features = keras.Input(shape=(30,), name="features")
    hidden = keras.layers.Dense(10, activation="sigmoid", name="hidden")(features)
    output = keras.layers.Dense(2, activation="sigmoid", name="output")(hidden)
    model = keras.Model(inputs=features, outputs=output)
    model.compile(optimizer="sgd", loss="mse")
    return model


def lecture_gradient(kernel_grad, bias_grad, N, k):
    """Keras's mean-loss gradients of one Dense layer -> the lecture's (out, in + 1) gradient."""
    return N * k * np.concatenate([bias_grad[:, None], kernel_grad.T], axis=1)
