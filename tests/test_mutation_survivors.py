"""Tests for the mutants that once survived the suite (issue 18): each case below sits where a
plausible bug changes the numbers and the earlier tests did not look.

- softmax without the max subtraction overflows (NaN) at |z| >= 1000 (float64), >= 100 (float32);
- the MAE gradient at a residual of exactly zero is sign(0) = 0 in TensorFlow, not +-1;
- the L1 gradient of a weight at exactly zero (a bias with the default zeros initializer) is 0;
- ``fit`` visits the rows in the documented order: ``default_rng([seed, 1, call]).permutation(n)``;
- the course's mini-batches are ``np.array_split`` pieces: 45 rows in 4 batches are 12/11/11/11,
  and its look-back momentum looks back one step only (seen from the third step on);
- a nonzero tensor against an all-zero reference is a mismatch (relative difference infinity).

``benchmarks/mutation.py`` plants each of these bugs and checks that a test here fails.
"""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from scratch_vs_keras.compare import train_side_by_side
from conftest import make_model

R = scratch.regularizers


def _twin_rows(result):
    """The rows compared with Keras (forward, loss, gradients), not with finite differences."""
    return result.table[result.table.quantity != "finite_difference"]


# -- 1. softmax far from zero -----------------------------------------------------------------

def _large_logits(dtype, low):
    """Rows of logits whose entries all have magnitude >= ``low``, with mixed signs and a spread
    of 1..3 x ``low`` (exp(low) overflows: float64 at 710, float32 at 89)."""
    rng = np.random.default_rng(0)
    z = rng.uniform(low, 3 * low, size=(40, 5)) * rng.choice([-1.0, 1.0], size=(40, 5))
    z[0] = [low, -low, 2 * low, 3 * low, -3 * low]  # a row where the winner is clear by far
    z[1] = [3 * low, 3 * low, -low, low, low]  # a tie at the top: 1/2, 1/2
    return z.astype(dtype)


@pytest.mark.parametrize("dtype, low, bound", [("float64", 1000.0, 1e-12), ("float32", 100.0, 1e-6)])
def test_softmax_value_and_derivative_at_large_logits_match_keras(dtype, low, bound):
    import keras
    import tensorflow as tf

    z = _large_logits(dtype, low)
    g = np.cos(np.arange(z.size)).reshape(z.shape).astype(dtype)
    a = scratch.activations.softmax(z)
    dz = scratch.activations.softmax.backward(z, a, g)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(dz)), "softmax overflowed"
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=0, atol=10 * np.finfo(dtype).eps)
    assert a[1, 0] == a[1, 1] == pytest.approx(0.5, abs=10 * float(np.finfo(dtype).eps))
    zt = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(zt)
        at = keras.activations.softmax(zt)
    dzt = tape.gradient(at, zt, output_gradients=tf.constant(g)).numpy()
    at = at.numpy()
    assert np.max(np.abs(a - at)) <= bound * np.max(np.abs(at))
    assert np.max(np.abs(dz - dzt)) <= bound * max(np.max(np.abs(dzt)), 1.0)


@pytest.mark.parametrize("dtype, low", [("float64", 1000.0), ("float32", 100.0)])
def test_softmax_hidden_layer_with_large_preactivations_matches_keras(dtype, low, rng):
    model = make_model(hidden=(6,), activation="softmax", dtype=dtype, seed=5)
    x = rng.normal(size=(11, 4)).astype(dtype)
    w = model.get_weights()
    z = x @ w[0]
    w[0] = w[0] * (3 * low / np.min(np.max(np.abs(z), axis=1)))  # every row has |z| >= 3 low
    model.set_weights(w)
    z = x @ model.get_weights()[0]
    assert np.all(np.max(np.abs(z), axis=1) >= low)
    result = compare_gradients(model, x, rng.integers(0, 2, size=11), finite_differences=False)
    assert result.ok, str(result)
    forward = result.table[result.table.quantity == "forward"]
    assert len(forward) and forward.rel_diff.notna().all()


# -- 2. MAE at a residual of exactly zero -----------------------------------------------------

def _dyadic_mae_model(dtype, rng):
    """A relu MLP with MAE whose weights and inputs are small dyadic numbers, so that both sides
    compute the outputs exactly (any summation order) and a target equal to the output gives a
    residual of exactly zero on both."""
    model = make_model(hidden=(3,), activation="relu", out_activation="linear",
                       loss="mean_absolute_error", dtype=dtype)
    model.set_weights([(rng.integers(-4, 5, size=w.shape) / 4).astype(dtype)
                       for w in model.get_weights()])
    x = (rng.integers(-3, 4, size=(10, 4)) / 2).astype(dtype)
    pred = model.predict(x)[:, 0]
    y = pred.copy()
    y[::2] += np.array([0.5, -0.5, 1.0, -1.0, 0.5])  # half the rows off, half exactly on
    return model, x, y


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_mae_gradient_at_exactly_zero_residuals_matches_keras(dtype, rng):
    model, x, y = _dyadic_mae_model(dtype, rng)
    residual = y - model.predict(x)[:, 0]
    assert np.sum(residual == 0) == 5 and np.sum(residual != 0) == 5
    # sign(0) = 0: the five rows on target add nothing to the output bias's gradient
    expected_bias = -np.sum(np.sign(residual)) / len(y)
    _, grads = model.loss_and_gradients(x, y)
    assert grads[-1][0] == pytest.approx(expected_bias, abs=1e-15)
    result = compare_gradients(model, x, y, finite_differences=False)
    assert result.ok, str(result)


# -- 3. L1 at w = 0 ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reg", [lambda: R.L1(0.02), lambda: R.L1L2(l1=0.02, l2=0.01)],
                         ids=["l1", "l1l2"])
def test_l1_on_zero_biases_matches_keras(reg, dtype, rng):
    model = make_model(hidden=(5, 4), activation="tanh", dtype=dtype, seed=2,
                       bias_regularizer=reg(), kernel_regularizer=reg())
    assert all(np.all(w == 0) for w in model.get_weights()[1::2])  # the default zeros
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 2, size=9)
    # no finite differences: |b| has a kink at b = 0, where TensorFlow's derivative is sign(0) = 0
    result = compare_gradients(model, x, y, finite_differences=False)
    assert result.ok, str(result)
    # at b = 0 the penalty adds nothing to the bias gradient; the data gradient stays
    plain = make_model(hidden=(5, 4), activation="tanh", dtype=dtype, seed=2,
                       kernel_regularizer=reg())
    _, with_l1 = model.loss_and_gradients(x, y)
    _, without = plain.loss_and_gradients(x, y)
    for g, h in zip(with_l1[1::2], without[1::2]):
        np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize("reg", [lambda: R.L1(0.02), lambda: R.L1L2(l1=0.02, l2=0.01)],
                         ids=["l1", "l1l2"])
def test_l1_on_zero_biases_trains_like_keras(reg, rng):
    model = make_model(hidden=(5,), activation="tanh", seed=4, bias_regularizer=reg(),
                       kernel_regularizer=reg())
    model.compile(optimizer=scratch.optimizers.SGD(0.1), loss="binary_crossentropy")
    x = rng.normal(size=(40, 4))
    y = (x[:, 0] > 0).astype(float)
    run = train_side_by_side(model, x, y, epochs=2, batch_size=16, shuffle=False)
    assert run.ok, str(run)
    assert run.first_divergence() is None
    assert run.steps == 6


# -- 4. the rows fit visits -------------------------------------------------------------------

def _rows_fit_visits(monkeypatch, model, x, y, calls, **fit_kwargs):
    """The row ids (column 0 of ``x``) of every batch of ``calls`` consecutive fits."""
    seen = []
    real = type(model)._pass

    def spy(self, xb, yb, *args, **kwargs):
        seen.append(np.asarray(xb)[:, 0].astype(int).copy())
        return real(self, xb, yb, *args, **kwargs)

    monkeypatch.setattr(type(model), "_pass", spy)
    runs = []
    for _ in range(calls):
        seen.clear()
        model.fit(x, y, verbose=0, **fit_kwargs)
        runs.append(list(seen))
    return runs


def test_fit_visits_the_rows_in_the_documented_order(monkeypatch, rng):
    """Each epoch of the c-th fit of a model with seed s visits the rows in the order of
    ``numpy.random.default_rng([s, 1, c]).permutation(n)`` (scratch.batching's docstring), in
    batches of batch_size rows, the last one shorter."""
    n, seed = 50, 11
    x = np.column_stack([np.arange(n), rng.normal(size=(n, 3))])
    y = (x[:, 1] > 0).astype(float)
    model = make_model(hidden=(3,), seed=seed)
    runs = _rows_fit_visits(monkeypatch, model, x, y, 2, batch_size=16, epochs=2)
    for call, batches in enumerate(runs):
        assert [len(b) for b in batches] == [16, 16, 16, 2] * 2
        rng_c = np.random.default_rng([seed, 1, call])
        expected = np.concatenate([rng_c.permutation(n), rng_c.permutation(n)])
        np.testing.assert_array_equal(np.concatenate(batches), expected)
    assert not np.array_equal(np.concatenate(runs[0]), np.concatenate(runs[1]))


def test_fit_without_shuffle_visits_the_rows_as_stored(monkeypatch, rng):
    x = np.column_stack([np.arange(10), rng.normal(size=(10, 3))])
    model = make_model(hidden=(3,))
    (batches,) = _rows_fit_visits(monkeypatch, model, x, (x[:, 1] > 0).astype(float), 1,
                                  batch_size=4, epochs=1, shuffle=False)
    assert [b.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


# -- 5. the course's np.array_split mini-batches --------------------------------------------------

def test_course_minibatches_are_array_split_pieces(monkeypatch):
    """45 rows in 4 mini-batches: np.array_split gives 12, 11, 11, 11 (ceil-sized slices would
    give 12, 12, 12, 9), and every row is visited exactly once per epoch."""
    from scratch_vs_keras.course.estimator import CourseMLP

    rng = np.random.default_rng(3)
    X = np.column_stack([np.arange(45), rng.normal(size=(45, 3))])
    y = (X[:, 1] > 0).astype(int)
    seen = []
    real = scratch.Sequential._train_step

    def spy(self, xb, yb, *args, **kwargs):
        seen.append(np.asarray(xb)[:, 0].astype(int).copy())
        return real(self, xb, yb, *args, **kwargs)

    monkeypatch.setattr(scratch.Sequential, "_train_step", spy)
    CourseMLP(n_hidden=3, epochs=2, minibatches=4, eta=0.01, random_state=0).fit(X, y)
    assert [len(b) for b in seen] == [12, 11, 11, 11] * 2
    for epoch in (seen[:4], seen[4:]):
        assert sorted(np.concatenate(epoch).tolist()) == list(range(45))


def test_course_lookback_momentum_looks_back_one_step_only():
    """The 07/08 notebooks' momentum: W -= rho_t + alpha rho_{t-1}, rho = eta g. Only a third
    step tells it from heavy-ball momentum (rho_{t-1} would then carry alpha rho_{t-2} too)."""
    from scratch_vs_keras.course.estimator import CourseSGD

    g1, g2, g3 = np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.array([-1.0, 4.0])
    w = np.zeros(2)
    opt = CourseSGD(0.5, steps_per_epoch=1, momentum="lookback", alpha=0.25)
    for g in (g1, g2, g3):
        opt.apply([g], [w])
    # eta = 0.5, alpha = 0.25: every product below is exact in binary
    expected = -(0.5 * g1) - (0.5 * g2 + 0.25 * 0.5 * g1) - (0.5 * g3 + 0.25 * 0.5 * g2)
    np.testing.assert_array_equal(w, expected)


# -- 6. an all-zero reference -----------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:.*softmax over:UserWarning")  # the one-unit softmax, on purpose
def test_a_nonzero_tensor_against_an_all_zero_reference_is_a_mismatch(monkeypatch, rng):
    """The contract: an all-zero tensor must be matched exactly. A one-unit softmax layer outputs
    exactly 1, so every gradient below it is exactly 0 on both sides; a planted 1e-3 there has
    no scale of its own to be measured against, and must not pass as 'relative 0'."""
    from scratch_vs_keras.compare import rel_diff

    assert rel_diff(np.array([0.0, 0.0]), np.zeros(2)) == 0.0
    assert rel_diff(np.array([0.0, 1e-3]), np.zeros(2)) == float("inf")
    assert rel_diff(np.array([1.0, 3.0]), np.array([1.0, 4.0])) == 0.25  # gap 1 / largest 4
    model = make_model(hidden=(1,), activation="softmax", seed=1)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 2, size=6)
    real = type(model).trace

    def planted(self, xb, yb):
        trace = real(self, xb, yb)
        assert not np.any(trace.gradients[0])  # the first kernel's gradient: exactly zero
        grads = [trace.gradients[0] + 1e-3] + list(trace.gradients[1:])
        return trace._replace(gradients=grads)

    monkeypatch.setattr(type(model), "trace", planted)
    result = compare_gradients(model, x, y, finite_differences=False)
    bad = result.table[~result.table.ok]
    assert list(bad.layer + "/" + bad.tensor) == ["dense/kernel"], str(result)
