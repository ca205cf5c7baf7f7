"""The course's wide-and-deep units (notebooks 10 and 10a) reproduced: their rows, encoders and
parameter counts (the notebooks' own numbers), 10a's encoders equal Keras's FeatureSpace layers,
notebook 10's train+test encoder flaw only behind its flag, and the quick command."""

import gzip
import os

import numpy as np
import pytest

from scratch_vs_keras import scratch
from scratch_vs_keras.data.adult import prepare_adult
from scratch_vs_keras.experiments.wide_and_deep import course_wide_and_deep

ADULT = os.path.join(os.path.dirname(scratch.__file__), "..", "data", "adult")


def _rows_without_question_mark(split):
    """Counted from the raw file: data lines with no '?' field."""
    with gzip.open(os.path.join(ADULT, f"adult_{split}.csv.gz"), "rt") as f:
        lines = f.read().splitlines()[1:]
    return sum("?" not in line.split(",") for line in lines)


@pytest.fixture(scope="module")
def data10a():
    return prepare_adult(course="10a")


def test_course_rows_are_the_notebooks(data10a):
    assert len(data10a.y_train) == _rows_without_question_mark("train") == 30_162
    assert len(data10a.y_test) == _rows_without_question_mark("test") == 15_060


def test_parameter_counts_equal_the_notebooks(data10a):
    # the notebooks' model.summary(): 10 "Total params: 51,158"; 10a "Trainable params: 7,386"
    assert course_wide_and_deep(prepare_adult(course="10", fit_crosses_on_test=True)).count_params() == 51_158
    assert course_wide_and_deep(data10a).count_params() == 7_386
    assert course_wide_and_deep(data10a, dropout=True).count_params() == 7_386  # dropout has none


def test_course_10a_encoders_equal_keras_feature_space_layers(data10a):
    keras = pytest.importorskip("keras")
    from scratch_vs_keras.data.adult import load_adult
    from scratch_vs_keras.keras_side import configure_keras

    configure_keras("float64")
    train = load_adult()[0].dropna().reset_index(drop=True)
    batches = lambda v: [v[i:i + 64] for i in range(0, len(v) - 63, 64)]
    index = {}
    for c in ("workclass", "occupation"):
        lookup = keras.layers.StringLookup(num_oov_indices=0)
        lookup.adapt(batches(train[c].astype(str).to_numpy()))
        index[c] = np.asarray(lookup(train[c].astype(str).to_numpy()))
    np.testing.assert_array_equal(data10a.x_train["workclass"], index["workclass"])
    crossed = np.asarray(keras.layers.HashedCrossing(98)([index["workclass"], index["occupation"]]))
    np.testing.assert_array_equal(data10a.x_train["workclass_X_occupation"], crossed)
    age = keras.layers.Discretization(num_bins=30)
    age.adapt(batches(train["age"].to_numpy(float)))
    np.testing.assert_array_equal(data10a.x_train["numeric"][:, 0], np.asarray(age(train["age"].to_numpy(float))))


def test_course_10_cross_encoders_see_the_test_set_only_behind_the_flag():
    fixed = prepare_adult(course="10")
    flawed = prepare_adult(course="10", fit_crosses_on_test=True)
    name = "race_sex_marital_status_occupation"
    unseen = fixed.vocabulary_size(name) - 1  # the one index for a combination training never saw
    assert unseen not in fixed.x_train[name] and unseen in fixed.x_test[name]
    # the notebook's encoder has rows that only test rows use: never trained
    only_test = np.setdiff1d(flawed.x_test[name], flawed.x_train[name])
    assert len(only_test) > 0 and flawed.vocabulary_size(name) > fixed.vocabulary_size(name)
    assert course_wide_and_deep(fixed).count_params() < 51_158


@pytest.mark.parametrize("call, match", [
    (lambda: prepare_adult(course="11"), "course"),
    (lambda: prepare_adult(fit_crosses_on_test=True), "course='10'"),
    (lambda: prepare_adult(course="10a", fit_crosses_on_test=True), "10a"),
    (lambda: course_wide_and_deep(prepare_adult(course="10a"), course="10"), "prepare_adult"),
    (lambda: scratch.Input(shape=(8,), dtype="int64"), "one Input per column"),
])
def test_bad_input_names_the_argument_and_the_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_quick_course_10a_command_matches_and_states_the_parameters(tmp_path, capsys):
    from scratch_vs_keras.cli import main

    status = main(["run", "wide_and_deep", "--course", "10a", "--quick", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "7,386 vs the course's 7,386" in out and "MISMATCH" not in out
    report = (tmp_path / "wide_and_deep-course10a" / "report.md").read_text()
    assert "AUC" in report and "Confusion matrix" in report
    # scikit-learn's report is a fixed-width table: kept as a code block, one row per line
    block = report.split("```text\n", 1)[1].split("```", 1)[0]
    assert "precision    recall  f1-score   support" in block and "weighted avg" in block
    assert len(block.strip().splitlines()) >= 7


def test_course_option_is_refused_by_other_experiments(capsys):
    from scratch_vs_keras.cli import main

    assert main(["run", "headline", "--course", "10"]) == 2
    assert "course preset" in capsys.readouterr().err


def test_course_10a_final_model_with_dropout_trains_like_keras(data10a):
    pytest.importorskip("keras")
    from scratch_vs_keras.compare import train_side_by_side
    from scratch_vs_keras.experiments.common import inputs_of

    model = course_wide_and_deep(data10a, dropout=True)
    x = {k: v[:640] for k, v in inputs_of(model, data10a.x_train).items()}
    run = train_side_by_side(model, x, data10a.y_train[:640], epochs=1, batch_size=64, shuffle=False)
    assert run.ok and run.steps == 10, str(run)
    assert [layer.draws for layer in run.scratch_model.layers if layer.takes_training] == [10, 10, 10]
