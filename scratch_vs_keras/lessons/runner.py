"""Running the bridge lessons: the jupytext lesson files shipped in
``scratch_vs_keras/bridge_lessons/``, a student's own copy of them, and their execution into
notebooks and offline HTML pages (written through :mod:`scratch_vs_keras.report`)."""

import os

def quick():
    """Whether lessons run with quick settings (``SCRATCH_VS_KERAS_QUICK=1``, as in the tests)."""
    return os.environ.get("SCRATCH_VS_KERAS_QUICK", "") not in ("", "0")


LESSONS_FOLDER = "bridge_lessons"


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


class LessonFailed(RuntimeError):
    """A lesson raised while executing; the message names the lesson and the error."""


def execute_lessons(out="reports", quick_mode=False, progress=False):
    """Execute every lesson with :func:`run_lessons`, one at a time, counting them on a tqdm bar
    (stderr) with ``progress``; returns ``[(name, seconds)]``. A lesson that raises stops them
    with :class:`LessonFailed`."""
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
                done += run_lessons(out, quick_mode=quick_mode, names=[path.stem])
            except CellExecutionError as exc:
                error = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
                raise LessonFailed(f"lesson {path.stem} failed: {error}") from exc
            bar.update()
    return done


def run_lessons(out="reports", quick_mode=False, names=None, timeout=600):
    """Execute every lesson and write ``<out>/lessons/NN_name.ipynb`` and ``.html`` (atomically).

    Returns ``[(name, seconds)]``; a lesson that raises stops with ``nbclient``'s
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
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            nb.metadata["scratch_vs_keras"] = {"quick mode": bool(quick_mode)}
            export_lesson(nb, out, path.stem)   # offline HTML (MathML, no CDN) and the .ipynb
            done.append((path.stem, time.perf_counter() - started))
    finally:
        if previous is None:
            os.environ.pop("SCRATCH_VS_KERAS_QUICK", None)
        else:
            os.environ["SCRATCH_VS_KERAS_QUICK"] = previous
    write_index(out)
    return done
