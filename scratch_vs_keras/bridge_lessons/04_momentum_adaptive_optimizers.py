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
# The lecture's step is $\mathbf W^{(l)} \leftarrow \mathbf W^{(l)} - \eta \nabla^{(l)}$. The
# course notebooks add three rules to it, each on a weight matrix $\mathbf W^{(l)}$ `(out, in)`
# with its gradient $\nabla^{(l)}$ and the rate $\eta_k$ of epoch $k$:
#
# | notebook | rule |
# |---|---|
# | 07a's code: heavy-ball momentum | $\rho = \eta_k \nabla + \alpha \rho_{prev}$, $\quad \mathbf W \leftarrow \mathbf W - \rho$ |
# | 07, 08, 08a: the one-step look-back | $\rho = \eta_k \nabla$, $\quad \mathbf W \leftarrow \mathbf W - (\rho + \alpha \rho_{prev})$ |
# | 08a's `TLPAdaGrad`: AdaGrad, then the look-back | $\mathbf G = \nabla \odot \nabla + \alpha \mathbf G_{prev} + 10^{-7}$, $\quad \nabla \leftarrow \nabla / \sqrt{\mathbf G}$, then the look-back with the same $\alpha$ |
#
# 07a and 08a leave the biases out ("no need for momentum in bias"): $\mathbf b \leftarrow
# \mathbf b - \eta_k \nabla_{\mathbf b}$. (07a's markdown writes $\mathbf W \leftarrow \mathbf W -
# \eta_k(\nabla + \alpha\rho_{prev})$; its code is the table's first row; the two differ once
# $\eta_k$ decreases.) Keras's `SGD(momentum=μ)` keeps a velocity $m \leftarrow \mu m - \eta
# \nabla$, $\mathbf W \leftarrow \mathbf W + m$: with $m = -\rho$ it is 07a's code, decreasing
# rate included. The look-back and 08a's AdaGrad have no stock Keras optimizer.
#
# You write 07a's step (exercise 1), 08a's step (exercise 2) and a course network with its
# optimizer in Keras (exercise 3). Each exercise is a function that still raises
# `NotImplementedError`; the cell after it checks it and says what to look at next.

# %%
import numpy as np

from scratch_vs_keras.course.rules import CourseSGD, course_learning_rate
from scratch_vs_keras.keras_side import configure_keras
from scratch_vs_keras.lessons import Exercises, check_values, quick

configure_keras("float64")   # before any Keras layer or variable exists
import keras  # noqa: E402

exercises = Exercises("07a's heavy-ball step", "08a's AdaGrad, then the look-back",
                      "a course network and its optimizer in Keras")
rng = np.random.default_rng(0)
W0 = rng.normal(size=(3, 4))                       # a weight matrix (out, in), no bias column
grads = [rng.normal(size=(3, 4)) for _ in range(6)]

# %% [markdown]
# ## Exercise 1: 07a's heavy-ball step
#
# Complete `heavy_ball_step`: one step of 07a's code for one weight matrix, returning the new
# $\mathbf W$ and the $\rho$ the next step looks back at.

# %% tags=["exercise"]
def heavy_ball_step(W, grad, rho_prev, eta, alpha):
    """07a's momentum: rho = eta * grad + alpha * rho_prev, then W - rho; returns (W, rho)."""
    raise NotImplementedError("exercise 1: rho from the gradient and rho_prev, then the step")


# %% [markdown]
# The check takes the package's rule (`CourseSGD(momentum="heavy_ball")`, the optimizer
# `CourseMLP` trains with) two steps in, so that $\rho_{prev} \neq 0$, and compares your third
# step with its third step:

# %%
def course_state(optimizer, steps):
    """W0 after `steps` updates of `optimizer` on `grads`, with the optimizer's rho (and G)."""
    W = W0.copy()
    for g in grads[:steps]:
        optimizer.apply([g], [W])
    return W, optimizer.rho_prev[0].copy(), optimizer.G[0].copy()


eta, alpha = 0.125, 0.5
W, rho_prev, _ = course_state(CourseSGD(eta, 1, momentum="heavy_ball", alpha=alpha), 2)
W_next, rho_next, _ = course_state(CourseSGD(eta, 1, momentum="heavy_ball", alpha=alpha), 3)
by_rule = check_values(heavy_ball_step, (W, grads[2], rho_prev, eta, alpha),
                       np.stack([W_next, rho_next]), "CourseSGD's step (W, rho)", tolerance=1e-14)
print(exercises.check(1, by_rule))

# %% [markdown]
# Now against Keras itself: `keras.optimizers.SGD(momentum=0.5)` on a `keras.Variable`, with the
# rate halving every two steps (08a's step decrease, `ExponentialDecay(staircase=True)` in
# Keras), six steps. Keras's schedule rounds its initial rate to float32, so the rates here are
# float32 numbers (0.125, 0.0625, ...): with 0.05 the two sides part by $2 \cdot 10^{-8}$
# (relative) at the first step, which is why the package's translation uses its own float64
# schedule, `CourseLearningRate`.

# %%
etas = [course_learning_rate(eta, k // 2, "step", 0.5, 1) for k in range(len(grads))]


def heavy_ball_path(W, grads, etas, alpha):
    """W after each of the steps your heavy_ball_step takes: (steps, out, in)."""
    rho, path = np.zeros_like(W), []
    for g, eta_k in zip(grads, etas):
        W, rho = heavy_ball_step(W, g, rho, eta_k, alpha)
        path.append(W)
    return np.array(path)


schedule = keras.optimizers.schedules.ExponentialDecay(eta, decay_steps=2, decay_rate=0.5,
                                                       staircase=True)
sgd, w = keras.optimizers.SGD(schedule, momentum=alpha), keras.Variable(W0.copy(), dtype="float64")
keras_path = []
for g in grads:
    sgd.apply([keras.ops.convert_to_tensor(g)], [w])
    keras_path.append(w.numpy())
if by_rule.ok:
    by_keras = check_values(heavy_ball_path, (W0, grads, etas, alpha), np.array(keras_path),
                            "Keras's SGD(momentum=0.5) at each of 6 steps (your heavy_ball_step "
                            "in a loop)", tolerance=1e-14)
    print(exercises.check(1, by_keras))
else:
    print("Keras's SGD is compared with your step once the check above passes.")

# %% [markdown]
# ## Exercise 2: 08a's AdaGrad, then the look-back
#
# 08a's `TLPAdaGrad` rescales the gradient first, then takes the look-back step with the *same*
# $\alpha$ (the AdaGrad decay and the momentum are one number in the notebook):
#
# $$\mathbf G = \nabla \odot \nabla + \alpha \mathbf G_{prev} + 10^{-7}, \qquad
#   \rho = \eta_k \frac{\nabla}{\sqrt{\mathbf G}}, \qquad
#   \mathbf W \leftarrow \mathbf W - (\rho + \alpha \rho_{prev})$$
#
# Complete `adagrad_lookback_step` for one weight matrix; it returns the new $\mathbf W$ and the
# state the next step needs, $\mathbf G$ and $\rho$.

# %% tags=["exercise"]
def adagrad_lookback_step(W, grad, G_prev, rho_prev, eta, alpha):
    """08a's update of one weight matrix. Returns (W, G, rho), each (out, in)."""
    raise NotImplementedError("exercise 2: G, the rescaled gradient, rho, then the look-back step")


# %% [markdown]
# First one step against the package's rule (two steps in, so $\mathbf G_{prev}$ and
# $\rho_{prev}$ are not zero); then a whole training: the course's 08a network on iris
# (`CourseMLP(variant="08a:TLPAdaGrad")`, Glorot start, cross-entropy, $C = 0.01$, the rate
# halving every epoch), once as the package trains it and once with your step on $\mathbf
# W^{(1)}$, $\mathbf W^{(2)}$ and the biases' plain step, every mini-batch's gradient taken at
# *your* weights. The first step, layer and tensor where the two part is named.

# %%
from sklearn.base import clone

from scratch_vs_keras.course.estimator import CourseMLP
from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras.lessons.progress import ValuesCheck

data = prepare(load_dataset("iris"), seed=0)
course_08a = CourseMLP(variant="08a:TLPAdaGrad", n_hidden=5, C=0.01, eta=0.05, alpha=0.1,
                       decrease_const=0.5, decrease_step=1, epochs=2 if quick() else 5,
                       minibatches=4, random_state=0)


def trained_with(step, est):
    """The lecture's [b | W] of each layer after every mini-batch step of ``est``'s plan, with
    ``step`` updating the weights and the plain step the biases (08a)."""
    x, Y, plan = est.prepare(data.x_train, data.y_train)
    W = [M[:, 1:].copy() for M in est.W_]
    b = [M[:, 0].copy() for M in est.W_]
    G, rho = [np.zeros_like(w) for w in W], [np.zeros_like(w) for w in W]
    after = []
    for epoch, batches in enumerate(plan):
        eta_k = course_learning_rate(est.eta, epoch, "step", est.decrease_const, est.decrease_step)
        for idx in batches:
            est.engine_.set_weights([t for w, c in zip(W, b) for t in (w.T, c)])
            _, g = est.engine_.loss_and_gradients(x[idx], Y[idx])   # Keras layout: kernel = W.T
            for l in range(len(W)):
                W[l], G[l], rho[l] = step(W[l], g[2 * l].T, G[l], rho[l], eta_k, est.alpha)
                b[l] = b[l] - eta_k * g[2 * l + 1]
            after.append([np.column_stack([c, w]) for w, c in zip(W, b)])
    return after


def follows_course(step, est):
    """Your ``step`` inside ``est``'s training against the package's own training, step by step."""
    reference = clone(est)
    x, Y, plan = reference.prepare(data.x_train, data.y_train)
    ours = []
    reference.train(x, Y, plan, on_batch_end=lambda *_: ours.append(reference.W_))
    yours = trained_with(step, clone(est))
    for s, (mine, theirs) in enumerate(zip(yours, ours)):
        for l, (a, r) in enumerate(zip(mine, theirs), start=1):
            rel = np.max(np.abs(a - r)) / np.max(np.abs(r))
            if not rel <= 1e-12:
                worst = np.unravel_index(np.argmax(np.abs(a - r)), r.shape)
                what = f"b{l} (column 0, the bias)" if worst[1] == 0 else f"W{l}"
                return ValuesCheck("wrong", f"✗ {step.__name__}() parts from the course at step "
                                   f"{s} (epoch {s // len(plan[0])}), layer {l}, {what} (entry "
                                   f"{worst}): relative difference {rel:.3g} > 1e-12.")
    return ValuesCheck("right", f"✓ {step.__name__}() trains as CourseMLP(variant="
                       f"{est.variant!r}) at all {len(ours)} steps (relative differences "
                       "<= 1e-12).")


adagrad = dict(momentum="lookback", alpha=0.1, adagrad=True, adagrad_decay=0.1)  # one alpha
W, rho_prev, G_prev = course_state(CourseSGD(eta, 1, **adagrad), 2)
W_next, rho_next, G_next = course_state(CourseSGD(eta, 1, **adagrad), 3)
one_step = check_values(adagrad_lookback_step, (W, grads[2], G_prev, rho_prev, eta, 0.1),
                        np.stack([W_next, G_next, rho_next]), "CourseSGD's step (W, G, rho)",
                        tolerance=1e-14)
print(exercises.check(2, one_step))
if one_step.ok:
    print(exercises.check(2, follows_course(adagrad_lookback_step, course_08a)))

# %% [markdown]
# ## The translation, measured
#
# The package translates each course rule into the smallest Keras addition that reproduces it
# (`docs/conventions.md`): 07a's heavy-ball rule becomes `SGD(momentum=alpha)`, the look-back
# and 08a's AdaGrad the package's Keras optimizer `CourseSGD`. Each trained on iris against its
# translation through `model.fit`, every epoch's cost and weights compared:

# %%
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from scratch_vs_keras.course.compare import compare_course

epochs = 3 if quick() else 20
rules = [("lookback", dict(momentum="lookback", alpha=0.3)),
         ("heavy_ball", dict(momentum="heavy_ball", alpha=0.5)),
         ("08a:TLPAdaGrad", dict(variant="08a:TLPAdaGrad", alpha=0.1))]
fig, panels = plt.subplots(1, len(rules), figsize=(10, 3))
for panel, (name, kw) in zip(panels, rules):
    run = compare_course(CourseMLP(n_hidden=6, eta=0.01, epochs=epochs, minibatches=4,
                                   random_state=0, **kw),
                         data.x_train, data.y_train)
    print(f"{name}: {run.parts['update']}: {'MATCH' if run.ok else 'MISMATCH'} (weights "
          f"{run.worst('weight'):.1e}, costs {run.worst('cost'):.1e})")
    cost = run.records[run.records.quantity == "cost"].pivot(index="epoch", columns="side",
                                                             values="value")
    panel.plot(cost.index, cost["scratch"], lw=3, alpha=0.5, label="course (NumPy)")
    panel.plot(cost.index, cost["keras"], "--", label="Keras (model.fit)")
    panel.set_title(f"{name}\nKeras: {run.parts['update']}", fontsize=8)
    panel.set_xlabel("epoch")
    panel.xaxis.set_major_locator(MaxNLocator(integer=True))
    panel.legend(fontsize=7)
panels[0].set_ylabel("cost_ (summed over the epoch)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Exercise 3: a course network and its optimizer in Keras
#
# The course setting: iris, 6 sigmoid hidden units, 3 sigmoid outputs, the course's summed
# cross-entropy, the course's 4x Glorot start, 07a's heavy-ball momentum with $\alpha = 0.5$ on
# the weights *and* the biases, $\eta = 0.125$ halving every epoch of 4 mini-batches. The NumPy
# side below is that network with the course's own rule (`CourseSGD`, NumPy) and cost (summed
# over samples and, through `loss_weights=k`, over the $k$ outputs; lesson 1's table).
#
# Complete `build_keras_model`: `keras.Input` (4 features), `Dense(6, activation="sigmoid",
# name="hidden")`, `Dense(3, activation="sigmoid", name="output")`, `keras.Model`, compiled with
# `keras.optimizers.SGD(..., momentum=0.5)` whose rate is `ExponentialDecay(0.125, decay_steps=4,
# decay_rate=0.5, staircase=True)`, `loss=keras.losses.BinaryCrossentropy(reduction="sum")` and
# `loss_weights=3.0`. The package copies the NumPy weights into it and compares one batch, then
# trains both sides through their own `fit` (Keras's real `model.fit`) and compares every step.

# %%
from scratch_vs_keras import scratch
from scratch_vs_keras.lessons import check_keras_model
from scratch_vs_keras.scratch.losses import BinaryCrossentropy
from scratch_vs_keras.scratch.layers import Dense

course_net_settings = CourseMLP(n_hidden=6, init="glorot", bias="vector", cost="cross_entropy",
                                momentum="heavy_ball", alpha=0.5, eta=0.125, decrease="step",
                                decrease_const=0.5, decrease_step=1, minibatches=4,
                                epochs=2 if quick() else 10, random_state=0)
x, Y, _ = course_net_settings.prepare(data.x_train, data.y_train)
features = scratch.Input((4,), name="features")
hidden = Dense(6, activation="sigmoid", name="hidden")(features)
course_net = scratch.Model(features, Dense(3, activation="sigmoid", name="output")(hidden),
                           seed=0, dtype="float64")
# the estimator's own optimizer (CourseSGD: heavy-ball, the halving rate), without its state
course_net.compile(optimizer=course_net_settings.engine_.optimizer.fresh(),
                   loss=BinaryCrossentropy(reduction="sum"), loss_weights=3.0)
course_net.set_weights(course_net_settings.keras_weights())   # the course's Glorot start


# %% tags=["exercise"]
def build_keras_model():
    """The course network in Keras, compiled with SGD(momentum=0.5) on a halving rate."""
    raise NotImplementedError("exercise 3: keras.Input, two Dense layers, keras.Model, compile")


# %%
batch = len(x) // 4
yours = check_keras_model(build_keras_model, course_net, x[:batch], Y[:batch])
print(exercises.check(3, yours))

# %% [markdown]
# The batch check compares the network and the loss; the optimizer shows in training. Once
# exercise 3 passes, both sides train from the same weights on the same 4 batches per epoch,
# every step's loss and weights compared, and the figure shows both loss curves (until then,
# the package's own translation `course_to_keras` is trained against the course estimator):

# %%
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.lessons import plot_run_losses


def plot_losses(run):
    plot_run_losses(run, "course rule (NumPy)", "your Keras model (model.fit)",
                    "batch cost (summed cross-entropy)")
    plt.show()


if yours.ok:
    run = train_side_by_side(course_net, x, Y, epochs=course_net_settings.epochs, batch_size=batch,
                             shuffle=False, keras_model=yours.keras_model)
    print(run)
    if not run.ok:   # the right network with another optimizer: not done yet
        print(exercises.check(3, ValuesCheck("wrong", "✗ Your network computes the course's "
                                             "numbers but trains otherwise: check SGD's momentum "
                                             "and its rate.")))
    plot_losses(run)
else:
    print("The package's translation, until yours is done:")
    print(compare_course(course_net_settings, data.x_train, data.y_train))

# %% [markdown]
# ## Adaptive optimizers: one update, bit for bit
#
# Beyond the course: the NumPy `Adam` mirrors Keras's arithmetic (including the float32-rounded
# betas in the bias corrections), so five updates from the same gradients are *identical*:

# %%
from scratch_vs_keras.scratch import optimizers

w0 = rng.normal(size=(4, 3))
ours, theirs = optimizers.Adam(0.01), keras.optimizers.Adam(0.01)
w_ours, w_theirs = w0.copy(), keras.Variable(w0.copy(), dtype="float64")
for _ in range(5):
    g = rng.normal(size=(4, 3))
    ours.apply([g.copy()], [w_ours])
    theirs.apply([keras.ops.convert_to_tensor(g)], [w_theirs])
print("max |NumPy Adam - Keras Adam| after 5 steps:", np.max(np.abs(w_ours - w_theirs.numpy())))

# %%
print(exercises)
