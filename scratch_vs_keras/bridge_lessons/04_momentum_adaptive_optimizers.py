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
# # Lesson 4 — Momentum and adaptive optimizers, course vs Keras
#
# The 07/08 notebooks' "momentum" looks one step back: $\rho = \eta g$,
# $W \leftarrow W - \rho - \alpha\rho_{prev}$. The 07a notebooks' is heavy-ball momentum:
# $c \leftarrow g + \alpha c$, $W \leftarrow W - \eta c$. Keras's `SGD(momentum=μ)` keeps a
# velocity $m \leftarrow \mu m - \eta g$, $W \leftarrow W + m$.

# %%
import numpy as np

from scratch_vs_keras.lessons import quick
from scratch_vs_keras.course.estimator import CourseSGD
from scratch_vs_keras.scratch import optimizers

rng = np.random.default_rng(0)
grads = [rng.normal(size=3) for _ in range(4)]

# %% [markdown]
# ### Exercise 1: four steps of heavy-ball momentum by hand
# (Filled in; try first.) The course optimizer must give the same weights.

# %%
eta, alpha = 0.1, 0.9
w, c = np.zeros(3), np.zeros(3)
for g in grads:
    c = g + alpha * c
    w = w - eta * c

course = CourseSGD(eta, steps_per_epoch=1, momentum="heavy_ball", alpha=alpha)
w_course = np.zeros(3)
for g in grads:
    course.apply([g], [w_course])
print("by hand:", w, "\ncourse: ", w_course, "\nequal:", np.allclose(w, w_course, rtol=1e-15))

# %% [markdown]
# For a constant $\eta$ Keras's velocity is $m = -\eta c$, so `SGD(momentum=0.9)` takes the same
# steps — except that Keras rounds the momentum through float32 (0.9 becomes 0.899999976), which
# shows after a few steps. The one-step look-back has no Keras optimizer at all.

# %%
keras_like = optimizers.SGD(eta, momentum=alpha)     # the NumPy twin of keras.optimizers.SGD
w_keras = np.zeros(3)
for g in grads:
    keras_like.apply([g], [w_keras])
print("heavy ball (course) vs SGD(momentum=0.9) (Keras): relative difference",
      np.max(np.abs(w_course - w_keras)) / np.max(np.abs(w_course)))

# %% [markdown]
# ## The translation, measured
#
# The package translates each course rule into the smallest Keras addition that reproduces it
# (`docs/conventions.md`); here the look-back and heavy-ball rules, trained on iris against their
# Keras translations through `model.fit`:

# %%
from scratch_vs_keras.course.compare import compare_course
from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.course.estimator import CourseMLP

data = prepare(load_dataset("iris"), seed=0)
epochs = 3 if quick() else 20
for rule, a in [("lookback", 0.3), ("heavy_ball", 0.9)]:
    run = compare_course(CourseMLP(n_hidden=6, eta=0.01, epochs=epochs, minibatches=4,
                                   momentum=rule, alpha=a, random_state=0),
                         data.x_train, data.y_train)
    print(f"{rule}: {run.parts['update']}, weights {run.worst('weight'):.1e}, costs {run.worst('cost'):.1e}")

# %% [markdown]
# ## Adaptive optimizers: one update, bit for bit
#
# The NumPy `Adam` mirrors Keras's arithmetic (including the float32-rounded betas in the bias
# corrections), so one update from the same gradient is *identical*:

# %%
from scratch_vs_keras.keras_side._tf import import_keras

keras = import_keras()
keras.config.set_floatx("float64")
w0 = rng.normal(size=(4, 3))
ours, theirs = optimizers.Adam(0.01), keras.optimizers.Adam(0.01)
w_ours, w_theirs = w0.copy(), keras.Variable(w0.copy(), dtype="float64")
for _ in range(5):
    g = rng.normal(size=(4, 3))
    ours.apply([g.copy()], [w_ours])
    theirs.apply([keras.ops.convert_to_tensor(g)], [w_theirs])
print("max |NumPy Adam - Keras Adam| after 5 steps:", np.max(np.abs(w_ours - w_theirs.numpy())))
