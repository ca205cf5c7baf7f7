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
# # Lesson 5 — From `Sequential` to the functional API
#
# `keras.Sequential` stacks layers in a line. The functional API wires them as a graph:
# call a layer on a tensor to get a tensor, then `keras.Model(inputs, outputs)`. The same MLP
# both ways, in NumPy (`scratch`) and in Keras:

# %%
import numpy as np

from scratch_vs_keras import compare_gradients, scratch, to_keras
from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.lessons import check_gradients, quick
from scratch_vs_keras.scratch.layers import Concatenate, Dense

data = prepare(load_dataset("breast_cancer"), seed=0)
X, y = data.x_train[:32], data.y_train[:32]

sequential = scratch.Sequential([scratch.Input((30,)), Dense(8, activation="relu"),
                                 Dense(1, activation="sigmoid")], seed=0, dtype="float64")
inp = scratch.Input((30,), name="features")
hidden = Dense(8, activation="relu")(inp)
functional = scratch.Model(inp, Dense(1, activation="sigmoid")(hidden), seed=0, dtype="float64")
for m in (sequential, functional):
    m.compile(optimizer="adam", loss="binary_crossentropy")
functional.summary()
print("same initial weights:",
      all(np.array_equal(a, b) for a, b in zip(sequential.get_weights(), functional.get_weights())))

# %% [markdown]
# Both become a Keras twin with `to_keras` — a `keras.Sequential` and a functional `keras.Model`:

# %%
for m in (sequential, functional):
    print(type(to_keras(m)).__name__, compare_gradients(m, X, y).verdict())

# %% [markdown]
# ## Two inputs
#
# The functional API is needed as soon as the network is not a line: here the first five
# features take a shortcut around the hidden layer and join it before the output.
#
# ### Exercise 1: the gradient of the shortcut
# Build the model, then compute the gradient of the output kernel yourself: the output unit sees
# $[\mathbf h, \mathbf x_{1:5}]$, so $\partial J/\partial \mathbf W_{out} = [\mathbf h, \mathbf x_{1:5}]^T \delta$
# with $\delta = (\sigma(z) - y)/B$ for binary cross-entropy on a sigmoid (Keras's logits path).

# %%
wide = scratch.Input((5,), name="shortcut")
deep = scratch.Input((30,), name="all_features")
h = Dense(8, activation="relu", name="hidden")(deep)
joined = Concatenate(name="join")([h, wide])
two_inputs = scratch.Model([deep, wide], Dense(1, activation="sigmoid", name="out")(joined),
                           seed=1, dtype="float64")
two_inputs.compile(optimizer="adam", loss="binary_crossentropy")
x2 = {"all_features": X, "shortcut": X[:, :5]}

outputs = two_inputs.layer_outputs(x2)
z = outputs["join"] @ two_inputs.get_weights()[2] + two_inputs.get_weights()[3]
delta = (1 / (1 + np.exp(-z)) - y[:, None]) / len(y)
mine = dict(zip(two_inputs.weight_names(), two_inputs.loss_and_gradients(x2, y)[1]))
mine["out/kernel"] = outputs["join"].T @ delta        # your part
print(check_gradients(mine, two_inputs, x2, y))
print(compare_gradients(two_inputs, x2, y).verdict())
