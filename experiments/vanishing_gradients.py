"""Vanishing gradients: where they start, NumPy vs Keras.

Run: python experiments/vanishing_gradients.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run vanishing_gradients); the report is written to reports/vanishing_gradients/. The
experiment itself, documented, is scratch_vs_keras/experiments/vanishing_gradients.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "vanishing_gradients"] + sys.argv[1:]))
