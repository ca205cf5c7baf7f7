"""Wide and deep on Adult: embeddings and crosses, NumPy vs Keras.

Run: python experiments/wide_and_deep.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run wide_and_deep); the report is written to reports/wide_and_deep/. The
experiment itself, documented, is scratch_vs_keras/experiments/wide_and_deep.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "wide_and_deep"] + sys.argv[1:]))
