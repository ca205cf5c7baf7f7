"""A tour of the bundled tabular data sets, NumPy vs Keras.

Run: python experiments/tabular_tour.py [--quick] [--dtype float32] [--seed N] [--out DIR] ...
(the same as scratch-vs-keras run tabular_tour); the report is written to reports/tabular_tour/. The
experiment itself, documented, is scratch_vs_keras/experiments/tabular_tour.py.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "tabular_tour"] + sys.argv[1:]))
