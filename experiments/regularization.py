"""Regularization: an L2 sweep, NumPy vs Keras.

Run: python experiments/regularization.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run regularization); the report is written to reports/regularization/. The
experiment itself, documented, is scratch_vs_keras/experiments/regularization.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "regularization"] + sys.argv[1:]))
