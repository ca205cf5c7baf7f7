"""Every optimizer: NumPy and Keras loss curves overlaid.

Run: python experiments/optimizers.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run optimizers); the report is written to reports/optimizers/. The
experiment itself, documented, is scratch_vs_keras/experiments/optimizers.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "optimizers"] + sys.argv[1:]))
