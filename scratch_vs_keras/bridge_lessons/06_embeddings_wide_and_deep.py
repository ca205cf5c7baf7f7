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
# # Lesson 6 — Embeddings and crosses: wide and deep on Adult
#
# An `Embedding` is a table with one row per category; the forward pass *gathers* the rows of
# the batch's categories. Its backward pass must *scatter-add*: a category that appears three
# times in the batch collects three gradients.

# %%
import functools

import numpy as np

from scratch_vs_keras import scratch
from scratch_vs_keras.data.adult import prepare_adult
from scratch_vs_keras.lessons import (Exercises, check_gradients, check_keras_model, check_values,
                                      quick)
from scratch_vs_keras.scratch.layers import Dense, Embedding

adult = prepare_adult(train_rows=2000 if quick() else 8000, test_rows=500, seed=0)
print("\n".join(adult.notes))

# %% [markdown]
# ### Exercise 1: the embedding's gradient
# A tiny network: `occupation` -> Embedding(., 3) -> Dense(1, sigmoid). Given the sensitivity
# $\partial J / \partial E$ of the gathered rows (one row per sample), complete
# `embedding_gradient`: the table's gradient, every row a category, repeated categories added.

# %%
exercises = Exercises("the embedding's gradient", "wide and deep in Keras",
                      "one matrix input with keras.ops.take", "Embedding(N, 1) is the linear wide part")
occupation = scratch.Input(shape=(), dtype="int32", name="occupation")
emb = Embedding(adult.vocabulary_size("occupation"), 3, name="occupation_embedding")
out = Dense(1, activation="sigmoid", name="out")(emb(occupation))
tiny = scratch.Model(occupation, out, seed=0, dtype="float64")
tiny.compile(optimizer="adam", loss="binary_crossentropy")
x = {"occupation": adult.x_train["occupation"][:64]}
y = adult.y_train[:64]
print("distinct categories in this batch:", len(np.unique(x["occupation"])), "of 64 rows")


# %% tags=["exercise"]
def embedding_gradient(table_shape, indices, dE):
    """The table's gradient (table_shape) from dJ/dE (B, output_dim) of the rows indices (B,)."""
    raise NotImplementedError("exercise 1: a table of zeros, then scatter-ADD the rows of dE")


# %%
def tiny_gradients(weights, x, y, scatter=None):
    """The tiny network's gradients, the embedding's from your embedding_gradient (or scatter)."""
    table, kernel, bias = weights
    idx = x["occupation"]
    E = table[idx]
    delta = (1 / (1 + np.exp(-(E @ kernel + bias))) - y[:, None]) / len(y)   # dJ/dz of the output
    scatter = scatter or embedding_gradient
    return {"occupation_embedding/embeddings": scatter(table.shape, idx, delta @ kernel.T),
            "out/kernel": E.T @ delta, "out/bias": delta.sum(axis=0)}


print(exercises.check(1, check_gradients(tiny_gradients, tiny, x, y)))

# %% [markdown]
# Why not `table[idx] += dE`? NumPy's fancy-index assignment keeps *one* row per repeated
# category. The checker recognizes it:

# %% tags=["planted-mistake"]
def overwritten(table_shape, indices, dE):
    table = np.zeros(table_shape)
    table[indices] += dE               # fancy-index assignment keeps one row per category
    return table


print(check_gradients(functools.partial(tiny_gradients, scatter=overwritten), tiny, x, y))

# %% [markdown]
# ## Wide and deep
#
# The course's model: the **wide** part embeds crossed columns (workclass x occupation, ...),
# the **deep** part embeds each categorical column, joins the numeric ones and runs a Dense
# stack; the two are concatenated into one sigmoid unit. The package builds it in NumPy:

# %%
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.experiments.wide_and_deep import build_wide_and_deep, inputs_of

model = build_wide_and_deep(adult, "wide_and_deep", seed=0)
model.summary()
batch = {k: v[:256] for k, v in inputs_of(model, adult.x_train).items()}
print("crosses:", adult.crosses)
print("categorical:", adult.categorical, " numeric:", len(adult.numeric), "columns")

# %% [markdown]
# ### Exercise 2: wide and deep in Keras
# Write it as the course's notebook 10 does, with one `keras.Input(shape=(), dtype="int32",
# name=column)` per crossed and per categorical column (named as in `adult.crosses` and
# `adult.categorical`) and `keras.Input(shape=(6,), name="numeric")`:
#
# - wide: per cross `Embedding(adult.vocabulary_size(c), 4, name=f"wide_{c}")`;
# - deep: per categorical column `Embedding(..., 4, name=f"deep_{c}")`, then
#   `concatenate(deep embeddings + [numeric], name="deep_features")`, `Dense(32, "relu",
#   name="deep_dense_0")`, `Dense(16, "relu", name="deep_dense_1")`;
# - `concatenate(wide embeddings + [deep], name="wide_and_deep")`, `Dense(1, "sigmoid",
#   name="income")`; compile with `optimizer="adam", loss="binary_crossentropy",
#   metrics=["accuracy"]` (as the course does).
#
# Give `keras.Model` the inputs as a **dict** by name (`inputs={c: input_c, ...}`) or a list: a
# dict of arrays is matched by name either way. `Embedding(input_dim=...)` needs a Python `int`
# (see the pitfalls below).

# %%
from scratch_vs_keras.keras_side import configure_keras

configure_keras("float64")   # before any Keras layer exists: a layer's dtype is fixed when it is made
import keras  # noqa: E402


# %% tags=["exercise"]
def build_keras_model():
    """The course's wide-and-deep network on Adult, with Keras's functional API."""
    raise NotImplementedError("exercise 2: Inputs, Embeddings, concatenate, Dense, Model, compile")


# %%
yours = check_keras_model(build_keras_model, model, batch, adult.y_train[:256])
print(exercises.check(2, yours))

# %% [markdown]
# Every layer output and every gradient — the embedding tables included — agree to round-off.
# Training through Keras's own `model.fit` stays together too (your model when exercise 2 is
# done, else the package's twin):

# %%
# importing the experiments above switched matplotlib to its file backend: figures inline again
# %matplotlib inline
import matplotlib.pyplot as plt

run = train_side_by_side(model, inputs_of(model, adult.x_train), adult.y_train,
                         epochs=1 if quick() else 3, batch_size=64,
                         validation_data=(inputs_of(model, adult.x_test), adult.y_test),
                         keras_model=yours.keras_model)
print(run)
print("validation accuracy, NumPy:", run.scratch_history["val_accuracy"][-1],
      " Keras:", run.keras_history["val_accuracy"][-1])
losses = run.records[run.records.quantity == "batch_loss"].pivot(index="step", columns="side",
                                                                  values="value")
plt.plot(losses.index, losses["scratch"], lw=3, alpha=0.5, label="NumPy")
plt.plot(losses.index, losses["keras"], "--", label="Keras (model.fit)")
plt.xlabel("step")
plt.ylabel("batch loss (binary cross-entropy)")
plt.legend()
plt.show()

# %% [markdown]
# ### Exercise 3: one matrix input, as notebook 10 writes it
# Notebook 10 feeds the categorical columns as *one* integer matrix and picks column `i` inside
# the model with `tf.gather(matrix, i, axis=1)`, which Keras 3 refuses on a `KerasTensor`.
# Complete `build_matrix_model`: the same layers with the same names, but three inputs given as
# a **list** — `keras.Input(shape=(3,), dtype="int32", name="crosses")` (the columns of
# `adult.crosses`, in order), `keras.Input(shape=(8,), dtype="int32", name="categorical")` (those
# of `adult.categorical`) and the numeric one — each column picked with `keras.ops.take(matrix,
# i, axis=1)`. A list is matched by position, so the matrices must come in the order of
# `inputs=[...]`. No need to compile. The check copies the NumPy model's weights into it by
# layer name and compares its predictions with the NumPy model's.

# %% tags=["exercise"]
def build_matrix_model():
    """Exercise 2's network with matrix inputs [crosses (B, 3), categorical (B, 8), numeric (B, 6)]."""
    raise NotImplementedError("exercise 3: keras.ops.take(matrix, i, axis=1) per column")


# %%
from scratch_vs_keras.keras_side import copy_weights


def matrix_model_predictions(matrices):
    """The predictions of your matrix-input model, with the NumPy model's weights copied in."""
    return copy_weights(model, build_matrix_model()).predict(matrices, verbose=0)


as_matrices = [np.stack([batch[c] for c in adult.crosses], axis=1),
               np.stack([batch[c] for c in adult.categorical], axis=1), batch["numeric"]]
print(exercises.check(3, check_values(matrix_model_predictions, (as_matrices,), model.predict(batch),
                                      "the NumPy model's predictions")))

# %% [markdown]
# ### Exercise 4: `Embedding(N, 1)` is the paper's linear wide part
# Cheng et al. (2016)'s wide part is a linear model on one-hot crossed features, $\mathbf w^T
# \mathbf x$. An `Embedding(N, 1)` looks up one number per category. Complete
# `linear_on_one_hot`: one-hot encode the indices (`(B, N)`) and multiply by the weights `w`
# `(N, 1)`; the check compares it with the `Embedding(N, 1)` layer's output on the same indices.

# %% tags=["exercise"]
def linear_on_one_hot(indices, w):
    """w^T x for x the one-hot encoding of each index: (B, 1)."""
    raise NotImplementedError("exercise 3: np.eye(N)[indices] @ w")


# %%
cross = adult.crosses[0]
one_column = scratch.Input(shape=(), dtype="int32", name=cross)
wide_only = Embedding(adult.vocabulary_size(cross), 1, name="wide")(one_column)
linear = scratch.Model(one_column, Dense(1, activation="sigmoid", name="income")(wide_only),
                       seed=0, dtype="float64")
indices = adult.x_train[cross][:256]
print(exercises.check(4, check_values(linear_on_one_hot, (indices, linear.get_weights()[0]),
                                      linear.layer_outputs({cross: indices})["wide"],
                                      "the Embedding(N, 1) layer's output")))

# %% [markdown]
# A sum of such lookups, one per crossed column, plus a bias is exactly the paper's $\mathbf
# w_{wide}^T [\mathbf x, \phi(\mathbf x)] + b$ — without ever building the one-hot matrix, whose
# width is the number of combinations. With `output_dim > 1` (as above, 4) the wide part is a
# low-rank generalization that the final Dense layer mixes.
#
# ## Running the course's notebooks 10 and 10a today: pandas 3 and Keras 3 pitfalls
#
# | what the notebook does | what happens today | the fix |
# |---|---|---|
# | `if df_test.income.dtype == 'object':` before cleaning the labels | pandas 3 reads text as the `str` dtype: the test is False, the clean-up is skipped silently and the encoder meets `'<=50K.'` ("unseen labels", "Cast string to float") | test `pd.api.types.is_string_dtype(df_test.income)`, or clean unconditionally |
# | `df_test.income.replace([...], [...], inplace=True)` | copy-on-write (pandas 3): a chained `inplace` call changes a temporary copy, nothing else | assign: `df_test["income"] = df_test["income"].replace([...], [...])` |
# | `x = tf.gather(input_branch, idx, axis=1)` on a `keras.Input` | Keras 3: a `KerasTensor` cannot be passed to a TensorFlow op (ValueError) | `keras.ops.take(input_branch, idx, axis=1)`, or one `Input` per column as above |
# | `Embedding(input_dim=N, ...)` with `N = df[col].max() + 1` (a `numpy.int64`) | Keras 3.15 rejects a NumPy integer for `input_dim` | `Embedding(input_dim=int(N), output_dim=int(np.sqrt(N)))` |
# | `Embedding(..., input_length=1)` | Keras 3 has no `input_length` argument | drop it |
#
# The one-matrix input of notebook 10 works in Keras 3 with `keras.ops.take` (exercise 3); the
# NumPy twin takes one input per column, the form of exercise 2.

# %% [markdown]
# One Keras detail the twin had to learn: Keras hands an embedding's gradient to the optimizer as
# `IndexedSlices` (one row per sample) and squares each row *before* repeated rows are summed, so
# Adam's second moment for a category seen twice is $g_1^2 + g_2^2$, not $(g_1 + g_2)^2$. The
# NumPy optimizers do the same; without it the two sides part at the first step, in the embedding
# tables (try `scratch_vs_keras.compare.first_divergence` after changing it).

# %%
print(exercises)
