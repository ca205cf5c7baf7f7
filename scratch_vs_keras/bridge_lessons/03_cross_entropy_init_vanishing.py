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
from scratch_vs_keras.lessons import Exercises, check_lecture_gradients, quick

data = prepare(load_dataset("wine"), seed=0)
n = 16 if quick() else 64
X, Y = data.x_train[:n], np.eye(3)[data.y_train[:n].astype(int)]
rng = np.random.default_rng(1)
W1 = rng.uniform(-1, 1, size=(6, X.shape[1] + 1))
W2 = rng.uniform(-1, 1, size=(3, 7))

# %% [markdown]
# ### Exercise 1: the cross-entropy gradient
# Change only the output sensitivity of the lecture's equations ($\mathbf Z^{(1)} = \mathbf
# W^{(1)} \mathbf A^{(1)}$, $\mathbf Z^{(2)} = \mathbf W^{(2)} \mathbf A^{(2)}$, as in lesson 1).

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


exercises = Exercises("the cross-entropy gradient", "back-propagation through ReLU")


# %% tags=["exercise"]
def cross_entropy_gradients(W1, W2, X, Y):
    """Sigmoid hidden and output layers, summed cross-entropy: {"W1": ..., "W2": ...}."""
    raise NotImplementedError("exercise 1: the lecture's equations with V2 = A3 - Y")


# %%
print(exercises.check(1, check_lecture_gradients(cross_entropy_gradients, [W1, W2], X, Y,
                                                 cost="cross_entropy")))

# %% [markdown]
# ### Exercise 2: back-propagation through ReLU
#
# Now the hidden layer is a ReLU, $\mathbf A^{(2)} = [1; \max(\mathbf Z^{(1)}, 0)]$, the output
# still a sigmoid with the quadratic cost. The ReLU's derivative is a step: 1 where
# $\mathbf Z^{(1)} > 0$, else 0, so
# $\mathbf V^{(1)} = [\mathbf Z^{(1)} > 0] * [\mathbf W^{(2)}]^T \mathbf V^{(2)}$ (bias row left
# out). Write it in the lecture's layout:

# %% tags=["exercise"]
def relu_gradients(W1, W2, X, Y):
    """ReLU hidden layer, sigmoid outputs, summed squared error: {"W1": ..., "W2": ...}."""
    raise NotImplementedError("exercise 2: the ReLU's step replaces A2 * (1 - A2)")


# %%
print(exercises.check(2, check_lecture_gradients(relu_gradients, [W1, W2], X, Y,
                                                 activation="relu")))

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
# sigmoid, 0 or 1 for relu — and by the weights. Measure the mean $|\nabla^{(l)}|$ per layer of
# a deep network at the start, with the course's initializations (its `initial_weights`:
# U(-1, 1); the course's "Glorot" for sigmoid, $4\sqrt{6/(\text{fan}_{in} + \text{fan}_{out} +
# 1)}$; its ReLU rule, $\sqrt 2 \sqrt{6/(\ldots)}$) and Keras's `glorot_uniform`
# ($\sqrt{6/(\text{fan}_{in} + \text{fan}_{out})}$, no factor 4), on the NumPy side and on its
# Keras twin:

# %%
import matplotlib.pyplot as plt
import pandas as pd

from scratch_vs_keras import compare_gradients, scratch
from scratch_vs_keras.course.weights import initial_weights, lecture_to_keras

depth = 4 if quick() else 6
sizes = [X.shape[1]] + [16] * depth + [3]
rows = []
for activation, init, label in [("sigmoid", "uniform", "U(-1, 1)"),
                                ("sigmoid", "glorot", "course 4x Glorot"),
                                ("sigmoid", "glorot_uniform", "Keras glorot_uniform"),
                                ("relu", "relu", "course ReLU rule")]:
    layers = [scratch.Input((X.shape[1],))]
    layers += [scratch.layers.Dense(16, activation=activation) for _ in range(depth)]
    layers.append(scratch.layers.Dense(3, activation="softmax"))
    model = scratch.Sequential(layers, seed=0, dtype="float64")
    model.compile(loss="sparse_categorical_crossentropy")
    W = initial_weights(sizes, init, np.random.RandomState(0))
    model.set_weights([w for Wl in W for w in lecture_to_keras(Wl)])
    result = compare_gradients(model, X, data.y_train[:n], finite_differences=False)
    _, grads = model.loss_and_gradients(X, data.y_train[:n])
    kernels = [g for g, name in zip(grads, model.weight_names()) if name.endswith("kernel")]
    rows.append({"activation": activation, "init": label,
                 **{f"layer {i + 1}": float(np.mean(np.abs(g))) for i, g in enumerate(kernels)},
                 "NumPy vs Keras": result.verdict().split(":")[0] + f" {result.worst('gradient'):.0e}"})
table = pd.DataFrame(rows)
print(table.to_string(index=False, float_format=lambda v: f"{v:.1e}"))
layer_columns = [c for c in table.columns if c.startswith("layer")]
for _, row in table.iterrows():
    plt.semilogy(range(1, len(layer_columns) + 1), row[layer_columns].astype(float), "o-",
                 label=f"{row.activation}, {row.init}")
plt.xticks(range(1, len(layer_columns) + 1))
plt.xlabel("layer (1 = next to the input)")
plt.ylabel("mean |gradient| of the kernel")
plt.legend()
plt.show()

# %% [markdown]
# Read the table from the output back to the input. With sigmoid units and U(-1, 1) the
# first layer's gradient is orders of magnitude below the last's: every layer back multiplies by
# $\mathbf A*(1-\mathbf A) \le 1/4$. Keras's `glorot_uniform` draws *smaller* weights, so the
# products shrink faster still. The course's factor 4 makes the weights large enough to undo
# part of the 1/4 per layer; ReLU's derivative is 1 on its active units, so with the course's
# ReLU rule the layers' gradients stay comparable. The vanishing is introduced in the backward
# recurrence, by the factor of every sigmoid layer — and Keras computes exactly the same
# shrinking numbers (last column, a MATCH within float64 round-off). The experiment
# `scratch-vs-keras run vanishing_gradients` measures it for depths 2 to 6.

# %%
print(exercises)
