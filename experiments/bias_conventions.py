"""Bias as a row of ones vs a bias vector vs Keras.

Run: python experiments/bias_conventions.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run bias_conventions); the report is written to reports/bias_conventions/. The
experiment itself, documented, is scratch_vs_keras/experiments/bias_conventions.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "bias_conventions"] + sys.argv[1:]))
