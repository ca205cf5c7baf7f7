"""Dropout on both sides: the NumPy layer draws Keras's own masks (TensorFlow's stateless Philox
stream reproduced), so a side-by-side run through Keras's real ``model.fit`` agrees step by step;
at inference neither side drops anything."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.scratch._philox import uniform
from scratch_vs_keras.scratch.layers import Dense, Dropout, Input

keras = pytest.importorskip("keras")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    return x, (x[:, 0] + x[:, 1] > 0).astype(float)


def _mlp(rate=0.5, seed=None):
    model = scratch.Sequential([Input(shape=(5,)), Dense(8, activation="relu"), Dropout(rate, seed=seed),
                                Dense(4, activation="tanh"), Dropout(0.25, seed=7),
                                Dense(1, activation="sigmoid")], seed=0, dtype="float64")
    model.compile(optimizer=scratch.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_philox_uniform_equals_tensorflow_stateless_uniform(dtype):
    import tensorflow as tf

    for seed in [(0, 0), (1337, 5), (2**31 - 3, 17)]:
        ref = tf.random.stateless_uniform((33, 7), seed=tf.constant(seed, tf.int32), dtype=dtype)
        np.testing.assert_array_equal(uniform((33, 7), seed, dtype), ref.numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_each_training_call_draws_keras_next_mask(dtype):
    from scratch_vs_keras.keras_side import configure_keras

    configure_keras(dtype)
    x = np.random.default_rng(1).normal(size=(40, 30)).astype(dtype)
    ours, theirs = Dropout(0.4, seed=123), keras.layers.Dropout(0.4, seed=123)
    for _ in range(3):  # three calls: three different masks, each Keras's
        out, _ = ours.forward(x, training=True)
        np.testing.assert_array_equal(out, np.asarray(theirs(x, training=True)))
    kept = out != 0
    assert 0.5 < kept.mean() < 0.7  # about 1 - rate kept
    np.testing.assert_array_equal(out[kept], (x * x.dtype.type(1 / 0.6))[kept])  # scaled by 1/(1-r)
    assert ours.draws == 3


def test_inference_drops_nothing_on_either_side():
    from scratch_vs_keras.keras_side import to_keras

    model = _mlp()
    x, _ = _data()
    twin = to_keras(model)
    # without dropout the network is the Dense chain alone: compute it by hand from the weights
    w = model.get_weights()
    h = np.maximum(x @ w[0] + w[1], 0)
    h = np.tanh(h @ w[2] + w[3])
    expected = 1 / (1 + np.exp(-(h @ w[4] + w[5])))
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(twin(x, training=False)), expected, rtol=1e-13)
    assert model.layers[1].draws == 0  # predict drew no mask


def test_dropout_gradient_passes_only_kept_units_scaled():
    layer = Dropout(0.5, seed=3)
    x = np.ones((6, 10))
    out, cache = layer.forward(x, training=True)
    _, grad_in = layer.backward(np.ones_like(x), cache)
    np.testing.assert_array_equal(grad_in, np.where(out != 0, 2.0, 0.0))


def test_side_by_side_1000_steps_with_dropout_match_within_1e_10():
    from scratch_vs_keras.compare import train_side_by_side

    x, y = _data()
    run = train_side_by_side(_mlp(), x, y, epochs=125, batch_size=8)
    table = run.verdict_table()
    assert run.steps == 1000
    assert table.worst_rel_diff.max() <= 1e-10 and run.ok, str(run)
    # the masks mattered: the sides would part with other masks (a different Keras seed)
    assert run.scratch_model.layers[1].draws == 1000


def test_a_twin_with_other_masks_is_caught():
    from scratch_vs_keras.compare import train_side_by_side
    from scratch_vs_keras.keras_side import to_keras

    x, y = _data()
    model = _mlp(seed=11)
    other = _mlp(seed=12)  # same weights, another dropout seed
    run = train_side_by_side(model, x, y, epochs=1, batch_size=8, keras_model=to_keras(other))
    assert not run.ok
    assert run.first_divergence().step == 0


def test_functional_model_uses_the_same_dropout():
    from scratch_vs_keras.compare import train_side_by_side

    x, y = _data()
    inp = Input(shape=(5,), name="x")
    h = Dropout(0.3, seed=5)(Dense(6, activation="relu")(inp))
    model = scratch.Model(inp, Dense(1, activation="sigmoid")(h), seed=0, dtype="float64")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    run = train_side_by_side(model, x, y, epochs=4, batch_size=8)
    assert run.ok and run.steps == 32, str(run)


def test_bad_rate_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.5)


def test_one_batch_comparison_sees_one_mask_on_both_sides():
    from scratch_vs_keras.compare import compare_gradients

    x, y = _data()
    model = _mlp()
    with pytest.raises(ValueError, match="finite_differences=False"):
        compare_gradients(model, x[:16], y[:16])
    check = compare_gradients(model, x[:16], y[:16], finite_differences=False)
    assert check.ok, str(check)
    dropped = check.table[check.table.layer == model.layers[1].name]
    assert len(dropped) == 1 and dropped.status.iloc[0] == "ok"  # the dropout layer's output compared


def test_recomputed_gradients_are_refused_for_dropout_runs():
    from scratch_vs_keras.compare import train_side_by_side

    x, y = _data()
    with pytest.raises(ValueError, match="record_gradients=False"):
        train_side_by_side(_mlp(), x, y, epochs=1, batch_size=8, record_gradients=True)
