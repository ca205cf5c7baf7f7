# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1 — Back-propagation: the lecture's equations, in NumPy, then in Keras
#
# The lecture's two-layer network: inputs $\mathbf A^{(1)}$ (one sample per **column**, with a
# row of ones for the bias), $\mathbf Z^{(1)} = \mathbf W^{(1)} \mathbf A^{(1)}$, a sigmoid hidden
# layer $\mathbf A^{(2)} = [1; \sigma(\mathbf Z^{(1)})]$, $\mathbf Z^{(2)} = \mathbf W^{(2)}
# \mathbf A^{(2)}$, sigmoid outputs $\mathbf A^{(3)} = \sigma(\mathbf Z^{(2)})$, and the summed
# squared error $J = \|\mathbf Y - \mathbf A^{(3)}\|^2$. Back-propagation in four lines:
#
# $$\mathbf V^{(2)} = -2(\mathbf Y - \mathbf A^{(3)}) * \mathbf A^{(3)} * (1 - \mathbf A^{(3)}), \qquad
#   \nabla^{(2)} = \mathbf V^{(2)} [\mathbf A^{(2)}]^T$$
# $$\mathbf V^{(1)} = \mathbf A^{(2)} * (1 - \mathbf A^{(2)}) * [\mathbf W^{(2)}]^T \mathbf V^{(2)}, \qquad
#   \nabla^{(1)} = \mathbf V^{(1)} [\mathbf A^{(1)}]^T$$
#
# You write them (exercise 1), write the same network in Keras (exercise 2), and relate Keras's
# numbers to yours (exercise 3). Each exercise is a function that still raises
# `NotImplementedError`; the cell after it checks it and says what to look at next.

# %%
import numpy as np

from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.lessons import Exercises, check_lecture_gradients, quick

exercises = Exercises("the four equations", "the network in Keras",
                      "Keras's gradient in the lecture's layout")
data = prepare(load_dataset("breast_cancer"), seed=0)
n = 16 if quick() else 64
X = data.x_train[:n]                     # one sample per row here; X.T is the lecture's layout
Y = np.eye(2)[data.y_train[:n].astype(int)]   # one-hot: two sigmoid outputs, as in the course
rng = np.random.default_rng(0)
W1 = rng.uniform(-1, 1, size=(10, X.shape[1] + 1))   # (out, in + 1): column 0 is the bias
W2 = rng.uniform(-1, 1, size=(2, 10 + 1))
print(X.shape, Y.shape, W1.shape, W2.shape)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# %% [markdown]
# ## Exercise 1: the four equations
#
# Complete `my_gradients`. Keep the lecture's layout: samples as columns, `W` as `(out, in + 1)`,
# a row of ones on top of each layer's input. Return the gradients as a dict; you may add your
# forward pass (`"A1"`, `"A2"`, `"A3"`), and the checker then blames a forward-pass slip on the
# layer it is in.

# %% tags=["exercise"]
def my_gradients(W1, W2, X, Y):
    """The summed squared error's gradients: {"W1": (hidden, d + 1), "W2": (k, hidden + 1)}."""
    A1 = np.vstack([np.ones(len(X)), X.T])            # (d + 1, N)
    # Z1 = W1 A1, A2 = [1; sigmoid(Z1)], Z2 = W2 A2, A3 = sigmoid(Z2), then V2, grad2, V1, grad1
    raise NotImplementedError("exercise 1: the forward pass, then the four equations")


# %% [markdown]
# The checker calls your function at your point and at random points (biases non-zero), in
# float64 and float32, and compares every tensor with the package's back-propagation:

# %%
print(exercises.check(1, check_lecture_gradients(my_gradients, [W1, W2], X, Y)))

# %% [markdown]
# When something is off, the checker says which layer, which tensor, by how much, and which usual
# mistake fits. Here is what it says about a classic slip — forgetting the sigmoid's derivative
# in $\mathbf V^{(1)}$:

# %% tags=["planted-mistake"]
def slipped(W1, W2, X, Y):
    A1 = np.vstack([np.ones(len(X)), X.T])
    A2 = np.vstack([np.ones(len(X)), sigmoid(W1 @ A1)])
    A3 = sigmoid(W2 @ A2)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    V1 = W2.T @ V2                                     # A2 * (1 - A2) left out
    return {"W1": V1[1:] @ A1.T, "W2": V2 @ A2.T}


print(check_lecture_gradients(slipped, [W1, W2], X, Y))

# %% [markdown]
# ## The same network in Keras
#
# Keras writes the same machine in other coordinates:
#
# | the lecture | Keras |
# |---|---|
# | $\mathbf W^{(l)}$ `(out, in + 1)`, the bias in column 0 | `kernel` `(in, out)` $= \mathbf W^{(l)}[:, 1:]^T$ and `bias` `(out,)` $= \mathbf W^{(l)}[:, 0]$ |
# | samples as columns: $\mathbf Z^{(1)} = \mathbf W^{(1)} \mathbf A^{(1)}$ | samples as rows: `z = x @ kernel + bias` |
# | summed cost $J = \sum_{n, j} (y_{nj} - a_{nj})^2$ | mean loss `"mse"` $= J / (N k)$ |
# | sensitivity $\mathbf V^{(l)} = \partial J / \partial \mathbf Z^{(l)}$ `(out, N)` | "delta" $\partial\,\text{loss} / \partial z$ `(N, out)` $= [\mathbf V^{(l)}]^T / (N k)$ |
# | $\nabla^{(l)} = \mathbf V^{(l)} [\mathbf A^{(l)}]^T$ | `kernel` gradient `x.T @ delta`, `bias` gradient `delta.sum(axis=0)` |
#
# ### Exercise 2: write it in Keras
#
# Complete `build_keras_model` as the course's notebook 10 does: `keras.Input`, `Dense` layers
# called on tensors, `keras.Model(inputs, outputs)`, then `compile(optimizer="sgd", loss="mse")`.
# Name the input `"features"` and the layers `"hidden"` (10 sigmoid units) and `"output"` (2
# sigmoid units): the package finds each layer by its name, copies the NumPy model's weights
# into yours and compares every layer's output, the loss and every gradient.

# %%
from scratch_vs_keras.keras_side import configure_keras

configure_keras("float64")   # before any Keras layer exists: a layer's dtype is fixed when it is made
import keras  # noqa: E402

from scratch_vs_keras import scratch
from scratch_vs_keras.course.weights import keras_to_lecture, lecture_to_keras
from scratch_vs_keras.lessons import check_keras_model
from scratch_vs_keras.scratch.layers import Dense

features = scratch.Input((X.shape[1],), name="features")
hidden = Dense(10, activation="sigmoid", name="hidden")(features)
numpy_model = scratch.Model(features, Dense(2, activation="sigmoid", name="output")(hidden),
                            seed=0, dtype="float64")
numpy_model.compile(optimizer="sgd", loss="mse")
numpy_model.set_weights([*lecture_to_keras(W1), *lecture_to_keras(W2)])   # your W1, W2


# %% tags=["exercise"]
def build_keras_model():
    """The lecture's network in Keras: Input "features" -> Dense "hidden" -> Dense "output"."""
    raise NotImplementedError("exercise 2: keras.Input, two Dense layers, keras.Model, compile")


# %%
yours = check_keras_model(build_keras_model, numpy_model, X, Y)
print(exercises.check(2, yours))

# %% [markdown]
# Both sides can now train through their own `fit` — Keras through the real `model.fit` — from
# the same weights on the same batches (your model when exercise 2 is done, else the package's
# twin `to_keras(numpy_model)`). The two loss curves lie on each other; the lower panel shows by
# how much they differ at each step:

# %%
import matplotlib.pyplot as plt

from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.lessons import plot_run_losses

run = train_side_by_side(numpy_model, X, Y, epochs=5 if quick() else 20, batch_size=8,
                         keras_model=yours.keras_model)
print("Keras side:", "your model" if yours.ok else "the package's twin (exercise 2 not done)")
print(run)
plot_run_losses(run, ylabel="batch loss (mse)")
plt.show()

# %% [markdown]
# ### Exercise 3: Keras's gradient in the lecture's layout
#
# Keras differentiates the *mean* loss with respect to `kernel (in, out)` and `bias (out,)`.
# Complete `lecture_gradient` so that it turns those into the lecture's $\nabla^{(l)}$ of the
# *summed* cost, `(out, in + 1)` with the bias gradient in column 0 (the table above has every
# piece). The check asks Keras (`tf.GradientTape` on a Keras twin) for its gradients at each
# probe point and hands them to your function; the checker compares the result with the
# lecture's gradients — a transposed matrix or a forgotten factor $N k$ is named as such.

# %% tags=["exercise"]
def lecture_gradient(kernel_grad, bias_grad, N, k):
    """Keras's mean-loss gradients of one Dense layer -> the lecture's (out, in + 1) gradient."""
    raise NotImplementedError("exercise 3: transpose, put the bias in column 0, undo the mean")


# %%
from scratch_vs_keras import to_keras
from scratch_vs_keras.compare import keras_trace


def converted_by_lecture_gradient(W1, W2, X, Y):
    """The lecture's gradients at W1, W2, computed by Keras and converted by lecture_gradient."""
    probe = scratch.Sequential([scratch.Input((W1.shape[1] - 1,)),
                                Dense(W1.shape[0], activation="sigmoid"),
                                Dense(W2.shape[0], activation="sigmoid")], dtype="float64")
    probe.compile(optimizer="sgd", loss="mse")
    probe.set_weights([*lecture_to_keras(W1), *lecture_to_keras(W2)])
    _, _, g = keras_trace(to_keras(probe), np.asarray(X, float), np.asarray(Y, float), outputs=False)
    kernel1, bias1, kernel2, bias2 = g.values()
    N, k = Y.shape
    return {"W1": lecture_gradient(kernel1, bias1, N, k), "W2": lecture_gradient(kernel2, bias2, N, k)}


print(exercises.check(3, check_lecture_gradients(converted_by_lecture_gradient, [W1, W2], X, Y, points=1)))

# %% [markdown]
# Round-off: about $10^{-16}$, the last digit of a float64. The lecture's equations *are* what
# Keras computes. The report `scratch-vs-keras run backprop_review` follows them through a whole
# training run.

# %%
print(exercises)
