"""The comparison can fail: planted faults in the NumPy side are caught and located."""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch
from conftest import make_model


def _bad_rows(result):
    t = result.table
    return t[~t.ok]


def test_missing_activation_derivative_is_caught_in_that_layer(monkeypatch, rng):
    model = make_model(hidden=(6, 5), activation="tanh", out_activation="sigmoid")
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 2, size=9)
    monkeypatch.setattr(scratch.activations.Tanh, "backward", lambda self, z, a, g: g)
    result = compare_gradients(model, x, y)
    assert not result.ok
    bad = _bad_rows(result)
    # the forward pass and loss are untouched; the gradients below the first tanh are wrong
    assert set(bad.quantity) == {"gradient", "finite_difference"}
    assert set(bad.layer) == {"dense", "dense_1"}
    assert "MISMATCH" in result.verdict()


def test_unrounded_penalty_factor_is_caught_in_the_loss(monkeypatch, rng):
    model = make_model(kernel_regularizer=scratch.regularizers.L2(0.01))
    x, y = rng.normal(size=(9, 4)), rng.integers(0, 2, size=9)
    monkeypatch.setattr(scratch.regularizers, "float32_round", lambda c: c)  # the textbook factor
    result = compare_gradients(model, x, y, finite_differences=False)
    bad = _bad_rows(result)
    assert "loss" in set(bad.quantity)
    assert result.worst("loss") > 1e-12


def test_wrong_loss_gradient_is_caught_by_finite_differences_and_keras(monkeypatch, rng):
    model = make_model(out_activation="linear", loss="mean_squared_error")
    x, y = rng.normal(size=(9, 4)), rng.normal(size=9)
    original = scratch.losses.MeanSquaredError.per_sample

    def no_factor_two(self, y_true, y_pred):
        values, grad = original(self, y_true, y_pred)
        return values, grad / 2  # the classic missing factor 2 of d(e^2)/de

    monkeypatch.setattr(scratch.losses.MeanSquaredError, "per_sample", no_factor_two)
    result = compare_gradients(model, x, y)
    bad = _bad_rows(result)
    assert set(bad.quantity) == {"gradient", "finite_difference"}
    assert np.isclose(result.worst("gradient"), 0.5, rtol=1e-6)


def test_kinks_are_reported_not_hidden(rng):
    # relu with zero biases and an all-negative first layer: every unit of layer 2 sits at z = 0,
    # so its bias has no derivative; its one-sided slope from the left is what backprop's
    # relu'(0) = 0 computes, and that is what it is compared with
    model = make_model(hidden=(3, 3), activation="relu")
    w = model.get_weights()
    w[0][:] = -1.0
    model.set_weights(w)
    x = np.abs(rng.normal(size=(5, 4)))
    result = compare_gradients(model, x, rng.integers(0, 2, size=5))
    assert result.ok, str(result)
    fd = result.table[result.table.quantity == "finite_difference"].set_index(["layer", "tensor"])
    assert fd.loc[("dense_1", "bias"), "note"] == ("3 of 3 entries at a kink, compared with a "
                                                   "one-sided slope")


def test_kinks_no_slope_explains_are_not_checked(rng):
    # a first layer of zeros: every unit sits at z = 0 for every row, and a kernel entry moved by
    # +h or -h wakes the rows whose input is positive or negative: backprop's relu'(0) = 0 gives
    # neither one-sided slope, so that tensor cannot be checked by differences: no MATCH
    model = make_model(hidden=(3, 3), activation="relu")
    w = model.get_weights()
    w[0][:] = 0.0
    model.set_weights(w)
    result = compare_gradients(model, rng.normal(size=(6, 4)), rng.integers(0, 2, size=6))
    twin = result.table[result.table.quantity != "finite_difference"]
    assert twin.ok.all(), str(result)  # Keras checks relu'(0) = 0 where differences cannot
    fd = result.table[result.table.quantity == "finite_difference"]
    skipped = fd[fd.status == "not checked"]
    assert list(skipped.layer + "/" + skipped.tensor) == ["dense/kernel"], str(result)
    assert skipped.note.iloc[0].startswith("not checked: ")
    assert not result.ok and result.status == "NOT CHECKED"
    assert result.verdict().startswith("NOT CHECKED: 1 of 16 checks")


def _cancelling_mae_batch(rng):
    """A linear-output MAE model and 12 rows whose residuals are 6 positive and 6 negative: the
    output bias gradient sums six +1/12 and six -1/12 terms (exactly 0 in exact arithmetic)."""
    model = make_model(out_activation="linear", loss="mean_absolute_error")
    x = rng.normal(size=(12, 4))
    pred = model.predict(x)[:, 0]
    y = pred + np.repeat([1.0, -1.0], 6)
    return model, x, y


def test_cancelling_bias_gradient_is_measured_against_its_terms(rng):
    from scratch_vs_keras.compare.gradients import summed_magnitudes

    model, x, y = _cancelling_mae_batch(rng)
    # the output bias's terms are the 12 per-sample sensitivities, each of magnitude 1/12
    assert summed_magnitudes(model, x, y)[-1] == pytest.approx(1.0, rel=1e-15)
    result = compare_gradients(model, x, y)
    assert result.ok, str(result)


def test_an_error_in_a_cancelling_gradient_is_still_caught(monkeypatch, rng):
    model, x, y = _cancelling_mae_batch(rng)
    real = type(model).trace

    def off_by_a_little(self, x, y):
        trace = real(self, x, y)
        grads = list(trace.gradients)
        grads[-1] = grads[-1] + 1e-9  # far above round-off of terms of size 1/12
        return trace._replace(gradients=grads)

    monkeypatch.setattr(type(model), "trace", off_by_a_little)
    bad = _bad_rows(compare_gradients(model, x, y, finite_differences=False))
    assert list(bad.layer + "/" + bad.tensor) == ["dense_1/bias"]


def test_smooth_activations_are_compared_at_a_large_step(rng):
    # a tanh network has no kink: at h = 1e-3 every entry must be compared (the old kink test
    # skipped 26 of 32 as "kinks" there, and 32 of 32 at 1e-2, and still said MATCH)
    model = make_model(hidden=(5,), activation="tanh")
    x, y = rng.normal(size=(16, 4)), rng.integers(0, 2, size=16)
    fd = compare_gradients(model, x, y, fd_step=1e-3).table
    fd = fd[fd.quantity == "finite_difference"]
    assert (fd.status == "ok").all() and not fd.note.str.contains("kink").any(), fd


@pytest.mark.parametrize("kwargs, message", [
    ({"fd_step": 1e-2}, r"`fd_step` must be a number in \[1e-08, 0\.001\].*fd_step=0\.01"),
    ({"fd_step": 0.0}, r"`fd_step` must be a number"),
    ({"fd_step": -1e-6}, r"`fd_step` must be a number"),
    ({"fd_step": float("nan")}, r"`fd_step` must be a number"),
    ({"fd_step": "1e-6"}, r"`fd_step` must be a number"),
    ({"fd_max_entries": 0}, r"`fd_max_entries` must be a positive integer"),
    ({"fd_max_entries": 2.5}, r"`fd_max_entries` must be a positive integer"),
])
def test_finite_difference_arguments_are_checked(rng, kwargs, message):
    model = make_model(hidden=(3,), activation="tanh")
    with pytest.raises(ValueError, match=message):
        compare_gradients(model, rng.normal(size=(4, 4)), rng.integers(0, 2, size=4), **kwargs)
