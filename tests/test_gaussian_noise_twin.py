"""GaussianNoise on both sides (issue 16, item 7): the NumPy layer adds Keras's own noise
(TensorFlow's stateless normal numbers, its Philox stream and Box-Muller transform reproduced), so a
side-by-side run through Keras's real ``model.fit`` agrees step by step; at inference neither side
adds anything."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.scratch._philox import normal
from scratch_vs_keras.scratch.layers import Dense, GaussianNoise, Input

keras = pytest.importorskip("keras")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    return x, (x[:, 0] + x[:, 1] > 0).astype(float)


def _mlp(seed=3, stddev=0.5):
    model = scratch.Sequential([Input(shape=(5,)), GaussianNoise(stddev, seed=seed),
                                Dense(8, activation="tanh"), GaussianNoise(0.25, seed=7),
                                Dense(1, activation="sigmoid")], seed=0, dtype="float64")
    model.compile(optimizer=scratch.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("shape", [(33, 7), (1,), (5, 3)])
def test_normal_equals_tensorflow_stateless_normal(shape):
    import tensorflow as tf

    for seed in [(0, 0), (1337, 5), (2**31 - 3, 17)]:
        seed_t = tf.constant(seed, tf.int32)
        ref64 = tf.random.stateless_normal(shape, seed=seed_t, dtype="float64").numpy()
        np.testing.assert_array_equal(normal(shape, seed, "float64"), ref64)  # bit for bit
        # float32: TensorFlow calls the C library's logf/sincosf; NumPy rounds its float64
        # results, which may differ in the last bit
        ref32 = tf.random.stateless_normal(shape, seed=seed_t, dtype="float32").numpy()
        np.testing.assert_allclose(normal(shape, seed, "float32"), ref32, rtol=0,
                                   atol=4 * np.finfo(np.float32).eps * np.max(np.abs(ref32)))


def test_normal_numbers_are_standard_normal():
    z = normal((200, 50), (42, 0), "float64")
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01  # one standard deviation holds 68.3 %


def test_each_training_call_adds_keras_next_noise():
    from scratch_vs_keras.keras_side import configure_keras

    configure_keras("float64")
    x = np.random.default_rng(1).normal(size=(40, 30))
    ours, theirs = GaussianNoise(0.3, seed=123), keras.layers.GaussianNoise(0.3, seed=123)
    outs = []
    for _ in range(3):  # three calls: three different noises, each Keras's
        out, _ = ours.forward(x, training=True)
        np.testing.assert_array_equal(out, np.asarray(theirs(x, training=True)))
        outs.append(out)
    assert not np.array_equal(outs[0], outs[1])
    assert abs(np.std(outs[2] - x) - 0.3) < 0.01 and ours.draws == 3


def test_inference_adds_nothing_and_the_gradient_passes_unchanged():
    layer = GaussianNoise(0.5, seed=3)
    x = np.arange(12.0).reshape(3, 4)
    out, cache = layer.forward(x)
    np.testing.assert_array_equal(out, x)
    assert layer.draws == 0
    out, cache = layer.forward(x, training=True)
    _, grad_in = layer.backward(np.full_like(x, 2.0), cache)
    np.testing.assert_array_equal(grad_in, np.full_like(x, 2.0))


def test_side_by_side_1000_steps_with_noise_match_within_1e_10():
    from scratch_vs_keras.compare import train_side_by_side

    x, y = _data()
    run = train_side_by_side(_mlp(), x, y, epochs=125, batch_size=8)
    table = run.verdict_table()
    assert run.steps == 1000
    assert table.worst_rel_diff.max() <= 1e-10 and run.ok, str(run)
    assert run.scratch_model.layers[0].draws == 1000


def test_a_twin_with_other_noise_is_caught():
    from scratch_vs_keras.compare import train_side_by_side
    from scratch_vs_keras.keras_side import to_keras

    x, y = _data()
    run = train_side_by_side(_mlp(seed=11), x, y, epochs=1, batch_size=8,
                             keras_model=to_keras(_mlp(seed=12)))
    assert not run.ok and run.first_divergence().step == 0


def test_one_batch_comparison_sees_one_noise_on_both_sides():
    from scratch_vs_keras.compare import compare_gradients

    x, y = _data()
    model = _mlp()
    with pytest.raises(ValueError, match="finite_differences=False"):
        compare_gradients(model, x[:16], y[:16])
    check = compare_gradients(model, x[:16], y[:16], finite_differences=False)
    assert check.ok and check.worst("gradient") <= 1e-12, str(check)


def test_bad_stddev_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="stddev"):
        GaussianNoise(-0.1)


# Keras 3.15.1's own tests: keras/src/layers/regularization/gaussian_noise_test.py
GN = "gaussian_noise_test.py::GaussianNoiseTest::"


def test_keras_gaussian_noise_basics():
    """gaussian_noise_test.py::GaussianNoiseTest::test_gaussian_noise_basics (shapes and counts;
    Keras's seed-generator count is the layer's one seed state)"""
    layer = GaussianNoise(0.2)
    layer.build((3,), np.dtype("float64"), np.random.default_rng(0))
    out, _ = layer.forward(np.ones((2, 3)), training=True)
    assert out.shape == (2, 3)
    assert layer.weights == [] and layer.non_trainable_weights == [] and layer.penalty() == 0.0
    assert layer.draws == 1 and layer.seed is not None


def test_keras_gaussian_noise_correctness():
    """gaussian_noise_test.py::GaussianNoiseTest::test_gaussian_noise_correctness"""
    layer = GaussianNoise(0.3, seed=1337)
    out, _ = layer.forward(np.ones((20, 500)), training=True)
    np.testing.assert_allclose(np.std(out), 0.3, atol=0.02)
