"""Each perceptron class of the course notebooks 07, 07a, 08 and 08a as a ``CourseMLP`` preset.

What each class does is stated here in the test's own words (``CLASSES``), from reading the
notebooks, and checked two ways: small cases worked out by hand, and a short training run against
``lecture_run``, a plain statement of the lecture's equations (samples as columns, the bias as
column 0 of W) with the rules switched on as ``CLASSES`` says. The residuals against the
notebooks' own classes, run unchanged, are measured outside the test suite (see the README).
"""

import numpy as np
import pytest
from sklearn.base import clone

from scratch_vs_keras.course.compare import compare_course
from scratch_vs_keras.course.estimator import CourseMLP
from scratch_vs_keras.course.keras import course_to_keras
from scratch_vs_keras.course.presets import VARIANTS
from scratch_vs_keras.course.rules import CourseL2, CourseSGD, course_learning_rate

# class: bias layout, how the start is drawn (bias "drawn" with the weights or starting at
# "zero"), init scheme, output bias, cost, activation, rate rule, update, biases' step, L2 factor
_07 = dict(bias="row", draw="drawn", init="uniform", b_out=0.0, cost="quadratic", act="sigmoid",
           l2=1, plain=False, adagrad=False, notebook="07")
_07A = {**_07, "bias": "vector", "draw": "zero", "l2": 2, "plain": True, "notebook": "07a"}
_08 = {**_07, "notebook": "08", "decrease": "inverse_time", "momentum": "lookback"}
_08A = {**_07, "bias": "vector", "draw": "zero", "plain": True, "notebook": "08a",
        "decrease": "step", "momentum": "lookback"}
CE = {"cost": "cross_entropy"}
CLASSES = {
    "07:TwoLayerPerceptronVectorized": {**_07, "decrease": "none", "momentum": "none", "full": True},
    "07:TLPVectorizedMiniBatch": {**_07, "decrease": "power", "momentum": "lookback"},
    "07a:TwoLayerPerceptronVectorized": {**_07A, "decrease": "none", "momentum": "none", "full": True},
    "07a:TLPVectorizedMiniBatch": {**_07A, "decrease": "power", "momentum": "heavy_ball"},
    "08:TLPMiniBatch": _08,
    "08:TLPMiniBatchCrossEntropy": {**_08, **CE},
    "08:TLPBetterInitial": {**_08, **CE, "init": "glorot"},
    "08:TLPReLU": {**_08, **CE, "init": "relu", "act": "relu"},
    "08:TLPDropout": {**_08, **CE, "decrease": "inverse_time_compound"},
    "08a:TLPMiniBatch": _08A,
    "08a:TLPMiniBatchCrossEntropy": {**_08A, **CE},
    "08a:TLPBetterInitial": {**_08A, **CE, "init": "glorot", "b_out": -2.0},
    "08a:TLPAdaGrad": {**_08A, **CE, "init": "glorot", "b_out": -2.0, "adagrad": True},
    "08a:TLPReLU": {**_08A, **CE, "init": "relu", "act": "relu", "b_out": -1.0, "adagrad": True},
}
HP = dict(n_hidden=5, C=0.05, eta=0.05, alpha=0.3, decrease_const=0.2, decrease_step=2,
          random_state=3)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] + X[:, 2] > 0.5)  # 3 classes
    return X, y


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _start(rs, sizes, c):
    """The start as the class draws it: layer by layer, (out, in + 1) or (out, in)."""
    weights = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        output = i == len(sizes) - 2
        plus = 1 if c["draw"] == "drawn" else 0
        half = {"uniform": 1.0, "glorot": 4 * np.sqrt(6.0 / (fan_in + fan_out + plus)),
                "relu": (4 if output else np.sqrt(2)) * np.sqrt(6.0 / (fan_in + fan_out + plus))}[c["init"]]
        if c["draw"] == "drawn":
            W = rs.uniform(-half, half, size=(fan_out, fan_in + 1))
            if c["init"] != "uniform":
                W[:, 0] = 0.0
        else:
            W = np.hstack([np.full((fan_out, 1), c["b_out"] if output else 0.0),
                           rs.uniform(-half, half, size=(fan_out, fan_in))])
        weights.append(W)
    return weights


def _recorded(c, Y, A, W, C):
    """The notebook's plotted cost: a mean error plus a square-root penalty (see rules.py)."""
    if c["cost"] == "quadratic":
        err = np.mean((Y - A) ** 2)
    else:
        eps = 1e-7 if c["notebook"] == "08a" else 0.0
        err = -np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps))
    drop = 2 if (c["notebook"] == "08a") else 1  # 08a slices [:, 1:] of its bias-free W
    factor = C if c["notebook"] in ("07", "07a") else C / 2
    return err + factor * np.sqrt(sum(np.mean(w[:, drop:] ** 2) for w in W))


def lecture_run(X, y, c, epochs, minibatches, shuffle=True, fits=1, **hp):
    """Train as class ``c`` does, written from the lecture's equations; ``(W, recorded)``.
    ``fits`` > 1: 08a's second ``fit`` on the same object (weights, momentum, AdaGrad and the
    random stream carry on; the rate rule starts again at epoch 0; the data's order starts again)."""
    rs = np.random.RandomState(hp["random_state"])
    classes = np.unique(y)
    Y = (y[None, :] == classes[:, None]).astype(float)  # (k, n)
    W = _start(rs, (X.shape[1], hp["n_hidden"], len(classes)), c)
    prev, G = [np.zeros_like(w) for w in W], [np.zeros_like(w) for w in W]
    recorded = []
    for e in [e for _ in range(fits) for e in range(epochs)]:
        if e == 0:
            order = np.arange(len(X))  # fit copies X afresh
        eta = course_learning_rate(hp["eta"], e, c["decrease"], hp["decrease_const"], hp["decrease_step"])
        if shuffle:
            order = order[rs.permutation(len(X))]  # the previous epoch's order, permuted again
        for idx in np.array_split(order, int(minibatches)):
            A1 = np.vstack([np.ones(len(idx)), X[idx].T])
            Z1 = W[0] @ A1
            H = _sigmoid(Z1) if c["act"] == "sigmoid" else np.maximum(Z1, 0)
            A2 = np.vstack([np.ones(len(idx)), H])
            A3 = _sigmoid(W[1] @ A2)
            recorded.append(_recorded(c, Y[:, idx], A3, W, hp["C"]))
            V2 = -2 * (Y[:, idx] - A3) * A3 * (1 - A3) if c["cost"] == "quadratic" else A3 - Y[:, idx]
            dH = H * (1 - H) if c["act"] == "sigmoid" else (Z1 > 0).astype(float)
            V1 = dH * (W[1][:, 1:].T @ V2)
            grads = [V1 @ A1.T, V2 @ A2.T]
            for l, (g, w) in enumerate(zip(grads, W)):
                g[:, 1:] += c["l2"] * hp["C"] * w[:, 1:]
                g_bias = g[:, 0].copy()
                if c["adagrad"]:
                    G[l] = g * g + hp["alpha"] * G[l] + 1e-7
                    g = g / np.sqrt(G[l])
                rho = eta * g + (hp["alpha"] * prev[l] if c["momentum"] == "heavy_ball" else 0)
                step = rho + (hp["alpha"] * prev[l] if c["momentum"] == "lookback" else 0)
                prev[l] = rho
                if c["plain"]:
                    step[:, 0] = eta * g_bias
                W[l] = W[l] - step
    return W, recorded


@pytest.mark.parametrize("variant", sorted(CLASSES))
def test_each_preset_trains_as_its_class(variant, data):
    """Weights and the notebook's recorded cost, every mini-batch, against the lecture's
    equations with the class's rules (3 epochs; the full-batch classes take 1 batch)."""
    X, y = data
    c = CLASSES[variant]
    full = c.get("full", False)
    minibatches = 1 if full else len(X) / 16  # a float, as the notebooks' len(X)/256
    est = CourseMLP(variant=variant, epochs=3, minibatches=minibatches, **HP).fit(X, y)
    W, recorded = lecture_run(X, y, c, 3, minibatches, shuffle=not full, **HP)
    for ours, theirs in zip(est.W_, W):
        assert np.max(np.abs(ours - theirs)) <= 1e-12 * np.max(np.abs(theirs)), variant
    ours = np.ravel(est.course_cost_)
    per_epoch = np.reshape(recorded, (3, -1))
    expected = per_epoch.mean(axis=1) if c["notebook"] == "08a" else np.ravel(per_epoch)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=0)


def test_every_course_class_has_a_preset():
    assert set(VARIANTS) == set(CLASSES) | {"07:TLPVectorizedBFGS", "07a:TLPVectorizedBFGS"}


def test_heavy_ball_by_hand_with_a_decreasing_rate():
    """07a's code: rho = eta_k*g + alpha*rho_prev; W -= rho. g = 1, eta = 0.5, d = 1 (power rule:
    eta_1 = 0.5**2 = 0.25), alpha = 0.5: w = -0.5, then -0.5 - (0.25 + 0.25) = -1.0, which Keras's
    SGD(momentum=0.5) also gives (07a's markdown rule would give -0.875)."""
    w = np.zeros(1)
    opt = CourseSGD(0.5, steps_per_epoch=1, decrease="power", decrease_const=1.0,
                    momentum="heavy_ball", alpha=0.5)
    opt.apply([np.ones(1)], [w])
    opt.apply([np.ones(1)], [w])
    assert w[0] == -1.0


def test_adagrad_then_lookback_with_one_alpha_and_plain_bias_by_hand():
    """08a: G = g^2 + alpha*G + 1e-7, g/sqrt(G), then the look-back with the same alpha; the bias
    takes b -= eta*g. g = 1, eta = 0.1, alpha = 0.5, two steps."""
    w, b = np.zeros(1), np.zeros(1)
    opt = CourseSGD(0.1, steps_per_epoch=1, momentum="lookback", alpha=0.5, adagrad=True,
                    adagrad_decay=0.5, plain=[None, True])
    for _ in range(2):
        opt.apply([np.ones(1), np.ones(1)], [w, b])
    G1 = 1 + 1e-7
    G2 = 1 + 0.5 * G1 + 1e-7
    rho1, rho2 = 0.1 / np.sqrt(G1), 0.1 / np.sqrt(G2)
    assert w[0] == pytest.approx(-rho1 - (rho2 + 0.5 * rho1), rel=1e-15)
    assert b[0] == pytest.approx(-0.2, rel=1e-15)


def test_compounded_inverse_time_rate_by_hand():
    """08's Dropout class divides its own rate each epoch: 0.1, 0.1/1.5, 0.1/1.5/2.0."""
    rates = [course_learning_rate(0.1, e, "inverse_time_compound", 0.5) for e in range(3)]
    np.testing.assert_allclose(rates, [0.1, 0.1 / 1.5, 0.1 / 1.5 / 2.0], rtol=1e-15)


def test_07a_l2_gradient_is_2C_W():
    w = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.testing.assert_array_equal(CourseL2(0.1, factor=2).gradient(w), 2 * 0.1 * w)
    assert CourseL2(0.1, factor=2).penalty(w) == pytest.approx(0.1 * np.sum(w ** 2), rel=1e-15)


def test_initial_weights_replace_the_draws_but_keep_the_shuffles(data):
    """A notebook's own start, given, reproduces the run from its seed (the draws still advance
    the random state, so the epochs' shuffles are the notebook's)."""
    X, y = data
    kw = dict(variant="08:TLPMiniBatch", epochs=3, minibatches=4, **HP)
    drawn = CourseMLP(**kw).fit(X, y)
    given = CourseMLP(initial_weights=drawn.initial_weights_, **kw).fit(X, y)
    for a, b in zip(drawn.W_, given.W_):
        np.testing.assert_array_equal(a, b)


def test_dropout_trains_a_thinned_network_and_leaves_the_others(data):
    """08's TLPDropout: per epoch int(n_hidden*(1 - dropout)) units are left out; their rows of
    W1 and columns of W2 do not move, and the others train as a smaller network would."""
    X, y = data
    kw = dict(variant="08:TLPDropout", n_hidden=6, C=0.05, eta=0.05, alpha=0.3, decrease_const=0.2,
              minibatches=4, random_state=3)
    est = CourseMLP(dropout=0.5, epochs=1, **kw).fit(X, y)
    kept = est.kept_units_[0]
    assert len(kept) == 6 - int(6 * 0.5)
    W1_0, W2_0 = est.initial_weights_
    out = np.setdiff1d(np.arange(6), kept)
    np.testing.assert_array_equal(est.W1[out], W1_0[out])
    np.testing.assert_array_equal(est.W2[:, out + 1], W2_0[:, out + 1])
    cols = np.concatenate([[0], kept + 1])
    small = CourseMLP(**{**kw, "n_hidden": len(kept)}, epochs=1, shuffle=False,
                      initial_weights=[W1_0[kept], W2_0[:, cols]])
    Xs, Y, _ = small.prepare(X, y)
    small.train(Xs, Y, clone(est).prepare(X, y)[2])  # the thinned run on the same mini-batches
    np.testing.assert_allclose(est.W1[kept], small.W1, rtol=0, atol=1e-14)
    np.testing.assert_allclose(est.W2[:, cols], small.W2, rtol=0, atol=1e-14)


@pytest.mark.parametrize("variant", ["07:TLPVectorizedBFGS", "07a:TLPVectorizedBFGS"])
def test_bfgs_starts_from_the_notebook_value_and_returns_its_best_point(variant, data):
    """SciPy's first evaluation is at the start (sum of squared errors plus the notebook's penalty,
    by hand), and the weights returned are a point L-BFGS-B evaluated, lower than the start."""
    X, y = data
    c = {**CLASSES[variant.replace("TLPVectorizedBFGS", "TwoLayerPerceptronVectorized")]}
    est = CourseMLP(variant=variant, epochs=30, **{k: HP[k] for k in ("n_hidden", "C", "random_state")})
    est.fit(X, y)

    def value(W):
        Y = (y[None, :] == np.unique(y)[:, None]).astype(float)
        A2 = np.vstack([np.ones(len(X)), _sigmoid(W[0] @ np.vstack([np.ones(len(X)), X.T]))])
        A3 = _sigmoid(W[1] @ A2)
        return np.sum((Y - A3) ** 2) + _recorded(c, Y, A3, W, HP["C"]) - np.mean((Y - A3) ** 2)

    assert est.course_cost_[0] == pytest.approx(value(est.initial_weights_), rel=1e-12)
    end = value(est.W_)
    assert np.min(np.abs(np.array(est.course_cost_) - end)) <= 1e-12 * end
    assert end < est.course_cost_[0]
    assert len(est.course_cost_) <= 30 + 25  # maxfun, plus the line search's last evaluations
    assert est.n_iter_ >= 1


@pytest.mark.parametrize("variant", [v for v in sorted(CLASSES) if v.startswith("08a:")])
def test_08a_second_fit_continues(variant, data):
    """08a's classes draw their start only on the first ``fit``: a second ``fit`` continues from
    the weights, the momentum and AdaGrad state and the random stream, its rate rule from epoch 0."""
    X, y = data
    est = CourseMLP(variant=variant, epochs=3, minibatches=len(X) / 16, **HP)
    est.fit(X, y)
    est.fit(X, y)
    W, recorded = lecture_run(X, y, CLASSES[variant], 3, len(X) / 16, fits=2, **HP)
    for ours, theirs in zip(est.W_, W):
        assert np.max(np.abs(ours - theirs)) <= 1e-12 * np.max(np.abs(theirs)), variant
    expected = np.reshape(recorded, (6, -1)).mean(axis=1)[3:]  # the second fit's costs only
    np.testing.assert_allclose(est.course_cost_, expected, rtol=1e-12, atol=0)


def test_warm_start_off_refits_from_the_seed_and_on_refuses_other_data(data):
    X, y = data
    est = CourseMLP(variant="08:TLPMiniBatch", epochs=2, minibatches=3, **HP).fit(X, y)
    first = est.W_
    est.fit(X, y)  # 08 draws a new start every fit; an int seed starts the stream again
    for a, b in zip(first, est.W_):
        np.testing.assert_array_equal(a, b)
    warm = CourseMLP(variant="08a:TLPMiniBatch", epochs=2, minibatches=3, **HP).fit(X, y)
    with pytest.raises(ValueError, match=r"warm_start continues the fitted network .* warm_start=False"):
        warm.fit(X[:, :3], y)


def test_score_lists_are_the_notebooks_accuracies(data):
    """``score_``: training accuracy before the first epoch and after each, by hand from the
    lecture's forward pass on the start and from ``predict`` at the end; ``val_score_`` on XY_test."""
    X, y = data
    X_test, y_test = X[:15] + 0.1, y[:15]
    est = CourseMLP(variant="08:TLPMiniBatchCrossEntropy", epochs=4, minibatches=3, **HP)
    est.fit(X, y, XY_test=(X_test, y_test))

    def accuracy(W, X, y):
        A2 = np.vstack([np.ones(len(X)), _sigmoid(W[0] @ np.vstack([np.ones(len(X)), X.T]))])
        return np.mean(np.unique(y)[np.argmax(W[1] @ A2, axis=0)] == y)

    assert len(est.score_) == len(est.val_score_) == 5
    assert est.score_[0] == accuracy(est.initial_weights_, X, y)
    assert est.val_score_[0] == accuracy(est.initial_weights_, X_test, y_test)
    assert est.score_[-1] == accuracy(est.W_, X, y) and est.val_score_[-1] == accuracy(est.W_, X_test, y_test)
    assert CourseMLP(epochs=2, **HP).fit(X, y).score_ is None  # no variant, no XY_test: not recorded
    with pytest.raises(ValueError, match=r"`XY_test` must be a pair \(X_test, y_test\)"):
        est.fit(X, y, XY_test=X_test)


def test_dropout_class_leaves_its_decayed_rate_for_the_next_fit(data):
    """08's TLPDropout divides ``self.eta`` by (1 + d i) in place every epoch i."""
    X, y = data
    est = CourseMLP(variant="08:TLPDropout", epochs=3, minibatches=2, **HP).fit(X, y)
    d = HP["decrease_const"]
    assert est.course_eta_ == pytest.approx(HP["eta"] / ((1 + 0 * d) * (1 + 1 * d) * (1 + 2 * d)), rel=1e-15)
    assert CourseMLP(variant="08:TLPMiniBatch", epochs=3, minibatches=2, **HP).fit(X, y).course_eta_ == HP["eta"]


def _notebook_bfgs(X, y, W, C, row, maxfun):
    """07/07a's TLPVectorizedBFGS.fit from the start ``W`` (lecture matrices), written here from the
    lecture's equations in the notebook's order: samples as columns, 07 packs ``W1, W2`` (bias
    column 0), 07a ``W1, W2, b1, b2`` with gradient ``2C W``; SciPy gets sum((Y-A)^2) + C sqrt(...)."""
    from scipy.optimize import fmin_l_bfgs_b
    from scipy.special import expit

    Y = np.ascontiguousarray((y[None, :] == np.unique(y)[:, None]).astype(float))
    shapes = [w.shape if row else (w.shape[0], w.shape[1] - 1) for w in W]
    sizes = [int(np.prod(s)) for s in shapes]

    def unpack(theta):
        W1 = theta[:sizes[0]].reshape(shapes[0])
        W2 = theta[sizes[0]:sizes[0] + sizes[1]].reshape(shapes[1])
        if row:
            return W1, W2, None, None
        rest = theta[sizes[0] + sizes[1]:]
        return W1, W2, rest[:shapes[0][0]].reshape(-1, 1), rest[shapes[0][0]:].reshape(-1, 1)

    def f(theta):
        W1, W2, b1, b2 = unpack(theta)
        if row:
            A1 = np.vstack((np.ones((1, len(X))), X.T))
            A2 = np.vstack((np.ones((1, len(X))), expit(W1 @ A1)))
            A3 = expit(W2 @ A2)
        else:
            A1 = X.T
            A2 = expit(W1 @ A1 + b1)
            A3 = expit(W2 @ A2 + b2)
        V2 = -2 * (Y - A3) * A3 * (1 - A3)
        V1 = A2 * (1 - A2) * (W2.T @ V2)
        if row:
            g1, g2 = V1[1:, :] @ A1.T, V2 @ A2.T
            g1[:, 1:] += W1[:, 1:] * C
            g2[:, 1:] += W2[:, 1:] * C
            grads = [g1, g2]
            penalty = C * np.sqrt(np.mean(W1[:, 1:] ** 2) + np.mean(W2[:, 1:] ** 2))
        else:
            grads = [V1 @ A1.T + W1 * C * 2, V2 @ A2.T + W2 * C * 2,
                     np.sum(V1, axis=1).reshape((-1, 1)), np.sum(V2, axis=1).reshape((-1, 1))]
            penalty = C * np.sqrt(np.mean(W1 ** 2) + np.mean(W2 ** 2))
        return np.sum((Y - A3) ** 2) + penalty, np.hstack([g.flatten() for g in grads])

    start = [w for w in W] if row else [w[:, 1:] for w in W] + [w[:, :1] for w in W]
    theta, _, _ = fmin_l_bfgs_b(f, np.hstack([w.flatten() for w in start]), maxfun=maxfun, pgtol=1e-3)
    W1, W2, b1, b2 = unpack(theta)
    return [W1, W2] if row else [np.hstack([b1, W1]), np.hstack([b2, W2])]


@pytest.mark.parametrize("variant", ["07:TLPVectorizedBFGS", "07a:TLPVectorizedBFGS"])
def test_bfgs_follows_the_notebook_bit_for_bit(variant, data):
    """L-BFGS-B turns a last-bit difference in one gradient into ~1e-7 in the weights within 100
    evaluations, so the preset must evaluate in the notebook's own order: after SciPy's 100
    evaluations its weights equal the notebook's run, bit for bit."""
    X, y = data
    est = CourseMLP(variant=variant, epochs=100, gtol=1e-3, n_hidden=8, C=0.1, random_state=3).fit(X, y)
    theirs = _notebook_bfgs(X, y, est.initial_weights_, 0.1, variant.startswith("07:"), 100)
    for ours, w in zip(est.W_, theirs):
        np.testing.assert_array_equal(ours, w)


@pytest.mark.parametrize("variant, extra", [
    ("07a:TLPVectorizedMiniBatch", {}),  # heavy-ball with the biases outside, 2C*W, power rate
    ("07a:TLPVectorizedMiniBatch", {"bias_update": "same", "alpha": 0.5}),  # stock SGD(momentum)
    ("08a:TLPAdaGrad", {}),  # AdaGrad, then the look-back with the same alpha, plain biases
    ("08:TLPDropout", {}),  # dropout 0: the compounded inverse-time rate
])
def test_new_rules_match_keras_fit(variant, extra, data):
    """The translation of each new rule, through model.fit, float64, 10 epochs."""
    X, y = data
    est = CourseMLP(variant=variant, epochs=10, minibatches=len(X) / 16, **{**HP, **extra})
    run = compare_course(est, X, y)
    assert run.worst("weight") <= 1e-10 and run.worst("cost") <= 1e-12, str(run)
    if extra:  # 07a's code rule, decreasing rate included, is Keras's own SGD(momentum)
        assert run.parts["update"] == "SGD(momentum=0.5)"


@pytest.mark.parametrize("params, match", [
    ({"variant": "08:TLPDropout", "dropout": 0.5}, r"keras.layers.Dropout draws a new mask"),
    ({"variant": "07:TLPVectorizedBFGS"}, r"solver='lbfgs' has no Keras translation"),
])
def test_keras_cannot_follow_dropout_or_lbfgs(params, match, data):
    X, y = data
    with pytest.raises(ValueError, match=match):
        course_to_keras(CourseMLP(n_hidden=4, epochs=2, **params), X, y)
