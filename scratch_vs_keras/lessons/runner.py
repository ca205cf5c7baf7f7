"""Running the bridge lessons: the jupytext lesson files shipped in
``scratch_vs_keras/bridge_lessons/``, a student's own copy of them, and their execution into
notebooks and offline HTML pages (written through :mod:`scratch_vs_keras.report`).

**Exercises and their solutions.** A lesson file is what the student gets: each exercise is a
code cell tagged ``exercise`` (``# %% tags=["exercise"]``) defining one or more top-level
functions whose bodies still ``raise NotImplementedError``, followed by a cell that hands the
function to a checker (which says "Not done yet" for a skeleton and never raises). The
solutions live apart, in ``bridge_lessons/solutions/<the lesson's file name>``, a Python file
defining the solved functions under the same names (its imports and anything else in it are
ignored). Run with ``solutions=True``, the runner replaces every function defined in an
``exercise`` cell by the solution's function of that name, and nothing else: the lesson around
the exercises is the one the student runs. An exercise function without a solution is an error
naming the lesson and the function; a lesson without ``exercise`` cells runs the same both ways.
"""

import os

def quick():
    """Whether lessons run with quick settings (``SCRATCH_VS_KERAS_QUICK=1``, as in the tests)."""
    return os.environ.get("SCRATCH_VS_KERAS_QUICK", "") not in ("", "0")


LESSONS_FOLDER = "bridge_lessons"
SOLUTIONS_FOLDER = "solutions"
EXERCISE_TAG = "exercise"
SOLVED_SUFFIX = "-solved"


def lesson_files():
    """The lessons, ``NN_name.py`` files in jupytext's percent format, shipped inside the package
    (``scratch_vs_keras/bridge_lessons/``), so an installed copy has them as a clone does."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / LESSONS_FOLDER
    files = sorted(folder.glob("[0-9][0-9]_*.py"))
    if not files:
        raise FileNotFoundError(f"No lesson files in {folder}: this installation is incomplete; "
                                "reinstall the package.")
    return files


def lesson_copy_targets(folder):
    """Where :func:`copy_lessons` would put each lesson in ``folder``; ValueError (nothing is
    copied) if ``folder`` is a file or already holds a lesson of that name, which may be a
    student's edited copy and is never overwritten."""
    from pathlib import Path

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{str(folder)!r} is a file, not a folder.")
    targets = [folder / p.name for p in lesson_files()]
    there = [t.name for t in targets if t.exists()]
    if there:
        raise ValueError(f"{str(folder)!r} already holds {', '.join(there)}: not overwritten (they "
                         "may be your edits). Choose another folder or move them away.")
    return targets


def copy_lessons(folder):
    """Copy every lesson file into ``folder`` (created where missing) for a student to edit;
    returns the copies' paths. The copies are new files (the user's umask, not the installed
    files' permissions)."""
    import shutil

    targets = lesson_copy_targets(folder)
    os.makedirs(folder, exist_ok=True)
    for source, target in zip(lesson_files(), targets):
        shutil.copyfile(source, target)
    return targets


def solution_file(lesson):
    """Where the solutions of ``lesson`` (a lesson file's path) live."""
    from pathlib import Path

    lesson = Path(lesson)
    return lesson.parent / SOLUTIONS_FOLDER / lesson.name


def _definitions(source, where):
    """``{name: (first line, last line)}`` (1-based, decorators included) of the top-level
    functions and classes in ``source``."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{where} is not valid Python (line {exc.lineno}: {exc.msg}).") from None
    return {node.name: (min([node.lineno] + [d.lineno for d in node.decorator_list]), node.end_lineno)
            for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def solve_cell(source, solutions, solved_source, where):
    """The exercise cell ``source`` with each function it defines replaced by the solution's
    (``solutions``: :func:`_definitions` of ``solved_source``); ValueError naming ``where``
    and the function when a solution is missing or the cell defines no function."""
    lines, solved = source.splitlines(), solved_source.splitlines()
    found = _definitions(source, where)
    if not found:
        raise ValueError(f"{where} is tagged {EXERCISE_TAG!r} but defines no function to solve.")
    for name, (first, last) in sorted(found.items(), key=lambda item: -item[1][0]):
        if name not in solutions:
            raise ValueError(f"{where} defines {name}(), which has no solution; add it to the "
                             "lesson's solutions file.")
        a, b = solutions[name]
        lines[first - 1:last] = solved[a - 1:b]
    return "\n".join(lines)


def solved_notebook(nb, lesson):
    """The lesson's notebook ``nb`` with its ``exercise`` cells solved (see the module's
    docstring); ``nb`` itself is left as it is."""
    import copy

    cells = [c for c in nb.cells if EXERCISE_TAG in c.get("metadata", {}).get("tags", [])]
    if not cells:
        return nb
    path = solution_file(lesson)
    try:
        solved_source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path.name}'s exercises have no solutions file ({path}).") from None
    solutions = _definitions(solved_source, str(path))
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if EXERCISE_TAG in cell.get("metadata", {}).get("tags", []):
            cell.source = solve_cell(cell.source, solutions, solved_source,
                                     f"{path.name}, code cell {i + 1}")
    return nb


class LessonFailed(RuntimeError):
    """A lesson raised while executing; the message names the lesson and the error."""


def execute_lessons(out="reports", quick_mode=False, progress=False, solutions=False):
    """Execute every lesson with :func:`run_lessons`, one at a time, counting them on a tqdm bar
    (stderr) with ``progress``; returns ``[(name, seconds)]``. A lesson that raises stops them
    with :class:`LessonFailed`. ``solutions``: the instructor's solved lessons (see
    :func:`run_lessons`)."""
    import sys

    from nbclient.exceptions import CellExecutionError
    from tqdm.auto import tqdm

    done = []
    files = lesson_files()
    with tqdm(total=len(files), unit="lesson", file=sys.stderr, leave=False,
              disable=not progress) as bar:
        for path in files:
            bar.set_description(path.stem)
            try:
                done += run_lessons(out, quick_mode=quick_mode, names=[path.stem],
                                    solutions=solutions)
            except CellExecutionError as exc:
                error = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
                raise LessonFailed(f"lesson {path.stem} failed: {error}") from exc
            bar.update()
    return done


def run_lessons(out="reports", quick_mode=False, names=None, timeout=600, solutions=False):
    """Execute every lesson and write ``<out>/lessons/NN_name.ipynb`` and ``.html`` (atomically).

    With ``solutions`` the exercises are solved first (:func:`solved_notebook`) and the pages
    are ``NN_name-solved.ipynb`` and ``.html``, beside the student's. Returns ``[(name,
    seconds)]`` (the page's name); a lesson that raises stops with ``nbclient``'s
    ``CellExecutionError`` naming the cell.
    """
    import time

    import jupytext
    from nbclient import NotebookClient

    from ..report.notebook import export_lesson
    from ..report.render import write_index

    target = os.path.join(out, "lessons")
    os.makedirs(target, exist_ok=True)
    done = []
    previous = os.environ.get("SCRATCH_VS_KERAS_QUICK")
    os.environ["SCRATCH_VS_KERAS_QUICK"] = "1" if quick_mode else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        for path in lesson_files():
            if names and path.stem not in names:
                continue
            started = time.perf_counter()
            nb = jupytext.read(path)
            stem = path.stem + (SOLVED_SUFFIX if solutions else "")
            if solutions:
                nb = solved_notebook(nb, path)
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            nb.metadata["scratch_vs_keras"] = {"quick mode": bool(quick_mode),
                                               "solutions": bool(solutions)}
            export_lesson(nb, out, stem)   # offline HTML (MathML, no CDN) and the .ipynb
            done.append((stem, time.perf_counter() - started))
    finally:
        if previous is None:
            os.environ.pop("SCRATCH_VS_KERAS_QUICK", None)
        else:
            os.environ["SCRATCH_VS_KERAS_QUICK"] = previous
    write_index(out)
    return done
