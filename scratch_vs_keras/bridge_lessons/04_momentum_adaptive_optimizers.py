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
# The 07, 08 and 08a notebooks' "momentum" looks one step back: $\rho = \eta_k g$,
# $W \leftarrow W - (\rho + \alpha\rho_{prev})$. The 07a notebook's *code* is heavy-ball momentum:
# $\rho = \eta_k g + \alpha\rho_{prev}$, $W \leftarrow W - \rho$ (its markdown writes
# $W \leftarrow W - \eta_k(g + \alpha c)$, which differs once $\eta_k$ decreases). Keras's
# `SGD(momentum=μ)` keeps a velocity $m \leftarrow \mu m - \eta g$, $W \leftarrow W + m$: with
# $m = -\rho$ it is 07a's code, decreasing rate included. 07a and 08a leave the biases out
# ("no need for momentum in bias"): $b \leftarrow b - \eta_k g_b$.

# %%
import numpy as np

from scratch_vs_keras.lessons import quick
from scratch_vs_keras.course.rules import CourseSGD
from scratch_vs_keras.scratch import optimizers
from scratch_vs_keras.scratch.optimizers.schedules import LearningRateSchedule

rng = np.random.default_rng(0)
grads = [rng.normal(size=3) for _ in range(4)]

# %% [markdown]
# ### Exercise 1: four steps of 07a's momentum by hand, with a decreasing rate
# (Filled in; try first.) The rate halves every step here ($\eta_k = 0.1 \cdot 0.5^k$, the power
# rule's kind of decrease, one step per epoch). The course optimizer must give the same weights.

# %%
eta, alpha = 0.1, 0.5
w, rho = np.zeros(3), np.zeros(3)
for k, g in enumerate(grads):
    rho = eta * 0.5 ** k * g + alpha * rho
    w = w - rho

course = CourseSGD(eta, steps_per_epoch=1, decrease="step", decrease_const=0.5, decrease_step=1,
                   momentum="heavy_ball", alpha=alpha)
w_course = np.zeros(3)
for g in grads:
    course.apply([g], [w_course])
print("by hand:", w, "\ncourse: ", w_course, "\nequal:", np.allclose(w, w_course, rtol=1e-15))

# %% [markdown]
# Keras's SGD with the same decreasing rate takes the same steps: its velocity carries each past
# $\eta_k g$ exactly as 07a's $\rho$ does. (Keras rounds the momentum through float32: 0.5 is exact,
# 0.9 becomes 0.899999976, which shows after a few steps.) The one-step look-back has no Keras
# optimizer at all.

# %%
class Halving(LearningRateSchedule):
    def __call__(self, step):
        return eta * 0.5 ** step

    def get_config(self):
        return {}


keras_like = optimizers.SGD(Halving(), momentum=alpha)     # the NumPy twin of keras.optimizers.SGD
w_keras = np.zeros(3)
for g in grads:
    keras_like.apply([g], [w_keras])
print("07a's momentum (course) vs SGD(momentum=0.5) (Keras): relative difference",
      np.max(np.abs(w_course - w_keras)) / np.max(np.abs(w_course)))

# %% [markdown]
# ## The translation, measured
#
# The package translates each course rule into the smallest Keras addition that reproduces it
# (`docs/conventions.md`); here the look-back and heavy-ball rules, and 08a's AdaGrad followed by
# the look-back with the biases outside (`CourseMLP(variant="08a:TLPAdaGrad")` sets that class's
# every rule), trained on iris against their Keras translations through `model.fit`:

# %%
from scratch_vs_keras.course.compare import compare_course
from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.course.estimator import CourseMLP

data = prepare(load_dataset("iris"), seed=0)
epochs = 3 if quick() else 20
for name, kw in [("lookback", dict(momentum="lookback", alpha=0.3)),
                 ("heavy_ball", dict(momentum="heavy_ball", alpha=0.9)),
                 ("08a:TLPAdaGrad", dict(variant="08a:TLPAdaGrad", alpha=0.1))]:
    run = compare_course(CourseMLP(n_hidden=6, eta=0.01, epochs=epochs, minibatches=4,
                                   random_state=0, **kw),
                         data.x_train, data.y_train)
    print(f"{name}: {run.parts['update']}, weights {run.worst('weight'):.1e}, costs {run.worst('cost'):.1e}")

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
