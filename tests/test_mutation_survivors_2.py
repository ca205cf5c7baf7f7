"""Tests for the mutants of the second mutation round (issue 18, after the losses package, the
course presets, the lesson checker, Dropout and the in-graph recorder were merged) that no
earlier test caught.

- ``reduction="mean_with_sample_weight"`` dividing the loss by the sum of the weights and its
  gradient by their count: every test with sample weights compared loss values only (Keras's
  own loss tests, ``loss(y_true, y_pred, sample_weight)``), and the gradient comparisons never
  pass a weight (a weight left out of the gradient altogether was caught only through
  ``ignore_class``'s mask). Here the gradient of the weighted loss with respect to ``y_pred`` is
  compared with ``tf.GradientTape`` over the real Keras loss.
- a float ``minibatches`` (the notebooks' ``len(X)/256``) rounded instead of truncated, in the
  batches or in the rate's epoch count: the only float in the tests was 40/16 = 2.5, where
  Python's round-half-to-even gives the truncation's 2. Here 45/16 = 2.8125 must be 2 pieces.
- the checker's float64 tolerance loosened to float32's 1e-5: no checker test planted an error
  between 1e-9 and 1e-5. Here one entry off by 3e-9 of its tensor's scale is wrong, 3e-10 right.

``benchmarks/mutation.py`` plants each of these bugs and checks that a test here fails.
"""

import numpy as np
import pytest

from scratch_vs_keras import scratch

L = scratch.losses


def _cases(rng, B=6, k=3):
    """(loss name, keyword arguments, y_true, y_pred): a regression loss and two cross-entropies
    on their clipping path (plain probabilities), one with label smoothing."""
    return [
        ("MeanSquaredError", {}, rng.normal(size=(B, k)), rng.normal(size=(B, k))),
        ("BinaryCrossentropy", {}, rng.integers(0, 2, size=(B, k)).astype(float),
         rng.uniform(0.05, 0.95, size=(B, k))),
        ("CategoricalCrossentropy", {"label_smoothing": 0.1}, np.eye(k)[rng.integers(0, k, B)],
         rng.dirichlet(np.ones(k), size=B)),
    ]


@pytest.fixture
def float64_keras():
    """Keras losses in float64 for the test, the previous floatx restored after it."""
    import keras

    before = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield keras
    keras.config.set_floatx(before)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_sample_weighted_loss_gradient_matches_keras(reduction, float64_keras):
    """dJ/dy_pred of ``loss(y_true, y_pred, sample_weight)`` against TensorFlow's autodiff of the
    Keras loss, for one weight per sample, a column of them and one number (float64)."""
    import tensorflow as tf

    keras = float64_keras
    rng = np.random.default_rng(11)
    for name, kwargs, y_true, y_pred in _cases(rng):
        for weight in [rng.uniform(0, 2, 6), rng.uniform(0, 2, (6, 1)), 0.7]:
            ours_value, ours_grad = getattr(L, name)(reduction=reduction, **kwargs).value_and_gradient(
                y_true, y_pred.copy(), sample_weight=weight)
            pred = tf.constant(y_pred)
            with tf.GradientTape() as tape:
                tape.watch(pred)
                value = getattr(keras.losses, name)(reduction=reduction, **kwargs)(
                    tf.constant(y_true), pred, sample_weight=tf.constant(weight, tf.float64))
            grad = tape.gradient(value, pred).numpy()
            where = (name, reduction, np.shape(weight))
            assert abs(float(ours_value) - float(value)) <= 1e-13 * abs(float(value)), where
            assert np.max(np.abs(grad)) > 0, where  # a gradient that can differ
            assert np.max(np.abs(ours_grad - grad)) <= 1e-12 * np.max(np.abs(grad)), where


def test_a_float_minibatches_is_truncated_as_array_split_truncates_it(monkeypatch):
    """The notebooks pass ``minibatches = len(X)/256``, a float, to ``np.array_split``, which
    truncates it: 45 rows with minibatches = 45/16 = 2.8125 are 2 pieces of 23 and 22 rows every
    epoch (rounding would give 3), and the run is the run of minibatches = 2, bit for bit (the
    per-epoch rate decrease counts the same 2 steps per epoch)."""
    from scratch_vs_keras.course.estimator import CourseMLP

    rng = np.random.default_rng(5)
    X = np.column_stack([np.arange(45), rng.normal(size=(45, 3))])
    y = (X[:, 1] + X[:, 2] > 0).astype(int) + (X[:, 3] > 0.5)
    seen = []
    real = scratch.Sequential._train_step

    def spy(self, xb, yb, *args, **kwargs):
        seen.append(len(xb))
        return real(self, xb, yb, *args, **kwargs)

    monkeypatch.setattr(scratch.Sequential, "_train_step", spy)
    params = dict(variant="08:TLPMiniBatch", n_hidden=4, epochs=3, eta=0.05, alpha=0.3, C=0.01,
                  decrease_const=0.5, random_state=2)
    as_float = CourseMLP(minibatches=45 / 16, **params).fit(X, y)
    assert seen == [23, 22] * 3
    as_int = CourseMLP(minibatches=2, **params).fit(X, y)
    for a, b in zip(as_float.W_, as_int.W_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.ravel(as_float.course_cost_), np.ravel(as_int.course_cost_))


def _lecture_gradients(W1, W2, X, Y):
    """The lecture's two-layer sigmoid network, summed squared error, samples as columns and a
    row of ones on top of each layer's input: ``{"W1": V1 A1^T, "W2": V2 A2^T}``."""
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    A1 = np.vstack([np.ones(len(X)), X.T])
    A2 = np.vstack([np.ones(len(X)), sigmoid(W1 @ A1)])
    A3 = sigmoid(W2 @ A2)
    V2 = -2 * (Y.T - A3) * A3 * (1 - A3)
    V1 = (A2 * (1 - A2) * (W2.T @ V2))[1:]
    return {"W1": V1 @ A1.T, "W2": V2 @ A2.T}


@pytest.mark.parametrize("tensor", ["W1", "W2"])
def test_the_checker_holds_a_float64_answer_to_1e_9(tensor):
    """The checker's float64 tolerance is 1e-9 relative: one entry off by 3e-9 of the tensor's
    largest entry is wrong, off by 3e-10 it is right (float32's 1e-5 would pass both)."""
    from scratch_vs_keras.lessons import check_lecture_gradients

    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(12, 4)), np.eye(3)[rng.integers(0, 3, 12)]
    W1, W2 = rng.uniform(-1, 1, size=(5, 5)), rng.uniform(-1, 1, size=(3, 6))
    right = _lecture_gradients(W1, W2, X, Y)
    assert check_lecture_gradients(right, [W1, W2], X, Y).ok
    for off, ok in [(3e-9, False), (3e-10, True)]:
        answer = {k: v.copy() for k, v in right.items()}
        answer[tensor][1, 2] += off * np.max(np.abs(right[tensor]))
        fb = check_lecture_gradients(answer, [W1, W2], X, Y)
        assert fb.ok is ok, (off, str(fb))
