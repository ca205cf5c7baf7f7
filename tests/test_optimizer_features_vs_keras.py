"""The optimizer base-class features against real Keras 3.15.1 (float64): weight decay
exclusions, the weights' moving average (EMA), gradient accumulation and a callable learning
rate. Each feature: every step's update (and moving average) given the same gradients equal to
Keras's within 1e-12 relative, and a side-by-side ``fit`` of more than 1,000 steps within 1e-10.
"""

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.compare.training import train_side_by_side
from scratch_vs_keras.keras_side import keras_optimizer, to_keras

O = scratch.optimizers
S = O.schedules

#: name -> (optimizer factory, exclusions: None, ("var_list", indices) or ("var_names", names))
FEATURES = {
    "sgd_momentum_decay_excluding_bias": (
        lambda: O.SGD(0.1, momentum=0.9, weight_decay=0.05), ("var_names", ["bias"])),
    "adamw_excluding_var_list": (lambda: O.AdamW(0.01, weight_decay=0.3), ("var_list", [0, 3])),
    "adamax_decay_excluding_regex": (
        lambda: O.Adamax(0.01, weight_decay=0.2), ("var_names", ["^ker", "xyz"])),
    "adam_ema": (lambda: O.Adam(0.01, use_ema=True, ema_momentum=0.9), None),
    "sgd_momentum_ema_overwrite": (
        lambda: O.SGD(0.1, momentum=0.5, use_ema=True, ema_overwrite_frequency=3), None),
    "adagrad_ema_overwrite_every_step": (
        lambda: O.Adagrad(0.1, use_ema=True, ema_momentum=0.7, ema_overwrite_frequency=1), None),
    "adam_accumulate_3": (lambda: O.Adam(0.01, gradient_accumulation_steps=3), None),
    "sgd_accumulate_schedule_decay_global_clip": (
        lambda: O.SGD(S.ExponentialDecay(0.1, 3, 0.7), weight_decay=0.01, global_clipnorm=0.5,
                      gradient_accumulation_steps=2), None),
    "rmsprop_accumulate_clipnorm": (
        lambda: O.RMSprop(0.01, centered=True, clipnorm=0.3, gradient_accumulation_steps=4), None),
    "nadam_accumulate_ema_overwrite": (
        lambda: O.Nadam(0.01, gradient_accumulation_steps=2, use_ema=True,
                        ema_overwrite_frequency=2), None),
    "adadelta_accumulate_ema_decay_excluding_bias": (
        lambda: O.Adadelta(1.0, weight_decay=0.1, use_ema=True, gradient_accumulation_steps=3),
        ("var_names", ["bias"])),
    "muon_decay_excluding_bias": (
        lambda: O.Muon(0.01, weight_decay=0.2, adam_weight_decay=0.3), ("var_names", ["bias"])),
    "lion_accumulate_ema_excluding_var_list": (
        lambda: O.Lion(0.001, weight_decay=0.5, gradient_accumulation_steps=2, use_ema=True),
        ("var_list", [2])),
    "sgd_callable_learning_rate": (lambda: O.SGD(lambda: 0.01, momentum=0.9), None),
    "adam_callable_learning_rate_decay": (lambda: O.Adam(lambda: 0.003, weight_decay=0.1), None),
}
SHAPES = [(5, 4), (4,), (4, 1), (1,)]
NAMES = ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
STEPS = 12


def _rel(ours, theirs):
    theirs = np.asarray(theirs)
    top = np.max(np.abs(theirs))
    gap = np.max(np.abs(ours - theirs))
    return 0.0 if gap == 0 else gap / top


def _excluded(optimizer, exclusions, variables):
    if exclusions is None:
        return
    kind, what = exclusions
    if kind == "var_list":
        optimizer.exclude_from_weight_decay(var_list=[variables[i] for i in what])
    else:
        optimizer.exclude_from_weight_decay(var_names=what)


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_each_step_equals_keras_in_float64(name, rng):
    """Weights, moving averages and both step counters after every call, then the finalized
    weights: the same gradients through ``apply`` (Keras's inside a tf.function, as in fit)."""
    import keras
    import tensorflow as tf

    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    factory, exclusions = FEATURES[name]
    ours = factory()
    w0 = [rng.normal(size=s) for s in SHAPES]
    ours_w = [w.copy() for w in w0]
    their_w = [keras.Variable(w.copy(), name=n.split("/")[1]) for w, n in zip(w0, NAMES)]
    if exclusions is None or exclusions[0] == "var_names":
        _excluded(ours, exclusions, ours_w)
        theirs = keras_optimizer(ours)  # the translation carries var_names over
    else:
        theirs = keras_optimizer(ours)
        _excluded(ours, exclusions, ours_w)
        _excluded(theirs, exclusions, their_w)
    ours.set_variable_names(NAMES)
    theirs.build(their_w)

    @tf.function
    def keras_apply(grads):
        theirs.apply(grads, their_w)

    worst = 0.0
    for _ in range(STEPS):
        g = [rng.normal(size=s) for s in SHAPES]
        ours.apply([a.copy() for a in g], ours_w)
        keras_apply([tf.constant(a) for a in g])
        worst = max([worst] + [_rel(a, b.numpy()) for a, b in zip(ours_w, their_w)])
        if ours.use_ema:
            worst = max([worst] + [_rel(a, b.numpy()) for a, b in zip(
                ours._model_variables_moving_average, theirs._model_variables_moving_average)])
        assert ours.iterations == int(theirs.iterations.numpy())
        assert ours._iterations == int(theirs._iterations.numpy())
    ours.finalize_variable_values(ours_w)
    theirs.finalize_variable_values(their_w)
    worst = max([worst] + [_rel(a, b.numpy()) for a, b in zip(ours_w, their_w)])
    assert worst <= 1e-12, worst
    assert not np.array_equal(ours_w[0], w0[0])  # the run moved the weights


def _tiny_model(optimizer, seed=3):
    model = scratch.Sequential([scratch.Input(shape=(3,)), scratch.layers.Dense(4, activation="tanh"),
                                scratch.layers.Dense(1)], seed=seed, dtype="float64")
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _tiny_data(rng, n=1020):
    x = rng.normal(size=(n, 3))
    y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3]).astype(np.float64)
    return x, y


#: the side-by-side runs: one per feature (1,020 steps each: 1,020 rows, batches of 2, 2 epochs:
#: few epochs, as Keras's per-epoch overhead is what a long run spends its time on)
FIT_FEATURES = {
    "weight_decay_excluding_bias": (lambda: O.SGD(0.02, momentum=0.5, weight_decay=0.05),
                                    ("var_names", ["bias"])),
    "ema_finalized_at_the_end": (lambda: O.Adam(0.01, use_ema=True, ema_momentum=0.95), None),
    "ema_overwrite_every_7": (lambda: O.SGD(0.05, momentum=0.5, use_ema=True,
                                            ema_overwrite_frequency=7), None),
    "gradient_accumulation_4_with_schedule": (
        lambda: O.Adam(S.ExponentialDecay(0.02, 100, 0.8), gradient_accumulation_steps=4), None),
    "callable_learning_rate": (lambda: O.RMSprop(lambda: 0.003, momentum=0.3), None),
    # Lamb steps tensor by tensor on the model's flat buffer; fit's finalize cuts it likewise
    "ema_lamb_on_the_flat_buffer": (lambda: O.Lamb(0.005, use_ema=True, ema_momentum=0.9), None),
}


@pytest.mark.parametrize("name", sorted(FIT_FEATURES))
def test_side_by_side_fit_of_1020_steps(name, rng):
    factory, exclusions = FIT_FEATURES[name]
    optimizer = factory()
    _excluded(optimizer, exclusions, None)
    model = _tiny_model(optimizer)
    x, y = _tiny_data(rng)
    run = train_side_by_side(model, x, y, epochs=2, batch_size=2, shuffle=False)
    assert run.steps == 1020
    table = run.verdict_table()
    assert table.ok.all(), str(run)
    assert table.worst_rel_diff.max() <= 1e-10
    ours, theirs = run.scratch_model.optimizer, run.keras_model.optimizer
    assert ours.iterations == int(theirs.iterations.numpy()) == 1020 // (
        optimizer.gradient_accumulation_steps or 1)
    if optimizer.use_ema:
        # the weights fit leaves are compared too, and they are not the last step's weights
        assert (table.quantity == "weights after fit (EMA finalized)").any()
        rec = run.records
        last = rec[(rec.quantity == "weight") & (rec.side == "scratch") & (rec.step == 1019)]
        fin = rec[(rec.quantity == "finalized_weight") & (rec.side == "scratch")]
        assert not np.array_equal(last.value.to_numpy(), fin.value.to_numpy())


def test_var_list_exclusion_through_to_keras_and_fit(rng):
    """var_list holds the model's own arrays; to_keras maps them to the twin's variables by
    name; 1,020 steps of each side's own ``fit`` end within 1e-10."""
    import keras

    model = _tiny_model(O.AdamW(0.01, weight_decay=0.5))
    model.optimizer.exclude_from_weight_decay(var_list=[model.layers[0].weights[0],
                                                        model.layers[1].weights[1]])
    twin = to_keras(model)
    key = twin.optimizer._var_key
    assert twin.optimizer._exclude_from_weight_decay == {key(twin.layers[0].kernel),
                                                         key(twin.layers[1].bias)}
    x, y = _tiny_data(rng)
    model.fit(x, y, epochs=2, batch_size=2, shuffle=False, verbose=0)
    twin.fit(x, y, epochs=2, batch_size=2, shuffle=False, verbose=0)
    worst = max(_rel(a, b) for a, b in zip(model.get_weights(), twin.get_weights()))
    assert worst <= 1e-10, worst
    # and the exclusion mattered: without it the kernel ends elsewhere
    plain = _tiny_model(O.AdamW(0.01, weight_decay=0.5))
    plain.fit(x, y, epochs=2, batch_size=2, shuffle=False, verbose=0)
    assert _rel(plain.get_weights()[0], model.get_weights()[0]) > 1e-3
    keras.utils.clear_session()


@pytest.mark.parametrize("kwargs, message", [
    ({"use_ema": 1}, r"`use_ema` must be True or False"),
    ({"use_ema": True, "ema_momentum": 1.5}, r"`ema_momentum` must be a number in \[0, 1\]"),
    ({"use_ema": True, "ema_overwrite_frequency": 0},
     r"`ema_overwrite_frequency` must be a positive integer"),
    ({"use_ema": True, "ema_overwrite_frequency": 2.5},
     r"`ema_overwrite_frequency` must be a positive integer"),
    ({"gradient_accumulation_steps": 1}, r"`gradient_accumulation_steps` must be an integer >= 2"),
    ({"learning_rate": "fast"}, r"`learning_rate` must be a positive number"),
])
def test_bad_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        O.SGD(**kwargs)


def test_bad_exclusions_and_callable_values_are_refused(rng):
    opt = O.SGD(0.1, weight_decay=0.1)
    with pytest.raises(ValueError, match=r"`var_names` must be a list of strings.*letter by letter"):
        opt.exclude_from_weight_decay(var_names="bias")
    with pytest.raises(ValueError, match=r"`var_list` must be a list of the model's weight arrays"):
        opt.exclude_from_weight_decay(var_list=np.ones(3))
    w = [rng.normal(size=(2, 2))]
    opt.exclude_from_weight_decay(var_names=["bias"])
    with pytest.raises(ValueError, match=r"needs the variables' names.*set_variable_names"):
        opt.apply([np.ones((2, 2))], w)
    opt = O.SGD(0.1, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_list=[w[0].copy()])
    with pytest.raises(ValueError, match=r"not among the arrays this optimizer updates"):
        opt.apply([np.ones((2, 2))], w)
    opt = O.SGD(0.1)
    opt.apply([np.ones((2, 2))], w)
    with pytest.raises(ValueError, match=r"before the optimizer's first step"):
        opt.exclude_from_weight_decay(var_names=["bias"])
    with pytest.raises(ValueError, match=r"`learning_rate\(\)` must be a positive number"):
        O.SGD(lambda: -0.1).apply([np.ones((2, 2))], w)


def test_fresh_copy_keeps_the_exclusions_and_drops_the_state(rng):
    w = [rng.normal(size=(2, 2)), rng.normal(size=(2,))]
    opt = O.SGD(0.1, weight_decay=0.1, use_ema=True, gradient_accumulation_steps=2)
    opt.exclude_from_weight_decay(var_list=[w[1]])
    for _ in range(3):
        opt.apply([np.ones((2, 2)), np.ones(2)], w)
    clone = opt.fresh()
    assert (clone.iterations, clone._iterations, clone.built) == (0, 0, False)
    assert clone.weight_decay_exclusions()["var_list"][0] is w[1]
    assert opt.get_config() == clone.get_config()


def test_features_on_embedding_row_gradients(rng):
    """An Embedding hands the optimizer row gradients (Keras: IndexedSlices, repeated rows): with
    accumulation Keras adds them into dense accumulators, so the update sees summed rows; the
    moving average and a decay that leaves the embeddings out ride along (408 steps: the
    1,000-step runs above hold each feature's long-run claim)."""
    from scratch_vs_keras.scratch.layers import Concatenate, Dense, Embedding

    cat = scratch.Input(shape=(), dtype="int32", name="cat")
    num = scratch.Input(shape=(3,), name="num")
    e = Embedding(5, 2, name="emb")(cat)
    h = Dense(4, activation="tanh", name="hidden")(num)
    out = Dense(1, activation="sigmoid", name="out")(Concatenate(name="join")([e, h]))
    model = scratch.Model([cat, num], out, seed=2, dtype="float64")
    optimizer = O.Adam(0.01, weight_decay=0.1, use_ema=True, ema_overwrite_frequency=5,
                       gradient_accumulation_steps=3)
    optimizer.exclude_from_weight_decay(var_names=["embeddings"])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    n = 816
    x = {"cat": rng.integers(0, 5, size=n), "num": rng.normal(size=(n, 3))}
    y = (rng.random((n, 1)) < 0.4).astype(np.float64)
    run = train_side_by_side(model, x, y, epochs=2, batch_size=4, shuffle=False)
    assert run.steps == 408
    assert run.ok and run.verdict_table().worst_rel_diff.max() <= 1e-10, str(run)
