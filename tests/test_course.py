"""The course estimator: the lecture's equations, its layout, the bias self-test, scikit-learn
conventions and bad input."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from scratch_vs_keras.course.estimator import CourseMLP, CourseSGD, bias_self_test


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(45, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("bias", ["row", "vector"])
@pytest.mark.parametrize("C", [0.0, 0.3])
def test_gradients_are_the_lectures_equations(bias, C, data):
    """V2 = -2(Y - A3)*A3*(1 - A3), grad2 = V2 A2^T, V1 = A2*(1 - A2)*W2^T V2, grad1 = V1 A1^T, plus
    C*W on the weights, written here directly in the lecture's layout (samples as columns)."""
    X, y = data
    est = CourseMLP(n_hidden=6, bias=bias, C=C, random_state=0)
    x, Y, plan = est.prepare(X, y)
    W1, W2 = est.initial_weights_  # (out, in + 1), bias in column 0
    A1 = np.vstack([np.ones(len(x)), x.T])  # the input with the bias row
    Z2 = W1 @ A1
    A2 = np.vstack([np.ones(len(x)), _sigmoid(Z2)])
    A3 = _sigmoid(W2 @ A2)
    YT = Y.T
    V2 = -2 * (YT - A3) * A3 * (1 - A3)
    grad2 = V2 @ A2.T
    V1 = A2 * (1 - A2) * (W2.T @ V2)
    grad1 = V1[1:] @ A1.T
    grad1[:, 1:] += C * W1[:, 1:]
    grad2[:, 1:] += C * W2[:, 1:]
    J = np.sum((YT - A3) ** 2) + C / 2 * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))

    cost, grads = est.engine_.loss_and_gradients(x, Y)
    if bias == "row":
        ours = [g.T for g in grads]  # kernel (in + 1, out) -> (out, in + 1)
    else:
        ours = [np.concatenate([grads[i + 1][:, None], grads[i].T], axis=1) for i in (0, 2)]
    assert cost == pytest.approx(J, rel=1e-13)
    for mine, lecture in zip(ours, [grad1, grad2]):
        assert np.max(np.abs(mine - lecture)) <= 1e-12 * np.max(np.abs(lecture))


def test_cross_entropy_output_sensitivity_is_a_minus_y(data):
    X, y = data
    est = CourseMLP(n_hidden=5, cost="cross_entropy", bias="vector", random_state=1)
    x, Y, _ = est.prepare(X, y)
    caches = est.engine_.forward(x)
    _, delta, is_delta = est.engine_._data_loss(Y, caches)
    assert is_delta  # the sensitivity w.r.t. Z: the logits shortcut
    np.testing.assert_allclose(delta, caches[-1].a - Y, rtol=0, atol=1e-15)


def test_course_update_rules_by_hand():
    g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    # one-step look-back: rho = eta*g; W -= rho + alpha*rho_prev
    w = np.zeros(2)
    opt = CourseSGD(0.1, steps_per_epoch=1, momentum="lookback", alpha=0.5)
    opt.apply([g1], [w])
    opt.apply([g2], [w])
    np.testing.assert_allclose(w, -(0.1 * g1) - (0.1 * g2 + 0.5 * 0.1 * g1), rtol=1e-15)
    # heavy ball (07a's code): rho = eta*g + alpha*rho_prev; W -= rho
    w = np.zeros(2)
    opt = CourseSGD(0.1, steps_per_epoch=1, momentum="heavy_ball", alpha=0.5)
    opt.apply([g1], [w])
    opt.apply([g2], [w])
    np.testing.assert_allclose(w, -0.1 * g1 - (0.1 * g2 + 0.5 * 0.1 * g1), rtol=1e-15)
    # decayed AdaGrad: G = g^2 + gamma*G + 1e-7; W -= eta*(g/sqrt(G))
    w = np.zeros(2)
    opt = CourseSGD(0.1, steps_per_epoch=1, adagrad=True, adagrad_decay=0.9)
    opt.apply([g1], [w])
    opt.apply([g2], [w])
    G1 = g1 ** 2 + 1e-7
    G2 = g2 ** 2 + 0.9 * G1 + 1e-7
    np.testing.assert_allclose(w, -0.1 * g1 / np.sqrt(G1) - 0.1 * g2 / np.sqrt(G2), rtol=1e-15)


@pytest.mark.parametrize(
    "rule, d, expected",
    [
        ("none", 0.0, [0.1, 0.1, 0.1, 0.1]),
        ("inverse_time", 0.5, [0.1, 0.1 / 1.5, 0.1 / 2.0, 0.1 / 2.5]),
        ("power", 0.5, [0.1, 0.1 ** 1.5, 0.1 ** 2.0, 0.1 ** 2.5]),
        ("step", 0.5, [0.1, 0.1, 0.05, 0.05]),
    ],
)
def test_learning_rate_rules_per_epoch(rule, d, expected):
    opt = CourseSGD(0.1, steps_per_epoch=3, decrease=rule, decrease_const=d, decrease_step=2)
    rates = []
    for step in range(12):
        opt.iterations = step
        rates.append(opt.learning_rate)
    np.testing.assert_allclose(rates, np.repeat(expected, 3), rtol=1e-15)


def test_power_rule_is_floored():
    opt = CourseSGD(0.5, steps_per_epoch=1, decrease="power", decrease_const=1.0)
    opt.iterations = 50
    assert opt.learning_rate == 0.5 / 1000


def test_bias_row_and_vector_give_the_same_training_run(data):
    """The lecture's self-test: two computations of the same numbers."""
    X, y = data
    table = bias_self_test(X, y, n_hidden=6, eta=0.01, epochs=30, minibatches=5, C=0.2,
                           momentum="heavy_ball", alpha=0.5, random_state=2)
    assert len(table) == 30
    assert table.weights_rel_diff.max() <= 1e-12
    assert table.cost_rel_diff.max() <= 1e-12
    assert table.weights_rel_diff.max() > 0 or table.cost_rel_diff.max() > 0  # not the same code path


def test_layout_views_and_conversions(data):
    X, y = data
    row = CourseMLP(n_hidden=6, bias="row", epochs=3, random_state=0).fit(X, y)
    vec = CourseMLP(n_hidden=6, bias="vector", epochs=3, random_state=0).fit(X, y)
    assert row.W1.shape == (6, 5) and row.W2.shape == (3, 7)
    assert vec.W1.shape == (6, 4) and vec.b1.shape == (6,) and vec.W2.shape == (3, 6)
    np.testing.assert_allclose(row.W1[:, 0], vec.b1, rtol=1e-12)
    np.testing.assert_allclose(row.W1[:, 1:], vec.W1, rtol=1e-12)
    kernel, bias = vec.keras_weights()[:2]
    np.testing.assert_array_equal(kernel, vec.W1.T)
    np.testing.assert_array_equal(bias, vec.b1)
    assert row.cost_[-1] < row.cost_[0]
    assert row.grad_mean_abs_.shape == (3, 2) and np.all(row.grad_mean_abs_ > 0)


def test_fit_predict_and_reproducibility(data):
    X, y = data
    est = CourseMLP(n_hidden=10, eta=0.05, epochs=200, minibatches=5, random_state=4)
    first = est.fit(X, y).W_
    assert est.score(X, y) > 0.8
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(est.predict(X)) <= set(est.classes_)
    again = CourseMLP(n_hidden=10, eta=0.05, epochs=200, minibatches=5, random_state=4).fit(X, y).W_
    for a, b in zip(first, again):
        assert a.tobytes() == b.tobytes()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    assert set(CourseMLP(epochs=2, random_state=0).fit(X, labels).predict(X)) <= set(labels)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"C": -0.1}, r"`C` must be a finite, non-negative number; received C=-0.1"),
        ({"eta": 0.0}, r"`eta` must be a positive number; received eta=0.0"),
        ({"eta": -1}, r"`eta` must be a positive number"),
        ({"minibatches": 100}, r"`minibatches`=100 is more than the training rows \(n_samples=45\)"),
        ({"decrease": "exponential"}, r"`decrease` must be one of 'none', 'inverse_time', 'power', 'step', 'inverse_time_compound'; received decrease='exponential'"),
        ({"momentum": "nesterov"}, r"`momentum` must be one of 'none', 'lookback', 'heavy_ball'"),
        ({"init": "he"}, r"`init` must be one of 'uniform', 'glorot', 'relu', 'glorot_uniform'"),
        ({"activation": "tanh"}, r"`activation` must be one of 'sigmoid', 'relu'"),
        ({"cost": "hinge"}, r"`cost` must be one of 'quadratic', 'cross_entropy'"),
        ({"bias": "none"}, r"`bias` must be one of 'row', 'vector'"),
        ({"n_hidden": 0}, r"`n_hidden` must be a positive integer or a non-empty tuple"),
        ({"epochs": 0}, r"`epochs` must be a positive integer"),
        ({"alpha": 1.5}, r"`alpha` must be a number in \[0, 1\]"),
        ({"variant": "09:TLP"}, r"`variant` must be None or one of the course classes '07:TwoLayerPerceptronVectorized'"),
        ({"minibatches": 0.5}, r"`minibatches` must be a number >= 1; received minibatches=0.5"),
        ({"dropout": 1.5}, r"`dropout` must be a number in \[0, 1\]"),
        ({"bias_update": "momentum"}, r"`bias_update` must be one of 'same', 'plain'"),
        ({"shuffle_from": "start"}, r"`shuffle_from` must be one of 'original', 'previous'"),
        ({"l2_factor": 3}, r"`l2_factor` must be one of 1, 2"),
        ({"output_bias": -2.0}, r"`output_bias` .* use init_bias='zero' with it"),
        ({"solver": "lbfgs", "minibatches": 3}, r"trains on the whole data at once: use minibatches=1"),
        ({"solver": "bfgs"}, r"BFGS classes call SciPy's fmin_l_bfgs_b: use solver='lbfgs'"),
        ({"dropout": 0.5, "n_hidden": (4, 3)}, r"`dropout` follows 08's TLPDropout, which has one hidden layer"),
        ({"decrease": "power", "eta": 2.0}, r"needs `eta` < 1"),
    ],
)
def test_bad_parameters_fail_at_fit(params, match, data):
    X, y = data
    est = CourseMLP(**params)  # stored unchanged, validated at fit
    for key, value in params.items():
        assert getattr(est, key) == value
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_bad_targets(data):
    X, _ = data
    with pytest.raises(ValueError, match=r"`y` has 1 class"):
        CourseMLP().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match=r"Unknown label type: `y` must hold class labels"):
        CourseMLP().fit(X, np.linspace(0, 1, len(X)))


EXPECTED_FAILED = {
    # no check fails; the array-API check is skipped by scikit-learn itself without SCIPY_ARRAY_API
}


@parametrize_with_checks(
    [CourseMLP(n_hidden=20, eta=0.05, epochs=100, minibatches=5, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_scikit_learn_conventions(estimator, check):
    check(estimator)


def test_initial_weights_are_used_as_given():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    start = [rng.normal(size=(4, 4)), rng.normal(size=(2, 5))]
    est = CourseMLP(n_hidden=4, epochs=1, initial_weights=start, random_state=0)
    Xp, Y, plan = est.prepare(X, y)
    for given, used in zip(start, est.initial_weights_):
        np.testing.assert_array_equal(given, used)
    np.testing.assert_array_equal(est.engine_.get_weights()[0], start[0].T)  # bias as row 0
    with pytest.raises(ValueError, match=r"`initial_weights\[1\]` must be a finite matrix of shape \(2, 5\)"):
        CourseMLP(n_hidden=4, initial_weights=[start[0], start[1][:, :3]]).fit(X, y)
