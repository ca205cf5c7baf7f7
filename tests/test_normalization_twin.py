"""BatchNormalization and LayerNormalization on both sides (issue 16, item 7): the NumPy layers
compute Keras's numbers (training and inference, the moving statistics included), their
gradients match real Keras to 1e-12 in float64 and finite differences to 1e-6, and a side-by-side
``fit`` of 1,000 steps through Keras's real ``model.fit`` stays within 1e-10, moving statistics
compared at every step."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.scratch.layers import BatchNormalization, Dense, Input, LayerNormalization

keras = pytest.importorskip("keras")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, size=(n, 5))  # off-centre, not unit scale: the layers have work to do
    return x, (x[:, 0] + x[:, 1] > 4).astype(float)


def _mlp(dtype="float64", momentum=0.9, bn=None, ln=None, optimizer=None):
    # The Dense before BatchNormalization has no bias: the batch mean removes it, so its gradient
    # is round-off that Adam would blow up to full steps (the layers' usual pairing in Keras too).
    model = scratch.Sequential([
        Input(shape=(5,)), Dense(8, use_bias=False), BatchNormalization(momentum=momentum, **(bn or {})),
        Dense(6, activation="tanh"), LayerNormalization(**(ln or {})), Dense(1, activation="sigmoid"),
    ], seed=0, dtype=dtype)
    model.compile(optimizer=optimizer or scratch.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


def _close(ours, theirs):
    """Equal to round-off: TensorFlow sums a mean's terms in another order than NumPy (Eigen's
    packets), so the last bit or two may differ; a wrong formula or constant is far above this."""
    theirs = np.asarray(theirs)
    assert np.max(np.abs(ours - theirs)) <= 8 * np.finfo(theirs.dtype).eps * np.max(np.abs(theirs))


def _keras_twin_layer(layer, n, dtype):
    """The layer's Keras twin (``keras_layer``), built for ``n`` features, with its weights."""
    from scratch_vs_keras.keras_side import configure_keras, keras_layer

    configure_keras(dtype)
    twin = keras_layer(layer)
    twin.build((None, n))
    twin.set_weights(layer.weights + layer.non_trainable_weights)
    return twin


def test_batch_normalization_by_hand():
    # column (1, 3): mean 2, biased variance 1; y = (x - 2)/sqrt(1 + eps); one training call moves
    # the moving mean 0 -> 0.01 * 2 and the moving variance 1 -> 0.99 * 1 + 0.01 * 1
    layer = BatchNormalization()
    layer.build((1,), np.float64, np.random.default_rng(0))
    y, _ = layer.forward(np.array([[1.0], [3.0]]), training=True)
    np.testing.assert_allclose(y[:, 0], [-1 / np.sqrt(1.001), 1 / np.sqrt(1.001)], rtol=1e-15)
    np.testing.assert_allclose(layer.moving_mean, [0.02], rtol=1e-15)
    np.testing.assert_allclose(layer.moving_variance, [1.0], rtol=1e-15)
    # inference: the moving statistics, not the batch's; nothing moves
    y, _ = layer.forward(np.array([[1.0], [3.0]]), training=False)
    np.testing.assert_allclose(y[:, 0], (np.array([1.0, 3.0]) - 0.02) / np.sqrt(1.001), rtol=1e-15)
    np.testing.assert_allclose(layer.moving_mean, [0.02], rtol=1e-15)


def test_layer_normalization_by_hand():
    # row (1, 3): mean 2, variance 1; the row (0, 0, 6): mean 2, variance 8
    layer = LayerNormalization()
    layer.build((2,), np.float64, None)
    y, _ = layer.forward(np.array([[1.0, 3.0]]))
    np.testing.assert_allclose(y, [[-1 / np.sqrt(1.001), 1 / np.sqrt(1.001)]], rtol=1e-15)
    layer = LayerNormalization()
    layer.build((3,), np.float64, None)
    y, _ = layer.forward(np.array([[0.0, 0.0, 6.0]]))
    np.testing.assert_allclose(y, [[-2, -2, 4]] / np.sqrt(8.001), rtol=1e-15)


@pytest.mark.parametrize("kwargs", [{}, {"center": False}, {"scale": False},
                                    {"center": False, "scale": False, "momentum": 0.5}])
def test_batch_normalization_calls_equal_keras_to_round_off(kwargs):
    rng = np.random.default_rng(1)
    layer = BatchNormalization(**{"momentum": 0.9, **kwargs},
                               gamma_initializer=scratch.initializers.RandomNormal(1.0, 0.3),
                               beta_initializer=scratch.initializers.RandomNormal(0.0, 0.3),
                               moving_mean_initializer=scratch.initializers.RandomNormal(0.0, 1.0),
                               moving_variance_initializer=scratch.initializers.RandomUniform(0.5, 2.0))
    layer.build((4,), np.float64, rng)
    twin = _keras_twin_layer(layer, 4, "float64")
    for call in range(3):  # training calls move the statistics; inference calls read them
        x = rng.normal(3.0, 2.0, size=(7, 4))
        for training in (True, False):
            ours, _ = layer.forward(x, training=training)
            _close(ours, twin(x, training=training))
        _close(layer.moving_mean, twin.moving_mean.numpy())
        _close(layer.moving_variance, twin.moving_variance.numpy())


@pytest.mark.parametrize("kwargs", [{}, {"center": False}, {"scale": False}, {"epsilon": 1e-5}])
def test_layer_normalization_calls_equal_keras_to_round_off(kwargs):
    rng = np.random.default_rng(2)
    layer = LayerNormalization(**kwargs, gamma_initializer=scratch.initializers.RandomNormal(1.0, 0.3),
                               beta_initializer=scratch.initializers.RandomNormal(0.0, 0.3))
    layer.build((6,), np.float64, rng)
    twin = _keras_twin_layer(layer, 6, "float64")
    x = rng.normal(3.0, 2.0, size=(9, 6))
    _close(layer.forward(x)[0], twin(x))


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
def test_layer_normalization_rms_scaling_equals_keras_to_round_off():
    rng = np.random.default_rng(3)
    with pytest.warns(UserWarning, match="variance"):
        layer = LayerNormalization(rms_scaling=True,
                                   gamma_initializer=scratch.initializers.RandomNormal(1.0, 0.3))
    layer.build((6,), np.float64, rng)
    assert layer.weight_names() == ["gamma"]  # Keras: no beta with rms_scaling
    with pytest.warns(UserWarning):
        twin = _keras_twin_layer(layer, 6, "float64")
    x = rng.normal(3.0, 2.0, size=(9, 6))
    _close(layer.forward(x)[0], twin(x))


def _model_with(layer, dtype="float64", bias_before=False):
    model = scratch.Sequential([Input(shape=(5,)), Dense(6, use_bias=bias_before, activation="tanh"),
                                layer, Dense(3, activation="softmax")], seed=1, dtype=dtype)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    return model


_LAYERS = {
    "bn": lambda: BatchNormalization(),
    "bn_no_center": lambda: BatchNormalization(center=False),
    "bn_no_scale": lambda: BatchNormalization(scale=False),
    "bn_l2": lambda: BatchNormalization(gamma_regularizer=scratch.regularizers.L2(0.25),
                                        beta_regularizer="l2"),
    "ln": lambda: LayerNormalization(),
    "ln_plain": lambda: LayerNormalization(center=False, scale=False),
    "ln_l2": lambda: LayerNormalization(gamma_regularizer=scratch.regularizers.L2(0.25)),
}


@pytest.mark.parametrize("name", sorted(_LAYERS))
def test_gradients_match_keras_and_finite_differences(name):
    from scratch_vs_keras.compare import compare_gradients

    x, _ = _data(24)
    y = np.eye(3)[(x[:, 0] > 2).astype(int) + (x[:, 1] > 2)]
    model = _model_with(_LAYERS[name]())
    check = compare_gradients(model, x, y)
    assert check.ok, str(check)
    layer = model.layers[1].name
    rows = check.table[check.table.layer == layer]
    assert "forward" in set(rows.quantity)  # the layer's own output compared
    assert (rows.quantity == "finite_difference").sum() == len(model.layers[1].weights)
    assert check.worst("gradient") <= 1e-12 and check.worst("finite_difference") <= 1e-6
    if name.startswith("bn"):  # the moving statistics after the one training pass, both sides
        assert set(rows[rows.quantity == "state"].tensor) == {"moving_mean", "moving_variance"}


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
def test_rms_scaling_gradients_match_keras():
    from scratch_vs_keras.compare import compare_gradients

    x, _ = _data(24)
    y = np.eye(3)[(x[:, 0] > 2).astype(int) + (x[:, 1] > 2)]
    with pytest.warns(UserWarning):
        model = _model_with(LayerNormalization(rms_scaling=True))
        check = compare_gradients(model, x, y)
    assert check.ok, str(check)


def test_float32_gradients_within_the_float32_bound():
    from scratch_vs_keras.compare import compare_gradients

    x, y = _data(32)
    check = compare_gradients(_mlp("float32"), x, y, finite_differences=False)
    assert check.ok and check.worst("gradient") <= 1e-5, str(check)


def test_measurements_leave_the_moving_statistics_alone():
    model = _mlp()
    x, y = _data(16)
    before = model.get_weights()
    for _ in range(3):
        model.loss_of_batch(*model.prepare(x, y), training=True)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.loss_and_gradients(x, y)  # a training pass: the statistics move, as in Keras
    moved = dict(zip(model.weight_names(), model.get_weights()))["batch_normalization/moving_mean"]
    assert np.all(moved != before[model.weight_names().index("batch_normalization/moving_mean")])


def test_weights_are_listed_in_keras_get_weights_order():
    from scratch_vs_keras import to_keras

    model = _mlp()
    twin = to_keras(model)
    assert model.weight_names() == [f"{l.name}/{v.name}" for l in twin.layers for v in l.weights]
    assert model.trainable_weight_names() == [n for n in model.weight_names() if "moving" not in n]
    for ours, theirs in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    other = _mlp()
    other.set_weights([w + 1 for w in twin.get_weights()])  # Keras's list, as is
    np.testing.assert_array_equal(other.layers[1].moving_variance, model.layers[1].moving_variance + 1)
    assert model.count_params() == twin.count_params()


def test_side_by_side_1000_steps_match_within_1e_10_moving_statistics_included():
    from scratch_vs_keras.compare import train_side_by_side

    x, y = _data(256)
    xv, yv = _data(32, seed=5)
    run = train_side_by_side(_mlp(), x, y, epochs=32, batch_size=8, validation_data=(xv, yv))
    table = run.verdict_table()
    assert run.steps == 1024
    assert run.ok and table.worst_rel_diff.max() <= 1e-10, str(run)
    rel = run.records[(run.records.side == "rel_diff") & (run.records.quantity == "weight")]
    for name in ("batch_normalization/moving_mean", "batch_normalization/moving_variance"):
        compared = rel[rel.layer == name]
        assert len(compared) == 1024 and compared.value.max() <= 1e-10
    # inference with the trained moving statistics (validation each epoch, and predict here)
    assert (table.quantity == "history/val_loss").any()
    ours, theirs = run.scratch_model.predict(xv), run.keras_model.predict(xv, verbose=0)
    assert np.max(np.abs(ours - theirs)) <= 1e-10 * np.max(np.abs(theirs))
    # the statistics did move: far from their start (zeros and ones)
    bn = run.scratch_model.layers[1]
    assert np.max(np.abs(bn.moving_mean)) > 0.1 and np.max(np.abs(bn.moving_variance - 1)) > 0.1


def test_a_twin_with_another_momentum_is_caught_at_the_first_step():
    from scratch_vs_keras.compare import train_side_by_side
    from scratch_vs_keras.keras_side import to_keras

    x, y = _data()
    run = train_side_by_side(_mlp(momentum=0.9), x, y, epochs=1, batch_size=8,
                             keras_model=to_keras(_mlp(momentum=0.8)))
    div = run.first_divergence()
    assert not run.ok and div.step == 0 and div.layer == "batch_normalization/moving_mean", str(div)


def test_a_twin_with_another_epsilon_is_caught_in_one_batch():
    from scratch_vs_keras.compare import compare_gradients
    from scratch_vs_keras.keras_side import to_keras

    x, y = _data(16)
    check = compare_gradients(_mlp(), x, y, keras_model=to_keras(_mlp(bn={"epsilon": 1e-2})),
                              finite_differences=False)
    assert check.status == "MISMATCH"
    first = check.table[check.table.status == "MISMATCH"].iloc[0]
    assert first.layer == "batch_normalization"


def test_recomputed_gradients_and_functional_models():
    from scratch_vs_keras.compare import train_side_by_side

    x, y = _data(32)
    inp = Input(shape=(5,), name="x")
    h = LayerNormalization()(BatchNormalization(momentum=0.5)(Dense(6, use_bias=False)(inp)))
    model = scratch.Model(inp, Dense(1, activation="sigmoid")(h), seed=0, dtype="float64")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    run = train_side_by_side(model, x, y, epochs=2, batch_size=8, record_gradients=True)
    assert run.ok and run.steps == 8, str(run)
    grads = run.records[run.records.quantity == "gradient"]
    assert set(grads.layer) == set(model.trainable_weight_names())


@pytest.mark.parametrize("make, match", [
    (lambda: BatchNormalization(axis=0), "axis"),
    (lambda: BatchNormalization(momentum=1.5), "momentum"),
    (lambda: BatchNormalization(epsilon=0), "epsilon"),
    (lambda: LayerNormalization(axis=2), "axis"),
    (lambda: LayerNormalization(epsilon=-1e-3), "epsilon"),
    (lambda: BatchNormalization(gamma_initializer="nope"), "gamma_initializer"),
])
def test_bad_arguments_are_refused_with_the_argument_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()
