"""Where the main job's and `run all`'s time goes: wall and CPU seconds per phase.

    python benchmarks/where_time_goes.py [--quick] [--only NAME,NAME] [--skip-main] [--skip-all]

Each measurement runs in a fresh subprocess with :mod:`scratch_vs_keras.timing` enabled:

* the floor: ``python -c "import tensorflow"`` alone, and the package's own imports without it;
* the main job (``scratch-vs-keras`` with no arguments, reports into a temporary folder);
* ``run all`` in one process (each experiment after the other, Keras's session cleared between
  them, as ``scratch-vs-keras run all`` does), split per experiment.

The phases (exclusive: nested time counts once, to the innermost): ``tensorflow_import``,
``numpy_side`` (the NumPy model's ``fit``), ``keras_twin_build`` (``to_keras``),
``keras_first_train_call`` and ``keras_first_validation`` (the first call of ``fit``'s compiled
training and test functions: tracing included), ``keras_fit`` (the rest of Keras's ``fit``),
``comparison`` (side-by-side bookkeeping, the one-batch gradient checks, records),
``report`` (figures drawn and written, the report's files), ``data`` (loading and preparing) and
``experiment_other`` (the experiment's own code: tables, verdicts); ``outside`` is the process's
time outside every phase (Python's start, imports, argument checks). CPU seconds are the whole
process's (TensorFlow's threads included), so on 2 cores a phase can show more CPU than wall.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MARK = "@@timing "

CHILD_MAIN = r'''
import json, sys
from scratch_vs_keras import timing
timing.enable()
from scratch_vs_keras.cli import main
status = main(["--out", sys.argv[1]])
print("@@timing " + json.dumps({"main job": timing.totals(), "status": status}))
'''

CHILD_ALL = r'''
import json, sys
from scratch_vs_keras import timing
timing.enable()
from scratch_vs_keras import experiments
from scratch_vs_keras.sweep.cell import clear_keras
cfg = experiments.Config(out=sys.argv[1], quick=sys.argv[2] == "quick")
for name in sys.argv[3].split(","):
    timing.reset()
    report = experiments.run(name, cfg)
    clear_keras()
    print("@@timing " + json.dumps({name: timing.totals(), "status": report.status}), flush=True)
'''

PHASES = ["tensorflow_import", "numpy_side", "keras_twin_build", "keras_first_train_call",
          "keras_first_validation", "keras_fit", "comparison", "report", "data",
          "experiment_other"]


def child(code, *args):
    """Run ``code`` in a fresh Python; ``(wall, cpu, parsed @@timing lines)``."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               TF_CPP_MIN_LOG_LEVEL="2")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        sys.exit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    parsed = [json.loads(line[len(MARK):]) for line in done.stdout.splitlines()
              if line.startswith(MARK)]
    return wall, cpu, parsed


def print_table(rows):
    """``rows``: ``[(label, {phase: (wall, cpu, n)}, total wall or None, total cpu or None)]``."""
    names = [p for p in PHASES if any(p in r[1] for r in rows)]
    extra = sorted({p for r in rows for p in r[1]} - set(PHASES))
    names += extra + ["outside", "total"]
    print("| phase (wall s / CPU s) | " + " | ".join(r[0] for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for name in names:
        cells = []
        for label, phases, wall, cpu in rows:
            inside = [sum(v[i] for v in phases.values()) for i in (0, 1)]
            if name == "total":
                w, c = (wall, cpu) if wall is not None else inside
            elif name == "outside":
                if wall is None:
                    cells.append("")
                    continue
                w, c = wall - inside[0], cpu - inside[1]
            elif name in phases:
                w, c = phases[name][:2]
            else:
                cells.append("")
                continue
            cells.append(f"{w:.2f} / {c:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="run all --quick instead of full")
    parser.add_argument("--only", help="comma-separated experiments (default: all)")
    parser.add_argument("--skip-main", action="store_true")
    parser.add_argument("--skip-all", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    from scratch_vs_keras.experiments import NAMES

    w, c, _ = child("import tensorflow")
    print(f"floor: `import tensorflow` alone {w:.2f} s wall, {c:.2f} s CPU")
    w, c, _ = child("import scratch_vs_keras.cli, scratch_vs_keras.experiments.headline")
    print(f"the package's imports (the CLI and an experiment, no TensorFlow): {w:.2f} s wall, "
          f"{c:.2f} s CPU")
    with tempfile.TemporaryDirectory() as out:
        if not args.skip_main:
            w, c, parsed = child(CHILD_MAIN, out)
            print(f"\nmain job: {w:.2f} s wall, {c:.2f} s CPU (status {parsed[0]['status']})\n")
            print_table([("main job", parsed[0]["main job"], w, c)])
        if not args.skip_all:
            names = args.only.split(",") if args.only else NAMES
            mode = "quick" if args.quick else "full"
            w, c, parsed = child(CHILD_ALL, out, mode, ",".join(names))
            print(f"\nrun all ({mode}, one process): {w:.2f} s wall, {c:.2f} s CPU\n")
            rows = [(n, p[n], None, None) for n, p in zip(names, parsed)]
            total = {}
            for _, phases, _, _ in rows:
                for k, v in phases.items():
                    t = total.setdefault(k, [0.0, 0.0, 0])
                    for i in range(3):
                        t[i] += v[i]
            print_table(rows + [("all", total, w, c)])
            print("\nstatuses: " + ", ".join(f"{n} {p['status']}" for n, p in zip(names, parsed)))


if __name__ == "__main__":
    main()
