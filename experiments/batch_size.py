"""Batch size: 1 row to the full batch, NumPy vs Keras.

Run: python experiments/batch_size.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run batch_size); the report is written to reports/batch_size/. The
experiment itself, documented, is scratch_vs_keras/experiments/batch_size.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "batch_size"] + sys.argv[1:]))
