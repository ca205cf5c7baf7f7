"""Keras 3.15.1's own tests for Lion, Lamb, Ftrl, Adafactor, Muon (optimizers/<name>_test.py) and for the
schedules CosineDecay and CosineDecayRestarts (optimizers/schedules/learning_rate_schedule_test.py),
run against the NumPy side, each named after its Keras test, with Keras's expected numbers and
tolerances. Keras tests that are not here, or only in part, are listed in docs/keras_tests.md.

Keras runs these tests in its default float32; so do the arrays here.
"""

import math

import numpy as np
import pytest

from scratch_vs_keras import scratch

O = scratch.optimizers
S = O.schedules
CLASSES = {"lion": O.Lion, "lamb": O.Lamb, "ftrl": O.Ftrl, "adafactor": O.Adafactor, "muon": O.Muon}


def _f32(values):
    return np.array(values, dtype="float32")


def _apply(optimizer, grads, variable):
    optimizer.apply([_f32(grads)], [variable])


# -- single steps and golden runs (<name>_test.py::<Name>Test::...) ------------------------------
@pytest.mark.parametrize("cls, grads, start, expected", [
    pytest.param(O.Lion, [1.0, 6.0, 7.0, 2.0], [1.0, 2.0, 3.0, 4.0], [0.5, 1.5, 2.5, 3.5],
                 id="lion_test.py::LionTest::test_single_step"),
    pytest.param(O.Lamb, [1.0, 6.0, 7.0, 2.0], [1.0, 2.0, 3.0, 4.0],
                 [-0.3693, 0.6306, 1.6306, 2.6306], id="lamb_test.py::LambTest::test_single_step"),
    pytest.param(O.Ftrl, [1.0, 6.0, 7.0, 2.0], [1.0, 2.0, 3.0, 4.0],
                 [0.2218, 1.3954, 2.3651, 2.8814], id="ftrl_test.py::FtrlTest::test_single_step"),
    pytest.param(O.Adafactor, [1.0, 6.0, 7.0, 2.0], [1.0, 2.0, 3.0, 4.0],
                 [-0.3693, 0.6307, 1.6307, 2.6307],
                 id="adafactor_test.py::AdafactorTest::test_single_step_1d"),
    pytest.param(O.Adafactor, [[1.0, 6.0], [7.0, 2.0]], [[1.0, 2.0], [3.0, 4.0]],
                 [[0.7007, -0.0081], [1.2492, 3.4407]],
                 id="adafactor_test.py::AdafactorTest::test_single_step_2d"),
])
def test_keras_single_step(cls, grads, start, expected):
    variable = _f32(start)
    _apply(cls(learning_rate=0.5), grads, variable)
    np.testing.assert_allclose(variable, expected, rtol=1e-4, atol=1e-4)


#: the golden rows Keras expects after the first step (gradient 0.01) and then after each
#: step with the gradient 0.1, 0.2, ..., 1.0
GOLDEN = {
    "lion_test.py::LionTest::test_correctness_with_golden": (
        O.Lion, {}, np.tile([[0.999], [0.998], [0.997], [0.996], [0.995]], (1, 10))),
    "lamb_test.py::LambTest::test_correctness_with_golden": (
        O.Lamb, {}, np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10))),
    "ftrl_test.py::FtrlTest::test_correctness_with_golden": (
        O.Ftrl, dict(learning_rate=0.05, learning_rate_power=-0.2, initial_accumulator_value=0.4,
                     l1_regularization_strength=0.05, l2_regularization_strength=0.15,
                     l2_shrinkage_regularization_strength=0.01, beta=0.3),
        np.array([
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325, -0.0354],
            [-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631, -0.0685],
            [-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922, -0.0999],
            [-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201, -0.1299],
        ])),
    "adafactor_test.py::AdafactorTest::test_correctness_with_golden": (
        O.Adafactor, dict(learning_rate=0.5, beta_2_decay=-0.65, epsilon_1=1e-15, epsilon_2=1e-4,
                          clip_threshold=0.9, relative_step=False),
        np.array([
            [0.55] * 10,
            [0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024],
            [0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663],
            [0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914],
            [0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545],
        ])),
}


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_keras_correctness_with_golden(case):
    cls, kwargs, golden = GOLDEN[case]
    optimizer = cls(**kwargs)
    x = np.ones(10, dtype="float32")
    _apply(optimizer, np.full(10, 0.01), x)
    for row in golden:
        np.testing.assert_allclose(x, row, rtol=5e-4, atol=5e-4)
        _apply(optimizer, np.arange(0.1, 1.1, 0.1), x)


@pytest.mark.parametrize("name", ["adafactor", "lamb", "lion"])  # ftrl_test.py has none
def test_keras_weight_decay(name):
    """<name>_test.py::<Name>Test::test_weight_decay: the weight var1 stepped by three optimizers
    with weight_decay=0.004 and a zero gradient (2 * 0.996^3; the parts with
    exclude_from_weight_decay are listed in docs/keras_tests.md)."""
    var1 = np.array(2.0, dtype="float32")
    for _ in range(3):
        CLASSES[name](learning_rate=1.0, weight_decay=0.004).apply([np.zeros((), "float32")], [var1])
    assert var1 == pytest.approx(1.9760959, abs=1e-6)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_keras_clip_norm_and_clip_value(name):
    """<name>_test.py::<Name>Test::test_clip_norm and ::test_clip_value"""
    grad = [np.array([100.0, 100.0])]
    clipped = CLASSES[name](clipnorm=1)._clip_gradients(grad)
    np.testing.assert_allclose(clipped[0], [2**0.5 / 2, 2**0.5 / 2], rtol=1e-6, atol=1e-6)
    clipped = CLASSES[name](clipvalue=1)._clip_gradients(grad)
    np.testing.assert_allclose(clipped[0], [1.0, 1.0], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, kwargs", [
    ("lion", dict(learning_rate=0.5, beta_1=0.5, beta_2=0.67)),
    ("lamb", dict(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5)),
    ("ftrl", dict(learning_rate=0.05, learning_rate_power=-0.2, initial_accumulator_value=0.4,
                  l1_regularization_strength=0.05, l2_regularization_strength=0.15,
                  l2_shrinkage_regularization_strength=0.01, beta=0.3)),
    ("adafactor", dict(learning_rate=0.5, beta_2_decay=-0.65, epsilon_1=1e-15, epsilon_2=1e-4,
                       clip_threshold=0.9, relative_step=False)),
    ("muon", dict(learning_rate=0.5, epsilon=1e-5)),
])
def test_keras_config(name, kwargs):
    """<name>_test.py::<Name>Test::test_config (the config round trip; keras.saving is Keras's):
    the config rebuilds the optimizer, and Keras's optimizer built from it reports the same."""
    import keras

    ours = CLASSES[name](**kwargs)
    config = ours.get_config()
    assert type(ours)(**config).get_config() == config
    theirs = getattr(keras.optimizers, type(ours).__name__)(**{k: v for k, v in config.items()
                                                                if k != "name"})
    for k, v in kwargs.items():
        assert config[k] == v
        assert theirs.get_config()[k] == pytest.approx(v), k


# -- muon_test.py::MuonTest ---------------------------------------------------------------------
M = "muon_test.py::MuonTest::"


def test_keras_muon_newton_schulz():
    """muon_test.py::MuonTest::test_Newton_Schulz"""
    output = O.Muon().orthogonalized(_f32([[0.2499, 0.9105], [0.2655, 0.8824]]))
    np.testing.assert_allclose(output, [[-0.4422, 0.6457], [0.7285, 0.2968]], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("kwargs, grads, start, expected, tolerance", [
    pytest.param({}, [1.0, 6.0, 7.0, 2.0], [1.0, 2.0, 3.0, 4.0], [0.5, 1.5, 2.5, 3.5], 1e-4,
                 id=M + "test_adamw_single_step"),
    pytest.param(dict(learning_rate=0.5, weight_decay=0), [[1.0, 6.0], [7.0, 2.0]],
                 [[1.0, 2.0], [3.0, 4.0]], [[0.988775, 1.887053], [2.873428, 3.97035]], 1e-2,
                 id=M + "test_muon_single_step"),
])
def test_keras_muon_single_step(kwargs, grads, start, expected, tolerance):
    """Keras calls ``update_step(grads, vars, 0.5)`` directly (no weight decay, no iteration)."""
    optimizer, variable = O.Muon(**kwargs), _f32(start)
    optimizer.build([variable])
    optimizer.update_step(_f32(grads), variable, np.float32(0.5), 0)
    np.testing.assert_allclose(variable, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("kwargs, start", [
    pytest.param(dict(weight_decay=0.01), [[1.0, 2.0], [3.0, 4.0]], id=M + "test_muon_weight_decay"),
    pytest.param(dict(adam_weight_decay=0.01), 2.0, id=M + "test_adamw_weight_decay"),
])
def test_keras_muon_weight_decay(kwargs, start):
    variable = _f32(start)
    expected = variable - variable * 0.01
    O.Muon(learning_rate=1.0, **kwargs)._apply_weight_decay([variable], np.float32(1.0))
    np.testing.assert_allclose(variable, expected, rtol=1e-4, atol=1e-4)


def test_keras_muon_lr_adjust():
    """muon_test.py::MuonTest::test_lr_adjust_none and ::test_lr_adjust_2d"""
    np.testing.assert_allclose(O.Muon(rms_rate=None).lr_adjust(np.ones((4, 4))), np.ones((4, 4)))
    np.testing.assert_allclose(O.Muon(rms_rate=0.2).lr_adjust(np.ones((4, 2))),
                               np.ones((4, 2)) * 0.2 * 2, rtol=1e-6, atol=1e-6)


# -- argument checks ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [-0.1, 0.0, 1.1])
def test_keras_lion_invalid_beta_1(value):
    """lion_test.py::LionTest::test_invalid_beta_1 (Keras's message differs; the argument and the
    value are named)"""
    with pytest.raises(ValueError, match=rf"`beta_1` must be a number in \(0, 1\].*beta_1={value}"):
        O.Lion(beta_1=value)


@pytest.mark.parametrize("argument, value", [
    ("initial_accumulator_value", -0.1),
    ("learning_rate_power", 0.1),
    ("l1_regularization_strength", -0.1),
    ("l2_regularization_strength", -0.1),
    ("l2_shrinkage_regularization_strength", -0.1),
])
def test_keras_ftrl_invalid_arguments(argument, value):
    """ftrl_test.py::FtrlTest::test_invalid_<argument> (the argument and the value are named)"""
    with pytest.raises(ValueError, match=rf"`{argument}` must be .*{argument}={value}"):
        O.Ftrl(**{argument: value})


# -- schedules (schedules/learning_rate_schedule_test.py) --------------------------------------
def _np_cosine_decay(step, decay_steps, alpha=0.0):
    step = min(step, decay_steps)
    decay = 0.5 * (1.0 + math.cos(math.pi * step / decay_steps))
    return (1.0 - alpha) * decay + alpha


def _linear_warmup(step, warmup_steps, initial_lr, target_lr):
    return step / warmup_steps * (target_lr - initial_lr)


def _np_cosine_decay_restarts(step, decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    factor = 1.0
    while step >= decay_steps:
        step -= decay_steps
        decay_steps *= t_mul
        factor *= m_mul
    decay = factor * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps))
    return (1.0 - alpha) * decay + alpha


CD = "CosineDecayTest::"
CDR = "CosineDecayRestartsTest::"


@pytest.mark.parametrize("make, expected", [
    pytest.param(lambda: S.CosineDecay(1.0, 1000), lambda s: _np_cosine_decay(s, 1000),
                 id=CD + "test_decay"),
    pytest.param(lambda: S.CosineDecay(1.0, 1000, 0.1), lambda s: _np_cosine_decay(s, 1000, 0.1),
                 id=CD + "test_alpha"),
    pytest.param(lambda: S.CosineDecay(np.float64(1.0), 1000), lambda s: _np_cosine_decay(s, 1000),
                 id=CD + "test_float64"),
    pytest.param(lambda: S.CosineDecayRestarts(1.0, 1000),
                 lambda s: _np_cosine_decay_restarts(s, 1000), id=CDR + "test_decay"),
    pytest.param(lambda: S.CosineDecayRestarts(np.float64(1.0), 1000),
                 lambda s: _np_cosine_decay_restarts(s, 1000), id=CDR + "test_float64"),
    pytest.param(lambda: S.CosineDecayRestarts(1.0, 1000, alpha=0.1),
                 lambda s: _np_cosine_decay_restarts(s, 1000, alpha=0.1), id=CDR + "test_alpha"),
    pytest.param(lambda: S.CosineDecayRestarts(1.0, 1000, m_mul=0.9),
                 lambda s: _np_cosine_decay_restarts(s, 1000, m_mul=0.9), id=CDR + "test_mmul"),
    pytest.param(lambda: S.CosineDecayRestarts(1.0, 1000, t_mul=1.0),
                 lambda s: _np_cosine_decay_restarts(s, 1000, t_mul=1.0), id=CDR + "test_tmul"),
])
def test_keras_cosine_schedules(make, expected):
    schedule = make()
    for step in range(0, 1500, 250):
        np.testing.assert_allclose(schedule(step), expected(step), rtol=1e-6, atol=1e-6)


def test_keras_cosine_warmup():
    """learning_rate_schedule_test.py::CosineDecayTest::test_warmup"""
    for step in range(0, 1500, 250):
        lr = S.CosineDecay(0.0, 10, warmup_target=10.0, warmup_steps=1500)
        np.testing.assert_allclose(lr(step), _linear_warmup(step, 1500, 0.0, 10.0),
                                   rtol=1e-6, atol=1e-6)


def test_keras_cosine_warmup_decay():
    """learning_rate_schedule_test.py::CosineDecayTest::test_warmup_decay"""
    for step in range(0, 3000, 250):
        lr = S.CosineDecay(0.0, 1000, warmup_target=10.0, warmup_steps=2000)
        if step < 2000 + 1:
            expected = _linear_warmup(step, 2000, 0.0, 10.0)
        else:
            expected = 10.0 * _np_cosine_decay(step - 2000, 1000)
        np.testing.assert_allclose(lr(step), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cls, kwargs", [
    pytest.param(S.CosineDecay, dict(initial_learning_rate=0.05, decay_steps=10, alpha=0.1,
                                     warmup_target=0.2, warmup_steps=2), id=CD + "test_config"),
    pytest.param(S.CosineDecayRestarts, dict(initial_learning_rate=0.05, first_decay_steps=10,
                                             alpha=0.1, t_mul=3.0, m_mul=4.0), id=CDR + "test_config"),
])
def test_keras_schedule_config(cls, kwargs):
    """The config round trip without ``name`` (the scratch schedules take none) and without
    keras.saving: the config rebuilds the schedule, with the same values, and Keras's schedule
    takes it."""
    import keras

    schedule = cls(**kwargs)
    config = schedule.get_config()
    assert config == kwargs
    again = cls(**config)
    assert [again(s) for s in range(30)] == [schedule(s) for s in range(30)]
    theirs = getattr(keras.optimizers.schedules, cls.__name__)(**config)
    assert {k: theirs.get_config()[k] for k in kwargs} == kwargs
