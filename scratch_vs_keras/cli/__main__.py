"""``python -m scratch_vs_keras.cli``: the same as the ``scratch-vs-keras`` command."""

import sys

from . import main

sys.exit(main())
