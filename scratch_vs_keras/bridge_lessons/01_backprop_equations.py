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
# row of ones for the bias), a sigmoid hidden layer, sigmoid outputs, and the summed squared
# error $J = \|\mathbf Y - \mathbf A^{(3)}\|^2$. Back-propagation in four lines:
#
# $$\mathbf V^{(2)} = -2(\mathbf Y - \mathbf A^{(3)}) * \mathbf A^{(3)} * (1 - \mathbf A^{(3)}), \qquad
#   \nabla^{(2)} = \mathbf V^{(2)} [\mathbf A^{(2)}]^T$$
# $$\mathbf V^{(1)} = \mathbf A^{(2)} * (1 - \mathbf A^{(2)}) * [\mathbf W^{(2)}]^T \mathbf V^{(2)}, \qquad
#   \nabla^{(1)} = \mathbf V^{(1)} [\mathbf A^{(1)}]^T$$
#
# In this lesson you write them, check them number by number, and then see Keras compute the
# very same numbers.

# %%
import numpy as np

from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.lessons import check_lecture_gradients, quick

data = prepare(load_dataset("breast_cancer"), seed=0)
n = 16 if quick() else 64
X = data.x_train[:n]                     # one sample per row here; X.T is the lecture's layout
Y = np.eye(2)[data.y_train[:n].astype(int)]   # one-hot: two sigmoid outputs, as in the course
rng = np.random.default_rng(0)
W1 = rng.uniform(-1, 1, size=(10, X.shape[1] + 1))   # (out, in + 1): column 0 is the bias
W2 = rng.uniform(-1, 1, size=(2, 10 + 1))
print(X.shape, Y.shape, W1.shape, W2.shape)

# %% [markdown]
# ## Exercise 1: the four equations
#
# Complete `my_gradients`. Keep the lecture's layout: samples as columns, `W` as `(out, in + 1)`,
# a row of ones on top of each layer's input. (The version below is filled in so that the lesson
# runs; try writing it yourself first.)

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def my_gradients(W1, W2, X, Y):
    A1 = np.vstack([np.ones(len(X)), X.T])            # (in + 1, N)
    Z2 = W1 @ A1
    A2 = np.vstack([np.ones(len(X)), sigmoid(Z2)])    # (hidden + 1, N)
    A3 = sigmoid(W2 @ A2)                              # (out, N)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    grad2 = V2 @ A2.T
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    grad1 = V1[1:] @ A1.T                              # the bias row has no sensitivity
    return {"W1": grad1, "W2": grad2}


print(check_lecture_gradients(my_gradients(W1, W2, X, Y), [W1, W2], X, Y))

# %% [markdown]
# The checker compares each of your tensors with the package's back-propagation. When something
# is off it says which layer, which tensor, by how much, and what fits the difference. Here is
# what it says about a classic slip — forgetting the sigmoid's derivative in $\mathbf V^{(1)}$:

# %%
def slipped(W1, W2, X, Y):
    g = my_gradients(W1, W2, X, Y)
    A1 = np.vstack([np.ones(len(X)), X.T])
    A2 = np.vstack([np.ones(len(X)), sigmoid(W1 @ A1)])
    A3 = sigmoid(W2 @ A2)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    g["W1"] = (W2.T @ V2)[1:] @ A1.T                    # A2 * (1 - A2) left out
    return g


print(check_lecture_gradients(slipped(W1, W2, X, Y), [W1, W2], X, Y))

# %% [markdown]
# ## The same network in Keras
#
# `CourseMLP` is the course's network as a scikit-learn estimator on the package's engine;
# `course_to_keras` translates it into a Keras model (Dense layers with a bias vector, the summed
# cost as `reduction="sum"` times `loss_weights=k`). Keras's `tf.GradientTape` gradients, put back
# into the lecture's layout, are your numbers:

# %%
from scratch_vs_keras.compare import keras_trace
from scratch_vs_keras.course.keras import course_to_keras
from scratch_vs_keras.course.estimator import CourseMLP, keras_to_lecture

translation = course_to_keras(CourseMLP(n_hidden=10, random_state=0), X, data.y_train[:n])
model = translation.model
kernel1, b1, kernel2, b2 = [np.array(w) for w in model.get_weights()]
W1, W2 = keras_to_lecture(kernel1, b1), keras_to_lecture(kernel2, b2)   # Keras's start, lecture layout
_, keras_loss, g = keras_trace(model, X, Y, outputs=False)
keras_grads = {"W1": keras_to_lecture(*list(g.values())[0:2]), "W2": keras_to_lecture(*list(g.values())[2:4])}
mine = my_gradients(W1, W2, X, Y)
for name in mine:
    gap = np.max(np.abs(mine[name] - keras_grads[name])) / np.max(np.abs(keras_grads[name]))
    print(f"{name}: your gradient vs Keras's, relative difference {gap:.1e}")
print("cost:", np.sum((Y.T - sigmoid(W2 @ np.vstack([np.ones(n), sigmoid(W1 @ np.vstack([np.ones(n), X.T]))])))**2),
      "Keras:", keras_loss)

# %% [markdown]
# Round-off: about $10^{-16}$, the last digit of a float64. The lecture's equations *are* what
# Keras computes. The report `scratch-vs-keras run backprop_review` follows them through a whole
# training run.
