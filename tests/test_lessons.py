"""Every bridge lesson executes end to end (quick settings); executed copies are written."""

from pathlib import Path

import nbformat
import pytest

from scratch_vs_keras.lessons import lesson_files, run_lessons

# The executed copies go where the lessons command puts them: reports/lessons/ in the repository.
REPORTS = Path(__file__).resolve().parents[1] / "reports"

LESSONS = [p.stem for p in lesson_files()]

EXPECTED = {
    "01_backprop_equations": ["All 2 gradients are right.", "Layer 1's activation derivative is missing",
                              "your gradient vs Keras's, relative difference"],
    "02_bias_vectorization_minibatches": ["All 4 gradients are right.", "MATCH: 3 epochs"],
    "03_cross_entropy_init_vanishing": ["All 2 gradients are right.", "NumPy vs Keras"],
    "04_momentum_adaptive_optimizers": ["equal: True", "CourseSGD('lookback')",
                                        "max |NumPy Adam - Keras Adam| after 5 steps: 0.0"],
    "05_sequential_to_functional": ["same initial weights: True", "Functional", "All 4 gradients are right."],
    "06_embeddings_wide_and_deep": ["All 3 gradients are right.", "np.add.at(table, idx, rows)",
                                    "MATCH: all", "MATCH: 32 steps"],
}


def test_there_are_six_lessons():
    assert len(LESSONS) == 6 and set(EXPECTED) == set(LESSONS)


# One worker runs the lessons in turn: each run rewrites reports/index.html from the lessons it
# finds, so two workers racing would drop each other's entry (pyproject sets --dist loadgroup).
@pytest.mark.xdist_group("lessons")
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_and_shows_its_evidence(name):
    (lesson, seconds), = run_lessons(str(REPORTS), quick_mode=True, names=[name])
    assert lesson == name and seconds > 0
    nb = nbformat.read(REPORTS / "lessons" / f"{name}.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    for snippet in EXPECTED[name]:
        assert snippet in text, snippet
    html = (REPORTS / "lessons" / f"{name}.html").read_text()
    assert "<html" in html and "jp-Notebook" in html
    assert f'lessons/{name}.html' in (REPORTS / "index.html").read_text()
