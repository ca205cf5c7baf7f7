"""`scratch-vs-keras lessons`: registered, installed with the package's own dependencies, its lesson
files shipped inside the package (so a non-editable install has them), and `--copy DIR` giving a
student their own copies without ever overwriting one."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import scratch_vs_keras
from scratch_vs_keras.cli import main
from scratch_vs_keras.lessons import lesson_files

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(scratch_vs_keras.__file__).resolve().parent


def test_the_lesson_files_live_in_the_package_only():
    files = lesson_files()
    assert len(files) == 6
    assert all(p.parent == PACKAGE / "bridge_lessons" for p in files)
    assert not (ROOT / "lessons").exists()  # one location


def test_the_plain_install_brings_what_the_lessons_need():
    # `pip install -e .` (the README's first command) did not install jupytext & co
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("=")[0].split("<")[0].strip() for d in project["dependencies"]}
    assert {"jupytext", "nbclient", "nbconvert", "ipykernel", "tqdm"} <= names
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "bridge_lessons/[0-9][0-9]_*.py" in package_data["scratch_vs_keras"]
    assert "bridge_lessons/solutions/[0-9][0-9]_*.py" in package_data["scratch_vs_keras"]


def test_lessons_runs_every_lesson_with_progress_and_says_where_they_are(tmp_path, monkeypatch,
                                                                         capsys):
    import scratch_vs_keras.lessons.runner as lessons

    calls = []

    def run_lessons(out, quick_mode=False, names=None, timeout=600, solutions=False):  # test_lessons.py
        calls.append((out, quick_mode, tuple(names), solutions))
        return [(names[0] + ("-solved" if solutions else ""), 0.5)]

    monkeypatch.setattr(lessons, "run_lessons", run_lessons)
    assert main(["--quick", "lessons", "--out", str(tmp_path)]) == 0
    names = [p.stem for p in lesson_files()]
    assert calls == [(str(tmp_path), True, (n,), False) for n in names]  # the student's version
    captured = capsys.readouterr()
    assert "lesson/s" in captured.err or "s/lesson" in captured.err  # tqdm counts lessons
    assert captured.out.strip().splitlines()[-1] == (
        f"Open {tmp_path}/lessons/{names[0]}.html in a browser (all lessons and reports: "
        f"{tmp_path}/index.html).")
    calls.clear()
    assert main(["lessons", "--solutions", "--out", str(tmp_path)]) == 0   # the instructor's
    assert calls == [(str(tmp_path), False, (n,), True) for n in names]
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith(
        f"Open {tmp_path}/lessons/{names[0]}-solved.html")
    assert main(["lessons", "--copy", str(tmp_path / "x"), "--solutions"]) == 2  # skeletons only
    assert "--copy only copies the lesson files; drop --solutions" in capsys.readouterr().err


def test_copy_gives_a_student_the_lessons_and_never_overwrites(tmp_path, capsys):
    mine = tmp_path / "my_lessons"
    assert main(["lessons", "--copy", str(mine)]) == 0
    for p in lesson_files():
        assert (mine / p.name).read_bytes() == p.read_bytes()
    assert sorted(q.name for q in mine.iterdir()) == [p.name for p in lesson_files()]  # no solutions
    assert "raise NotImplementedError" in (mine / lesson_files()[0].name).read_text()
    assert capsys.readouterr().out.startswith(f"Copied 6 lessons to {mine}: 01_")
    edited = mine / lesson_files()[2].name
    edited.write_text("# my work\n")
    assert main(["lessons", "--copy", str(mine)]) == 2
    err = capsys.readouterr().err
    assert f"already holds {lesson_files()[0].name}" in err and "not overwritten" in err
    assert edited.read_text() == "# my work\n"
    (tmp_path / "file").write_text("x")
    assert main(["lessons", "--copy", str(tmp_path / "file")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_copy_makes_files_the_student_can_edit(tmp_path, monkeypatch):
    import stat

    import scratch_vs_keras.lessons.runner as lessons

    readonly = tmp_path / "installed"
    readonly.mkdir()
    for p in lesson_files():  # as a system-wide install may ship them
        shutil.copy(p, readonly / p.name)
        (readonly / p.name).chmod(0o444)
    monkeypatch.setattr(lessons, "lesson_files", lambda: sorted(readonly.glob("*.py")))
    assert main(["lessons", "--copy", str(tmp_path / "mine")]) == 0
    for p in (tmp_path / "mine").iterdir():
        assert p.stat().st_mode & stat.S_IWUSR


def test_lessons_are_found_in_a_non_editable_install(tmp_path):
    """Build a wheel from a copy of the sources, install it with ``pip install --target`` and run
    ``lessons --copy`` from there, with nothing of the clone on the path."""
    pytest.importorskip("setuptools")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "scratch_vs_keras",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
    env.pop("PYTHONPATH", None)
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"),
                          str(src)], check=True, env=env, cwd=tmp_path, capture_output=True)
    wheel, = (tmp_path / "dist").glob("scratch_vs_keras-*.whl")
    site = tmp_path / "site"
    subprocess.run(pip + ["install", "--no-deps", "--target", str(site), str(wheel)], check=True,
                   env=env, cwd=tmp_path, capture_output=True)
    shutil.rmtree(src)
    script = ("import sys, scratch_vs_keras; from scratch_vs_keras.cli import main; "
              "print(scratch_vs_keras.__file__); sys.exit(main(['lessons', '--copy', 'mine']))")
    done = subprocess.run([sys.executable, "-c", script], env=dict(env, PYTHONPATH=str(site)),
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(site / "scratch_vs_keras" / "__init__.py"))
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == [p.name for p in lesson_files()]
    shipped = site / "scratch_vs_keras" / "bridge_lessons" / "solutions"
    assert (shipped / f"{lesson_files()[0].stem}.py").is_file()   # `lessons --solutions` works too


def test_a_failing_lesson_is_named_in_one_line(tmp_path, monkeypatch, capsys):
    from nbclient.exceptions import CellExecutionError

    import scratch_vs_keras.lessons.runner as lessons

    def run_lessons(out, quick_mode=False, names=None, timeout=600, solutions=False):
        raise CellExecutionError("Traceback ...\nZeroDivisionError: division by zero", "", "")

    monkeypatch.setattr(lessons, "run_lessons", run_lessons)
    assert main(["lessons", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]  # after the progress bar
    assert last == (f"scratch-vs-keras: lesson {lesson_files()[0].stem} failed: "
                    "ZeroDivisionError: division by zero")
