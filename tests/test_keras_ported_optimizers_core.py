"""Keras 3.15.1's own optimizer and schedule tests (keras/src/optimizers/optimizer_test.py, the
eight optimizers' ``*_test.py``, the ``exclude_from_weight_decay`` parts of Lion's, Lamb's and
Adafactor's ``test_weight_decay``, and schedules/learning_rate_schedule_test.py but for the
cosine schedules, which test_keras_ported_optimizers.py ports), run against the
NumPy side, each named after its Keras test (``file::Class::test``). The expected numbers and
tolerances are Keras's; Keras's tests run in float32, so the variables here are float32 too.
Keras tests that are not here are listed in docs/keras_tests.md.
"""

import pickle

import numpy as np
import pytest

from scratch_vs_keras import scratch

O = scratch.optimizers
S = O.schedules

#: the eight optimizers whose Keras test files are ported here (others: test_keras_ported_optimizers.py)
EIGHT = ["adam", "sgd", "adamw", "adagrad", "rmsprop", "adadelta", "adamax", "nadam"]
#: the optimizers optimizer_test.py parametrizes over
ELEVEN = EIGHT + ["lion", "ftrl", "adafactor"]


def f32(values):
    return np.array(values, dtype=np.float32)


def _close(actual, expected, rtol=1e-6, atol=1e-6):
    """Keras's ``assertAllClose`` (its defaults are 1e-6 both)."""
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol, atol=atol)


def _apply(optimizer, grads, variable):
    optimizer.apply([f32(grads)], [variable])


# -- optimizer_test.py ---------------------------------------------------------------------------
OT = "optimizer_test.py::OptimizerTest::"


def test_iterations_counter():
    """optimizer_test.py::OptimizerTest::test_iterations_counter"""
    v, opt = f32([[1.0, 2.0], [3.0, 4.0]]), O.Adam(learning_rate=1.0)
    assert opt.iterations == 0
    _apply(opt, [[1.0, 1.0], [1.0, 1.0]], v)
    assert opt.iterations == 1
    _apply(opt, [[1.0, 1.0], [1.0, 1.0]], v)
    assert opt.iterations == 2


def test_clip_args():
    """optimizer_test.py::OptimizerTest::test_clip_args"""
    assert O.SGD(learning_rate=1.0, clipnorm=0.1).clipnorm == 0.1
    assert O.SGD(learning_rate=1.0, clipvalue=0.1).clipvalue == 0.1
    assert O.SGD(learning_rate=1.0, global_clipnorm=0.1).global_clipnorm == 0.1
    message = "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can"
    with pytest.raises(ValueError, match=message):
        O.SGD(learning_rate=1.0, clipnorm=0.1, clipvalue=0.1)
    with pytest.raises(ValueError, match=message):
        O.SGD(learning_rate=1.0, clipnorm=0.1, global_clipnorm=0.1)


@pytest.mark.parametrize("name", EIGHT + ["optimizer_test"])
def test_clip_norm_and_value(name):
    """optimizer_test.py::OptimizerTest::test_clip_norm and test_clip_value; <name>_test.py::
    <Name>Test::test_clip_norm and test_clip_value (the same numbers for each optimizer)."""
    cls = O.ALL.get(name, O.SGD)
    _close(cls(clipnorm=1)._clip_gradients([f32([100.0, 100.0])])[0], [2 ** 0.5 / 2] * 2)
    _close(cls(clipvalue=1)._clip_gradients([f32([100.0, 100.0])])[0], [1.0, 1.0])


def test_global_clip_norm():
    """optimizer_test.py::OptimizerTest::test_global_clip_norm"""
    grad = f32([50.0, 100.0])
    clipped = O.SGD(global_clipnorm=1)._clip_gradients([grad])
    _close(clipped[0], grad / np.linalg.norm(grad))


def test_ema():
    """optimizer_test.py::OptimizerTest::test_ema"""
    v = f32([[3.0, 4.0], [5.0, 6.0]])
    opt = O.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=3)
    ones = [[1.0, 1.0], [1.0, 1.0]]
    _apply(opt, ones, v)
    _close(v, [[2.0, 3.0], [4.0, 5.0]])
    _close(opt._model_variables_moving_average[0], [[2.0, 3.0], [4.0, 5.0]])
    _apply(opt, ones, v)
    _close(v, [[1.0, 2.0], [3.0, 4.0]])
    _close(opt._model_variables_moving_average[0], [[1.9, 2.9], [3.9, 4.9]])
    _apply(opt, ones, v)
    _close(v, [[1.71, 2.71], [3.71, 4.71]])  # overwritten with the average
    _close(opt._model_variables_moving_average[0], [[1.71, 2.71], [3.71, 4.71]])


def test_ema_with_model_fit():
    """optimizer_test.py::OptimizerTest::test_ema_with_model_fit (``y`` as zeros of shape (1, 2):
    the scratch loss refuses the (1, 1) that Keras's MSE broadcasts; the numbers are the same)"""
    opt = O.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    model = scratch.Sequential([scratch.Input(shape=(1,)),
                                scratch.layers.Dense(2, kernel_initializer="ones", use_bias=False)])
    model.compile(loss="mse", optimizer=opt)
    model.fit(np.ones((1, 1), "float32"), np.zeros((1, 2), "float32"), batch_size=1, epochs=2,
              verbose=0)
    # one kernel: the average of the model's flat weight buffer is the kernel's
    _close(opt._model_variables_moving_average[0].reshape(1, 2), [[0.891, 0.891]], atol=1e-5)
    _close(model.weights[0], [[0.891, 0.891]], atol=1e-5)


def test_get_method():
    """optimizer_test.py::OptimizerTest::test_get_method (not ``get(None)``: docs/keras_tests.md)"""
    assert isinstance(O.get("sgd"), O.SGD)
    assert isinstance(O.get("adamw"), O.AdamW)
    with pytest.raises(ValueError):
        O.get("typo")


def test_gradient_accumulation():
    """optimizer_test.py::OptimizerTest::test_gradient_accumulation"""
    v = f32([[1.0, 2.0], [3.0, 4.0]])
    opt = O.SGD(learning_rate=1.0, gradient_accumulation_steps=3)
    assert opt.gradient_accumulation_steps == 3
    ones = [[1.0, 1.0], [1.0, 1.0]]
    expected = [  # (v, accumulated, _iterations, iterations) after each call
        ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]], 1, 0),
        ([[1.0, 2.0], [3.0, 4.0]], [[2.0, 2.0], [2.0, 2.0]], 2, 0),
        ([[0.0, 1.0], [2.0, 3.0]], [[0.0, 0.0], [0.0, 0.0]], 3, 1),
        ([[0.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [1.0, 1.0]], 4, 1),
    ]
    for v_after, acc, calls, updates in expected:
        _apply(opt, ones, v)
        _close(v, v_after)
        _close(opt._accumulated_gradients[0], acc)
        assert (opt._iterations, opt.iterations) == (calls, updates)


def test_callable_learning_rate():
    """optimizer_test.py::OptimizerTest::test_callable_learning_rate"""
    v = f32([[1.0, 2.0], [3.0, 4.0]])
    opt = O.SGD(learning_rate=lambda: 0.1)
    assert opt.iterations == 0
    _apply(opt, [[1.0, 1.0], [1.0, 1.0]], v)
    _close(v, [[0.9, 1.9], [2.9, 3.9]])
    assert opt.iterations == 1


@pytest.mark.parametrize("name", ELEVEN)
def test_gradient_accumulation_with_weight_decay(name, rng):
    """optimizer_test.py::OptimizerTest::test_gradient_accumulation_with_weigth_decay"""
    opt1 = O.ALL[name](weight_decay=0.05)
    opt3 = O.ALL[name](weight_decay=0.05, gradient_accumulation_steps=3)
    v1, v3 = f32([[0.9], [0.5]]), f32([[0.9], [0.5]])
    for _ in range(8):
        grads3 = rng.random((3, 2, 1)).astype("float32")
        opt1.apply([grads3.mean(axis=0)], [v1])
        for batch in range(3):
            opt3.apply([grads3[batch]], [v3])
    _close(v1, v3)


@pytest.mark.parametrize("name", ELEVEN)
def test_pickleable_optimizers(name):
    """optimizer_test.py::OptimizerTest::test_pickleable_optimizers"""
    opt = O.get(name)
    assert pickle.loads(pickle.dumps(opt)).get_config() == opt.get_config()


def test_optimizer_naming():
    """optimizer_test.py::OptimizerTest::test_optimizer_auto_naming (the explicit name and its
    round trip; Keras's numbered auto-names are not kept: docs/keras_tests.md)"""
    assert O.Adam().name == "adam"
    custom = O.Adam(name="my_adam")
    assert custom.name == "my_adam"
    assert O.Adam(**custom.get_config()).name == "my_adam"


# -- <optimizer>_test.py -------------------------------------------------------------------------
#: test_config: Keras's serialization round trip, here ``cls(**get_config())``
CONFIGS = {
    "sgd": dict(learning_rate=0.5, momentum=0.06, nesterov=True, weight_decay=0.004),
    "adam": dict(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5, amsgrad=True),
    "adamw": dict(learning_rate=0.5, weight_decay=0.008, beta_1=0.5, beta_2=0.67, epsilon=1e-5,
                  amsgrad=True),
    "rmsprop": dict(learning_rate=0.5, rho=0.8, momentum=0.05, epsilon=1e-6, centered=True),
    "adagrad": dict(learning_rate=0.5, initial_accumulator_value=0.2, epsilon=1e-5),
    "adadelta": dict(learning_rate=0.5, rho=0.9, epsilon=1e-5),
    "adamax": dict(learning_rate=0.5, beta_1=0.8, beta_2=0.95, epsilon=1e-5),
    "nadam": dict(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5),
}


@pytest.mark.parametrize("name", EIGHT)
def test_config(name):
    """<name>_test.py::<Name>Test::test_config"""
    opt = O.ALL[name](**CONFIGS[name])
    config = opt.get_config()
    assert {k: config[k] for k in CONFIGS[name]} == CONFIGS[name]
    assert type(opt)(**config).get_config() == config


#: test_single_step: learning_rate 0.5, grads [1, 6, 7, 2] on [1, 2, 3, 4], rtol = atol = 1e-4
SINGLE_STEP = {
    "sgd": [0.5, -1.0, -0.5, 3.0],
    "adam": [0.5, 1.5, 2.5, 3.5],
    "adamw": [0.4980, 1.4960, 2.494, 3.492],
    "rmsprop": [-0.5811, 0.4189, 1.4189, 2.4189],
    "adagrad": [0.5233, 1.5007, 2.5005, 3.5061],
    "adadelta": [0.9993, 1.9993, 2.9993, 3.9993],
    "adamax": [0.5, 1.5, 2.5, 3.5],
    "nadam": [0.4686, 1.4686, 2.4686, 3.4686],
}


@pytest.mark.parametrize("name", EIGHT)
def test_single_step(name):
    """<name>_test.py::<Name>Test::test_single_step"""
    v = f32([1.0, 2.0, 3.0, 4.0])
    _apply(O.ALL[name](learning_rate=0.5), [1.0, 6.0, 7.0, 2.0], v)
    _close(v, SINGLE_STEP[name], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", EIGHT + ["lion", "lamb", "adafactor"])
def test_weight_decay(name):
    """<name>_test.py::<Name>Test::test_weight_decay: var2 is named "exclude", var3 is listed."""
    zero = np.zeros((), "float32")
    var1, var2, var3 = (np.array(2.0, "float32") for _ in range(3))
    opt1 = O.ALL[name](learning_rate=1.0, weight_decay=0.004)
    opt1.apply([zero], [var1])
    opt2 = O.ALL[name](learning_rate=1.0, weight_decay=0.004)
    opt2.exclude_from_weight_decay(var_names=["exclude"])
    opt2.set_variable_names(["variable", "exclude"])  # Keras's default name, and the given one
    opt2.apply([zero, zero], [var1, var2])
    opt3 = O.ALL[name](learning_rate=1.0, weight_decay=0.004)
    opt3.exclude_from_weight_decay(var_list=[var3])
    opt3.apply([zero, zero], [var1, var3])
    assert round(float(var1) - 1.9760959, 6) == 0  # assertAlmostEqual(..., decimal=6)
    assert round(float(var2) - 2.0, 6) == 0
    assert round(float(var3) - 2.0, 6) == 0


#: test_correctness_with_golden: (optimizer, the variable after the first step and four more)
GOLDEN = {
    "sgd": (lambda: O.SGD(nesterov=True), np.array([
        [0.9999] * 10,
        [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
        [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
        [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
        [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599]])),
    "adam": (lambda: O.Adam(amsgrad=True),
             np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10))),
    "adamw": (lambda: O.AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2), np.array([
        [0.4998] * 10,
        [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
        [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
        [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
        [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159]])),
    "rmsprop": (lambda: O.RMSprop(centered=True),
                np.tile([[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]], (1, 10))),
    "adagrad": (lambda: O.Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6),
                np.array([
        [0.9963] * 10,
        [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
        [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
        [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
        [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]])),
    "adadelta": (lambda: O.Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6),
                 np.tile([[0.9978], [0.9947], [0.9915], [0.9882], [0.9849]], (1, 10))),
    "adamax": (lambda: O.Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6),
               np.array([
        [0.8] * 10,
        [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
        [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
        [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
        [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]])),
    "nadam": (lambda: O.Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5), np.array([
        [0.4281] * 10,
        [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
        [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
        [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
        [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454]])),
}


@pytest.mark.parametrize("name", EIGHT)
def test_correctness_with_golden(name):
    """<name>_test.py::<Name>Test::test_correctness_with_golden"""
    factory, golden = GOLDEN[name]
    opt, x = factory(), np.ones(10, "float32")
    grads = np.arange(1, 11) / 10  # Keras's ops.arange(0.1, 1.1, 0.1)
    _apply(opt, np.full(10, 0.01), x)
    for i in range(5):
        _close(x, golden[i], rtol=5e-4, atol=5e-4)
        _apply(opt, grads, x)


def test_sgd_invalid_momentum():
    """sgd_test.py::SGDTest::test_invalid_momentum (our message: "`momentum` must be a number
    in [0, 1)")"""
    for momentum in (-1.0, 2.0):
        with pytest.raises(ValueError, match=r"`momentum` must be a number in \[0, 1\)"):
            O.SGD(momentum=momentum)


def test_adam_ema():
    """adam_test.py::AdamTest::test_ema (the fit part through scratch.Sequential)"""
    opt = O.Adam(learning_rate=1.0, use_ema=True, ema_momentum=0.9)
    var = f32([1.0, 2.0])
    _apply(opt, [0.1, 0.2], var)
    v1 = var.copy()
    _close(opt._model_variables_moving_average[0], v1)
    _apply(opt, [0.1, 0.2], var)
    expected = 0.9 * v1 + 0.1 * var
    _close(opt._model_variables_moving_average[0], expected)
    opt.finalize_variable_values([var])
    _close(var, expected)

    model = scratch.Sequential([scratch.Input(shape=(5,)), scratch.layers.Dense(
        10, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizer=O.Adam(use_ema=True, ema_momentum=0.9), loss="mse")
    model.fit(np.ones((1, 5)), np.zeros((1, 10)), verbose=0)
    _close(model.weights[0], model.optimizer._model_variables_moving_average[0].reshape(5, 10))


def test_adam_ema_overwrite_frequency():
    """adam_test.py::AdamTest::test_ema_overwrite_frequency"""
    opt = O.Adam(learning_rate=1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=2)
    plain = O.Adam(learning_rate=1.0)
    var, var_plain = f32([1.0, 2.0]), f32([1.0, 2.0])
    _apply(opt, [0.1, 0.2], var)
    _apply(plain, [0.1, 0.2], var_plain)
    v1 = var_plain.copy()
    _close(var, v1)
    _apply(opt, [0.1, 0.2], var)
    _apply(plain, [0.1, 0.2], var_plain)
    expected = 0.9 * v1 + 0.1 * var_plain
    _close(var, expected)
    _close(opt._model_variables_moving_average[0], expected)


def test_adamw_weight_decay_is_none():
    """adamw_test.py::AdamWTest::test_weight_decay_is_none"""
    with pytest.raises(ValueError, match="`weight_decay` must be a number for AdamW"):
        O.AdamW(learning_rate=1.0, weight_decay=None)


def test_nadam_build_with_empty_var_list():
    """nadam_test.py::NadamTest::test_build_with_empty_var_list (built, nothing to update)"""
    opt = O.Nadam()
    opt.build([])
    assert opt.built


# -- schedules/learning_rate_schedule_test.py ----------------------------------------------------
def test_fit_lr_correctness():
    """learning_rate_schedule_test.py::TestFitLRSchedulesFlow::test_fit_lr_correctness"""
    model = scratch.Sequential([scratch.Input(shape=(2,)), scratch.layers.Dense(
        2, kernel_initializer="ones", bias_initializer="ones")])
    opt = O.Adam(learning_rate=S.ExponentialDecay(initial_learning_rate=0.05, decay_steps=1,
                                                  decay_rate=0.9))
    assert opt.iterations == 0
    model.compile(optimizer=opt, loss="mse")
    x = np.arange(32).reshape((16, 2))
    history = model.fit(x, x.copy(), epochs=3, batch_size=4, shuffle=False, verbose=0)
    assert opt.iterations == 4 * 3
    _close(history.history["loss"], [230.79457092285156, 128.30319213867188, 79.33648681640625],
           rtol=5e-5)


#: (Keras test, schedule, [(step, expected)]); Keras's assertAllClose(..., 1e-6): atol 1e-6
SCHEDULE_CASES = [
    ("ExponentialDecayTest::test_continuous", S.ExponentialDecay(0.05, 10, 0.96),
     [(5, 0.05 * 0.96 ** 0.5)]),
    ("ExponentialDecayTest::test_staircase", S.ExponentialDecay(0.1, 3, 0.96, staircase=True),
     [(1.0, 0.1), (2, 0.1), (100, 0.1 * 0.96 ** (100 // 3))]),
    ("ExponentialDecayTest::test_variables", S.ExponentialDecay(0.1, 3, 0.96, staircase=True),
     [(1, 0.1), (2, 0.1), (100, 0.1 * 0.96 ** (100 // 3))]),
    ("PiecewiseConstantDecayTest::test_piecewise_values",
     S.PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001]),
     [(-999.0, 1.0), (100, 1.0), (105, 0.1), (110, 0.1), (120, 0.01), (999, 0.001)]),
    ("PiecewiseConstantDecayTest::test_boundary_values",
     S.PiecewiseConstantDecay([1, 2, 3], [0.4, 0.5, 0.6, 0.7]),
     [(0, 0.4), (1, 0.4), (2, 0.5), (3, 0.6), (4, 0.7)]),
    ("LinearDecayTest::test_halfway", S.PolynomialDecay(0.05, 10, 0.0), [(5, 0.025)]),
    ("LinearDecayTest::test_end", S.PolynomialDecay(0.05, 10, 0.001), [(10, 0.001)]),
    ("LinearDecayTest::test_halfway_with_end", S.PolynomialDecay(0.05, 10, 0.001),
     [(5, 0.051 * 0.5)]),
    ("LinearDecayTest::test_beyond_end", S.PolynomialDecay(0.05, 10, 0.001), [(15, 0.001)]),
    ("LinearDecayTest::test_beyond_end_with_cycle", S.PolynomialDecay(0.05, 10, 0.001, cycle=True),
     [(15, 0.049 * 0.25 + 0.001)]),
    ("SqrtDecayTest::test_halfway", S.PolynomialDecay(0.05, 10, 0.0, power=0.5),
     [(5, 0.05 * 0.5 ** 0.5)]),
    ("SqrtDecayTest::test_end", S.PolynomialDecay(0.05, 10, 0.001, power=0.5), [(10, 0.001)]),
    ("SqrtDecayTest::test_halfway_with_end", S.PolynomialDecay(0.05, 10, 0.001, power=0.5),
     [(5, 0.049 * 0.5 ** 0.5 + 0.001)]),
    ("SqrtDecayTest::test_beyond_end", S.PolynomialDecay(0.05, 10, 0.001, power=0.5),
     [(15, 0.001)]),
    ("SqrtDecayTest::test_beyond_end_with_cycle",
     S.PolynomialDecay(0.05, 10, 0.001, power=0.5, cycle=True), [(15, 0.049 * 0.25 ** 0.5 + 0.001)]),
    ("SqrtDecayTest::test_begin_with_cycle", S.PolynomialDecay(0.001, 10, cycle=True),
     [(0, 0.001)]),
    ("InverseTimeDecayTest::test_decay", S.InverseTimeDecay(0.1, 10, 0.96),
     [(float(i), 0.1 / (1 + i / 10 * 0.96)) for i in range(11)]),
    ("InverseTimeDecayTest::test_staircase", S.InverseTimeDecay(0.1, 10, 0.96, staircase=True),
     [(float(i), 0.1 / (1 + 0.96 * (i // 10))) for i in range(11)]),
]


@pytest.mark.parametrize("schedule, cases", [pytest.param(s, c, id=t) for t, s, c in SCHEDULE_CASES])
def test_schedule_values(schedule, cases):
    """learning_rate_schedule_test.py::<id>"""
    for step, expected in cases:
        _close(schedule(step), expected, atol=1e-6)


@pytest.mark.parametrize("schedule", [
    pytest.param(S.ExponentialDecay(initial_learning_rate=0.05, decay_steps=10, decay_rate=0.96,
                                    staircase=True), id="ExponentialDecayTest::test_config"),
    pytest.param(S.PiecewiseConstantDecay(boundaries=[10, 20], values=[1, 2, 3]),
                 id="PiecewiseConstantDecayTest::test_config"),
    pytest.param(S.PolynomialDecay(initial_learning_rate=0.1, decay_steps=100,
                                   end_learning_rate=0.005, power=1.0, cycle=False),
                 id="LinearDecayTest::test_config"),
    pytest.param(S.InverseTimeDecay(initial_learning_rate=0.05, decay_steps=10, decay_rate=0.96,
                                    staircase=True), id="InverseTimeDecayTest::test_config"),
])
def test_schedule_config_round_trip(schedule):
    """learning_rate_schedule_test.py::<id> (without the ``name`` argument: docs/keras_tests.md)"""
    again = type(schedule)(**schedule.get_config())
    assert again.get_config() == schedule.get_config()
    assert [again(s) for s in range(0, 40, 7)] == [schedule(s) for s in range(0, 40, 7)]
