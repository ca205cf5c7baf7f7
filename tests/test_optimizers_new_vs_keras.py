"""Lion, Lamb, Ftrl, Adafactor, Muon and the schedules CosineDecay (with warm-up) and CosineDecayRestarts
against real Keras 3.15.1 (issue 16, item 6), in float64:

* updates given the same gradients, inside a ``tf.function`` as in ``fit``: <= 1e-12 relative
  (float32: <= 1e-6);
* a side-by-side ``model.fit`` of 1,024 steps: every batch loss within 1e-12 and the final weights
  within 1e-10 relative (Lamb and Adafactor also through the flat weight buffer, cut back into
  tensors), and a short run comparing every step's gradients (<= 1e-12);
* schedule values as ``fit`` evaluates them, bit for bit, for 1,200 steps.
"""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.keras_side import keras_optimizer, keras_schedule

O = scratch.optimizers
S = O.schedules

#: each optimizer with its defaults and with every option moved off its default
UPDATES = {
    "lion": lambda: O.Lion(0.01),
    "lion_options": lambda: O.Lion(0.02, beta_1=0.5, beta_2=0.7, weight_decay=0.1),
    "lamb": lambda: O.Lamb(0.01),
    "lamb_options": lambda: O.Lamb(0.02, beta_1=0.8, beta_2=0.9, epsilon=1e-4, weight_decay=0.01),
    "ftrl": lambda: O.Ftrl(0.1),
    "ftrl_options": lambda: O.Ftrl(0.05, learning_rate_power=-0.2, initial_accumulator_value=0.4,
                                   l1_regularization_strength=0.05, l2_regularization_strength=0.15,
                                   l2_shrinkage_regularization_strength=0.01, beta=0.3),
    "ftrl_fixed_rate": lambda: O.Ftrl(0.05, learning_rate_power=0.0, l1_regularization_strength=0.01),
    "adafactor": lambda: O.Adafactor(0.01),
    "adafactor_options": lambda: O.Adafactor(0.5, beta_2_decay=-0.65, epsilon_1=1e-15,
                                             epsilon_2=1e-4, clip_threshold=0.9,
                                             relative_step=False, global_clipnorm=1.0),
    "muon": lambda: O.Muon(0.01),
    "muon_options": lambda: O.Muon(0.02, adam_beta_1=0.8, adam_beta_2=0.9, epsilon=1e-5,
                                   adam_weight_decay=0.02, weight_decay=0.01, adam_lr_ratio=0.1,
                                   momentum=0.9, ns_steps=3, nesterov=False, rms_rate=None,
                                   muon_a=3.0, muon_b=-4.0, muon_c=2.0),
    "lamb_cosine_warmup": lambda: O.Lamb(S.CosineDecay(0.001, 8, alpha=0.1, warmup_target=0.02,
                                                       warmup_steps=4)),
    "lion_restarts": lambda: O.Lion(S.CosineDecayRestarts(0.01, 3, t_mul=1.5, m_mul=0.8)),
}
#: a kernel, a bias, a one-column kernel, a one-unit bias, a rank-3 tensor (Adafactor factors it,
#: Muon steps it with Adam), a wide kernel (Muon's iteration on the transpose)
SHAPES = [(5, 4), (4,), (4, 1), (1,), (3, 2, 3), (2, 6)]


#: element-wise rules with no sum inside: equal to Keras bit for bit in float64 (Lamb, Adafactor and
#: Muon sum over tensors, in another order than TensorFlow; Ftrl's pow(x, 0.2) is Eigen's)
BIT_FOR_BIT = {"lion", "lion_options", "lion_restarts", "ftrl", "ftrl_fixed_rate"}
#: float64 for every set-up, float32 for each optimizer's defaults (Keras's float32 arithmetic)
CASES = [(n, "float64", 1e-12) for n in sorted(UPDATES)] + [
    (n, "float32", 1e-6) for n in ["adafactor", "ftrl", "lamb", "lion", "muon"]]


@pytest.mark.parametrize("name, dtype, tolerance", CASES)
def test_updates_match_keras(name, dtype, tolerance, rng):
    import keras
    import tensorflow as tf

    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    ours = UPDATES[name]()
    theirs = keras_optimizer(ours)
    w0 = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    our_w = [w.copy() for w in w0]
    their_w = [keras.Variable(w.copy(), dtype=dtype) for w in w0]
    theirs.build(their_w)

    @tf.function
    def keras_apply(grads):
        theirs.apply(grads, their_w)

    worst = 0.0
    for _ in range(12):
        g = [rng.normal(size=s).astype(dtype) for s in SHAPES]
        ours.apply([a.copy() for a in g], our_w)
        keras_apply([tf.constant(a) for a in g])
        for a, b in zip(our_w, their_w):
            b = b.numpy()
            worst = max(worst, float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
    assert ours.iterations == int(theirs.iterations.numpy()) == 12
    assert all(w.dtype == dtype for w in our_w)
    assert max(np.max(np.abs(a - b)) for a, b in zip(our_w, w0)) > 1e-3  # the steps moved weights
    assert worst <= tolerance, worst
    if dtype == "float64" and name in BIT_FOR_BIT:
        assert worst == 0.0, worst


def test_lion_momentum_equals_keras_bit_for_bit(rng):
    """Lion's weights see the momentum only through a sign, which hides a last-bit difference in
    beta: its momentum itself is compared."""
    import keras
    import tensorflow as tf

    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    ours = O.Lion(0.01, beta_1=0.7, beta_2=0.9)
    theirs = keras_optimizer(ours)
    w0 = [rng.normal(size=s) for s in SHAPES[:2]]
    our_w, their_w = [w.copy() for w in w0], [keras.Variable(w.copy()) for w in w0]
    apply = tf.function(lambda grads: theirs.apply(grads, their_w))
    for _ in range(5):
        g = [rng.normal(size=s) for s in SHAPES[:2]]
        ours.apply([a.copy() for a in g], our_w)
        apply([tf.constant(a) for a in g])
    for mine, keras_m in zip(ours.momentums, theirs._momentums):
        np.testing.assert_array_equal(mine, keras_m.numpy())


# -- whole runs through model.fit ---------------------------------------------------------------
N, BATCH, EPOCHS = 250, 8, 32  # 32 steps per epoch, the last one of 2 rows: 1,024 steps

FITS = {
    "lion": lambda: O.Lion(0.001),
    "lamb": lambda: O.Lamb(0.01),
    "ftrl": lambda: O.Ftrl(0.2, l1_regularization_strength=0.001, l2_regularization_strength=0.01),
    "adafactor": lambda: O.Adafactor(0.05),
    "muon": lambda: O.Muon(0.01),
    "adam_cosine_warmup": lambda: O.Adam(S.CosineDecay(0.001, 800, alpha=0.05, warmup_target=0.01,
                                                       warmup_steps=200)),
    "sgd_cosine_restarts": lambda: O.SGD(S.CosineDecayRestarts(0.1, 100, t_mul=1.5, m_mul=0.9,
                                                               alpha=0.01)),
}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(N, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] > 0).astype(float)
    return x, y


def _model(optimizer):
    model = scratch.Sequential([
        scratch.Input((4,)),
        scratch.layers.Dense(5, activation="tanh"),
        scratch.layers.Dense(1, activation="sigmoid"),
    ], seed=0, dtype="float64")
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("name", sorted(FITS))
def test_fit_matches_keras_for_1024_steps(name, data):
    x, y = data
    model = _model(FITS[name]())
    run = train_side_by_side(model, x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=True)
    assert run.steps == EPOCHS * 32 >= 1000
    table = run.verdict_table().set_index("quantity")
    assert table.loc[f"batch loss, every step ({run.steps})", "worst_rel_diff"] <= 1e-12
    assert table.loc["weights, final", "worst_rel_diff"] <= 1e-10
    assert run.ok and run.first_divergence() is None, str(run)
    # the run trained: the final weights are not the initial ones
    trained = np.concatenate([w.ravel() for w in run.scratch_model.get_weights()])
    start = np.concatenate([w.ravel() for w in model.get_weights()])
    assert np.max(np.abs(trained - start)) > 1e-3


@pytest.mark.parametrize("name", ["lion", "lamb", "ftrl", "adafactor", "muon"])
def test_gradients_of_every_step_match_keras(name, data):
    x, y = data
    run = train_side_by_side(_model(FITS[name]()), x[:24], y[:24], epochs=1, batch_size=BATCH,
                             record_gradients=True)  # 3 steps, each step's gradients compared
    table = run.verdict_table().set_index("quantity")
    assert table.loc["gradients, every step", "worst_rel_diff"] <= 1e-12
    assert table.loc["weights, final", "worst_rel_diff"] <= 1e-12
    assert run.ok, str(run)


# -- schedules ------------------------------------------------------------------------------------
SCHEDULES = {  # 1,200 steps: the warm-ups end and the cosines restart within them
    "cosine_warmup": lambda: S.CosineDecay(0.003, 900, alpha=0.15, warmup_target=0.07,
                                           warmup_steps=77),
    "cosine_warmup_from_zero": lambda: S.CosineDecay(0.0, 500, warmup_target=10.0,
                                                     warmup_steps=500),
    "cosine_warmup_zero_steps": lambda: S.CosineDecay(0.01, 900, warmup_target=0.07),
    "restarts": lambda: S.CosineDecayRestarts(0.1, 100),
    "restarts_options": lambda: S.CosineDecayRestarts(0.1, 77, t_mul=1.5, m_mul=0.9, alpha=0.1),
    "restarts_fixed_period": lambda: S.CosineDecayRestarts(0.1, 130, t_mul=1.0, m_mul=0.8,
                                                           alpha=0.05),
    "cosine_warmup_float64": lambda: S.CosineDecay(np.float64(0.003), 900, alpha=0.15,
                                                   warmup_target=0.07, warmup_steps=77),
    "restarts_float64": lambda: S.CosineDecayRestarts(np.float64(0.1), 77, t_mul=1.5, m_mul=0.9,
                                                      alpha=0.1),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_values_equal_keras_bit_for_bit(name):
    """As fit evaluates them: inside a tf.function, at the optimizer's int64 step counter."""
    import tensorflow as tf

    ours = SCHEDULES[name]()
    theirs = keras_schedule(ours)
    step = tf.Variable(0, dtype="int64")

    @tf.function
    def keras_value():
        return theirs(step)

    mine, keras_values = [], []
    for s in range(1200):
        step.assign(s)
        keras_values.append(keras_value().numpy())
        mine.append(ours(s))
    mine, keras_values = np.array(mine), np.array(keras_values)
    assert mine.dtype == keras_values.dtype
    assert np.unique(keras_values).size > 100  # the schedule moves
    np.testing.assert_array_equal(mine, keras_values)


def test_restarts_with_shrinking_periods_refuse_the_steps_keras_makes_nan():
    schedule = S.CosineDecayRestarts(0.05, 300, t_mul=0.7)
    assert np.isfinite(schedule(999))
    with pytest.raises(ValueError, match=r"t_mul=0.7 < 1 .* step 1000"):
        schedule(1000)


@pytest.mark.parametrize("name", ["lion", "lamb", "ftrl", "adafactor", "muon"])
def test_string_names_give_keras_defaults(name):
    import keras

    ours = O.get(name)
    theirs = getattr(keras.optimizers, type(ours).__name__)()
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.learning_rate == pytest.approx(float(theirs.learning_rate.numpy()))
    # every constructor argument of Keras's optimizer, present on ours with Keras's default
    config = theirs.get_config()
    ours_config = ours.get_config()
    for arg in sorted(set(ours_config) - {"name", "learning_rate"}):
        assert ours_config[arg] == config[arg], (name, arg)
    own = set(config) - set(O.Optimizer(0.1).get_config()) - {
        "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
        "gradient_accumulation_steps", "exclude_from_weight_decay"}
    assert own and own <= set(ours_config), (name, own - set(ours_config))


def test_row_wise_gradients_are_refused_with_the_fix():
    rows = O.SparseRows(np.array([0, 2]), np.ones((2, 3)), (4, 3))
    for cls in (O.Lion, O.Lamb, O.Ftrl, O.Adafactor, O.Muon):
        with pytest.raises(ValueError, match=f"{cls.__name__} takes dense gradients only.*Adam"):
            cls().apply([rows], [np.zeros((4, 3))])


def test_muon_refuses_exclude_layers_with_the_fix():
    with pytest.raises(ValueError, match="`exclude_layers` matches variable paths.*Leave it None"):
        O.Muon(exclude_layers=["last"])
