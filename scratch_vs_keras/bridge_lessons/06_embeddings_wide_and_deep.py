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
import numpy as np

from scratch_vs_keras import compare_gradients, scratch
from scratch_vs_keras.data.adult import prepare_adult
from scratch_vs_keras.lessons import check_gradients, quick
from scratch_vs_keras.scratch.layers import Dense, Embedding

adult = prepare_adult(train_rows=2000 if quick() else 8000, test_rows=500, seed=0)
print("\n".join(adult.notes))

# %% [markdown]
# ### Exercise 1: the embedding's gradient
# A tiny network: `occupation` -> Embedding(., 3) -> Dense(1, sigmoid). Given the sensitivity
# $\partial J / \partial E$ of the gathered rows, build the table's gradient. (Filled in; note
# why `table[idx] += rows` would be wrong.)

# %%
occupation = scratch.Input(shape=(), dtype="int32", name="occupation")
emb = Embedding(adult.vocabulary_size("occupation"), 3, name="occupation_embedding")
out = Dense(1, activation="sigmoid", name="out")(emb(occupation))
tiny = scratch.Model(occupation, out, seed=0, dtype="float64")
tiny.compile(optimizer="adam", loss="binary_crossentropy")

x = {"occupation": adult.x_train["occupation"][:64]}
y = adult.y_train[:64]
print("distinct categories in this batch:", len(np.unique(x["occupation"])), "of 64 rows")

kernel, bias = tiny.get_weights()[1:]
E = tiny.layer_outputs(x)["occupation_embedding"]
delta = (1 / (1 + np.exp(-(E @ kernel + bias))) - y[:, None]) / len(y)   # dJ/dz of the output
dE = delta @ kernel.T                                                      # dJ/dE, one row per sample
table = np.zeros_like(tiny.get_weights()[0])
np.add.at(table, x["occupation"], dE)      # scatter-ADD: repeated categories accumulate
mine = dict(zip(tiny.weight_names(), tiny.loss_and_gradients(x, y)[1]))
mine["occupation_embedding/embeddings"] = table
print(check_gradients(mine, tiny, x, y))

wrong = np.zeros_like(table)
wrong[x["occupation"]] += dE               # fancy-index assignment keeps one row per category
mine["occupation_embedding/embeddings"] = wrong
print(check_gradients(mine, tiny, x, y))

# %% [markdown]
# ## Wide and deep
#
# The course's model: the **wide** part embeds crossed columns (workclass x occupation, ...),
# the **deep** part embeds each categorical column, joins the numeric ones and runs a Dense
# stack; the two are concatenated into one sigmoid unit. The package builds it in NumPy; its Keras
# twin is a functional `keras.Model` with identical weights.

# %%
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.experiments.wide_and_deep import build_wide_and_deep, inputs_of

model = build_wide_and_deep(adult, "wide_and_deep", seed=0)
model.summary()
batch = {k: v[:256] for k, v in inputs_of(model, adult.x_train).items()}
print(compare_gradients(model, batch, adult.y_train[:256], fd_max_entries=20).verdict())

# %% [markdown]
# Every layer output and every gradient — the embedding tables included — agree to round-off.
# Training through Keras's own `model.fit` stays together too:

# %%
run = train_side_by_side(model, inputs_of(model, adult.x_train), adult.y_train,
                         epochs=1 if quick() else 3, batch_size=64,
                         validation_data=(inputs_of(model, adult.x_test), adult.y_test))
print(run)
print("validation accuracy, NumPy:", run.scratch_history["val_accuracy"][-1],
      " Keras:", run.keras_history["val_accuracy"][-1])

# %% [markdown]
# One Keras detail the twin had to learn: Keras hands an embedding's gradient to the optimizer as
# `IndexedSlices` (one row per sample) and squares each row *before* repeated rows are summed, so
# Adam's second moment for a category seen twice is $g_1^2 + g_2^2$, not $(g_1 + g_2)^2$. The
# NumPy optimizers do the same; without it the two sides part at the first step, in the embedding
# tables (try `scratch_vs_keras.compare.first_divergence` after changing it).
