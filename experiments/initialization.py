"""Initialization: five initializers, NumPy vs Keras.

Run: python experiments/initialization.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run initialization); the report is written to reports/initialization/. The
experiment itself, documented, is scratch_vs_keras/experiments/initialization.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "initialization"] + sys.argv[1:]))
