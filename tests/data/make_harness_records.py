"""Writes harness_records_<dtype>.csv.gz: the records of train_side_by_side on a fixed small case,
as the harness of commit 8408c88 (one Keras call per step from a callback, rows built step by
step) produced them. Run with that commit's package on PYTHONPATH; tests/test_harness_records.py compares
today's records with them bit for bit."""

import os
import sys

import numpy as np

from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.experiments.common import Config, build_model, load

HERE = os.path.dirname(os.path.abspath(__file__))


def case(dtype):
    """The fixed case: 120 breast-cancer rows, 30-5-3-1 relu, Adam with L2 on the hidden kernels,
    2 epochs of batch 16 (8 steps each, the last one short), validation every epoch."""
    d = load(Config(dataset="breast_cancer", seed=4))[1]
    model = build_model(d, hidden=(5, 3), activation="relu", optimizer="adam", dtype=dtype, seed=4,
                        l2=1e-3)
    return model, d.x_train[:120], d.y_train[:120], (d.x_test[:40], d.y_test[:40])


if __name__ == "__main__":
    for dtype in sys.argv[1:] or ["float64", "float32"]:
        model, x, y, val = case(dtype)
        run = train_side_by_side(model, x, y, epochs=2, batch_size=16, validation_data=val)
        run.records.to_csv(os.path.join(HERE, f"harness_records_{dtype}.csv.gz"), index=False)
