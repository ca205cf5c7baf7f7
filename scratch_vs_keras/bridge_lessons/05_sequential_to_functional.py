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
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.lessons import Exercises, check_gradients, check_keras_model, quick
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
# features take a shortcut around the hidden layer and join it before the output. The NumPy
# model, with the names your Keras model will use:

# %%
exercises = Exercises("the two-input network's gradients", "the two-input network in Keras")
wide = scratch.Input((5,), name="shortcut")
deep = scratch.Input((30,), name="all_features")
h = Dense(8, activation="relu", name="hidden")(deep)
joined = Concatenate(name="join")([h, wide])
two_inputs = scratch.Model([deep, wide], Dense(1, activation="sigmoid", name="out")(joined),
                           seed=1, dtype="float64")
two_inputs.compile(optimizer="adam", loss="binary_crossentropy")
x2 = {"all_features": X, "shortcut": X[:, :5]}
print(two_inputs.weight_names())

# %% [markdown]
# Keras's side of lesson 1's table: samples are rows, a kernel is `(in, out)`, and Keras
# differentiates the *mean* loss. For binary cross-entropy on a sigmoid unit (Keras's logits
# path) the output's "delta" is $\delta = \partial\,\text{loss}/\partial z = (\sigma(z) -
# y)/B$, the lecture's $\mathbf V^T$ divided by the batch size $B$; then each Dense layer's
# gradients are `inputs.T @ delta` (kernel) and `delta.sum(axis=0)` (bias), and the delta one
# layer back is `delta @ kernel.T` times the activation's derivative.
#
# ### Exercise 1: the two-input network's gradients
# The output unit sees $[\mathbf h, \mathbf x_{1:5}]$ (the `join`). Complete `my_gradients`:
# all four gradients, by name, for the weights given in `get_weights` order. The checker probes
# it at the model's weights and at random shifts of them, in float64 and float32.

# %% tags=["exercise"]
def my_gradients(weights, x, y):
    """{"hidden/kernel": (30, 8), "hidden/bias": (8,), "out/kernel": (13, 1), "out/bias": (1,)}."""
    hidden_kernel, hidden_bias, out_kernel, out_bias = weights
    B = len(y)
    raise NotImplementedError("exercise 1: forward to z, delta = (sigmoid(z) - y) / B, then back")


# %%
print(exercises.check(1, check_gradients(my_gradients, two_inputs, x2, y)))

# %% [markdown]
# ### Exercise 2: the same network in Keras
# Complete `build_keras_model` with the functional API: two `keras.Input`s named
# `"all_features"` (30 columns) and `"shortcut"` (5), `Dense(8, activation="relu",
# name="hidden")` on the features, `keras.layers.concatenate([hidden, shortcut], name="join")`,
# `Dense(1, activation="sigmoid", name="out")`, `keras.Model(inputs=[...], outputs=...)`, compiled
# with `optimizer="adam", loss="binary_crossentropy"`. The package copies the NumPy weights into
# it and compares every layer, the loss and every gradient.

# %%
from scratch_vs_keras.keras_side import configure_keras

configure_keras("float64")   # before any Keras layer exists: a layer's dtype is fixed when it is made
import keras  # noqa: E402

# %% tags=["exercise"]
def build_keras_model():
    """The two-input network of exercise 1, written with Keras's functional API."""
    raise NotImplementedError("exercise 2: keras.Input x 2, Dense, concatenate, Dense, Model")


# %%
yours = check_keras_model(build_keras_model, two_inputs, x2, y)
print(exercises.check(2, yours))

# %% [markdown]
# A list or a dict? `keras.Model(inputs=[deep, wide], ...)` takes its inputs as a list in that
# order or as a dict by the `Input`s' names; the dict cannot be given in the wrong order. The
# package feeds dicts. Training both sides through their own `fit` from the same weights (your
# model when exercise 2 is done, else the package's twin):

# %%
run = train_side_by_side(two_inputs, x2, y, epochs=2 if quick() else 10, batch_size=8,
                         keras_model=yours.keras_model)
print(run)

# %%
print(exercises)
