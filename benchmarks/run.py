"""Benchmarks: the NumPy engine against Keras's model.fit and scikit-learn's MLPClassifier, the
machine's matrix-multiply rate, the side-by-side harness against a plain Keras fit, `run all`
(one process, and --jobs 2) with its memory, the main job and the test suite. Writes BENCHMARKS.md.

    python benchmarks/run.py [--quick] [--skip-suite] [--sections targets,numpy,suite]
                             [--suite-log CI_OUTPUT] [--suite-before TEXT]
                             [--run-all-mode full|quick] [--out BENCHMARKS.md]

Every contender runs in its own subprocess (so that peak resident memory is its own), first a
warm-up fit, then timed fits; the table reports medians. Ratios compare figures of the same run.
A section left out of ``--sections`` keeps its text from the existing file (each section sits
between ``<!-- section: NAME -->`` markers), so one part can be measured again alone.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SCENARIOS = {
    # name: (data, hidden, batch, epochs)
    "course": ("breast_cancer", (32, 16), 32, 50),
    "large": ("synthetic", (256, 128), 256, 1),
}

CHILD = r'''
import json, os, resource, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
spec = json.loads(sys.argv[1])
dtype, hidden, batch, epochs, repeats = spec["dtype"], tuple(spec["hidden"]), spec["batch"], spec["epochs"], spec["repeats"]
if spec["data"] == "breast_cancer":
    from scratch_vs_keras.data import load_dataset, prepare
    d = prepare(load_dataset("breast_cancer"), seed=0)
    x, y = d.x_train.astype(dtype), d.y_train.astype(dtype)
else:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(spec["rows"], 64)).astype(dtype)
    y = (x[:, :8].sum(axis=1) + 0.5 * rng.normal(size=len(x)) > 0).astype(dtype)
steps = epochs * -(-len(x) // batch)
times = []
if spec["who"] in ("numpy", "keras"):
    from scratch_vs_keras import scratch
    layers = [scratch.Input((x.shape[1],))] + [scratch.layers.Dense(h, activation="relu") for h in hidden]
    layers.append(scratch.layers.Dense(1, activation="sigmoid"))
    model = scratch.Sequential(layers, seed=0, dtype=dtype)
    model.compile(optimizer=scratch.optimizers.SGD(0.01), loss="binary_crossentropy")
    if spec["who"] == "keras":
        from scratch_vs_keras import to_keras
        model = to_keras(model)
        kw = dict(batch_size=batch, epochs=epochs, verbose=0, shuffle=True)
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    else:
        kw = dict(batch_size=batch, epochs=epochs, verbose=0, shuffle=True)
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    for _ in range(repeats):
        t = time.perf_counter(); model.fit(x, y, **kw); times.append(time.perf_counter() - t)
else:
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    warnings.simplefilter("ignore", ConvergenceWarning)
    def make():
        return MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="sgd", batch_size=batch,
                             learning_rate_init=0.01, momentum=0.0, nesterovs_momentum=False,
                             max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, shuffle=True, random_state=0)
    make().set_params(max_iter=1).fit(x, y)
    for _ in range(repeats):
        t = time.perf_counter(); make().fit(x, y); times.append(time.perf_counter() - t)
best = float(np.median(times))
print(json.dumps({"seconds": best, "steps": steps, "samples": epochs * len(x),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

# The floor of the NumPy step: the very NumPy calls one course-scale step makes (relu, relu,
# sigmoid + binary cross-entropy from the logits, SGD on the flat weight buffer), written inline in
# one function with no framework around them. It must end on the engine's weights bit for bit
# (checked below), so the gap between it and the engine is the engine's Python, nothing else.
FLOOR_CALLS = 40  # NumPy/SciPy calls in FLOOR's step: 8 forward, 17 loss, 12 backward, 3 update and check
FLOOR = r"""
import json, sys, time
import numpy as np
from scipy.special import expit
from scratch_vs_keras.data import load_dataset, prepare
from scratch_vs_keras import scratch
spec = json.loads(sys.argv[1])
d = prepare(load_dataset("breast_cancer"), seed=0)
x, y = d.x_train, d.y_train.reshape(len(d.y_train), -1)
batch, epochs, repeats = spec["batch"], spec["epochs"], spec["repeats"]
def engine():
    layers = [scratch.Input((x.shape[1],))] + [scratch.layers.Dense(h, activation="relu") for h in spec["hidden"]]
    m = scratch.Sequential(layers + [scratch.layers.Dense(1, activation="sigmoid")], seed=0, dtype="float64")
    m.compile(optimizer=scratch.optimizers.SGD(0.01), loss="binary_crossentropy")
    return m
def fit(model, epochs):
    flat, grads, lr = model._buffer.values, model._buffer.gradients, np.float64(0.01)
    W1, b1, W2, b2, W3, b3 = model.weights
    (gW1, gb1), (gW2, gb2), (gW3, gb3) = model._buffer.gradient_views
    for order in model.epoch_orders(len(x), epochs):
        xs, ys = x[order], y[order]
        for i in range(0, len(xs), batch):
            xb, yb = xs[i:i + batch], ys[i:i + batch]
            z1 = np.dot(xb, W1); z1 += b1; a1 = np.maximum(z1, 0)
            z2 = np.dot(a1, W2); z2 += b2; a2 = np.maximum(z2, 0)
            z3 = np.dot(a2, W3); z3 += b3
            neg_abs = -np.abs(z3)
            values = (np.maximum(z3, 0) - z3 * yb) + np.log1p(np.exp(neg_abs))
            positive = z3 >= 0
            small = expit(neg_abs)
            g = (positive - yb) - np.where(positive, small, -small)
            loss = np.add.reduce(values[..., 0], axis=None) / values.size
            g *= 1.0 / values.size
            np.dot(a2.T, g, out=gW3); np.add.reduce(g, axis=0, out=gb3); g = np.dot(g, W3.T)
            g = g * (z2 > 0); np.dot(a1.T, g, out=gW2); np.add.reduce(g, axis=0, out=gb2); g = np.dot(g, W2.T)
            g = g * (z1 > 0); np.dot(xb.T, g, out=gW1); np.add.reduce(g, axis=0, out=gb1)
            flat -= grads * lr
            if not np.isfinite(loss):
                raise FloatingPointError(loss)
m, ours = engine(), engine()
fit(m, 1); ours.fit(x, y, batch_size=batch, epochs=1, verbose=0)
same = all(np.array_equal(a, b) for a, b in zip(m.get_weights(), ours.get_weights()))
steps, times = epochs * -(-len(x) // batch), []
for _ in range(repeats):
    t = time.perf_counter(); fit(m, epochs); times.append(time.perf_counter() - t)
print(json.dumps({"seconds": float(np.median(times)), "steps": steps, "same_weights_as_engine": same}))
"""

# The harness against a plain Keras fit on the same network and batches, in one process. Per
# step is the marginal cost, (time of 9 epochs - time of 1 epoch) / (8 epochs of steps): the
# fixed cost of a call (building the twin, tracing Keras's step) is reported apart. Both the
# wall time and the process's CPU time (all threads) are taken: on a shared machine the wall
# time of a millisecond step is mostly other processes' turns, the CPU time is this work's.
HARNESS_VS_FIT = r'''
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
from scratch_vs_keras import scratch, to_keras
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.compare.training import keras_dataset
rng = np.random.default_rng(2024)
x = rng.normal(size=(2000, 8)); y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] > 0).astype(float)
def model():
    m = scratch.Sequential([scratch.Input((8,)), scratch.layers.Dense(6, activation="tanh"),
                            scratch.layers.Dense(1, activation="sigmoid")], seed=0, dtype="float64")
    m.compile(optimizer=scratch.optimizers.Adam(0.005), loss="binary_crossentropy")
    return m
def clocks():
    return np.array([time.perf_counter(), time.process_time()])
def plain(epochs):
    ours = model(); k = to_keras(ours)
    orders = ours.epoch_orders(len(x), epochs, True)
    data = keras_dataset(x, y, orders, 16)
    t = clocks(); k.fit(data, epochs=epochs, steps_per_epoch=125, verbose=0)
    return clocks() - t
def harness(in_graph):
    def run(epochs):
        t = clocks()
        train_side_by_side(model(), x, y, epochs=epochs, batch_size=16, record_in_graph=in_graph)
        return clocks() - t
    return run
who = {"plain": plain, "before": harness(False), "after": harness(True)}
for f in who.values():
    f(1)
times = {k: ([], []) for k in who}
for _ in range(int(sys.argv[1])):
    for k, f in who.items():
        times[k][0].append(f(1)); times[k][1].append(f(9))
out = {}
for k, (one, nine) in times.items():
    one, nine = np.median(one, axis=0), np.median(nine, axis=0)
    per_step = 1000 * (nine - one) / (8 * 125)
    out[k] = {"ms_per_step": float(per_step[0]), "cpu_ms_per_step": float(per_step[1]),
              "fixed_s": float(one[0] - 125 * per_step[0] / 1000)}
print(json.dumps(out))
'''

# `run all` in one process, experiment after experiment, Keras's session cleared after each (as
# the command does): the resident memory after each experiment shows whether it grows.
RUN_ALL_MEMORY = r'''
import json, os, resource, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import io
from scratch_vs_keras import experiments
from scratch_vs_keras.sweep.cell import clear_keras
cfg = experiments.Config(out=sys.argv[1], quick=sys.argv[2] == "quick")
rss = []
t = time.perf_counter()
for name in experiments.NAMES:
    experiments.run(name, cfg, stream=io.StringIO())
    clear_keras()
    with open("/proc/self/statm") as f:
        rss.append(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20)
seconds = time.perf_counter() - t
again = []  # the first experiment twice more: a leak shows as growth between equal runs
for _ in range(2):
    experiments.run(experiments.NAMES[0], cfg, stream=io.StringIO())
    clear_keras()
    with open("/proc/self/statm") as f:
        again.append(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20)
print(json.dumps({"seconds": seconds, "rss_mb": rss, "names": experiments.NAMES, "again_mb": again,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

MATMUL = r'''
import json, sys, time
import numpy as np
dtype, n = sys.argv[1], int(sys.argv[2])
a = np.random.default_rng(0).normal(size=(n, n)).astype(dtype); b = a.copy(); c = np.empty_like(a)
np.matmul(a, b, out=c)
times = []
for _ in range(7):
    t = time.perf_counter(); np.matmul(a, b, out=c); times.append(time.perf_counter() - t)
print(json.dumps({"gflops": 2 * n ** 3 / float(np.median(times)) / 1e9}))
'''


def git_commit(tree):
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         cwd=tree)
    return out.stdout.strip() or "?"


def tree_env(tree):
    """The environment that runs the package from the checkout ``tree`` (this one or --before)."""
    return dict(os.environ, PYTHONPATH=tree + os.pathsep + os.environ.get("PYTHONPATH", ""))


def child(code, *args, timeout=1800, tree=ROOT):
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         timeout=timeout, cwd=tree, env=tree_env(tree))
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def flops_per_step(n_in, hidden, batch):
    """Forward 2*B*sum(in*out); backward: dW for every layer and dX below the first: 4*B*... minus
    the first layer's dX (not needed)."""
    widths = [n_in, *hidden, 1]
    macs = [a * b for a, b in zip(widths[:-1], widths[1:])]
    return 2 * batch * (3 * sum(macs) - macs[0])


def versions():
    import keras
    import numpy
    import sklearn
    import tensorflow

    import scratch_vs_keras

    return {"scratch_vs_keras": scratch_vs_keras.__version__, "Python": platform.python_version(),
            "NumPy": numpy.__version__, "TensorFlow": tensorflow.__version__, "Keras": keras.__version__,
            "scikit-learn": sklearn.__version__}


def cpu():
    from scratch_vs_keras.report.render import _cpu_name

    return _cpu_name()


SECTIONS = ("harness", "targets", "numpy", "suite")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats and rows")
    p.add_argument("--skip-suite", action="store_true", help="do not time the test suite")
    p.add_argument("--sections", default=",".join(SECTIONS),
                   help=f"which to measure now, of {', '.join(SECTIONS)} (the others keep their text)")
    p.add_argument("--run-all-mode", choices=["full", "quick"], default="full",
                   help="`run all` in full mode (the target's) or quick mode")
    p.add_argument("--suite-log", metavar="PATH",
                   help="take the suite's time from the output of a `.ci/run` (a clean clone, "
                        "installed from scratch) instead of running the suite again here")
    p.add_argument("--suite-before", metavar="TEXT", default="",
                   help="the suite's time before the change, with where it was measured")
    p.add_argument("--before", metavar="CHECKOUT",
                   help="a checkout of the earlier commit (e.g. `git worktree add /tmp/before "
                        "COMMIT`): its main job, `run all` and NumPy step are measured in the same "
                        "run for the targets' before column")
    p.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = p.parse_args()
    chosen = [s for s in args.sections.split(",") if s]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        p.error(f"--sections: unknown {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.skip_suite and "suite" in chosen:
        chosen.remove("suite")
    repeats = 3 if args.quick else 5
    texts = {}
    if "harness" in chosen:
        texts["harness"] = harness_text(child(HARNESS_VS_FIT, str(repeats)))
    if "targets" in chosen:
        m = measure_targets(args.run_all_mode, 3 if args.quick else 5, args.before)
        if args.before:
            m["before_label"] = f"commit {git_commit(args.before)} (measured in this run)"
        texts["targets"] = targets_text(m, args.run_all_mode)
    if "numpy" in chosen:
        texts["numpy"] = numpy_text(measure_numpy(repeats, args.quick), repeats)
    if "suite" in chosen:
        texts["suite"] = suite_text(args.suite_log, args.suite_before)
    write(args.out, texts)


def suite_text(log, before):
    """The suite's line: timed here, or read from pytest's last line in a `.ci/run` log."""
    if log:
        with open(log, encoding="utf-8", errors="replace") as f:
            last = re.findall(r"=+ (.*(?:passed|failed).*) in ([0-9.]+)s", f.read())
        if not last:
            raise SystemExit(f"--suite-log: no pytest summary line in {log}")
        counts, seconds = last[-1][0], float(last[-1][1])
        where = f"{counts}; a clean clone's `.ci/run`, pytest's own time"
    else:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2"], check=True,
                       capture_output=True, cwd=ROOT)
        seconds, where = time.perf_counter() - started, "run by this script"
    verdict = "met" if seconds < 240 else "not met"
    return (f"Test suite (`pytest -n 2`), target under 4 minutes: {seconds:.0f} s ({where}); "
            + (f"before: {before}; " if before else "") + verdict + ".")


def measure_numpy(repeats, quick):
    rows = []
    for name, (data, hidden, batch, epochs) in SCENARIOS.items():
        for dtype in ("float64", "float32"):
            n_in = 30 if data == "breast_cancer" else 64
            mm = child(MATMUL, dtype, "2048")["gflops"]
            result = {}
            for who in ("numpy", "keras", "sklearn"):
                spec = {"who": who, "data": data, "hidden": hidden, "batch": batch, "epochs": epochs,
                        "dtype": dtype, "repeats": repeats if name == "course" else max(2, repeats - 2),
                        "rows": 50_000 if quick else 200_000}
                r = child(CHILD, json.dumps(spec))
                r["us_per_step"] = 1e6 * r["seconds"] / r["steps"]
                r["samples_per_s"] = r["samples"] / r["seconds"]
                result[who] = r
                print(f"{name} {dtype} {who}: {r['us_per_step']:.1f} us/step, "
                      f"{r['samples_per_s']:.0f} samples/s, {r['peak_rss_mb']:.0f} MB", flush=True)
            gflops = flops_per_step(n_in, hidden, batch) / (result["numpy"]["us_per_step"] * 1e-6) / 1e9
            rows.append((name, dtype, result, gflops, mm, hidden, batch, epochs))
    return rows


def timed(command, **kwargs):
    """Wall seconds of a command, and the peak resident memory of its largest process (MB)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, (peak / 1024 if peak > before else None)


def measure_targets(run_all_mode, repeats, before=None):
    """The issue's targets, measured in this one run: for this checkout and, with ``before`` (a
    checkout of an earlier commit, e.g. a git worktree), for that one too."""
    import tempfile

    import where_time_goes

    trees = {"after": ROOT, **({"before": os.path.abspath(before)} if before else {})}
    mode = ["--quick"] if run_all_mode == "quick" else []
    m = {"import_tf": min(timed([sys.executable, "-c", "import tensorflow"], cwd=ROOT)[0]
                          for _ in range(3))}
    course = {"who": "numpy", "data": "breast_cancer", "hidden": (32, 16), "batch": 32, "epochs": 50,
              "dtype": "float64", "repeats": repeats, "rows": 0}
    with tempfile.TemporaryDirectory() as out:
        for when, tree in trees.items():
            cli = [sys.executable, "-m", "scratch_vs_keras.cli"]
            kw = dict(cwd=tree, env=tree_env(tree), timeout=7200)
            m[when] = {"main_job": timed(cli + ["--out", os.path.join(out, when, "main")], **kw)[0]}
            m[when]["jobs2"] = timed(cli + ["run", "all", "--jobs", "2", "--out",
                                            os.path.join(out, when, "jobs2")] + mode, **kw)
            r = child(CHILD, json.dumps(course), tree=tree)
            m[when]["course_us"] = 1e6 * r["seconds"] / r["steps"]
            print(when, m[when], flush=True)
        wall, _, parsed = where_time_goes.child(where_time_goes.CHILD_MAIN, os.path.join(out, "phases"))
        m["main_phases"] = {k: v[0] for k, v in parsed[0]["main job"].items()}
        m["main_phases"]["total"] = wall
        m["serial"] = child(RUN_ALL_MEMORY, os.path.join(out, "serial"), run_all_mode, timeout=7200)
        print("run all, one process", m["serial"]["seconds"], flush=True)
    f = child(FLOOR, json.dumps(course))
    m["floor_us"], m["floor_same"] = 1e6 * f["seconds"] / f["steps"], f["same_weights_as_engine"]
    return m


def harness_text(h):
    ratio = {k: {c: h[k][c] / h["plain"][c] for c in ("ms_per_step", "cpu_ms_per_step")}
             for k in ("before", "after")}
    met = ratio["after"]["cpu_ms_per_step"] <= 0.5 and ratio["after"]["ms_per_step"] <= 0.5
    row = lambda k: (f"{h[k]['ms_per_step']:.3f} / {h[k]['cpu_ms_per_step']:.3f} | "  # noqa: E731
                     + (f"{ratio[k]['ms_per_step']:.2f} / {ratio[k]['cpu_ms_per_step']:.2f}"
                        if k in ratio else "1 / 1") + f" | {h[k]['fixed_s']:.1f}")
    return "\n".join([
        "## The harness against a plain Keras fit (target: at most half of it per step)", "",
        "`train_side_by_side` on an 8-6-1 network with Adam, 2,000 rows, batch 16 (125 steps per "
        "epoch), every step recorded on both sides, against a plain `model.fit` of the twin on the "
        "same `tf.data` batches, all in one process. Per step is the marginal cost (9 epochs minus "
        "1 epoch, over 1,000 steps), wall time and the process's CPU time; the fixed cost of one call "
        "(building the twin, Keras tracing its step) is apart. Before: Keras's weights and next "
        "loss read by one `tf.function` call per step from a callback; after: recorded inside "
        "Keras's compiled training step (`steps_per_execution` = the epoch's steps), read once per "
        "chunk. The per-step rows are built for all steps at once in both "
        "(tests/test_harness_records.py holds the records bit-identical to the harness's before).",
        "", "| | ms per step, wall / CPU | / plain fit, wall / CPU | fixed cost per call (s) |",
        "|---|---|---|---|",
        f"| plain `model.fit` | {row('plain')} |", f"| harness before | {row('before')} |",
        f"| harness after | {row('after')} |", "",
        f"Target (after <= 0.5 x plain): {'met' if met else 'not met'}."])


KERAS_PHASES = ("keras_twin_build", "keras_first_train_call", "keras_first_validation", "keras_fit")


def main_job_floor(phases):
    """Where the main job's wall time goes (benchmarks/where_time_goes.py's phases, one run)."""
    tf_import = phases.get("tensorflow_import", 0.0)
    keras = sum(phases.get(k, 0.0) for k in KERAS_PHASES)
    rest = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(phases.items(), key=lambda kv: -kv[1])
                     if k not in KERAS_PHASES + ("tensorflow_import", "total") and v >= 0.05)
    return (f"The main job's floor (one run with `scratch_vs_keras.timing` on, {phases['total']:.1f} s "
            f"wall): TensorFlow's import {tf_import:.1f} s plus Keras's own work (building the twin, "
            f"tracing its training and test steps, its `fit`) {keras:.1f} s = {tf_import + keras:.1f} s "
            f"before anything of this package's runs; the rest: {rest}, and Python's start with "
            f"the other imports.")


def target_row(label, m, value, form, target, applies=True):
    """``| target | before | after | after / before | met |`` from both checkouts' figures."""
    after = value(m["after"])
    before = value(m["before"]) if "before" in m else None
    ratio = f"{after / before:.2f}" if before else ""
    shown = form.format(before) if before is not None else ""
    met = "met" if after <= target and applies else "not met"
    return f"| {label} | {shown} | {form.format(after)} | {ratio} | {met} |"


def targets_text(m, run_all_mode):
    serial, jobs2_rss = m["serial"], m["after"]["jobs2"][1]
    growth = serial["rss_mb"][-1] - serial["rss_mb"][0]
    lines = [
        "## `run all`, the main job, the NumPy step (issue 17's targets), measured in one run", "",
        "| target | before | after | after / before | |", "|---|---|---|---|---|",
        target_row(f"`run all` ({run_all_mode} mode, `--jobs 2`) <= 120 s", m,
                   lambda r: r["jobs2"][0], "{:.0f} s", 120, run_all_mode == "full"),
        target_row("main job <= 8 s, TensorFlow's import included", m, lambda r: r["main_job"],
                   "{:.1f} s", 8),
        target_row("course-scale NumPy step <= 40 µs (float64)", m, lambda r: r["course_us"],
                   "{:.1f} µs", 40),
        "",
        f"Before: {m.get('before_label') or 'not measured in this run'}. `import tensorflow` "
        f"alone: {m['import_tf']:.1f} s. `run all` in one process (below): {serial['seconds']:.0f} s.",
        "",
        main_job_floor(m["main_phases"]),
        "",
        f"The NumPy step's floor: the same step's {FLOOR_CALLS} NumPy calls written inline in one "
        f"function, no framework around them (`FLOOR` in benchmarks/run.py; it ends on the "
        f"engine's weights bit for bit: {'yes' if m['floor_same'] else 'NO'}), take "
        f"{m['floor_us']:.1f} µs per step on this machine; the engine's Python (layers, loss, "
        f"optimizer, callbacks, History) adds {m['after']['course_us'] - m['floor_us']:.1f} µs "
        f"({m['after']['course_us'] / m['floor_us']:.2f}x the floor).",
        "",
        f"`run all` memory: resident memory after each experiment in one process (Keras's session "
        f"cleared after each): " + ", ".join(f"{n} {r:.0f} MB" for n, r in zip(serial["names"], serial["rss_mb"]))
        + f"; peak {serial['peak_rss_mb']:.0f} MB, first to last {growth:+.0f} MB (the experiments' "
        f"own sizes: {serial['names'][0]} run twice more after the last one leaves "
        + ", ".join(f"{r:.0f} MB" for r in serial["again_mb"]) + "). With `--jobs 2`"
        + (f" the largest process peaked at {jobs2_rss:.0f} MB." if jobs2_rss else
           " no process went above the one-process run's peak."),
    ]
    return "\n".join(lines)


def numpy_text(rows, repeats):
    lines = ["## The NumPy engine, Keras's fit and scikit-learn", "",
             "Each figure is the median of "
             f"{repeats} timed runs after a warm-up, every contender in its own process (peak resident "
             "memory is that process's, TensorFlow included for Keras). The network is an MLP with relu "
             "hidden layers and one sigmoid output, binary cross-entropy, plain SGD (lr 0.01), the same "
             "batch size for all three; scikit-learn's MLPClassifier is set to the same network, solver "
             "and batch size.", "",
             "| scenario | dtype | contender | µs per step | samples per s | peak RSS (MB) | vs NumPy |",
             "|---|---|---|---|---|---|---|"]
    summary = []
    for name, dtype, result, gflops, mm, hidden, batch, epochs in rows:
        label = (f"{name}: {'breast_cancer 30' if name == 'course' else 'synthetic 200,000 x 64'}-"
                 f"{'-'.join(map(str, hidden))}-1, batch {batch}, {epochs} epoch{'s' if epochs > 1 else ''}")
        base = result["numpy"]["us_per_step"]
        for who, title in (("numpy", "NumPy scratch fit"), ("keras", "Keras model.fit"),
                           ("sklearn", "scikit-learn MLPClassifier")):
            r = result[who]
            ratio = "1" if who == "numpy" else f"{r['us_per_step'] / base:.1f}x slower" if r["us_per_step"] > base \
                else f"{base / r['us_per_step']:.1f}x faster"
            lines.append(f"| {label} | {dtype} | {title} | {r['us_per_step']:.1f} | {r['samples_per_s']:,.0f} | "
                         f"{r['peak_rss_mb']:.0f} | {ratio} |")
        summary.append((name, dtype, base, result["keras"]["us_per_step"] / base,
                        result["sklearn"]["us_per_step"] / base, gflops, mm))
    lines += ["", "| scenario | dtype | NumPy µs/step | Keras / NumPy | scikit-learn / NumPy | NumPy GFLOP/s | "
              "machine matmul GFLOP/s (2048², same dtype) | share |", "|---|---|---|---|---|---|---|---|"]
    for name, dtype, base, keras_ratio, sk_ratio, gflops, mm in summary:
        lines.append(f"| {name} | {dtype} | {base:.1f} | {keras_ratio:.1f} | {sk_ratio:.2f} | {gflops:.1f} | "
                     f"{mm:.1f} | {100 * gflops / mm:.0f}% |")
    return "\n".join(lines)


def _marked(name, text):
    return f"<!-- section: {name} -->\n{text.strip()}\n<!-- end: {name} -->"


def previous_sections(path):
    """``{name: text}`` of the sections of an existing BENCHMARKS.md (a file from before the
    sections: its NumPy tables become the ``numpy`` section)."""
    import re

    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        old = f.read()
    found = dict(re.findall(r"<!-- section: (\w+) -->\n(.*?)\n<!-- end: \1 -->", old, re.S))
    if not found and "| scenario | dtype | contender" in old:
        body = old[old.index("| scenario | dtype | contender"):]
        body = body[:body.index("The comparison harness")] if "The comparison harness" in body else body
        found["numpy"] = ("## The NumPy engine, Keras's fit and scikit-learn\n\n(Measured by an "
                          "earlier run of this script.)\n\n" + body.strip())
        suite = re.search(r"^Test suite \(`pytest -n 2`\): .*$", old, re.M)
        if suite:
            found["suite"] = suite.group(0) + " (an earlier run of this script)"
    return found


def write(path, texts):
    """BENCHMARKS.md: the sections measured now, the others as the file had them."""
    sections = previous_sections(path)
    sections.update(texts)
    lines = ["# Benchmarks", "",
             "Generated by `python benchmarks/run.py` (do not edit by hand; `--sections` measures "
             "some sections again and keeps the others).", "",
             f"Machine: {cpu()}, {os.cpu_count()} cores. " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".", ""]
    for name in SECTIONS:
        if name in sections:
            lines += [_marked(name, sections[name]), ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
