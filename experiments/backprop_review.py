"""Back-propagation review: the lecture's equations vs Keras, step by step.

Run: python experiments/backprop_review.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run backprop_review); the report is written to reports/backprop_review/. The
experiment itself, documented, is scratch_vs_keras/experiments/backprop_review.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "backprop_review"] + sys.argv[1:]))
