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
# # Lesson 3 — Cross-entropy, initialization, ReLU and vanishing gradients
#
# With sigmoid outputs and the quadratic cost, the output sensitivity carries the sigmoid's
# derivative: $\mathbf V^{(2)} = -2(\mathbf Y - \mathbf A)*\mathbf A*(1-\mathbf A)$. A unit that
# saturates on the wrong answer ($a \approx 0$ when $y = 1$) barely learns. The cross-entropy
# cost cancels that factor: $\mathbf V^{(2)} = \mathbf A - \mathbf Y$.

# %%
import numpy as np

from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.lessons import check_lecture_gradients, quick

data = prepare(load_dataset("wine"), seed=0)
n = 16 if quick() else 64
X, Y = data.x_train[:n], np.eye(3)[data.y_train[:n].astype(int)]
rng = np.random.default_rng(1)
W1 = rng.uniform(-1, 1, size=(6, X.shape[1] + 1))
W2 = rng.uniform(-1, 1, size=(3, 7))

# %% [markdown]
# ### Exercise 1: the cross-entropy gradient
# Change only the output sensitivity of the lecture's equations. (Filled in; try first.)

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def cross_entropy_gradients(W1, W2, X, Y):
    A1 = np.vstack([np.ones(len(X)), X.T])
    A2 = np.vstack([np.ones(len(X)), sigmoid(W1 @ A1)])
    A3 = sigmoid(W2 @ A2)
    V2 = A3 - Y.T                                   # the a(1 - a) factor cancelled
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    return {"W1": V1[1:] @ A1.T, "W2": V2 @ A2.T}


print(check_lecture_gradients(cross_entropy_gradients(W1, W2, X, Y), [W1, W2], X, Y,
                              cost="cross_entropy"))

# %% [markdown]
# Keras's cross-entropy is not always this formula: on a plain probability array it clips $p$ to
# $[10^{-7}, 1-10^{-7}]$ (a gradient of 0 where yours is $-1$), after its own sigmoid or softmax it
# uses the logits instead, and with several outputs it averages over them (your gradient is $k$
# times Keras's). `docs/questions.md` (questions 4, 5 and 6) shows each number on both sides;
# `scratch-vs-keras run faq bce_clipping` writes the first one's report.

# %% [markdown]
# ## Where do gradients vanish?
#
# Each layer back multiplies the sensitivity by its activation's derivative — at most 1/4 for the
# sigmoid, 0 or 1 for relu — and by the weights. Measure the mean $|\partial J/\partial W|$ per
# layer of a deep network at the start, on the NumPy side and on its Keras twin:

# %%
import pandas as pd

from scratch_vs_keras import compare_gradients, scratch
from scratch_vs_keras.scratch import initializers

depth = 4 if quick() else 6
rows = []
for activation, init in [("sigmoid", initializers.RandomUniform(-1, 1)),
                         ("sigmoid", initializers.GlorotUniform()),
                         ("relu", initializers.HeUniform())]:
    layers = [scratch.Input((X.shape[1],))]
    layers += [scratch.layers.Dense(16, activation=activation, kernel_initializer=init)
               for _ in range(depth)]
    layers.append(scratch.layers.Dense(3, activation="softmax"))
    model = scratch.Sequential(layers, seed=0, dtype="float64")
    model.compile(loss="sparse_categorical_crossentropy")
    result = compare_gradients(model, X, data.y_train[:n], finite_differences=False)
    _, grads = model.loss_and_gradients(X, data.y_train[:n])
    kernels = [g for g, name in zip(grads, model.weight_names()) if name.endswith("kernel")]
    rows.append({"activation": activation, "init": type(init).__name__,
                 **{f"layer {i + 1}": float(np.mean(np.abs(g))) for i, g in enumerate(kernels)},
                 "NumPy vs Keras": f"{result.worst('gradient'):.0e}"})
print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.1e}"))

# %% [markdown]
# With sigmoid units the first layers' gradients are orders of magnitude below the last's; relu
# with He initialization keeps them comparable. The vanishing is introduced in the backward
# recurrence, by the factor $\mathbf A*(1-\mathbf A)$ of every sigmoid layer — and Keras computes
# exactly the same shrinking numbers (last column). The experiment
# `scratch-vs-keras run vanishing_gradients` measures it for depths 2 to 6.
