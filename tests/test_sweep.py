"""`scratch-vs-keras sweep GRID`: a grid of real side-by-side cells run with --jobs 2, killed
midway, and resumed on a local dask cluster without running a finished cell again; a cell
that crashes (a diverging run) or hangs is reported and the others go on; `run all` takes the
same parallel path; bad grids are refused before anything runs.

The grid has 216 cells with SCRATCH_VS_KERAS_FULL_SWEEP=1 and 8 otherwise (CI): the same
kill-and-resume path (both architectures, both dtypes, both data sets, so both bounds and both
losses), at a fraction of the cost; the activations' and optimizers' axes only multiply cells.

Time: the sweep test is one real Keras `fit` per cell (two steps each; Keras tracing its step
is most of a cell's time, about a second on an idle core): measured at 5 min 47 s on the shared
2-core machine at a load average of about 3 (33 minutes at a load of 12-17); the other tests of
the file take 106 s together.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scratch_vs_keras.cli import main
from scratch_vs_keras.sweep import read_grid
from scratch_vs_keras.sweep.grid import cell_id
from scratch_vs_keras.sweep.parallel import run_parallel

ROOT = Path(__file__).resolve().parents[1]

FULL = os.environ.get("SCRATCH_VS_KERAS_FULL_SWEEP") == "1"
GRID = f"""
[sweep]
name = "tiny"
epochs = 1
batch_size = 4
rows = 8          # two steps per cell
timeout = 120

[grid]
architecture = [[], [2]]    # small graphs: Keras's tracing is most of a cell's time
activation = {'["relu", "tanh", "sigmoid"]' if FULL else '["tanh"]'}
optimizer = {'["sgd", {name = "sgd", learning_rate = 0.1}, {name = "sgd", momentum = 0.5}]'
             if FULL else '[{name = "sgd", momentum = 0.5}]'}
dtype = ["float64", "float32"]
dataset = ["iris", "breast_cancer"]
seed = {"[0, 1, 2]" if FULL else "[0]"}
"""
CELLS = 216 if FULL else 8


def lines_of(path):
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def start_sweep(grid, out):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.Popen([sys.executable, "-m", "scratch_vs_keras.cli", "sweep", str(grid),
                             "--jobs", "2", "--out", str(out)], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count_finished_tasks(cluster):
    """The keys of the tasks the cluster's workers finish from now on (a scheduler plugin)."""
    from distributed.diagnostics.plugin import SchedulerPlugin

    finished = set()

    class Count(SchedulerPlugin):
        def transition(self, key, start, finish, *args, **kwargs):
            if finish == "memory":
                finished.add(key)

    cluster.scheduler.add_plugin(Count())
    return finished


@pytest.mark.long
def test_a_grid_run_with_jobs_2_killed_midway_then_resumed_on_a_dask_cluster(tmp_path, capsys):
    from distributed import LocalCluster

    grid = tmp_path / "tiny.toml"
    grid.write_text(GRID)
    assert len(read_grid(str(grid)).cells) == CELLS
    out = tmp_path / "out"
    results = out / "sweep-tiny.jsonl"

    sweep = start_sweep(grid, out)
    deadline = time.monotonic() + 900
    while (len(lines_of(results)) < CELLS // 4 and sweep.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.5)
    os.killpg(sweep.pid, signal.SIGKILL)  # the whole session: the parent and its workers
    sweep.wait()
    before = lines_of(results)
    assert CELLS // 4 <= len(before) < CELLS, len(before)
    assert all(line.endswith(b"\n") for line in before)
    with open(results, "ab") as f:  # a line cut short by the interruption
        f.write(b'{"key": "0123", "status": "MAT')

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        finished = count_finished_tasks(cluster)
        code = main(["sweep", str(grid), "--backend", "dask", "--scheduler",
                     cluster.scheduler_address, "--out", str(out)])
        on_cluster = len(finished)
    printed = capsys.readouterr().out
    assert code == 0, printed

    after = lines_of(results)
    assert after[:len(before)] == before  # finished cells kept, byte for byte; the cut line gone
    records = [json.loads(line) for line in after]
    assert len(records) == CELLS and len({r["key"] for r in records}) == CELLS
    assert on_cluster == CELLS - len(before) == len(after) - len(before)
    assert (f"{CELLS - len(before)} cells ran now, {len(before)} were already done: {CELLS} MATCH"
            in printed)
    assert {r["status"] for r in records} == {"MATCH"}
    assert all(r["steps"] == 2 for r in records)
    for r in records:  # measured numbers, each within its bound, not assumed
        for quantity, (worst, bound) in r["worst"].items():
            assert 0 <= worst <= bound, (r["cell"], quantity)
        if r["settings"]["dtype"] == "float64":
            assert r["worst"]["batch loss"][1] == 1e-12 and r["worst"]["final weights"][1] == 1e-10

    verdict = json.loads((out / "sweep-tiny" / "verdict.json").read_text())
    assert verdict["status"] == "MATCH"
    assert verdict["verdict"][-1]["quantity"] == f"cells that ran to the end ({CELLS} of {CELLS})"
    cells = (out / "sweep-tiny" / "data" / "cells.csv").read_text().splitlines()
    assert len(cells) == CELLS + 1
    assert (out / "sweep-tiny" / "figures" / "atlas.png").stat().st_size > 10_000
    assert "sweep-tiny/report.html" in (out / "index.html").read_text()


CRASH_GRID = """
[sweep]
name = "crash"
epochs = 3
batch_size = 2
rows = 4
[grid]
architecture = [[3]]
optimizer = ["sgd", {name = "sgd", learning_rate = 1e30}]
dtype = ["float32"]
dataset = ["iris"]
"""


def test_a_cell_that_crashes_is_reported_with_its_reproduction_and_the_others_run(tmp_path, capsys):
    grid = tmp_path / "crash.toml"
    grid.write_text(CRASH_GRID)
    out = tmp_path / "out"
    assert main(["sweep", str(grid), "--out", str(out)]) == 1
    records = [json.loads(line) for line in lines_of(out / "sweep-crash.jsonl")]
    by_status = {r["status"]: r for r in records}
    assert sorted(by_status) == ["ERROR", "MATCH"]
    crashed = by_status["ERROR"]
    assert "learning_rate=1e+30" in crashed["cell"]
    assert "NaN or infinite" in crashed["message"] and "TrainingDivergedError" in crashed["message"]

    verdict = json.loads((out / "sweep-crash" / "verdict.json").read_text())
    assert verdict["status"] == "NOT CHECKED"
    last = verdict["verdict"][-1]
    assert last["quantity"] == "cells that ran to the end (1 of 2)" and last["status"] == "NOT CHECKED"
    command = f"scratch-vs-keras sweep {grid} --cell '{crashed['cell']}'"
    assert command in last["where"]
    assert command in (out / "sweep-crash" / "report.md").read_text()
    capsys.readouterr()

    # the reproduction runs that one cell alone, writes nothing, and says what went wrong
    assert main(["sweep", str(grid), "--cell", crashed["cell"]]) == 1
    assert "NaN or infinite" in capsys.readouterr().err
    assert main(["sweep", str(grid), "--cell", by_status["MATCH"]["cell"]]) == 0
    assert "\nMATCH: 6 steps, float32." in capsys.readouterr().out


def settle(item):
    """A task for the engine: a value, an exception, or a loop that never returns."""
    if item == "crash":
        raise RuntimeError("planted failure")
    while item == "hang":
        time.sleep(0.01)
    return item * 2


@pytest.mark.parametrize("where", ["this process", "dask threads"])
def test_the_engine_reports_a_crash_and_a_hang_and_keeps_going(where):
    items = {"a": 1, "crash": "crash", "hang": "hang", "b": 2}
    if where == "this process":
        outcomes = list(run_parallel(settle, items, timeout=1.0))
    else:
        from distributed import LocalCluster

        with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                          dashboard_address=None) as cluster:
            outcomes = list(run_parallel(settle, items, backend="dask",
                                         scheduler=cluster.scheduler_address, timeout=1.0))
    got = {o.key: (o.status, o.value, o.message) for o in outcomes}
    assert got == {"a": ("done", 2, ""), "b": ("done", 4, ""),
                   "crash": ("error", None, "RuntimeError: planted failure"),
                   "hang": ("timeout", None, "no result after the 1 s timeout")}
    assert 1.0 <= next(o.seconds for o in outcomes if o.key == "hang") < 5


def test_run_all_takes_the_same_parallel_path(tmp_path, monkeypatch, capsys):
    from distributed import LocalCluster

    from scratch_vs_keras import experiments
    from test_cli_options import stub_experiments

    seen = stub_experiments(monkeypatch)  # the in-process cluster's threads see the stubs
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        code = main(["run", "all", "--quick", "--out", str(tmp_path), "--backend", "dask",
                     "--scheduler", cluster.scheduler_address])
    out = capsys.readouterr().out
    assert code == 0, out
    assert sorted(n for n, _ in seen) == sorted(experiments.NAMES)
    assert all(not cfg.show_progress and cfg.quick for _, cfg in seen)
    assert f"{len(experiments.NAMES)} of {len(experiments.NAMES)} experiments match." in out
    assert out.count("\n== ") == len(experiments.NAMES)  # each verdict printed as it arrived
    for name in experiments.NAMES:
        assert (tmp_path / name / "report.html").exists()


@pytest.mark.parametrize("grid, args, message", [
    ("[grid]\nactivation = ['relu', 'rellu']\n", [], "[grid] activation = \"rellu\": Unknown activation"),
    ("[grid]\nlayers = [[4]]\n", [], "unknown key 'layers' in [grid]; valid keys: activation, architecture"),
    ("[grid]\noptimizer = [{name = 'adam', momentum = 0.9}]\n", [], "adam does not take these arguments"),
    ("[sweep]\nrows = 0\n", [], "[sweep] rows must be a positive integer; received 0"),
    ("[grid]\ndataset = ['mnist']\n", [], "unknown data set; valid names: breast_cancer"),
    ("[grid\n", [], "is not valid TOML"),
    ("", ["--scheduler", "tcp://127.0.0.1:8786"], "give --backend dask too"),
    ("", ["--backend", "dask"], "needs the scheduler's address: --scheduler ADDRESS"),
    ("", ["--jobs", "0"], "--jobs must be a positive integer; received 0"),
    ("", ["--cell", "architecture=9"], "--cell 'architecture=9' is not a cell of"),
])
def test_a_grid_or_option_that_cannot_run_is_refused_before_anything_runs(grid, args, message,
                                                                           tmp_path, capsys):
    path = tmp_path / "g.toml"
    path.write_text(grid)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")] + args) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.toml"]


def test_the_example_grid_ships_with_the_package_and_reads():
    grid = read_grid("example")
    assert grid.name == "example" and len(grid.cells) == 48
    ids = [cell_id(c) for c in grid.cells]
    assert len(set(ids)) == 48
    assert "architecture=16-8 activation=tanh optimizer=sgd(learning_rate=0.05,momentum=0.9) " \
           "dtype=float32 dataset=iris seed=0" in ids
