"""Weights: Keras order and shapes, seeded reproducibility, initializer distributions, the twin."""

import numpy as np
import pytest

from scratch_vs_keras import scratch, to_keras
from scratch_vs_keras.keras_side import copy_weights
from conftest import make_model

I = scratch.initializers


def test_get_weights_order_and_shapes_are_keras_layout():
    model = make_model(n_in=4, hidden=(5, 3), out_units=2, out_activation="softmax",
                       loss="categorical_crossentropy")
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(4, 5), (5,), (5, 3), (3,), (3, 2), (2,)]
    twin = to_keras(model)
    assert [w.shape for w in twin.get_weights()] == shapes
    assert model.weight_names() == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
                                    "dense_2/kernel", "dense_2/bias"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_twin_starts_from_identical_weights_and_dtype(dtype):
    model = make_model(dtype=dtype, hidden=(6, 4))
    twin = to_keras(model)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        assert b.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)


def test_weights_copy_both_ways(rng):
    model = make_model(hidden=(6,))
    twin = to_keras(model)
    new = [rng.normal(size=w.shape) for w in twin.get_weights()]
    twin.set_weights(new)
    copy_weights(twin, model)  # keras -> numpy
    for a, b in zip(model.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    model.set_weights([w * 2 for w in new])
    copy_weights(model, twin)  # numpy -> keras
    for a, b in zip(twin.get_weights(), new):
        np.testing.assert_array_equal(a, 2 * b)


def test_get_weights_returns_copies():
    model = make_model()
    w = model.get_weights()
    w[0][:] = 123.0
    assert not np.any(model.get_weights()[0] == 123.0)


def test_same_seed_same_weights_bit_for_bit_and_different_seed_differs():
    a = make_model(seed=5, hidden=(8, 8))
    b = make_model(seed=5, hidden=(8, 8))
    c = make_model(seed=6, hidden=(8, 8))
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        assert wa.tobytes() == wb.tobytes()
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_global_seed_makes_unseeded_models_reproducible():
    def build():
        return scratch.Sequential([scratch.Input((3,)), scratch.layers.Dense(4)]).get_weights()[0]

    scratch.utils.set_random_seed(42)
    first, second = build(), build()
    scratch.utils.set_random_seed(42)
    assert np.array_equal(build(), first)
    assert not np.array_equal(first, second)


def test_float32_and_float64_models_from_one_seed_share_weights_up_to_rounding():
    w64 = make_model(dtype="float64", seed=9).get_weights()
    w32 = make_model(dtype="float32", seed=9).get_weights()
    for a, b in zip(w64, w32):
        np.testing.assert_array_equal(a.astype(np.float32), b)


FAN_IN, FAN_OUT = 400, 300


@pytest.mark.parametrize(
    "name, bound, std",
    [
        ("glorot_uniform", np.sqrt(6 / (FAN_IN + FAN_OUT)), np.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("he_uniform", np.sqrt(6 / FAN_IN), np.sqrt(2 / FAN_IN)),
        ("lecun_uniform", np.sqrt(3 / FAN_IN), np.sqrt(1 / FAN_IN)),
        ("glorot_normal", 2 * np.sqrt(2 / (FAN_IN + FAN_OUT)) / 0.87962566103423978, np.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("he_normal", 2 * np.sqrt(2 / FAN_IN) / 0.87962566103423978, np.sqrt(2 / FAN_IN)),
        ("lecun_normal", 2 * np.sqrt(1 / FAN_IN) / 0.87962566103423978, np.sqrt(1 / FAN_IN)),
        ("random_uniform", 0.05, 0.05 / np.sqrt(3)),
    ],
)
def test_initializer_distributions_follow_keras(name, bound, std):
    w = I.get(name)((FAN_IN, FAN_OUT), "float64", np.random.default_rng(0))
    assert np.max(np.abs(w)) <= bound
    assert np.max(np.abs(w)) > 0.95 * bound  # the support is really used
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(w.mean()) < 0.05 * std


def test_initializer_with_seed_is_reproducible_and_matches_keras_limit():
    import keras

    ours = I.GlorotUniform(seed=3)((30, 16))
    again = I.GlorotUniform(seed=3)((30, 16))
    np.testing.assert_array_equal(ours, again)
    theirs = keras.initializers.GlorotUniform(seed=3)((30, 16)).numpy()
    limit = np.sqrt(6 / 46)
    assert np.max(np.abs(theirs)) <= limit and np.max(np.abs(ours)) <= limit


def test_constant_zeros_ones():
    assert np.all(I.get("zeros")((2, 3)) == 0)
    assert np.all(I.get("ones")((3,)) == 1)
    assert np.all(I.Constant(0.25)((2, 2)) == 0.25)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predict_and_evaluate_match_keras(dtype, rng):
    model = make_model(hidden=(7,), activation="relu", dtype=dtype,
                       kernel_regularizer=scratch.regularizers.L2(0.01))
    x = rng.normal(size=(45, 4))
    y = rng.integers(0, 2, size=45).astype(float)
    twin = to_keras(model)
    bound = 1e-12 if dtype == "float64" else 1e-5
    p, kp = model.predict(x), twin.predict(x, verbose=0)
    assert np.max(np.abs(p - kp)) <= bound * np.max(np.abs(kp))
    ev, kev = model.evaluate(x, y), twin.evaluate(x, y, verbose=0)
    assert abs(ev - kev) <= bound * abs(kev)
    np.testing.assert_array_equal(model.predict(x, batch_size=8), model.predict(x))


def test_summary_lists_layers_and_parameter_count():
    model = make_model(n_in=30, hidden=(16, 8))
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "dense (Dense)" in text and "(None, 16)" in text and "496" in text
    assert "Total params: 641" in text
    assert to_keras(model).count_params() == model.count_params() == 641


def test_twin_has_the_same_layer_configuration():
    model = make_model(hidden=(5,), activation="selu", use_bias=False,
                       kernel_regularizer=scratch.regularizers.L1L2(l1=0.01, l2=0.02),
                       loss=scratch.losses.BinaryCrossentropy(reduction="sum"))
    twin = to_keras(model)
    for ours, theirs in zip(model.layers, twin.layers):
        cfg = theirs.get_config()
        assert cfg["units"] == ours.units and cfg["use_bias"] is False
        assert cfg["activation"] == ours.activation.name
        assert cfg["kernel_regularizer"]["config"] == {"l1": 0.01, "l2": 0.02}
    assert twin.loss.reduction == "sum"


def test_a_deep_copied_model_still_trains_its_own_weights(rng):
    import copy

    model = make_model(hidden=(4,))
    clone = copy.deepcopy(model)
    before = clone.get_weights()
    x, y = rng.normal(size=(20, 4)), rng.integers(0, 2, 20)
    clone.fit(x, y, epochs=2, verbose=0)
    assert not np.array_equal(before[0], clone.get_weights()[0])
    np.testing.assert_array_equal(model.get_weights()[0], before[0])  # the original is untouched
