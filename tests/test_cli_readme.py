"""Every shell command in README.md is executed here, taken from the README itself, so that a
documented command cannot go missing again.

The commands are read from the README's ```bash blocks (and a command-like `code span` in the
prose must be one of them). Each `scratch-vs-keras` command and experiment script runs in a
temporary folder through the real command line, with two substitutions: `--quick` where the
command takes it, and a temporary `--out`. The main job, `gradients`, `train` and `lessons
--copy` run for real; for `run ...`, `lessons` and `conventions` the expensive bodies are stubbed
because the suite runs them for real elsewhere (every experiment in quick mode in
test_experiments.py, every lesson in test_lessons.py, the measured conventions table in
test_course_vs_keras.py): what is executed here is everything between the command line and them.
The two set-up commands create a virtual environment and install the package: the second is
exactly what CI (.ci/run) runs, the first installs the same package without the test extras.
"""

import re
import runpy
import shlex
import sys
from pathlib import Path

import pytest

from scratch_vs_keras import experiments
from scratch_vs_keras.cli import main
from test_cli_options import stub_experiments

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```bash\n(.*?)^```", README, re.S | re.M)
PROGRAMS = ("scratch-vs-keras", ".venv/bin/", "python", "pip", "source ", "jupytext")


def readme_commands():
    """Each command of the README's bash blocks (a line split at `&&`), comments dropped."""
    commands = []
    for block in BLOCKS:
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            commands += [c.strip() for c in line.split("&&") if c.strip()]
    return commands


SETUP = ["python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/scratch-vs-keras",
         "python3 -m venv .venv && .venv/bin/pip install -q -e \".[test]\" && .venv/bin/python -m pytest -n 2"]
NOT_RUN_HERE = {  # the set-up steps: see the module docstring
    "python3 -m venv .venv", ".venv/bin/pip install -e .", ".venv/bin/pip install -q -e \".[test]\"",
    ".venv/bin/python -m pytest -n 2",
}
COMMANDS = [c for c in dict.fromkeys(readme_commands()) if c not in NOT_RUN_HERE]


def test_the_two_setup_commands_are_there_and_the_second_is_what_ci_runs():
    lines = [line for block in BLOCKS for line in block.splitlines()]
    assert lines[:2] == SETUP
    ci = (ROOT / ".ci" / "run").read_text()
    assert SETUP[1] in ci.splitlines()


def test_every_command_in_the_prose_is_in_a_block():
    prose = re.sub(r"^```.*?^```", "", README, flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", prose)
    commands = [s for s in spans if s.startswith(PROGRAMS) and " " in s]
    executed = {c.removeprefix(".venv/bin/") for c in readme_commands()}
    assert [c for c in commands if c.removeprefix(".venv/bin/") not in executed] == []


def substituted(args, command):
    """``args`` with --quick where the command takes it and --out in the temporary folder."""
    args = list(args)
    writes_reports = command in (None, "run", "lessons") and not {"--copy", "--help"} & set(args)
    if "--out" in args:
        i = args.index("--out") + 1
        args[i] = "conventions.md" if command == "conventions" else "out"
    elif writes_reports:
        args += ["--out", "out"]
    if writes_reports and "--quick" not in args:
        args.append("--quick")
    return args


@pytest.fixture
def stubs(tmp_path, monkeypatch):
    """A temporary working folder with the README's example CSV; stubbed experiment bodies,
    lesson runs and conventions measurement (see the module docstring)."""
    import scratch_vs_keras.course.conventions as conventions
    import scratch_vs_keras.lessons.runner as lessons
    from scratch_vs_keras.data import load_dataset

    monkeypatch.chdir(tmp_path)
    load_dataset("breast_cancer").frame.rename(columns={"target": "label"}).to_csv("my.csv", index=False)
    lesson_runs = []
    monkeypatch.setattr(lessons, "run_lessons",
                        lambda out, quick_mode=False, names=None, timeout=600, solutions=False:
                        lesson_runs.append((names, solutions)) or [(names[0], 0.1)])
    monkeypatch.setattr(conventions, "conventions_markdown", lambda: "# the table\n")
    from test_check_command import RIGHT  # a right submission for `check` (see that file)

    Path("my_mlp.py").write_text(RIGHT)
    Path("submissions").mkdir()
    Path("submissions", "one.py").write_text(RIGHT)
    return {"lessons": lesson_runs}


def stub_sweep(monkeypatch):
    """Replace the sweep's cell runs by MATCH records; returns the grids it was given."""
    import scratch_vs_keras.sweep as sweep
    from scratch_vs_keras.sweep.grid import cell_id, cell_key

    grids = []

    def run_sweep(grid, path, jobs=1, backend="joblib", scheduler=None, progress=None):
        grids.append((grid, jobs))
        return [{"key": cell_key(c), "cell": cell_id(c), "settings": c, "status": "MATCH",
                 "steps": 8, "worst": {"batch loss": [1e-16, 1e-12]}, "where": "", "message": "",
                 "seconds": 0.0} for c in grid.cells], len(grid.cells)

    monkeypatch.setattr(sweep, "run_sweep", run_sweep)
    return grids


def run_readme_command(command, monkeypatch, stubs):
    """Execute one README command; returns its exit status."""
    words = shlex.split(command)
    program, args = words[0].removeprefix(".venv/bin/"), words[1:]
    if program == "scratch-vs-keras":
        cli = args[0] if args and not args[0].startswith("-") else None
        if cli in ("run", "lessons", "conventions"):
            stubs["experiments"] = stub_experiments(monkeypatch)
        if cli == "sweep":  # the cells' training is stubbed; tests/test_sweep.py runs cells for real
            stubs["cells"] = stub_sweep(monkeypatch)
        try:
            return main(substituted(args, cli))
        except SystemExit as exc:  # --help
            return exc.code
    if program == "python" and args[0].startswith("experiments/"):
        stubs["experiments"] = stub_experiments(monkeypatch)
        monkeypatch.setattr(sys, "argv", [args[0]] + substituted(args[1:], "run"))
        with pytest.raises(SystemExit) as exc:
            runpy.run_path(str(ROOT / args[0]), run_name="__main__")
        return exc.value.code
    raise AssertionError(f"the README has a command this test cannot run: {command}")


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command, tmp_path, monkeypatch, capsys, stubs):
    assert run_readme_command(command, monkeypatch, stubs) == 0
    out, err = capsys.readouterr()
    check = CHECKS.get(command)
    if check is not None:
        check(out, err, tmp_path, stubs)


def _main_job(out, err, tmp_path, stubs):
    assert (tmp_path / "out" / "headline" / "report.html").exists()
    assert out.strip().splitlines()[-1] == "Open out/headline/report.html in a browser."
    assert "check/s" in err or "s/check" in err  # tqdm's progress counts the checks


def _ran(*names, **settings):
    def check(out, err, tmp_path, stubs):
        assert [n for n, _ in stubs["experiments"]] == list(names)
        for name, cfg in stubs["experiments"]:
            assert cfg.quick and cfg.out == "out"
            for key, value in settings.items():
                assert getattr(cfg, key) == value, key
            assert (tmp_path / "out" / cfg.report_name(name) / "report.html").exists()
    return check


def _train(out, err, tmp_path, stubs):
    assert re.search(r"^MATCH: 42 steps, float64\.", out, re.M)  # 427 rows / 32 = 14 steps per epoch
    assert re.search(r"^weights, final\s+\S+\s+1\.00e-10\s+ok", out, re.M)
    assert (tmp_path / "records.csv").stat().st_size > 0


def _copies(out, err, tmp_path, stubs):
    from scratch_vs_keras.lessons import lesson_files

    assert sorted(p.name for p in (tmp_path / "my_lessons").iterdir()) == [p.name for p in lesson_files()]


def _sweep(out, err, tmp_path, stubs):
    [(grid, jobs)] = stubs["cells"]
    assert grid.name == "example" and len(grid.cells) == 48 and jobs == 2
    assert (tmp_path / "reports" / "sweep-example" / "report.html").exists()
    assert out.strip().splitlines()[-1].endswith("reports/sweep-example/report.html in a browser.")


CHECKS = {
    ".venv/bin/scratch-vs-keras": _main_job,
    ".venv/bin/scratch-vs-keras --help": lambda out, *_: "exit status:" in out or pytest.fail(out),
    ".venv/bin/scratch-vs-keras list": lambda out, *_: [n for n in experiments.NAMES if n not in out] == []
    or pytest.fail(out),
    ".venv/bin/scratch-vs-keras run optimizers --quick": _ran("optimizers"),
    ".venv/bin/scratch-vs-keras run all --out reports": _ran(*experiments.NAMES),
    ".venv/bin/scratch-vs-keras run headline --csv my.csv --target label --dtype float32":
        _ran("headline", csv="my.csv", target="label", dtype="float32"),
    ".venv/bin/python experiments/vanishing_gradients.py --seed 3": _ran("vanishing_gradients", seed=3),
    ".venv/bin/scratch-vs-keras gradients --dataset wine":
        lambda out, *_: ("Wine recognition" in out and "\nMATCH: " in out) or pytest.fail(out),
    ".venv/bin/scratch-vs-keras train --epochs 3 --save records.csv": _train,
    ".venv/bin/scratch-vs-keras conventions --out docs/conventions.md":
        lambda out, err, tmp_path, stubs: (tmp_path / "conventions.md").read_text() == "# the table\n"
        or pytest.fail(out),
    ".venv/bin/scratch-vs-keras lessons": lambda out, err, tmp_path, stubs:
        [s for _, s in stubs["lessons"]] == [False] * 6 or pytest.fail(out),
    ".venv/bin/scratch-vs-keras lessons --solutions": lambda out, err, tmp_path, stubs:
        [s for _, s in stubs["lessons"]] == [True] * 6 or pytest.fail(out),
    ".venv/bin/scratch-vs-keras lessons --copy my_lessons": _copies,
    ".venv/bin/scratch-vs-keras check my_mlp.py":
        lambda out, *_: "All 2 gradients are right" in out or pytest.fail(out),
    ".venv/bin/scratch-vs-keras check --class submissions --time-limit 5":
        lambda out, err, tmp_path, stubs: (tmp_path / "reports" / "check-submissions" /
                                           "report.html").exists() or pytest.fail(out),
    ".venv/bin/scratch-vs-keras sweep example --jobs 2": _sweep,
}


def test_the_checks_above_are_for_commands_the_readme_has():
    assert set(CHECKS) <= set(COMMANDS)
