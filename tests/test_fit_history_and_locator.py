"""scratch fit's History against Keras's; the first-divergence locator on planted faults; NaN
stops; records saved; bad training arguments."""

import re

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras import scratch, to_keras
from scratch_vs_keras.compare import first_divergence, train_side_by_side
from scratch_vs_keras.scratch.callbacks import TrainingDivergedError

O = scratch.optimizers


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(200, 5))
    y = (x[:, 0] - x[:, 1] > 0).astype(float)
    return x, y


def _model(optimizer="adam", loss="binary_crossentropy", units=1, out="sigmoid", metrics=("accuracy",),
           **kw):
    model = scratch.Sequential([
        scratch.Input((5,)),
        scratch.layers.Dense(6, activation="tanh", **kw),
        scratch.layers.Dense(units, activation=out),
    ], seed=1, dtype="float64")
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


@pytest.mark.parametrize("validation", ["data", "split"])
def test_fit_history_equals_keras_fit_history(validation, data):
    x, y = data
    model = _model(O.RMSprop(0.01))
    twin = to_keras(model)
    kwargs = dict(batch_size=24, epochs=6, shuffle=False, verbose=0)
    if validation == "data":
        kwargs["validation_data"] = (x[:40], y[:40])
    else:
        kwargs["validation_split"] = 0.25
    ours = model.fit(x, y, **kwargs)
    theirs = twin.fit(x, y, **kwargs)
    assert sorted(ours.history) == sorted(theirs.history) == [
        "accuracy", "loss", "val_accuracy", "val_loss"]
    for key, values in theirs.history.items():
        np.testing.assert_allclose(ours.history[key], values, rtol=1e-12, atol=0, err_msg=key)
    assert ours.epoch == list(range(6))
    for a, b in zip(model.get_weights(), twin.get_weights()):
        assert np.max(np.abs(a - b)) <= 1e-10 * np.max(np.abs(b))


def test_multiclass_history_with_sparse_labels(data):
    x, _ = data
    y = np.digitize(x[:, 0] + x[:, 2], [-0.5, 0.5])  # 3 classes
    model = _model(O.Adam(0.01), loss="sparse_categorical_crossentropy", units=3, out="softmax")
    twin = to_keras(model)
    ours = model.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    theirs = twin.fit(x, y, batch_size=16, epochs=4, shuffle=False, verbose=0)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(ours.history[key], theirs.history[key], rtol=1e-12, atol=0)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(twin.evaluate(x, y, verbose=0), rel=1e-12)


def test_side_by_side_records_and_history(tmp_path, data):
    x, y = data
    run = train_side_by_side(_model(O.Adam(0.01)), x, y, epochs=3, batch_size=32, shuffle=True,
                             validation_data=(x[:50], y[:50]), record_gradients=True,
                             save=tmp_path / "run.csv")
    assert run.ok, str(run)
    assert run.steps == 3 * 7
    r = run.records
    assert set(r.columns) == {"step", "epoch", "side", "quantity", "layer", "value"}
    assert set(r.side) == {"scratch", "keras", "abs_diff", "rel_diff"}
    assert {"batch_loss", "weight", "gradient", "history/loss", "history/val_loss",
            "history/accuracy", "history/val_accuracy"} <= set(r.quantity)
    grads = r[(r.quantity == "gradient") & (r.side == "rel_diff")]
    assert len(grads) == 21 * 4 and grads.value.max() <= 1e-12
    saved = pd.read_csv(tmp_path / "run.csv")
    assert len(saved) == len(r)
    np.testing.assert_allclose(saved.value.to_numpy(), r.value.to_numpy(), rtol=1e-15)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
    # the exact batch losses of both sides, recovered from the running means, are real numbers
    loss = r[(r.quantity == "batch_loss") & (r.side == "keras")].value
    assert loss.between(0.05, 2).all()


def test_shuffled_batches_follow_the_numpy_permutation(data):
    """The scratch fit and the comparison use the same orders (a planted reorder is caught below)."""
    x, y = data
    model = _model(O.SGD(0.1))
    orders = model.epoch_orders(len(x), 2)
    seen = []

    class Spy(scratch.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model.fit(x, y, batch_size=50, epochs=2, verbose=0, callbacks=[Spy()])
    assert seen == [0, 1, 2, 3] * 2 and model._fit_calls == 1
    assert not np.array_equal(orders[0], orders[1])
    # the documented seeding, written out here (the rows fit trains on: test_mutation_survivors)
    documented = np.random.default_rng([model.seed, 1, 0])
    for order in orders:
        np.testing.assert_array_equal(order, documented.permutation(len(x)))


# -- the locator on planted faults ------------------------------------------------------------

def _run(data, model, epochs=3, shuffle=True):
    x, y = data
    return train_side_by_side(model, x, y, epochs=epochs, batch_size=32, shuffle=shuffle)


def test_locator_finds_adam_epsilon_inside_the_square_root(monkeypatch, data):
    from scratch_vs_keras.scratch.optimizers import adam

    def eps_inside(self, gradient, variable, learning_rate, index):
        t = self.iterations + 1
        alpha = learning_rate * np.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        m, v = self.momentums[index], self.velocities[index]
        m += (gradient - m) * (1 - self.beta_1)
        v += (gradient * gradient - v) * (1 - self.beta_2)
        variable -= m * alpha / np.sqrt(v + self.epsilon)  # the planted fault

    monkeypatch.setattr(adam.Adam, "update_step", eps_inside)
    run = _run(data, _model(O.Adam(0.01)))
    div = run.first_divergence()
    assert not run.ok and div is not None
    assert div.step == 0 and div.quantity == "weight"
    assert div.rel_diff > 1e-10 and div.scratch_value != div.keras_value
    assert "step 0" in str(div)


def test_locator_finds_l2_applied_to_the_bias(monkeypatch, data):
    from scratch_vs_keras.scratch import layers

    original = layers.Dense.penalty_gradients

    def bias_too(self):
        grads = original(self)
        if self.use_bias and self.kernel_regularizer is not None:
            extra = self.kernel_regularizer.gradient(self.weights[1])
            grads[1] = extra if grads[1] is None else grads[1] + extra
        return grads

    monkeypatch.setattr(layers.Dense, "penalty_gradients", bias_too)
    model = _model(O.SGD(0.1), kernel_regularizer=scratch.regularizers.L2(0.05),
                   bias_initializer=scratch.initializers.Constant(0.3))
    div = _run(data, model).first_divergence()
    assert div.step == 0 and div.quantity == "weight" and div.layer == "dense/bias"
    assert div.also == []  # nothing else has parted yet


def test_locator_finds_a_missing_activation_derivative(monkeypatch, data):
    monkeypatch.setattr(scratch.activations.Tanh, "backward", lambda self, z, a, g: g)
    div = _run(data, _model(O.SGD(0.1))).first_divergence()
    assert div.step == 0 and div.quantity == "weight"
    assert div.layer.startswith("dense/")  # the layer below the tanh
    assert not any(a.startswith("weight dense_1/") for a in div.also)


def test_locator_finds_one_batch_out_of_order(monkeypatch, data):
    import types

    from scratch_vs_keras.scratch import trainer

    real = trainer.batching.batches
    calls = []

    def swapped(x, y, order, batch_size):
        epoch = real(x, y, order, batch_size)
        calls.append(order)
        if len(calls) == 2:  # the second epoch of the NumPy fit: batches 3 and 4 swapped
            epoch[3], epoch[4] = epoch[4], epoch[3]
        return epoch

    patched = types.ModuleType("batching_with_a_swap")
    patched.__dict__.update(vars(trainer.batching))
    patched.batches = swapped
    monkeypatch.setattr(trainer, "batching", patched)  # the NumPy fit only, not the harness
    div = _run(data, _model(O.SGD(0.1)), epochs=2, shuffle=True).first_divergence()
    steps_per_epoch = 7
    assert div.step == steps_per_epoch + 3 and div.epoch == 1
    assert div.quantity == "batch_loss"


def test_first_divergence_respects_the_tolerance(data):
    run = _run(data, _model(O.Adam(0.01)), epochs=1)
    assert run.first_divergence() is None
    r = run.records
    rel = r[(r.side == "rel_diff") & r.quantity.isin(["batch_loss", "weight"])]
    worst = float(rel.value.max())
    # round-off only, and some (the same seed gives the same numbers, so this is not by chance)
    assert 0 < worst <= 1e-12
    assert first_divergence(r, tolerances=worst) is None
    div = first_divergence(r, tolerances=0.0)  # any round-off counts now
    assert div.step == int(rel[rel.value > 0].step.min()) and div.rel_diff > 0
    div = first_divergence(r, tolerances=worst * (1 - 1e-9))  # only the worst entry is beyond
    at = rel.loc[rel.value.idxmax()]
    assert (div.step, div.quantity, div.layer, div.rel_diff) == (at.step, at.quantity, at.layer, worst)
    assert div.also == []


# -- NaN stops ------------------------------------------------------------------------------------

def _exploding(optimizer):
    model = scratch.Sequential([scratch.Input((5,)), scratch.layers.Dense(8, activation="relu"),
                                scratch.layers.Dense(1)], seed=0, dtype="float64")
    model.compile(optimizer=optimizer, loss="mean_squared_error")
    return model


def test_scratch_fit_stops_on_nan_naming_the_step(data):
    x, _ = data
    y = 1e3 * x[:, 0]
    with pytest.raises(TrainingDivergedError, match=r"The loss became (nan|inf) at step \d+ \(epoch \d+, batch \d+\)") as info:
        _exploding(O.SGD(10.0)).fit(x, y, batch_size=20, epochs=50, verbose=0)
    assert info.value.step >= 1 and info.value.history is not None


def test_side_by_side_stops_on_nan_on_both_sides(data):
    x, _ = data
    y = 1e3 * x[:, 0]
    with pytest.raises(TrainingDivergedError, match=r"NumPy side at step \d+, Keras side at step \d+"):
        train_side_by_side(_exploding(O.SGD(10.0)), x, y, epochs=50, batch_size=20)


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: O.get("adamm"), r"Unknown optimizer 'adamm' for `optimizer`.*adam"),
        (lambda: O.schedules.get("cosine"), r"Unknown learning-rate schedule 'cosine'.*cosine_decay"),
        (lambda: O.SGD(learning_rate=0.0), r"`learning_rate` must be a positive number"),
        (lambda: O.Adam(learning_rate=-1e-3), r"`learning_rate` must be a positive number"),
        (lambda: O.SGD(momentum=1.0), r"`momentum` must be a number in \[0, 1\)"),
        (lambda: O.SGD(momentum=-0.1), r"`momentum` must be a number in \[0, 1\)"),
        (lambda: O.RMSprop(momentum=1.5), r"`momentum` must be a number in \[0, 1\)"),
        (lambda: O.SGD(clipnorm=1.0, clipvalue=0.5), r"Only one of `clipnorm`, `clipvalue` and `global_clipnorm`.*clipnorm, clipvalue"),
        (lambda: O.Adam(clipnorm=1.0, global_clipnorm=1.0), r"Only one of"),
        (lambda: O.SGD(clipnorm=-1.0), r"`clipnorm` must be a positive number"),
        (lambda: O.schedules.ExponentialDecay(0.1, 0, 0.5), r"`decay_steps` must be a positive integer"),
        (lambda: O.schedules.PiecewiseConstantDecay([10], [0.1]), r"one more entry than `boundaries`"),
    ],
)
def test_bad_optimizer_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, r"`batch_size` must be a positive integer; received batch_size=0"),
        ({"batch_size": -3}, r"`batch_size` must be a positive integer"),
        ({"epochs": 0}, r"`epochs` must be a positive integer; received epochs=0"),
        ({"validation_split": 1.0}, r"`validation_split` must be a fraction in \(0, 1\)"),
        ({"validation_split": -0.1}, r"`validation_split` must be a fraction"),
        ({"validation_split": 0.999}, r"leaves no training rows out of 200"),
        ({"validation_data": (np.ones((3, 5)),)}, r"`validation_data` must be a pair"),
        ({"validation_data": (np.ones((3, 4)), np.ones(3))}, r"`x_val` has 4 columns"),
    ],
)
def test_bad_fit_arguments(kwargs, match, data):
    x, y = data
    with pytest.raises(ValueError, match=match):
        _model().fit(x, y, verbose=0, **kwargs)


def test_fit_rows_must_match(data):
    x, y = data
    with pytest.raises(ValueError, match=r"`x` and `y` have different numbers of rows: 200 and 199"):
        _model().fit(x, y[:-1], verbose=0)


def test_unknown_metric():
    with pytest.raises(ValueError, match=r"Unknown metric 'f1' for `metrics`.*accuracy"):
        _model(metrics=("f1",))


def test_fit_verbosity(capsys, data):
    x, y = data
    _model().fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert re.search(r"^Epoch 1/2 - loss: \d\.\d{4} - accuracy: \d\.\d{4}$", out, re.M)
    _model().fit(x, y, epochs=1, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 1/1" in err and "7/7" in err  # tqdm's bar: 200 rows / 32 = 7 steps
    _model().fit(x, y, epochs=1, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_keras_feeds_give_identical_keras_runs(data):
    """The harness's ways of handing the batches to Keras's fit are interchangeable, bit for bit."""
    x, y = data
    runs = {feed: train_side_by_side(_model(O.Adam(0.01)), x, y, epochs=2, batch_size=32,
                                     shuffle=False, keras_feed=feed)
            for feed in ("dataset", "generator", "arrays")}
    keras = {feed: r.records[r.records.side == "keras"].value.to_numpy() for feed, r in runs.items()}
    assert np.array_equal(keras["dataset"], keras["generator"])
    assert np.array_equal(keras["dataset"], keras["arrays"])
    assert all(r.ok for r in runs.values())
    with pytest.raises(ValueError, match=r"`keras_feed` must be 'dataset', 'generator'"):
        train_side_by_side(_model(), x, y, epochs=1, shuffle=True, keras_feed="arrays")
