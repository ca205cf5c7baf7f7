"""The side-by-side run's record modes on notebook 10's network (45,207 weights, batch 32, 849
steps per epoch): seconds (wall and CPU), the in-graph recorder's steps per execution, and the
weight snapshots each side keeps, for ``record="every_step"`` and ``record="epoch"``.

    python benchmarks/record_mode.py [EPOCHS]      # default 2; prints one row per mode

The two modes' batch losses, History and epoch-end weights are the same numbers bit for bit
(tests/test_record_mode.py); this script measures what the sparse record saves.
"""

import resource
import sys
import time

from scratch_vs_keras.compare import training
from scratch_vs_keras.data.adult import prepare_adult
from scratch_vs_keras.experiments.common import inputs_of
from scratch_vs_keras.experiments.wide_and_deep_course import course_wide_and_deep


def measure(record, epochs, x, y, model):
    made = {}
    make = training.keras_step_recorder
    training.keras_step_recorder = lambda *a, **k: made.setdefault("k", make(*a, **k))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        run = training.train_side_by_side(model, x, y, epochs=epochs, batch_size=32, record=record)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        training.keras_step_recorder = make
    rec, callback, (_, chunk) = made["k"]
    worst = run.verdict_table().worst_rel_diff.max()
    return (f"{record:>10}  {run.steps:6d} steps  {wall:7.1f} s wall  {cpu:7.1f} s CPU  "
            f"chunk {chunk:4d}  snapshots/side {len(rec.weights):5d} "
            f"({len(rec.weights) * sum(w.size for w in rec.weights[0]) * 8 / 2 ** 20:7.1f} MiB)  "
            f"in-graph buffer {callback.buffer_entries * 8 / 2 ** 20:5.1f} MiB  worst rel {worst:.1e}")


def main(epochs=2):
    data = prepare_adult(course="10")
    model = course_wide_and_deep(data)
    n = len(data.y_train) - int(round(len(data.y_train) * 0.1))
    x = {k: v[:n] for k, v in inputs_of(model, data.x_train).items()}
    y = data.y_train[:n]
    for record in ("epoch", "every_step"):
        print(measure(record, epochs, x, y, model), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 10
    print(f"peak RSS of the process (both modes): {peak:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
