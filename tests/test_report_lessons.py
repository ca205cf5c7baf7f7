"""Lesson pages: executed, written offline (LaTeX as MathML, no CDN script), readable as the umask
says, and listed in the index with the verdict of their own checks."""

import os
import re
import stat

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from scratch_vs_keras.lessons import runner as lessons
from scratch_vs_keras.report import write_index

TINY_LESSON = '''# %% [markdown]
# # A tiny lesson
#
# The mean $\\frac{1}{N}\\sum_i x_i$ and the factor **A * (1 - A)**:
#
# $$\\mathbf V^{(1)} = \\mathbf A^{(2)} * (1 - \\mathbf A^{(2)})$$

# %%
print("All 2 gradients are right.")
'''


def executed(*outputs, tags=()):
    """A notebook whose code cells printed ``outputs`` (one cell each; an exception for "ERROR")."""
    cells = [new_markdown_cell("# Lesson")]
    for text in outputs:
        if text == "ERROR":
            out = new_output("error", ename="ValueError", evalue="boom", traceback=[])
        else:
            out = new_output("stream", name="stdout", text=text)
        cell = new_code_cell("print(...)", outputs=[out])
        cell.metadata["tags"] = list(tags)
        cells.append(cell)
    return new_notebook(cells=cells)


PLANTED = ("✗ W1 (layer 1): off by 4.56 (relative). Layer 1's activation derivative is missing.\n"
           "1 of 2 gradients are right. Start with W1 (layer 1).")
UNEXPLAINED = ("✗ W1 (layer 1): off by 0.3 (relative). Not a transpose, a factor or a missing "
               "derivative: compare its entries.\n1 of 2 gradients are right. Start with W1.")


@pytest.mark.parametrize("outputs, status, detail", [
    (["All 2 gradients are right.", "MATCH: 3 epochs, float64."], "MATCH", "2 checks passed"),
    (["All 2 gradients are right.", PLANTED], "MATCH",
     "1 check passed, 1 planted mistake caught, as intended"),
    (["All 2 gradients are right.", UNEXPLAINED], "MISMATCH", "1 failed"),
    (["MISMATCH: 3 epochs, float64."], "MISMATCH", "1 failed"),
    (["equal: False"], "MISMATCH", "1 failed"),
    (["All 2 gradients are right.", "ERROR"], "ERROR", "code cell 2 raised ValueError"),
    (["just numbers 1e-16"], "NOT CHECKED", "the lesson prints no check"),
    # the checker's summary with its probes, and a skeleton's "Not done yet" (never a pass)
    (["All 2 gradients are right at 4 probes (your point, random 1; each in float64 and float32)."],
     "MATCH", "1 check passed"),
    (["✗ W1 (layer 1): off by 4.56 (relative, float64). Layer 1's activation derivative is "
      "missing.\n1 of 2 tensors are right at 8 probes (random 1, ...). Start with layer 1."],
     "MATCH", "1 planted mistake caught, as intended"),
    (["Exercise 1 (x): not done yet.\nNot done yet: your function f() still raises "
      "NotImplementedError.", "MATCH: 3 epochs, float64."], "NOT CHECKED",
     "1 check passed, 1 not checked"),
])
def test_the_index_gives_each_lesson_the_verdict_of_its_checks(outputs, status, detail, tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    nbformat.write(executed(*outputs), folder / "01_lesson.ipynb")
    (folder / "01_lesson.html").write_text("<html></html>")
    write_index(tmp_path)
    row = next(r for r in (tmp_path / "index.html").read_text().split("<tr>")
               if 'href="lessons/01_lesson.html"' in r)
    assert re.search(rf"<td class=\"\w+\">{status}</td>", row), row
    assert detail in row


def test_a_tagged_lesson_counts_only_tagged_cells_as_planted(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    nb = executed(PLANTED)  # a named mistake, but in a lesson that tags its planted ones
    nb.cells.append(new_code_cell("print(...)", outputs=[new_output("stream", name="stdout",
                                                                     text=PLANTED)]))
    nb.cells[-1].metadata["tags"] = ["planted-mistake"]
    nbformat.write(nb, folder / "01_lesson.ipynb")
    (folder / "01_lesson.html").write_text("<html></html>")
    write_index(tmp_path)
    assert "1 planted mistake caught, as intended, 1 failed" in (tmp_path / "index.html").read_text()


def test_lesson_pages_are_offline_and_honour_the_umask(tmp_path, monkeypatch):
    # The pages loaded MathJax (and require.js, mermaid) from a CDN: offline every equation was
    # raw LaTeX. They were also written 0600 whatever the umask.
    lesson = tmp_path / "src" / "01_tiny.py"
    lesson.parent.mkdir()
    lesson.write_text(TINY_LESSON)
    monkeypatch.setattr(lessons, "lesson_files", lambda: [lesson])
    previous = os.umask(0o022)
    try:
        lessons.run_lessons(str(tmp_path / "out"), quick_mode=True)
    finally:
        os.umask(previous)
    folder = tmp_path / "out" / "lessons"
    for f in ("01_tiny.html", "01_tiny.ipynb"):
        assert stat.S_IMODE(os.stat(folder / f).st_mode) == 0o644, f
    page = (folder / "01_tiny.html").read_text()
    assert not re.search(r"""<script[^>]+src=["']?https?:""", page)
    assert not re.search(r"""(?:src|href)=["']?https?:|url\(["']?https?:|@import""", page)
    assert page.count("<math") == 2 and "<mfrac>" in page
    assert "\\frac" not in page and "$$" not in page
    assert "<strong>A * (1 - A)</strong>" in page
    assert "Checks: MATCH" in page  # the page opens with its own verdict
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'href="lessons/01_tiny.html"' in index and "1 check passed" in index
