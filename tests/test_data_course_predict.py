"""CourseMLP's prediction for data far outside the training range: a probability, never NaN.

``predict_proba`` used to divide the sigmoid outputs by their sum; far outside the training
range they all underflow to 0 and 0 / 0 = NaN (and ``predict`` took the argmax of zeros: always
the first class).
"""

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.datasets import load_iris

from scratch_vs_keras.course.estimator import CourseMLP


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.fixture(scope="module")
def relu_ce(iris):
    X, y = iris
    return CourseMLP(n_hidden=5, activation="relu", cost="cross_entropy", eta=0.01, epochs=50,
                     random_state=1).fit(X, y)


def _logits(est, X):
    """The output pre-activation, computed here from the lecture matrices (independent of the
    estimator's own prediction path)."""
    a = X
    for i, W in enumerate(est.W_):
        z = a @ W[:, 1:].T + W[:, 0]
        a = np.maximum(z, 0) if i < len(est.W_) - 1 else z
    return z


@pytest.mark.parametrize("scale", [1e4, 1e6, 1e12])
def test_predict_proba_far_outside_the_training_range(relu_ce, iris, scale):
    X = iris[0] * scale
    z = _logits(relu_ce, X)
    far = np.max(z, axis=1) < -60  # every sigmoid output underflows next to 1 (e^-60 ~ 1e-26)
    assert far.any()  # the case this test is about does occur
    p = relu_ce.predict_proba(X)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # There a_i / sum a_j = e^{z_i} / sum e^{z_j} up to a factor 1 + O(e^{max z}).
    np.testing.assert_allclose(p[far], softmax(z[far], axis=1), rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(relu_ce.predict(X), relu_ce.classes_[np.argmax(z, axis=1)])


def test_predict_proba_inside_the_range_is_the_normalized_activation(relu_ce, iris):
    X = iris[0]
    a = 1 / (1 + np.exp(-_logits(relu_ce, X)))
    np.testing.assert_allclose(relu_ce.predict_proba(X), a / a.sum(axis=1, keepdims=True),
                               rtol=1e-13, atol=0)


def test_an_overflowing_row_is_refused(relu_ce, iris):
    X = np.vstack([np.full(4, 1.7e308), iris[0][:2]])
    with pytest.raises(ValueError, match=r"`X` row 0 is so far outside the training data that the "
                                         r"network's output overflows float64"):
        relu_ce.predict_proba(X)
