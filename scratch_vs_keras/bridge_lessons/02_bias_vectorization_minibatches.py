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
# # Lesson 2 — Bias row or bias vector; vectorization; mini-batches
#
# The lecture's self-test asks whether we should write
#
# - (A) $\mathbf z = \mathbf W \cdot \mathbf a_{bias}$, the bias a concatenated row of ones that
#   $\mathbf W$ absorbs as its column 0, or
# - (B) $\mathbf z = \mathbf W \mathbf a + \mathbf b$, the bias a separate vector.
#
# Answer with numbers: train the same network both ways from the same start.

# %%
import numpy as np

from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.lessons import Exercises, check_lecture_gradients, quick
from scratch_vs_keras.course.estimator import CourseMLP, bias_self_test

data = prepare(load_dataset("iris"), seed=0)
epochs = 3 if quick() else 20
table = bias_self_test(data.x_train, data.y_train, n_hidden=8, eta=0.01, epochs=epochs,
                       minibatches=4, C=0.05, random_state=0)
print(table.to_string(index=False))

# %% [markdown]
# After every epoch the weights and the costs of (A) and (B) agree to about $10^{-16}$: the
# *same model*, computed two ways (one matrix product over $[1; \mathbf a]$, or a product plus a
# vector) — equal up to the order of the additions. Keras's `Dense` is form (B).
#
# ## Vectorization
#
# The summed cost is a sum over samples, so its gradient is the sum of per-sample gradients. A
# loop over samples and one matrix product give the same numbers.
#
# ### Exercise 1: the gradient of one sample, then the sum
# Complete `one_sample` (bias as a vector, form B): the lecture's equations for one column
# $\mathbf x$ of $\mathbf A^{(1)}$, with $\mathbf z^{(1)} = \mathbf W^{(1)} \mathbf x + \mathbf b^{(1)}$.

# %%
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


exercises = Exercises("one sample's gradient, summed over the mini-batch")


# %% tags=["exercise"]
def one_sample(W1, b1, W2, b2, x, y):
    """One sample's gradients, form B: (grad_W1 (h, d), grad_b1 (h,), grad_W2 (k, h), grad_b2 (k,))."""
    # a2 = sigmoid(W1 x + b1), a3 = sigmoid(W2 a2 + b2), then v2 and v1 as in the lecture
    raise NotImplementedError("exercise 1: one sample's forward pass and sensitivities")


# %% [markdown]
# The check sums your `one_sample` over a mini-batch, one row at a time, and compares the sums
# with the package's vectorized back-propagation, at the course's first `array_split`
# mini-batch and at random points:

# %%
def looped(W1, b1, W2, b2, X, Y):
    """The mini-batch's gradients as the sum of one_sample over its rows."""
    totals = [0, 0, 0, 0]
    for x, y in zip(X, Y):
        totals = [t + p for t, p in zip(totals, one_sample(W1, b1, W2, b2, x, y))]
    return dict(zip(["W1", "b1", "W2", "b2"], totals))


est = CourseMLP(n_hidden=8, bias="vector", random_state=0)
X, Y, plan = est.prepare(data.x_train, data.y_train)    # the course's one-hot Y and its batches
W1, W2 = est.initial_weights_                          # (out, in + 1), bias in column 0
batch = plan[0][0]                                     # the first array_split mini-batch
print(exercises.check(1, check_lecture_gradients(looped, [W1, W2], X[batch], Y[batch],
                                                 bias="vector")))

# %% [markdown]
# ## Mini-batches
#
# The course cuts each epoch's (shuffled) rows into `minibatches` nearly equal pieces with
# `np.array_split`; Keras cuts fixed `batch_size` slices with a shorter last one. With 112 rows:

# %%
print("array_split into 3:", [len(b) for b in np.array_split(np.arange(len(X)), 3)])
print("Keras batch_size=38:", [len(range(i, min(i + 38, len(X)))) for i in range(0, len(X), 38)])

# %% [markdown]
# Batches also explain the numbers students ask about most once they move to Keras: why `fit`
# prints one loss, `evaluate` on the same rows another and a NumPy loop a third (`fit` averages
# each batch's loss *before* its update, weighted by the batch sizes), why with the full batch
# epoch 1 shows the untrained loss, and why the same seed still gives another shuffle. Each is
# reproduced number by number in `docs/questions.md` (questions 1, 2 and 9;
# `scratch-vs-keras run faq fit_vs_evaluate` writes the first one's report).

# %% [markdown]
# Different batches mean different steps. To reproduce the course in Keras, the translation feeds
# Keras the course's own batches through a generator (`docs/conventions.md`, row
# "mini-batches"); with that, the two trainings agree to round-off:

# %%
from scratch_vs_keras.course.compare import compare_course

run = compare_course(CourseMLP(n_hidden=8, eta=0.01, epochs=epochs, minibatches=3,
                               random_state=0), data.x_train, data.y_train)
print(run)

# %%
print(exercises)
