"""Loss functions: quadratic vs cross-entropy, NumPy vs Keras.

Run: python experiments/loss_functions.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run loss_functions); the report is written to reports/loss_functions/. The
experiment itself, documented, is scratch_vs_keras/experiments/loss_functions.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "loss_functions"] + sys.argv[1:]))
