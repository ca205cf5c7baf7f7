"""Optimizers and schedules: one update given the same gradient is identical to Keras's (float64)."""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.keras_side import keras_optimizer, keras_schedule

O = scratch.optimizers
S = O.schedules

OPTIMIZERS = {
    "sgd": lambda: O.SGD(0.1),
    "sgd_momentum": lambda: O.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(0.1, momentum=0.9, nesterov=True),
    "rmsprop": lambda: O.RMSprop(),
    "rmsprop_momentum": lambda: O.RMSprop(momentum=0.5),
    "rmsprop_centered": lambda: O.RMSprop(centered=True),
    "rmsprop_centered_momentum": lambda: O.RMSprop(centered=True, momentum=0.3),
    "adagrad": lambda: O.Adagrad(),
    "adadelta": lambda: O.Adadelta(1.0),
    "adam": lambda: O.Adam(),
    "adam_amsgrad": lambda: O.Adam(amsgrad=True),
    "adamw": lambda: O.AdamW(),
    "adamax": lambda: O.Adamax(),
    "nadam": lambda: O.Nadam(),
    "sgd_clipnorm": lambda: O.SGD(clipnorm=0.5),
    "adam_clipvalue": lambda: O.Adam(clipvalue=0.1),
    "sgd_global_clipnorm": lambda: O.SGD(global_clipnorm=0.5),
    "adam_weight_decay": lambda: O.Adam(weight_decay=0.01),
    "sgd_momentum_weight_decay": lambda: O.SGD(momentum=0.9, weight_decay=0.05),
    "sgd_exponential": lambda: O.SGD(S.ExponentialDecay(0.1, 3, 0.7)),
    "sgd_exponential_staircase": lambda: O.SGD(S.ExponentialDecay(0.1, 3, 0.7, staircase=True)),
    "sgd_inverse_time": lambda: O.SGD(S.InverseTimeDecay(0.1, 2, 0.5)),
    "sgd_piecewise": lambda: O.SGD(S.PiecewiseConstantDecay([3, 6], [0.1, 0.05, 0.01])),
    "sgd_polynomial": lambda: O.SGD(S.PolynomialDecay(0.1, 7, power=2.0)),
    "sgd_polynomial_cycle": lambda: O.SGD(S.PolynomialDecay(0.1, 4, power=0.5, cycle=True)),
    "adam_cosine": lambda: O.Adam(S.CosineDecay(0.01, 8, alpha=0.1)),
}
SHAPES = [(5, 4), (4,), (4, 1), (1,)]


def _run_both(optimizer, dtype, steps, rng):
    import keras
    import tensorflow as tf

    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    theirs = keras_optimizer(optimizer)  # the translation lives in keras_side
    w0 = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    ours_w = [w.copy() for w in w0]
    their_w = [keras.Variable(w.copy(), dtype=dtype) for w in w0]
    theirs.build(their_w)

    @tf.function  # as inside model.fit: a graph, with TensorFlow's graph rewrites
    def keras_apply(grads):
        theirs.apply(grads, their_w)

    worst = []
    for _ in range(steps):
        g = [rng.normal(size=s).astype(dtype) for s in SHAPES]
        optimizer.apply([a.copy() for a in g], ours_w)
        keras_apply([tf.constant(a) for a in g])
        worst.append(max(float(np.max(np.abs(a - b.numpy()) / np.max(np.abs(b.numpy()))))
                         for a, b in zip(ours_w, their_w)))
    assert optimizer.iterations == int(theirs.iterations.numpy()) == steps
    return worst


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_updates_are_identical_to_keras_in_float64(name, rng):
    worst = _run_both(OPTIMIZERS[name](), "float64", 12, rng)
    assert max(worst) == 0.0, worst


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_updates_agree_in_float32(name, rng):
    worst = _run_both(OPTIMIZERS[name](), "float32", 12, rng)
    assert max(worst) <= 1e-6, worst


SCHEDULES = {
    "exponential": lambda: S.ExponentialDecay(0.1, 7, 0.9),
    "exponential_staircase": lambda: S.ExponentialDecay(0.05, 10, 0.5, staircase=True),
    "inverse_time": lambda: S.InverseTimeDecay(0.1, 14, 0.3),
    "inverse_time_staircase": lambda: S.InverseTimeDecay(0.1, 14, 0.3, staircase=True),
    "piecewise": lambda: S.PiecewiseConstantDecay([100, 500], [0.1, 0.01, 0.001]),
    "polynomial": lambda: S.PolynomialDecay(0.1, 1500, end_learning_rate=0.001, power=1.5),
    "polynomial_square": lambda: S.PolynomialDecay(0.1, 1500, power=2.0),
    "polynomial_linear": lambda: S.PolynomialDecay(0.1, 700),
    "polynomial_cycle": lambda: S.PolynomialDecay(0.1, 300, power=0.5, cycle=True),
    "cosine": lambda: S.CosineDecay(0.1, 1500, alpha=0.05),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_values_equal_keras_bit_for_bit(name):
    """As fit evaluates them: inside a tf.function, at the optimizer's int64 step counter."""
    import tensorflow as tf

    ours = SCHEDULES[name]()
    theirs = keras_schedule(ours)  # the translation lives in keras_side
    step = tf.Variable(0, dtype="int64")

    @tf.function
    def keras_value():
        return theirs(step)

    steps = range(0, 2000)
    mine = np.array([ours(s) for s in steps])
    keras_values = []
    for s in steps:
        step.assign(s)
        keras_values.append(keras_value().numpy())
    keras_values = np.array(keras_values)
    assert mine.dtype == keras_values.dtype == np.float32  # Keras evaluates them in float32
    np.testing.assert_array_equal(mine, keras_values)


#: Keras config keys that are no optimizer argument of ours: bookkeeping, or set another way
#: (``learning_rate`` is compared above; mixed-precision loss scaling is not implemented and
#: defaults to off).
KERAS_ONLY_CONFIG = {"name", "learning_rate", "loss_scale_factor"}


def test_string_names_give_keras_defaults():
    import keras

    for name in ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "adamax", "nadam"]:
        ours = O.get(name)
        theirs = keras.optimizers.get(name)
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.learning_rate == pytest.approx(float(theirs.learning_rate.numpy()))
        # every constructor argument of Keras's optimizer (its get_config), present on ours
        # under the same name with the same default: a renamed attribute fails here
        config = theirs.get_config()
        for arg in sorted(set(config) - KERAS_ONLY_CONFIG):
            assert hasattr(ours, arg), (name, arg)
            assert getattr(ours, arg) == config[arg], (name, arg)
        checked = set(config) & {"momentum", "rho", "epsilon", "beta_1", "beta_2",
                                 "initial_accumulator_value", "amsgrad", "centered", "nesterov"}
        assert checked, name


def test_fresh_copy_has_no_state(rng):
    opt = O.Adam()
    w = [rng.normal(size=(3, 2))]
    opt.apply([np.ones((3, 2))], w)
    clone = opt.fresh()
    assert clone.iterations == 0 and not clone.built and opt.iterations == 1
