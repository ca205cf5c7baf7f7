"""Benchmarks: the NumPy engine against Keras's model.fit and scikit-learn's MLPClassifier, the
machine's matrix-multiply rate, the main job and the test suite. Writes BENCHMARKS.md.

    python benchmarks/run.py [--quick] [--skip-suite] [--out BENCHMARKS.md]

Every contender runs in its own subprocess (so that peak resident memory is its own), first a
warm-up fit, then timed fits; the table reports medians. Ratios compare figures of the same run.
"""

import argparse
import json
import os
import platform
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

HARNESS = r'''
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
from scratch_vs_keras import scratch
from scratch_vs_keras.compare import train_side_by_side
feed, shuffle = sys.argv[1], sys.argv[2] == "1"
rng = np.random.default_rng(2024)
x = rng.normal(size=(1000, 8)); y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] > 0).astype(float)
def model():
    m = scratch.Sequential([scratch.Input((8,)), scratch.layers.Dense(6, activation="tanh"),
                            scratch.layers.Dense(1, activation="sigmoid")], seed=0, dtype="float64")
    m.compile(optimizer=scratch.optimizers.Adam(0.005), loss="binary_crossentropy")
    return m
train_side_by_side(model(), x[:100], y[:100], epochs=1, batch_size=32, shuffle=shuffle, keras_feed=feed)
times = []
for _ in range(3):
    t = time.perf_counter()
    r = train_side_by_side(model(), x, y, epochs=32, batch_size=32, shuffle=shuffle, keras_feed=feed)
    times.append(time.perf_counter() - t)
print(json.dumps({"ms_per_step": 1000 * float(np.median(times)) / r.steps, "steps": r.steps, "ok": r.ok}))
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


def child(code, *args, timeout=1800):
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         timeout=timeout, cwd=ROOT)
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


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats and rows")
    p.add_argument("--skip-suite", action="store_true", help="do not time the test suite")
    p.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = p.parse_args()
    repeats = 3 if args.quick else 5
    rows = []
    for name, (data, hidden, batch, epochs) in SCENARIOS.items():
        for dtype in ("float64", "float32"):
            n_in = 30 if data == "breast_cancer" else 64
            mm = child(MATMUL, dtype, "2048")["gflops"]
            result = {}
            for who in ("numpy", "keras", "sklearn"):
                spec = {"who": who, "data": data, "hidden": hidden, "batch": batch, "epochs": epochs,
                        "dtype": dtype, "repeats": repeats if name == "course" else max(2, repeats - 2),
                        "rows": 50_000 if args.quick else 200_000}
                r = child(CHILD, json.dumps(spec))
                r["us_per_step"] = 1e6 * r["seconds"] / r["steps"]
                r["samples_per_s"] = r["samples"] / r["seconds"]
                result[who] = r
                print(f"{name} {dtype} {who}: {r['us_per_step']:.1f} us/step, "
                      f"{r['samples_per_s']:.0f} samples/s, {r['peak_rss_mb']:.0f} MB", flush=True)
            gflops = flops_per_step(n_in, hidden, batch) / (result["numpy"]["us_per_step"] * 1e-6) / 1e9
            rows.append((name, dtype, result, gflops, mm, hidden, batch, epochs))
    harness = {}
    for feed, shuffle in (("arrays", "0"), ("generator", "1"), ("dataset", "0"), ("dataset", "1")):
        harness[(feed, shuffle)] = child(HARNESS, feed, shuffle)
        print(f"harness {feed} shuffle={shuffle}: {harness[(feed, shuffle)]['ms_per_step']:.2f} ms/step", flush=True)
    started = time.perf_counter()
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "scratch-vs-keras"), "--out",
                    os.path.join("/tmp", "svk-bench-reports")], check=True, capture_output=True, cwd=ROOT)
    main_job = time.perf_counter() - started
    suite = None
    if not args.skip_suite:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2"], check=True,
                       capture_output=True, cwd=ROOT)
        suite = time.perf_counter() - started
    write(args.out, rows, main_job, suite, repeats, harness)


def write(path, rows, main_job, suite, repeats, harness):
    lines = ["# Benchmarks", "",
             "Generated by `python benchmarks/run.py` (do not edit by hand). Each figure is the median of "
             f"{repeats} timed runs after a warm-up, every contender in its own process (peak resident "
             "memory is that process's, TensorFlow included for Keras). The network is an MLP with relu "
             "hidden layers and one sigmoid output, binary cross-entropy, plain SGD (lr 0.01), the same "
             "batch size for all three; scikit-learn's MLPClassifier is set to the same network, solver "
             "and batch size.", "",
             f"Machine: {cpu()}, {os.cpu_count()} cores. " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".", "",
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
    lines += ["", "The comparison harness (`train_side_by_side`, 1,024 steps of an 8-6-1 network with Adam, "
              "every step recorded on both sides), per step, by how Keras's `fit` gets the batches "
              "(the records are identical bit for bit whichever way):", "",
              "| Keras feed | shuffle | ms per step (both sides, records included) |", "|---|---|---|"]
    notes = {("arrays", "0"): "arrays, `fit(x, y, shuffle=False)` (before)",
             ("generator", "1"): "Python generator (before)",
             ("dataset", "0"): "one `tf.data` pipeline built once (after)",
             ("dataset", "1"): "one `tf.data` pipeline built once (after)"}
    for (feed, shuffle), r in harness.items():
        lines.append(f"| {notes[(feed, shuffle)]} | {'on' if shuffle == '1' else 'off'} | {r['ms_per_step']:.2f} |")
    lines += ["", f"Main job (`scratch-vs-keras`, TensorFlow import included): {main_job:.1f} s.",
              (f"Test suite (`pytest -n 2`): {suite:.0f} s." if suite is not None else
               "Test suite: not timed in this run (--skip-suite)."), ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
