"""sample_weight / class_weight in fit, evaluate and the side-by-side run, and Keras's callbacks
(EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger) on the NumPy
side, each against real Keras (issue 16, item 3).

The ``ported_*`` tests translate Keras 3.15.1's own callback tests (``keras/src/callbacks/*_test.py``,
file and test name beside each) to the NumPy side, with Keras's expected numbers; the table in
docs/keras_tests.md lists them and the out-of-scope ones.
"""

import csv
import os
import re

import numpy as np
import pytest

from scratch_vs_keras import scratch, to_keras
from scratch_vs_keras.compare import train_side_by_side

C = scratch.callbacks
O = scratch.optimizers


def _data(n=40, seed=3, noise=0.8):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] - x[:, 1] + noise * rng.normal(size=n) > 0).astype(float)
    return x, y


def _binary(optimizer=None, hidden=6, metrics=("accuracy",), seed=1):
    model = scratch.Sequential([scratch.Input((4,)), scratch.layers.Dense(hidden, activation="tanh"),
                                scratch.layers.Dense(1, activation="sigmoid")],
                               seed=seed, dtype="float64")
    model.compile(optimizer=optimizer or O.Adam(0.01), loss="binary_crossentropy",
                  metrics=list(metrics))
    return model


def _regression(optimizer="sgd", units=2, hidden=5, metrics=(), n_in=3):
    """Keras's callback tests' model: Dense(5) -> Dense(2), mse."""
    model = scratch.Sequential([scratch.Input((n_in,)), scratch.layers.Dense(hidden),
                                scratch.layers.Dense(units)], seed=0, dtype="float64")
    model.compile(optimizer=optimizer, loss="mse", metrics=list(metrics))
    return model


def _keras_test_data(n=10, seed=1337):
    """Like keras.src.testing.test_utils.get_test_data(10, 10, (3,), 2), one-hot targets."""
    rng = np.random.default_rng(seed)
    x, xv = rng.random((n, 3)), rng.random((n, 3))
    return x, np.eye(2)[rng.integers(0, 2, n)], xv, np.eye(2)[rng.integers(0, 2, n)]


def _assert_histories_equal(ours, theirs, rtol=1e-12):
    assert sorted(ours) == sorted(theirs)
    for key, values in theirs.items():
        np.testing.assert_allclose(ours[key], values, rtol=rtol, atol=0, err_msg=key)


def _assert_weights_equal(a, b, rtol=1e-10):
    for wa, wb in zip(a, b):
        assert np.max(np.abs(wa - wb)) <= rtol * np.max(np.abs(wb))


# -- sample_weight and class_weight -----------------------------------------------------------

def test_weighted_loss_divides_by_the_batch_size_not_the_weight_sum():
    """Keras's sum_over_batch_size: (w1 l1 + w2 l2) / 2, from each row's own loss."""
    x, y = _data(n=2)
    model = _binary(metrics=())
    l1, l2 = model.evaluate(x[:1], y[:1]), model.evaluate(x[1:], y[1:])
    assert model.evaluate(x, y, sample_weight=[1.0, 0.0]) == pytest.approx(l1 / 2, rel=1e-15)
    assert model.evaluate(x, y, sample_weight=[3.0, 0.5]) == pytest.approx(
        (3 * l1 + 0.5 * l2) / 2, rel=1e-15)
    assert model.evaluate(x, y, sample_weight=[0.0, 0.0]) == 0.0


def test_class_weight_is_the_sample_weight_of_each_rows_class():
    x, _ = _data(n=30)
    y = np.digitize(x[:, 0] + x[:, 2], [-0.5, 0.5])  # 3 classes, integer labels
    model = scratch.Sequential([scratch.Input((4,)), scratch.layers.Dense(3, activation="softmax")],
                               seed=2, dtype="float64")
    model.compile(optimizer=O.SGD(0.1), loss="sparse_categorical_crossentropy")
    by_hand = np.array([{0: 0.5, 2: 4.0}.get(c, 1.0) for c in y])  # class 1 has no key: 1
    assert np.array_equal(model.sample_weights(y, class_weight={0: 0.5, 2: 4.0}), by_hand)
    onehot = np.eye(3)[y]
    model.compile(optimizer=O.SGD(0.1), loss="categorical_crossentropy")
    assert np.array_equal(model.sample_weights(onehot, class_weight={0: 0.5, 2: 4.0}), by_hand)


@pytest.mark.parametrize("validation", ["data", "split"])
def test_fit_and_evaluate_with_sample_weight_match_keras(validation):
    """Validation rows weighted too: ``(x_val, y_val, w_val)``, or the split's share of ``w``."""
    x, y = _data(n=60)
    w = np.random.default_rng(0).uniform(0, 3, size=60)
    model = _binary()
    twin = to_keras(model)
    kwargs = dict(batch_size=16, epochs=3, shuffle=False, verbose=0)
    if validation == "data":
        kwargs["validation_data"] = (x[:20], y[:20], w[:20])
    else:
        kwargs["validation_split"] = 0.25
    _assert_histories_equal(model.fit(x, y, sample_weight=w, **kwargs).history,
                            twin.fit(x, y, sample_weight=w, **kwargs).history)
    _assert_weights_equal(model.get_weights(), twin.get_weights())
    np.testing.assert_allclose(model.evaluate(x, y, sample_weight=w, batch_size=16),
                               twin.evaluate(x, y, sample_weight=w, batch_size=16, verbose=0),
                               rtol=1e-13)


def test_fit_with_class_weight_and_validation_split_matches_keras(targets="onehot"):
    """One-hot targets (a row's class is its argmax); the rounded labels of a single sigmoid
    unit are the 1,000-step run's below."""
    x, _ = _data(n=45)
    labels = np.digitize(x[:, 0] + x[:, 2], [-0.5, 0.5])
    y = labels if targets == "sparse" else np.eye(3)[labels]
    model = scratch.Sequential([scratch.Input((4,)), scratch.layers.Dense(5, activation="relu"),
                                scratch.layers.Dense(3, activation="softmax")], seed=4,
                               dtype="float64")
    model.compile(optimizer=O.RMSprop(0.01), metrics=["accuracy"],
                  loss=f"{'sparse_' if targets == 'sparse' else ''}categorical_crossentropy")
    twin = to_keras(model)
    kwargs = dict(batch_size=8, epochs=3, shuffle=False, verbose=0, validation_split=0.2,
                  class_weight={0: 0.3, 2: 2.7})
    _assert_histories_equal(model.fit(x, y, **kwargs).history, twin.fit(x, y, **kwargs).history)
    _assert_weights_equal(model.get_weights(), twin.get_weights())


@pytest.mark.parametrize("kwargs, message", [
    ({"sample_weight": np.ones(40), "class_weight": {0: 1.0}}, "cannot be given together"),
    ({"sample_weight": np.ones(39)}, r"`sample_weight` has shape \(39,\); expected .*\(40,\)"),
    ({"sample_weight": np.ones((40, 2))}, r"`sample_weight` has shape \(40, 2\)"),
    ({"sample_weight": -np.ones(40)}, "`sample_weight` has a negative weight"),
    ({"sample_weight": np.full(40, np.nan)}, "`sample_weight` contains NaN"),
    ({"class_weight": {2: 1.0}}, "`class_weight` has the key 2, which is no class"),
    ({"class_weight": {0: -1.0}}, r"`class_weight\[0\]` must be"),
    ({"class_weight": {"a": 1.0}}, "`class_weight` has the key 'a'"),
    ({"class_weight": [1.0, 2.0]}, "`class_weight` must be a dict"),
    ({"validation_data": (np.ones((5, 4)), np.ones(5), np.ones(4))}, "`sample_weight_val`"),
    ({"validation_data": (np.ones((5, 4)),)}, "`validation_data` must be a pair"),
])
def test_bad_weights_are_refused_naming_the_argument(kwargs, message):
    x, y = _data()
    with pytest.raises((ValueError, TypeError), match=message):
        _binary().fit(x, y, verbose=0, **kwargs)


def test_side_by_side_with_weights_refuses_what_it_cannot_record():
    x, y = _data()
    with pytest.raises(ValueError, match="record_gradients=False"):
        train_side_by_side(_binary(), x, y, sample_weight=np.ones(40), record_gradients=True)
    with pytest.raises(ValueError, match="refuses `class_weight` with a Python generator"):
        train_side_by_side(_binary(), x, y, class_weight={0: 2.0}, keras_feed="generator")


@pytest.mark.parametrize("weighting", ["sample_weight", "class_weight"])
def test_side_by_side_1000_steps_with_weights_within_the_contract(weighting):
    """>= 1,000 steps through Keras's real fit, weights per batch on both sides."""
    x, y = _data(n=400, seed=5)
    kwargs = ({"sample_weight": np.random.default_rng(1).uniform(0, 2, size=400)}
              if weighting == "sample_weight" else {"class_weight": {0: 0.3, 1: 2.7}})
    run = train_side_by_side(_binary(O.Adam(0.005)), x, y, epochs=20, batch_size=8, **kwargs)
    assert run.steps == 1000
    assert run.ok, str(run)
    weights = run.records[(run.records.side == "rel_diff") & (run.records.quantity == "weight")]
    assert weights.value.max() <= 1e-10
    # the weights reached the run: its first epoch is a weighted fit's, not an unweighted one's
    first = [_binary(O.Adam(0.005)).fit(x, y, epochs=1, batch_size=8, verbose=0, **weighted)
             .history["loss"][0] for weighted in (kwargs, {})]
    # (the dataset feed's class weights are float32 numbers: close to, not equal to, first[0])
    assert run.scratch_history["loss"][0] == pytest.approx(first[0], rel=1e-6)
    assert first[0] != pytest.approx(first[1], rel=1e-3)


@pytest.mark.parametrize("feed", ["arrays", "generator"])
def test_side_by_side_feeds_carry_the_same_weights(feed):
    """The other ways of feeding Keras give it the weights the NumPy side trains with too (the
    dataset feed: the 1,000-step runs above; there Keras holds class weights in float32, and
    0.3 would be 1e-8 off in float64 otherwise)."""
    x, y = _data(n=48)
    shuffle = feed != "arrays"
    w = {"sample_weight": np.linspace(0.1, 2.0, 48)} if feed == "generator" else {
        "class_weight": {0: 0.3, 1: 1.7}}
    run = train_side_by_side(_binary(), x, y, epochs=2, batch_size=16, shuffle=shuffle,
                             keras_feed=feed, **w)
    assert run.ok, str(run)


# -- callbacks: Keras's own tests, ported ------------------------------------------------------

@pytest.mark.parametrize("mode, monitor, expected", [
    ("max", "val_loss", np.greater),  # early_stopping_test.py::test_early_stopping ("max", "val_mse")
    ("min", "val_loss", np.less),
    ("auto", "loss", np.less),
    ("auto", "acc", np.greater),
    ("auto", "val_accuracy", np.greater),
])
def test_ported_early_stopping_mode(mode, monitor, expected):
    """early_stopping_test.py::test_early_stopping (the twin's metrics: accuracy, acc)."""
    x, y = _data(n=10)
    model = _binary(metrics=("acc", "accuracy"))
    stopper = C.EarlyStopping(patience=0, monitor=monitor, mode=mode)
    model.fit(x, y, batch_size=5, validation_data=(x, y), callbacks=[stopper], epochs=2, verbose=0)
    assert stopper.monitor_op is expected


def test_ported_early_stopping_unknown_monitor():
    """early_stopping_test.py::test_early_stopping (monitor="unknown" raises ValueError)."""
    x, y = _data(n=10)
    with pytest.raises(ValueError, match="monitor=unknown"):
        _binary().fit(x, y, batch_size=5, validation_data=(x, y), epochs=2, verbose=0,
                      callbacks=[C.EarlyStopping(patience=0, monitor="unknown")])


class _StubModel:
    """A stand-in model for the callbacks' own logic (Keras's tests use Sequential/DummyModel)."""

    def __init__(self, metrics=()):
        self.stop_training, self.weights, self.metrics = False, -1, list(metrics)

    def get_weights(self):
        return self.weights

    def set_weights(self, weights):
        self.weights = weights


@pytest.mark.parametrize("patience", [0, 1, 2, 3])
def test_ported_early_stopping_patience(patience):
    """early_stopping_test.py::test_early_stopping_patience."""
    stopper = C.EarlyStopping(monitor="loss", patience=patience)
    stopper.set_model(_StubModel())
    stopper.on_train_begin()
    for epoch, loss in enumerate([10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5]):
        stopper.on_epoch_end(epoch=epoch, logs={"loss": loss})
        if stopper.model.stop_training:
            break
    assert stopper.stopped_epoch == max(patience, 1) + 2


def test_ported_early_stopping_reuse_and_state_reset():
    """early_stopping_test.py::test_early_stopping_reuse and ::test_state_reset_across_fit_calls."""
    rng = np.random.default_rng(0)
    data = rng.random((100, 1))
    labels = (data > 0.5).astype(float)
    model = scratch.Sequential([scratch.Input((1,)), scratch.layers.Dense(1, activation="relu"),
                                scratch.layers.Dense(1, activation="relu")], seed=0)
    model.compile(optimizer="sgd", loss="mae")
    stopper = C.EarlyStopping(monitor="loss", patience=3)
    assert len(model.fit(data, labels, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 3
    assert len(model.fit(data, labels, callbacks=[stopper], verbose=0, epochs=20).epoch) >= 3
    stopper.best, stopper.wait, stopper.stopped_epoch, stopper.best_epoch = 0.1, 3, 5, 5
    stopper.best_weights = object()
    stopper.on_train_begin()
    assert (stopper.best, stopper.wait, stopper.stopped_epoch, stopper.best_epoch,
            stopper.best_weights) == (None, 0, 0, 0, None)


@pytest.mark.parametrize("kwargs, at_least", [
    ({"baseline": 0.6, "patience": 3}, 3),  # early_stopping_test.py::test_early_stopping_with_baseline
    ({"start_from_epoch": 2, "patience": 3}, 5),  # ::test_early_stopping_with_start_from_epoch
    ({"start_from_epoch": 2, "patience": 0}, 2),  # its boundary case
])
def test_ported_early_stopping_baseline_and_start_from_epoch(kwargs, at_least):
    """Monitor loss for Keras's mse metric (the twin's metrics are accuracies)."""
    rng = np.random.default_rng(1)
    x, y = rng.random((10, 5)), rng.random((10, 1))
    model = scratch.Sequential([scratch.Input((5,)), scratch.layers.Dense(1, activation="relu"),
                                scratch.layers.Dense(1, activation="relu")], seed=0)
    model.compile(optimizer="sgd", loss="mae")
    stopper = C.EarlyStopping(monitor="loss", **kwargs)
    assert len(model.fit(x, y, callbacks=[stopper], verbose=0, epochs=20).epoch) >= at_least


@pytest.mark.parametrize("losses, patience, baseline, stop_at, trained", [
    ([0.2, 0.15, 0.1, 0.11, 0.12], 2, None, None, None),
    ([0.9, 0.8, 0.7, 0.71, 0.72, 0.73], 5, 0.5, None, 5),
    ([0.9, 0.8, 0.7, 0.71, 0.72, 0.73], 5, 0.5, 3, 4),
])
def test_ported_early_stopping_restores_the_best_weights(losses, patience, baseline, stop_at,
                                                          trained):
    """early_stopping_test.py::test_early_stopping_final_weights_when_restoring_model_weights:
    the best epoch is 2 in all three cases (its "weights" are the epoch number)."""
    stopper = C.EarlyStopping(monitor="val_loss", patience=patience, baseline=baseline,
                              restore_best_weights=True)
    stopper.set_model(_StubModel())
    stopper.on_train_begin()
    epochs_trained = 0
    for epoch, loss in enumerate(losses):
        epochs_trained += 1
        stopper.model.weights = epoch
        stopper.on_epoch_end(epoch, logs={"val_loss": loss})
        if epoch == stop_at:
            stopper.model.stop_training = True
        if stopper.model.stop_training:
            break
    stopper.on_train_end()
    assert stopper.model.get_weights() == 2
    if trained is not None:
        assert epochs_trained == trained


def _reduce_lr_fit(epochs, **kwargs):
    x, y, xv, yv = _keras_test_data()
    model = _regression(O.Adam(0.1))
    model.fit(x, y, validation_data=(xv, yv), epochs=epochs, verbose=0,
              callbacks=[C.ReduceLROnPlateau(monitor="val_loss", patience=1, factor=0.1, **kwargs)])
    return model.optimizer.learning_rate


def test_ported_reduce_lr_on_plateau():
    """reduce_lr_on_plateau_test.py::test_reduces_lr_with_model_fit, ::test_honors_min_lr and
    ::test_cooldown (Keras's numbers: 0.01, 0.005, 0.001)."""
    assert _reduce_lr_fit(2, min_delta=100) == 0.1 * 0.1
    assert _reduce_lr_fit(4, min_delta=10, min_lr=0.005) == 0.005
    assert _reduce_lr_fit(4, min_delta=100, cooldown=2) == pytest.approx(0.001, rel=1e-6)


def test_ported_reduce_lr_verbose_and_state_reset(capsys):
    """reduce_lr_on_plateau_test.py::test_verbose_logging and ::test_state_reset_across_fit_calls."""
    x, y, xv, yv = _keras_test_data()
    model = _regression(O.Adam(0.1))
    reduce_lr = C.ReduceLROnPlateau(patience=1, factor=0.1, monitor="val_loss", min_delta=100,
                                    verbose=1)
    model.fit(x, y, validation_data=(xv, yv), callbacks=[reduce_lr], epochs=2, verbose=0)
    assert "ReduceLROnPlateau reducing learning rate to 0.01" in capsys.readouterr().out
    reduce_lr.best, reduce_lr.wait, reduce_lr.cooldown_counter = 0.5, 3, 2
    reduce_lr.on_train_begin()
    assert (reduce_lr.best, reduce_lr.wait, reduce_lr.cooldown_counter) == (None, 0, 0)


@pytest.mark.parametrize("callback", [
    C.ReduceLROnPlateau(patience=1, factor=0.1, monitor="val_loss", min_delta=100),
    C.LearningRateScheduler(lambda step, lr: lr / 2),
])
def test_ported_callbacks_refuse_an_optimizer_with_a_schedule(callback):
    """reduce_lr_on_plateau_test.py::test_throws_when_optimizer_has_schedule and
    learning_rate_scheduler_test.py::test_throws_when_optimizer_has_schedule."""
    x, y, xv, yv = _keras_test_data()
    model = _regression(O.Adam(O.schedules.PolynomialDecay(initial_learning_rate=0.1,
                                                           decay_steps=10)))
    with pytest.raises(TypeError, match="This optimizer was created with a `LearningRateSchedule`"):
        model.fit(x, y, validation_data=(xv, yv), callbacks=[callback], epochs=2, verbose=0)


def test_ported_learning_rate_scheduler(capsys):
    """learning_rate_scheduler_test.py::test_updates_learning_rate, ::test_verbose_logging,
    ::test_schedule_dependent_on_previous_learning_rate, ::test_learning_rate_in_history."""
    x, y, _, _ = _keras_test_data()
    model = _regression()
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[C.LearningRateScheduler(lambda step: 1.0 / (2.0 + step), verbose=1)])
    assert model.optimizer.learning_rate == 0.5
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[C.LearningRateScheduler(lambda step: 1.0 / (1.0 + step), verbose=1)])
    assert "LearningRateScheduler setting learning rate to 1.0" in capsys.readouterr().out
    model.compile(loss="mse", optimizer=O.Adam(0.03))
    model.fit(x, y, epochs=2, verbose=0, callbacks=[C.LearningRateScheduler(lambda s, lr: lr / 2)])
    assert model.optimizer.learning_rate == 0.03 / 4.0
    history = model.fit(x, y, epochs=1, verbose=0,
                        callbacks=[C.LearningRateScheduler(lambda step, lr: 0.5)])
    assert type(history.history["learning_rate"][0]) is float
    assert history.history["learning_rate"] == [0.5]


def _exploding_model(units=2):
    """terminate_on_nan_test.py::test_TerminateOnNaN's model: five relu layers with every
    kernel entry 1e5, so the float32 loss (Keras's test runs in float32) overflows at once."""
    layers = [scratch.Input((3,))]
    layers += [scratch.layers.Dense(2, activation="relu",
                                    kernel_initializer=scratch.initializers.Constant(1e5))
               for _ in range(5)]
    model = scratch.Sequential(layers + [scratch.layers.Dense(units)], seed=0, dtype="float32")
    model.compile(loss="mean_squared_error", optimizer="sgd")
    return model


def test_ported_terminate_on_nan(tmp_path):
    """terminate_on_nan_test.py::test_TerminateOnNaN, ::test_terminate_on_nan_graceful_stop and
    csv_logger_test.py::test_stop_training_csv (the NaN logged), against real Keras."""
    x, y, xv, yv = _keras_test_data()
    model = _exploding_model()
    twin = to_keras(model)
    kwargs = dict(batch_size=4, validation_data=(xv, yv), epochs=20, verbose=0)
    log = tmp_path / "csv_logger.csv"
    ours = model.fit(x, y, callbacks=[C.TerminateOnNaN(), C.CSVLogger(log)], **kwargs).history
    import keras
    theirs = twin.fit(x, y, callbacks=[keras.callbacks.TerminateOnNaN()], **kwargs).history
    for history in (ours, theirs):
        assert len(history["loss"]) == 1
        assert not np.isfinite(history["loss"][0])
    assert sorted(ours) == sorted(theirs)
    with open(log) as f:
        assert "nan" in [row for row in csv.reader(f) if row][-1]


def test_ported_terminate_on_nan_raise_error(tmp_path):
    """terminate_on_nan_test.py::test_terminate_on_nan_raise_error_raises_error,
    ::test_raise_error_terminate_does_not_trigger_on_train_end,
    ::test_raise_error_terminate_stops_on_later_batch, ::test_normal_training_does_not_raise
    (a non-finite target there; the twin refuses those, so the rows blow up instead)."""
    class Tracking(C.Callback):
        train_end_called = False

        def on_train_end(self, logs=None):
            self.train_end_called = True

    model = scratch.Sequential([scratch.Input((1,)), scratch.layers.Dense(1)], seed=0,
                               dtype="float64")
    model.compile(optimizer="sgd", loss="mse")
    tracking = Tracking()
    x, y = np.array([[1.0], [1e200]]), np.array([[1.0], [2.0]])  # batch 1 overflows
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        model.fit(x, y, epochs=1, batch_size=1, verbose=0,
                  callbacks=[tracking, C.TerminateOnNaN(raise_error=True)])
    assert not tracking.train_end_called
    graceful = model.fit(x, y, epochs=2, batch_size=1, verbose=0, callbacks=[C.TerminateOnNaN()])
    assert len(graceful.history["loss"]) < 4
    for raise_error in (False, True):
        model = scratch.Sequential([scratch.Input((1,)), scratch.layers.Dense(1)], seed=0)
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(x[:1], y[:1], epochs=2, verbose=0,
                            callbacks=[C.TerminateOnNaN(raise_error=raise_error)])
        assert len(history.history["loss"]) == 2


def test_ported_csv_logger(tmp_path):
    """csv_logger_test.py::test_CSVLogger, cases 1-3 (separator, append without a second
    header, a reused logger); metric accuracy for Keras's mse (the twin's metrics are accuracies)."""
    rng = np.random.default_rng(1337)
    x, y, xv, yv = rng.random((10, 3)), rng.random((10, 1)), rng.random((10, 3)), rng.random((10, 1))
    path = tmp_path / "log.tsv"

    def fit(model, logger, epochs=1):
        model.fit(x, y, batch_size=4, validation_data=(xv, yv), callbacks=[logger], epochs=epochs,
                  verbose=0)

    fit(_regression(units=1, hidden=2, metrics=["accuracy"]), C.CSVLogger(path, separator="\t"))
    assert csv.Sniffer().sniff(path.read_text()).delimiter == "\t"
    model = _regression(units=1, hidden=2, metrics=["accuracy"])
    logger = C.CSVLogger(path, separator="\t", append=True)
    fit(model, logger)
    fit(model, logger, epochs=2)
    lines = path.read_text().splitlines(keepends=True)
    assert all(line.count("\t") == 4 for line in lines)
    assert len(lines) == 5
    assert len(re.findall("epoch", " ".join(lines))) == 1


def test_stop_training_set_by_a_callback_ends_fit_after_that_batch():
    class StopAt(C.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    x, y = _data()
    model = _binary(O.SGD(0.1))
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[StopAt()])
    assert model.optimizer.iterations == 3 and history.epoch == [0]


# -- callbacks through the side-by-side run, against real Keras --------------------------------

def test_side_by_side_callbacks_stop_at_the_same_epoch_with_the_same_learning_rates(tmp_path):
    """ReduceLROnPlateau (reductions in the run), EarlyStopping restoring the best weights and
    CSVLogger on both sides of one run through Keras's real fit: the same epochs, the same
    learning rate every epoch, weights within the contract, the same restored weights."""
    x, y = _data(n=40, noise=1.5)
    xv, yv = _data(n=20, seed=9, noise=0.0)
    callbacks = [C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=0.03),
                 C.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
                 C.CSVLogger(tmp_path / "log.csv")]
    run = train_side_by_side(_binary(O.Adam(0.05), hidden=16), x, y, epochs=40, batch_size=8,
                             validation_data=(xv, yv), callbacks=callbacks)
    assert run.ok, str(run)
    rates = run.scratch_history["learning_rate"]
    assert rates == run.keras_history["learning_rate"]
    assert len(set(rates)) >= 3, rates  # the rate was reduced at least twice
    epochs = len(run.keras_history["loss"])
    assert 0 < callbacks[1].stopped_epoch == epochs - 1 < 39
    assert len(run.scratch_history["loss"]) == epochs
    rows = run.records[run.records.quantity.isin(["history/epochs", "history/steps"])]
    assert set(rows[rows.side == "scratch"].value) == {epochs, 5 * epochs}
    _assert_weights_equal(run.scratch_model.get_weights(), run.keras_model.get_weights())
    with open(tmp_path / "log.csv") as a, open(tmp_path / "log.keras.csv") as b:
        ours, theirs = list(csv.reader(a)), list(csv.reader(b))
    assert ours[0] == theirs[0] and len(ours) == len(theirs) == epochs + 1
    np.testing.assert_allclose(np.array(ours[1:], float), np.array(theirs[1:], float), rtol=1e-12)


def test_side_by_side_learning_rate_scheduler_and_a_different_stop_is_a_mismatch():
    x, y = _data()
    halve = C.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.5)
    run = train_side_by_side(_binary(O.SGD(0.2)), x, y, epochs=4, batch_size=8, callbacks=[halve])
    assert run.ok, str(run)
    assert run.scratch_history["learning_rate"] == [0.2, 0.1, 0.05, 0.025]
    assert run.keras_history["learning_rate"] == [0.2, 0.1, 0.05, 0.025]

    class StopOneSide(C.Callback):  # stops only the NumPy side (it has no Keras twin)
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = epoch == 1

        def get_config(self):
            return {"schedule": lambda epoch, lr: lr}

    StopOneSide.__name__ = "LearningRateScheduler"
    run = train_side_by_side(_binary(O.SGD(0.2)), x, y, epochs=4, batch_size=8,
                             callbacks=[StopOneSide()])
    assert not run.ok
    table = run.verdict_table().set_index("quantity")
    assert not table.loc["history/epochs", "ok"] and not table.loc["history/steps", "ok"]


def test_callbacks_without_a_keras_twin_are_refused_by_the_side_by_side_run():
    x, y = _data()
    with pytest.raises(ValueError, match="has no Keras twin"):
        train_side_by_side(_binary(), x, y, callbacks=[C.History()])


@pytest.mark.parametrize("mode, losses", [
    ("min", [1.0, 1.0 - 1e-12, 1.0 - 1e-6, 1.0 - 1e-6 - 1e-13]),  # gaps below float32's resolution
    ("max", [0.5, 0.5 + 2e-9, 0.5 + 1e-7, 0.6]),
    ("min", [0.3, 0.2, np.nan, 0.1]),
])
@pytest.mark.parametrize("min_delta", [0.0, 1e-7])
def test_early_stopping_decides_each_epoch_as_keras_does(mode, losses, min_delta):
    """The monitor comparison in float32, as keras.ops.less does it on Python floats: real
    Keras's EarlyStopping and the twin's, fed the same logs, stop at the same epoch with the
    same best value."""
    import keras

    decisions = []
    for make in (C.EarlyStopping, keras.callbacks.EarlyStopping):
        stopper = make(monitor="loss", mode=mode, patience=1, min_delta=min_delta)
        stopper.set_model(_StubModel())
        stopper.on_train_begin()
        for epoch, loss in enumerate(losses):
            stopper.on_epoch_end(epoch, logs={"loss": loss})
            if stopper.model.stop_training:
                break
        decisions.append((stopper.stopped_epoch, stopper.best, stopper.wait))
    assert decisions[0] == decisions[1]


def test_reduce_lr_on_plateau_decides_each_epoch_as_keras_does():
    """Real Keras's ReduceLROnPlateau and the twin's, fed the same logs: the same learning rate,
    patience and cooldown counters every epoch, also at the floor (Keras compares the rate with
    ``np.float32(min_lr)``, in float32: a rate within float32's resolution of min_lr is not
    reduced further)."""
    import keras

    from scratch_vs_keras.keras_side import configure_keras

    configure_keras("float64")
    losses = [1.0, 1.0, 1.0 - 1e-12, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    traces = []
    for make, optimizer in ((C.ReduceLROnPlateau, O.SGD(0.04)),
                            (keras.callbacks.ReduceLROnPlateau, keras.optimizers.SGD(0.04))):
        callback = make(monitor="loss", factor=0.5, patience=1, cooldown=1, min_lr=0.01 - 1e-12,
                        min_delta=0)
        model = _StubModel()
        model.optimizer = optimizer
        callback.set_model(model)
        callback.on_train_begin()
        trace = []
        for epoch, loss in enumerate(losses):
            logs = {"loss": loss}
            callback.on_epoch_end(epoch, logs)
            trace.append((logs["learning_rate"], callback.wait, callback.cooldown_counter))
        traces.append(trace)
    assert traces[0] == traces[1]
    assert traces[0][-1][0] == 0.01
