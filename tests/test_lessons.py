"""Every bridge lesson executes end to end (quick settings) twice: as the student gets it (each
exercise a skeleton: the checks say "Not done yet", the summary points to exercise 1, nothing
crashes) and with the solutions spliced in (every check passes). Plus the splicing itself, and
the student's-Keras-model check on right and wrong models."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from scratch_vs_keras.lessons import Exercises, check_keras_model, lesson_files, run_lessons
from scratch_vs_keras.lessons.runner import EXERCISE_TAG, solution_file, solve_cell, solved_notebook

# The executed copies go where the lessons command puts them: reports/lessons/ in the repository.
REPORTS = Path(__file__).resolve().parents[1] / "reports"

LESSONS = [p.stem for p in lesson_files()]

EXPECTED = {
    "01_backprop_equations": ["Layer 1's activation derivative is missing", "MATCH: 10 steps"],
    "02_bias_vectorization_minibatches": ["MATCH: 3 epochs"],
    "03_cross_entropy_init_vanishing": ["course 4x Glorot", "MATCH 4e-16"],
    "04_momentum_adaptive_optimizers": [
        "08a:TLPAdaGrad: CourseSGD(adagrad, 'lookback', plain bias): MATCH",
        "heavy_ball: SGD(momentum=0.5): MATCH"],
    "05_sequential_to_functional": ["same initial weights: True", "Functional"],
    "06_embeddings_wide_and_deep": ["np.add.at(table, idx, rows)", "MATCH: 32 steps"],
}
SOLVED = {
    "01_backprop_equations": ["All 5 gradients are right", "Your Keras model is the NumPy model",
                              "Keras side: your model", "All 3 exercises done"],
    "02_bias_vectorization_minibatches": ["All 4 gradients are right", "All 1 exercises done"],
    "03_cross_entropy_init_vanishing": ["All 2 gradients are right", "All 2 exercises done"],
    "04_momentum_adaptive_optimizers": [
        "heavy_ball_path() equals Keras's SGD(momentum=0.5) at each of 6 steps",
        "adagrad_lookback_step() trains as CourseMLP(variant='08a:TLPAdaGrad') at all 8 steps",
        "Your Keras model is the NumPy model", "MATCH: 8 steps", "All 3 exercises done"],
    "05_sequential_to_functional": ["All 4 gradients are right", "Your Keras model is the NumPy model",
                                    "All 2 exercises done"],
    "06_embeddings_wide_and_deep": ["All 3 gradients are right", "Your Keras model is the NumPy model",
                                    "matrix_model_predictions() equals", "linear_on_one_hot() equals",
                                    "All 4 exercises done"],
}


def _has_exercises(path):
    import jupytext

    return any(EXERCISE_TAG in c.metadata.get("tags", []) for c in jupytext.read(path).cells)


# A lesson that gains exercise cells is run both ways without a change here.
WITH_EXERCISES = [p.stem for p in lesson_files() if _has_exercises(p)]


def _outputs(stem):
    nb = nbformat.read(REPORTS / "lessons" / f"{stem}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    texts = ["".join(o.get("text", "")) for c in code for o in c.outputs]
    return code, errors, "\n".join(texts)


def test_there_are_six_lessons():
    assert len(LESSONS) == 6 and set(EXPECTED) == set(LESSONS)


def test_each_lesson_with_exercises_has_them_as_skeletons_and_their_solutions_apart():
    import jupytext

    for path in lesson_files():
        nb = jupytext.read(path)
        cells = [c for c in nb.cells if EXERCISE_TAG in c.metadata.get("tags", [])]
        assert path.stem not in SOLVED or cells, path.stem
        for cell in cells:
            assert "raise NotImplementedError" in cell.source, (path.stem, cell.source)
        if cells:
            assert solution_file(path).is_file()
            solved = solved_notebook(nb, path)
            assert all("NotImplementedError" not in c.source for c in solved.cells
                       if EXERCISE_TAG in c.metadata.get("tags", []))
            assert nb.cells[0].source == solved.cells[0].source


def test_solve_cell_replaces_only_the_functions_and_names_a_missing_solution():
    cell = "helper = 3\n\n\ndef f(x):\n    raise NotImplementedError\n\n\ndef g():\n    ...\n"
    solved_src = "import os\n\ndef f(x):\n    return 2 * x\n\n\n@staticmethod\ndef g():\n    return 1\n"
    from scratch_vs_keras.lessons.runner import _definitions

    out = solve_cell(cell, _definitions(solved_src, "s"), solved_src, "lesson, cell 2")
    assert out.startswith("helper = 3\n") and "return 2 * x" in out and "@staticmethod" in out
    assert "NotImplementedError" not in out and "import os" not in out
    with pytest.raises(ValueError, match=r"lesson, cell 2 defines g\(\), which has no solution"):
        solve_cell(cell, _definitions("def f(x):\n    return x\n", "s"), "def f(x):\n    return x\n",
                   "lesson, cell 2")
    with pytest.raises(ValueError, match="defines no function"):
        solve_cell("x = 1\n", {}, "", "lesson, cell 3")


def test_exercises_point_to_the_first_not_done():
    class Result:
        def __init__(self, status):
            self.status, self.ok = status, status == "right"

        def __str__(self):
            return self.status

    ex = Exercises("one", "two", "three")
    ex.check(2, Result("right"))
    ex.check(1, Result("not done"))
    assert str(ex) == ("Exercises done: 1 of 3. Next: Exercise 1, one (not done): complete it "
                       "above and run the lesson again.")
    ex.check(1, Result("right"))
    assert ex.next_exercise() == 3
    ex.check(3, Result("right"))
    assert str(ex) == "All 3 exercises done: every check passed."
    with pytest.raises(ValueError, match="`number` must be 1 to 3"):
        ex.check(4, Result("right"))


def _tiny_numpy_model():
    from scratch_vs_keras import scratch
    from scratch_vs_keras.scratch.layers import Dense

    inp = scratch.Input((3,), name="features")
    h = Dense(4, activation="sigmoid", name="hidden")(inp)
    model = scratch.Model(inp, Dense(1, activation="sigmoid", name="output")(h), seed=0,
                          dtype="float64")
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 1)).astype(float)


def _keras_builder(activation="sigmoid", name="hidden", compiled=True):
    def build():
        import keras

        inp = keras.Input(shape=(3,), name="features")
        h = keras.layers.Dense(4, activation=activation, name=name)(inp)
        model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="output")(h))
        if compiled:
            model.compile(optimizer="sgd", loss="mse")
        return model
    return build


def test_check_keras_model_tells_right_from_wrong():
    model, x, y = _tiny_numpy_model()
    right = check_keras_model(_keras_builder(), model, x, y)
    assert right.ok and right.comparison.worst() < 1e-12 and "MATCH" in str(right)
    wrong = check_keras_model(_keras_builder(activation="tanh"), model, x, y)
    assert wrong.status == "wrong" and "MISMATCH: " in str(wrong) and "hidden" in str(wrong)
    misnamed = check_keras_model(_keras_builder(name="hiden"), model, x, y)
    assert misnamed.status == "bad answer" and "'hidden' (yours: 'hiden'?)" in str(misnamed)
    assert "not compiled" in str(check_keras_model(_keras_builder(compiled=False), model, x, y))

    def skeleton():
        raise NotImplementedError

    assert check_keras_model(skeleton, model, x, y).status == "not done"


# One worker runs the lessons in turn: each run rewrites reports/index.html from the lessons it
# finds, so two workers racing would drop each other's entry (pyproject sets --dist loadgroup).
@pytest.mark.xdist_group("lessons")
@pytest.mark.parametrize("name", LESSONS)
def test_the_student_version_runs_says_not_done_and_points_to_exercise_1(name):
    (lesson, seconds), = run_lessons(str(REPORTS), quick_mode=True, names=[name])
    assert lesson == name and seconds > 0
    code, errors, text = _outputs(name)
    assert not errors
    for snippet in EXPECTED[name]:
        assert snippet in text, snippet
    html = (REPORTS / "lessons" / f"{name}.html").read_text()
    assert "<html" in html and "jp-Notebook" in html
    assert f'lessons/{name}.html' in (REPORTS / "index.html").read_text()
    if name in WITH_EXERCISES:
        first = next(t for t in text.split("\n") if t.startswith("Exercise 1 ("))
        assert first.endswith("not done yet."), first
        assert re.search(r"^Exercises done: 0 of \d+\. Next: Exercise 1,", text, re.M), text[-300:]
        assert "Checks: NOT CHECKED" in html   # a skeleton is never reported as a pass


@pytest.mark.xdist_group("lessons")
@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_the_solved_version_passes_every_check(name):
    (stem, _), = run_lessons(str(REPORTS), quick_mode=True, names=[name], solutions=True)
    assert stem == f"{name}-solved"
    code, errors, text = _outputs(stem)
    assert not errors
    assert "Not done yet" not in text and "MISMATCH" not in text
    for snippet in SOLVED.get(name, []) + EXPECTED[name] + ["exercises done: every check passed."]:
        assert snippet in text, snippet
    assert "Checks: MATCH" in (REPORTS / "lessons" / f"{stem}.html").read_text()
    if name in ("01_backprop_equations", "03_cross_entropy_init_vanishing",
                "04_momentum_adaptive_optimizers", "06_embeddings_wide_and_deep"):
        assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)  # the figure
