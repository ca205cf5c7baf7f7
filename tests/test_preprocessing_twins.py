"""The NumPy preprocessing layers give Keras's own numbers on the whole of Adult (train + test):
lookups (vocabulary order included), hashed crosses (TensorFlow's FarmHash), quantile bins and
normalization (adapted on one array and on the course's 64-row batches)."""

import numpy as np
import pandas as pd
import pytest

from scratch_vs_keras.data.adult import CATEGORICAL, load_adult
from scratch_vs_keras.scratch._farmhash import fingerprint64
from scratch_vs_keras.scratch.layers import (Discretization, HashedCrossing, IntegerLookup,
                                             Normalization, StringLookup)

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def adult():
    from scratch_vs_keras.keras_side import configure_keras

    configure_keras("float64")
    train, test = load_adult()
    both = pd.concat([train, test], ignore_index=True)
    return train, both


def _text(frame, column):
    """The raw column as the UCI files write it: a missing value is the string '?'."""
    return frame[column].fillna("?").astype(str).to_numpy()


def test_string_lookup_hand_example_orders_by_count_then_larger_token():
    # counts: b 3, a 2, c 2 -> b first; a and c tie, the larger token ('c') first
    lookup = StringLookup().adapt(np.array(["a", "b", "c", "b", "a", "b", "c"]))
    assert lookup.get_vocabulary() == ["[UNK]", "b", "c", "a"]
    assert lookup(np.array(["a", "zzz", "b"])).tolist() == [3, 0, 1]


@pytest.mark.parametrize("column", CATEGORICAL)
def test_string_lookup_equals_keras_on_all_of_adult(adult, column):
    train, both = adult
    ours = StringLookup().adapt(_text(train, column))
    theirs = keras.layers.StringLookup()
    theirs.adapt(_text(train, column))
    assert ours.get_vocabulary() == list(theirs.get_vocabulary())
    np.testing.assert_array_equal(ours(_text(both, column)), np.asarray(theirs(_text(both, column))))


def test_string_lookup_mask_and_hashed_oov_slots_equal_keras(adult):
    _, both = adult
    values = _text(both, "native-country")
    kwargs = dict(vocabulary=["United-States", "Mexico"], num_oov_indices=5, mask_token="?")
    ours, theirs = StringLookup(**kwargs), keras.layers.StringLookup(**kwargs)
    out = ours(values)
    assert len(np.unique(out)) == 8  # mask, five hash slots and two words all used
    np.testing.assert_array_equal(out, np.asarray(theirs(values)))


def test_string_lookup_without_oov_slot_refuses_an_unknown_token():
    lookup = StringLookup(num_oov_indices=0, vocabulary=["a"])
    with pytest.raises(ValueError, match="num_oov_indices"):
        lookup(np.array(["b"]))


@pytest.mark.parametrize("column", ["age", "education-num", "hours-per-week"])
def test_integer_lookup_equals_keras_on_all_of_adult(adult, column):
    train, both = adult
    for kwargs in ({}, {"max_tokens": 20, "num_oov_indices": 3}):
        ours = IntegerLookup(**kwargs).adapt(train[column].to_numpy())
        theirs = keras.layers.IntegerLookup(**kwargs)
        theirs.adapt(train[column].to_numpy())
        assert ours.get_vocabulary() == [int(v) for v in theirs.get_vocabulary()]
        np.testing.assert_array_equal(ours(both[column].to_numpy()),
                                      np.asarray(theirs(both[column].to_numpy())))


def test_fingerprint64_equals_tensorflow_for_every_length_up_to_200():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    texts = ["".join(chr(c) for c in rng.integers(32, 127, n)) for n in range(200)] + ["é" * 70]
    reference = tf.fingerprint(tf.constant(texts), method="farmhash64").numpy()
    assert [fingerprint64(t) for t in texts] == [int.from_bytes(r.tobytes(), "little") for r in reference]


@pytest.mark.parametrize("columns, num_bins", [
    (("workclass", "occupation"), 98),
    (("marital-status", "sex"), 14),
    (("race", "sex", "marital-status", "occupation"), 1000),
])
def test_hashed_crossing_of_strings_equals_keras_on_all_of_adult(adult, columns, num_bins):
    _, both = adult
    inputs = [_text(both, c) for c in columns]
    ours = HashedCrossing(num_bins)(inputs)
    theirs = np.asarray(keras.layers.HashedCrossing(num_bins)(inputs))
    assert ours.min() >= 0 and ours.max() < num_bins and len(np.unique(ours)) > 3
    np.testing.assert_array_equal(ours, theirs)


def test_hashed_crossing_of_lookup_indices_equals_keras_as_in_course_10a(adult):
    # 10a crosses the StringLookup indices (int64), not the strings
    train, both = adult
    idx = [StringLookup(num_oov_indices=0).adapt(_text(train, c))(_text(both, c))
           for c in ("occupation", "education")]
    np.testing.assert_array_equal(HashedCrossing(224)(idx),
                                  np.asarray(keras.layers.HashedCrossing(224)(idx)))


@pytest.mark.parametrize("batched", [False, True])
def test_discretization_adapt_equals_keras_on_all_of_adult(adult, batched):
    train, both = adult
    age = train["age"].to_numpy(float)
    data = [age[i:i + 64] for i in range(0, len(age) - 63, 64)] if batched else age
    ours = Discretization(num_bins=30).adapt(data)
    theirs = keras.layers.Discretization(num_bins=30)
    theirs.adapt(data)
    assert len(ours.bin_boundaries) == 29
    assert ours.bin_boundaries == list(theirs.bin_boundaries)
    values = both["age"].to_numpy(float)
    np.testing.assert_array_equal(ours(values), np.asarray(theirs(values)))


def test_discretization_with_given_boundaries_bins_like_digitize():
    # hand check: b = [0, 10]: x < 0 -> 0, 0 <= x < 10 -> 1, x >= 10 -> 2
    out = Discretization(bin_boundaries=[0.0, 10.0])(np.array([-1.0, 0.0, 9.9, 10.0, 50.0]))
    assert out.tolist() == [0, 1, 1, 2, 2]


@pytest.mark.parametrize("batched", [False, True])
def test_normalization_adapt_equals_keras_on_all_of_adult(adult, batched):
    train, both = adult
    cols = ["capital-gain", "capital-loss", "hours-per-week"]
    x = train[cols].to_numpy(float)
    data = [x[i:i + 64] for i in range(0, len(x) - 63, 64)] if batched else x
    ours = Normalization().adapt(data)
    theirs = keras.layers.Normalization(axis=-1)
    theirs.adapt(data)
    np.testing.assert_allclose(ours.mean, np.asarray(theirs.mean).ravel(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(ours.variance, np.asarray(theirs.variance).ravel(), rtol=1e-13, atol=0)
    out, ref = ours(both[cols].to_numpy(float)), np.asarray(theirs(both[cols].to_numpy(float)))
    assert np.max(np.abs(out - ref)) <= 1e-12 * np.max(np.abs(ref))
    # first principles: the rows it was adapted on come out with mean 0 and variance 1
    z = ours(np.concatenate(data) if batched else x)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.var(axis=0), 1, rtol=1e-12)


def test_keras_twins_built_from_the_scratch_layers_map_adult_the_same(adult):
    from scratch_vs_keras.keras_side import keras_preprocessing

    train, both = adult
    layers = [(StringLookup(max_tokens=10).adapt(_text(train, "occupation")), _text(both, "occupation")),
              (IntegerLookup().adapt(train["age"].to_numpy()), both["age"].to_numpy()),
              (Discretization(num_bins=10).adapt(train["age"].to_numpy(float)), both["age"].to_numpy(float)),
              (Normalization().adapt(train[["hours-per-week"]].to_numpy(float)),
               both[["hours-per-week"]].to_numpy(float))]
    for ours, values in layers:
        theirs = np.asarray(keras_preprocessing(ours)(values))
        np.testing.assert_allclose(ours(values), theirs.reshape(ours(values).shape), rtol=1e-15, atol=0)


@pytest.mark.parametrize("call, match", [
    (lambda: StringLookup().adapt(np.array(["a", np.nan], dtype=object)), "missing"),
    (lambda: IntegerLookup().adapt(np.array([1.5])), "integers"),
    (lambda: HashedCrossing(10)([np.array([1.0]), np.array([2.0])]), "integer or string"),
    (lambda: HashedCrossing(10)([np.array([1])]), "at least two"),
    (lambda: Discretization(), "exactly one"),
    (lambda: Discretization(num_bins=3).adapt(np.array([1.0, np.nan])), "NaN"),
    (lambda: Normalization().adapt(np.array([[1.0], [np.inf]])), "finite"),
    (lambda: Normalization()(np.ones(3)), "adapt"),
])
def test_bad_input_is_refused_with_the_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()
