"""The functional API, Embedding and Concatenate, Adult, and wide and deep against Keras."""

import numpy as np
import pytest

from scratch_vs_keras import compare_gradients, scratch, to_keras
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.compare.catalog import OPTIMIZERS
from scratch_vs_keras.data.adult import Vocabulary, load_adult, prepare_adult
from scratch_vs_keras.experiments.wide_and_deep import build_wide_and_deep, inputs_of
from scratch_vs_keras.keras_side import copy_weights, keras_weight_names
from scratch_vs_keras.keras_side.twin import keras_weights_by_name
from scratch_vs_keras.scratch.layers import Concatenate, Dense, Embedding

Input, Model = scratch.Input, scratch.Model


def _tiny(dtype="float64", optimizer="adam", seed=0):
    cat = Input(shape=(), dtype="int32", name="cat")
    num = Input(shape=(3,), name="num")
    e = Embedding(5, 2, name="emb")(cat)
    h = Dense(4, activation="tanh", name="hidden")(num)
    out = Dense(1, activation="sigmoid", name="out")(Concatenate(name="join")([e, h]))
    model = Model([cat, num], out, seed=seed, dtype=dtype)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


@pytest.fixture(scope="module")
def adult():
    return prepare_adult(train_rows=4000, test_rows=500, seed=1)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_embedding_gradient_with_repeated_indices_matches_keras(dtype):
    rng = np.random.default_rng(0)
    x = {"cat": np.array([1, 3, 1, 1, 4, 3, 0, 1]), "num": rng.normal(size=(8, 3))}
    y = rng.integers(0, 2, 8)
    result = compare_gradients(_tiny(dtype), x, y)
    assert result.ok, str(result)
    emb = result.table[(result.table.tensor == "embeddings") & (result.table.quantity == "gradient")]
    assert len(emb) == 1 and emb.rel_diff.iloc[0] <= (1e-12 if dtype == "float64" else 1e-5)


def test_embedding_backward_sums_repeated_rows():
    model = _tiny()
    x = {"cat": np.array([2, 2, 2, 0]), "num": np.zeros((4, 3))}
    _, grads = model.loss_and_gradients(x, np.array([1, 1, 1, 0]))
    g = grads[0]  # emb/embeddings
    assert np.all(g[[1, 3, 4]] == 0)  # rows not in the batch get no gradient
    deltas = model.sensitivities(x, np.array([1, 1, 1, 0]))[-1]  # dJ/dz of the output
    kernel = model.get_weights()[model.weight_names().index("out/kernel")]
    # d J / d e_s = delta_s * kernel[:2]; row 2 collects three samples
    np.testing.assert_allclose(g[2], (deltas[:3] @ kernel[:2].T).sum(axis=0), rtol=1e-13)


def test_wide_and_deep_gradients_match_keras(adult):
    model = build_wide_and_deep(adult, "wide_and_deep", seed=3)
    x = {k: v[:256] for k, v in inputs_of(model, adult.x_train).items()}
    assert len(np.unique(x["workclass"])) < 20  # heavily repeated categories
    result = compare_gradients(model, x, adult.y_train[:256], fd_max_entries=25)
    assert result.ok, str(result)
    t = result.table
    emb = t[(t.tensor == "embeddings") & (t.quantity == "gradient")]
    assert len(emb) == len(adult.crosses) + len(adult.categorical)
    assert (t[t.quantity != "finite_difference"].rel_diff <= 1e-12).all()
    assert (t[t.quantity == "finite_difference"].rel_diff <= 1e-6).all()


def test_wide_and_deep_training_run_matches_keras_fit(adult):
    model = build_wide_and_deep(adult, "wide_and_deep", seed=4, optimizer="adam")
    run = train_side_by_side(model, inputs_of(model, adult.x_train), adult.y_train, epochs=8,
                             batch_size=32, shuffle=True,
                             validation_data=(inputs_of(model, adult.x_test), adult.y_test))
    assert run.steps >= 1000
    v = run.verdict_table().set_index("quantity").worst_rel_diff
    assert v.iloc[0] <= 1e-12 and v.loc["weights, final"] <= 1e-10, str(run)
    assert run.ok and run.first_divergence() is None


@pytest.mark.parametrize("name", sorted(n for n in OPTIMIZERS if n != "rmsprop_centered"))
def test_every_optimizer_with_embeddings_matches_keras(name, adult):
    """Keras hands an Embedding's gradient to the optimizer as IndexedSlices and squares (or takes
    the absolute value of) each row before summing repeated rows; the NumPy side does the same."""
    model = build_wide_and_deep(adult, "wide_and_deep", seed=5, optimizer=OPTIMIZERS[name](),
                                hidden=(8,))
    x = {k: v[:600] for k, v in inputs_of(model, adult.x_train).items()}
    run = train_side_by_side(model, x, adult.y_train[:600], epochs=2, batch_size=32)
    assert run.ok, str(run)


def test_centered_rmsprop_on_embeddings_is_ill_defined_on_both_sides(adult):
    """Recorded, not skipped: Keras 3.15's RMSprop(centered=True) cannot apply an IndexedSlices
    gradient (an InvalidArgumentError inside fit); with Keras's row-wise arithmetic the centered
    denominator v - a^2 (v from summed squared rows, a^2 from the squared summed rows) goes
    negative for a repeated category, so the NumPy twin stops on a NaN loss."""
    import tensorflow as tf

    from scratch_vs_keras.scratch.callbacks import TrainingDivergedError

    model = build_wide_and_deep(adult, "wide", seed=6, optimizer=OPTIMIZERS["rmsprop_centered"]())
    x = {k: v[:200] for k, v in inputs_of(model, adult.x_train).items()}
    twin = to_keras(model)
    with pytest.raises(TrainingDivergedError, match=r"The loss became nan at step \d+"):
        model.fit(x, adult.y_train[:200], epochs=1, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError):
        twin.fit(x, adult.y_train[:200], epochs=1, verbose=0, shuffle=False)


def test_sparse_rows_change_the_second_moment():
    """Why the row-wise semantics matter: (g1 + g2)^2 != g1^2 + g2^2 for a repeated category."""
    from scratch_vs_keras.scratch.optimizers import SparseRows

    rows = SparseRows([0, 0], np.array([[1.0], [2.0]]), (2, 1))
    dense_grad = rows.dense()
    w_sparse, w_dense = np.zeros((2, 1)), np.zeros((2, 1))
    a, b = scratch.optimizers.Adam(0.1), scratch.optimizers.Adam(0.1)
    a.apply([rows], [w_sparse])
    b.apply([dense_grad], [w_dense])
    assert a.velocities[0][0, 0] == pytest.approx((1 - 0.999) * 5)  # 1 + 4
    assert b.velocities[0][0, 0] == pytest.approx((1 - 0.999) * 9)  # 3 ** 2
    assert not np.allclose(w_sparse, w_dense)


def keras_weights_by_name_order(twin, model, values):
    """``values`` (in the NumPy model's order) rearranged into the Keras twin's own order."""
    by_name = dict(zip(model.weight_names(), values))
    return [by_name[n] for n in keras_weight_names(twin)]


def test_functional_twin_has_the_same_graph_and_weights():
    model = _tiny()
    twin = to_keras(model)
    assert [i.name for i in twin.inputs] == ["cat", "num"]
    assert {l.name for l in twin.layers} >= {"emb", "hidden", "join", "out"}
    assert model.weight_names() == ["emb/embeddings", "hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
    rng = np.random.default_rng(1)
    new = [rng.normal(size=w.shape) for w in model.get_weights()]
    model.set_weights(new)
    copy_weights(model, twin)  # NumPy -> Keras: the twin now holds `new`, tensor by name
    for a, b in zip(keras_weights_by_name(twin, model.weight_names()), new):
        np.testing.assert_array_equal(a, b)
    other = [rng.normal(size=w.shape) for w in new]
    for v, w in zip(twin.trainable_weights, keras_weights_by_name_order(twin, model, other)):
        v.assign(w)
    copy_weights(twin, model)  # Keras -> NumPy: the model now holds `other`
    for a, b in zip(model.get_weights(), other):
        np.testing.assert_array_equal(a, b)
    x = {"cat": np.array([0, 4]), "num": np.ones((2, 3))}
    np.testing.assert_allclose(model.predict(x), twin.predict(x, verbose=0), rtol=1e-12)


# -- bad input ------------------------------------------------------------------------------------

def test_embedding_index_out_of_range():
    model = _tiny()
    with pytest.raises(ValueError, match=r"`x\['cat'\]` holds index 5, outside \[0, 4\] of the Embedding 'emb'"):
        model.predict({"cat": np.array([1, 5]), "num": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"must hold one integer category index per sample"):
        model.predict({"cat": np.array([1.5, 2]), "num": np.zeros((2, 3))})


def test_functional_inputs_are_checked():
    model = _tiny()
    with pytest.raises(ValueError, match=r"`x` lacks the input\(s\) \['num'\]"):
        model.predict({"cat": np.array([1])})
    with pytest.raises(ValueError, match=r"different numbers of rows: \{'cat': 2, 'num': 3\}"):
        model.predict({"cat": np.array([1, 2]), "num": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=r"must be a dict keyed by input name"):
        model.predict(np.zeros((2, 3)))


def test_graph_errors():
    num = Input(shape=(3,))
    with pytest.raises(ValueError, match=r"An integer `Input` holds one category index per sample"):
        Input(shape=(3,), dtype="int32")
    with pytest.raises(ValueError, match=r"Concatenate takes a list of at least two inputs"):
        Concatenate()([num])
    with pytest.raises(ValueError, match=r"Embedding .*takes one integer input"):
        Embedding(4, 2)(num)
    layer = Dense(2)
    layer(num)
    with pytest.raises(ValueError, match=r"already used in a model"):
        layer(num)
    with pytest.raises(ValueError, match=r"`outputs` must be the output of a Dense layer"):
        Model(num, Concatenate()([num, num]))
    other = Input(shape=(2,))
    with pytest.raises(ValueError, match=r"The input\(s\) \['unused'\] do not lead to the output"):
        Model([num, Input(shape=(1,), name="unused")], Dense(1)(other if False else num))
    with pytest.raises(ValueError, match=r"depends on .* which is not in `inputs`"):
        Model(num, Dense(1)(other))


def test_adult_preprocessing():
    train, test = load_adult()
    assert len(train) == 32561 and len(test) == 16281
    assert train["workclass"].isna().sum() == 1836
    d = prepare_adult(train_rows=2000, test_rows=500)
    vocab = d.vocabularies["workclass"]
    assert vocab[:2] == ["<unknown>", "<missing>"] and vocab[2:] == sorted(vocab[2:])
    assert (d.x_train["workclass"] == 1).any()  # missing values map to index 1
    assert np.all(d.x_test["workclass_x_occupation"] < len(d.vocabularies["workclass_x_occupation"]))
    np.testing.assert_allclose(d.x_train["numeric"].mean(axis=0), 0, atol=1e-12)
    assert any("unseen" in n for n in d.notes)
    v = Vocabulary(["a", "b", "a"])
    np.testing.assert_array_equal(v.encode(["b", "z", None]), [3, 0, 1])


@pytest.mark.parametrize("crosses, match", [
    ([("workclass", "workclass")], r"A cross needs two or more distinct columns"),
    ([("workclass",)], r"A cross needs two or more distinct columns"),
    ([("workclass", "salary")], r"Unknown Adult column 'salary'"),
])
def test_bad_crosses(crosses, match):
    with pytest.raises(ValueError, match=match):
        prepare_adult(crosses=crosses, train_rows=100, test_rows=50)


def test_empty_column_is_refused():
    with pytest.raises(ValueError, match=r"has no values at all"):
        Vocabulary([None, None, np.nan])
