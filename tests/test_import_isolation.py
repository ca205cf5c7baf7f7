"""The NumPy side must stay importable and usable without TensorFlow."""

import subprocess
import sys

CODE = """
import sys
import numpy as np
import scratch_vs_keras
from scratch_vs_keras import scratch
m = scratch.Sequential([scratch.Input((3,)), scratch.layers.Dense(2, activation="gelu"),
                        scratch.layers.Dense(1, activation="sigmoid")], seed=0)
m.compile(loss="binary_crossentropy")
loss, grads = m.loss_and_gradients(np.ones((4, 3)), np.array([0, 1, 1, 0]))
heavy = sorted(name for name in ("tensorflow", "keras") if name in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


def test_scratch_does_not_import_tensorflow():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert "HEAVY=\n" in out.stdout, out.stdout


def test_to_keras_is_reachable_lazily():
    import scratch_vs_keras

    assert callable(scratch_vs_keras.to_keras)
    assert callable(scratch_vs_keras.compare_gradients)


def test_sources_compile_without_warnings():
    """Docstrings with math use raw strings: no invalid escape sequences anywhere."""
    import warnings
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = list((root / "scratch_vs_keras").rglob("*.py")) + list((root / "tests").rglob("*.py"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in files:
            compile(f.read_text(), str(f), "exec")
