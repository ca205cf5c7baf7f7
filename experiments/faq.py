"""Questions students ask: Keras's puzzling numbers reproduced, one report per question.

Run: python experiments/faq.py [QUESTION] [--quick] [--seed N] [--out DIR]
(the same as scratch-vs-keras run faq [QUESTION]); the reports are written to reports/faq-<question>/
and the overview to reports/faq/. The questions themselves, documented, are the modules of
scratch_vs_keras/experiments/faq/.
"""

import sys

from scratch_vs_keras.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "faq"] + sys.argv[1:]))
