"""Measure how far NumPy and Keras (model.fit) drift apart over a 1,024-step run, per optimizer
and schedule, in float64 and float32. Prints a Markdown table; no assertion (the tests bound
float64; float32 drift is what this script reports).

    python benchmarks/training_drift.py [--dtype float32|float64|both]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from scratch_vs_keras import scratch  # noqa: E402
from scratch_vs_keras.compare import train_side_by_side  # noqa: E402
from scratch_vs_keras.compare.catalog import OPTIMIZERS, SCHEDULES  # noqa: E402


def model(optimizer, dtype, l2):
    kw = {"kernel_regularizer": scratch.regularizers.L2(l2),
          "bias_regularizer": scratch.regularizers.L2(l2)} if l2 else {}
    m = scratch.Sequential([scratch.Input((8,)), scratch.layers.Dense(6, "tanh", **kw),
                            scratch.layers.Dense(1, "sigmoid", **kw)], seed=0, dtype=dtype)
    m.compile(optimizer=optimizer, loss="binary_crossentropy")
    return m


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(1000, 8))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] > 0).astype(float)
    dtypes = ["float64", "float32"] if args.dtype == "both" else [args.dtype]
    print("| dtype | set-up | batch loss, worst rel. diff (every step) | weights, worst rel. diff (every step) "
          "| weights, final | seconds |")
    print("|---|---|---|---|---|---|")
    for dtype in dtypes:
        for name, make in {**OPTIMIZERS, **{f"schedule:{k}": v for k, v in SCHEDULES.items()}}.items():
            worst = np.zeros(3)
            t0 = time.perf_counter()
            for l2, shuffle in ((0.0, False), (1e-3, True)):
                run = train_side_by_side(model(make(), dtype, l2), x, y, epochs=32, batch_size=32,
                                         shuffle=shuffle)
                v = run.verdict_table().worst_rel_diff.to_numpy()[:3]
                worst = np.maximum(worst, v)
            print(f"| {dtype} | {name} | {worst[0]:.1e} | {worst[1]:.1e} | {worst[2]:.1e} | "
                  f"{time.perf_counter() - t0:.1f} |", flush=True)


if __name__ == "__main__":
    main()
