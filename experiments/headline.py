"""Headline: gradients and a full training run, NumPy vs Keras.

Run: python experiments/headline.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run headline); the report is written to reports/headline/. The
experiment itself, documented, is scratch_vs_keras/experiments/headline.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "headline"] + sys.argv[1:]))
