"""Memory does not grow from one run to the next in one process (`run all`, sweeps): after a
report's figures are drawn nothing keeps them alive, and after Keras's session is cleared
nothing keeps a traced training step's graph alive.

Both leaks were real: matplotlib's ``ArtistInspector.is_alias`` cache kept every figure with a
legend, and TensorFlow's gradient registry kept every traced step's graph through the custom
gradient of the default strategy's ``all_reduce`` (measured together: +100 MB per headline +
optimizers round of ``--quick``; after the fix 3 MB over three rounds).
"""

import gc
import subprocess
import sys

import numpy as np

from scratch_vs_keras import scratch
from scratch_vs_keras.compare import train_side_by_side
from scratch_vs_keras.keras_side._tf import _gradient_registry, clear_keras


def _graphs_alive():
    return sum(type(o).__name__ == "FuncGraph" for o in gc.get_objects())


def _small_run(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(12, 3))
    y = (x[:, :1] > 0).astype(float)
    model = scratch.Sequential([scratch.Input((3,)), scratch.layers.Dense(2, activation="tanh"),
                                scratch.layers.Dense(1, activation="sigmoid")], seed=seed)
    model.compile(optimizer=scratch.optimizers.Adam(0.01), loss="binary_crossentropy")
    run = train_side_by_side(model, x, y, epochs=1, batch_size=4)
    assert run.ok  # the runs are real: both sides trained and compared
    return run.steps


def test_a_cleared_session_keeps_no_traced_graph_and_no_custom_gradient():
    _small_run(0)
    clear_keras()
    gc.collect()
    graphs, registered = _graphs_alive(), len(_gradient_registry())
    for seed in (1, 2):
        assert _small_run(seed) == 3
        clear_keras()
        gc.collect()
        assert len(_gradient_registry()) == registered, "a traced step's custom gradient stayed registered"
        assert _graphs_alive() == graphs, "a traced step's graph outlived clear_keras()"


# In a fresh interpreter: whether a figure is collectable also depends on what earlier tests
# left in matplotlib's caches, and this test is about what drawing a report leaves behind.
FIGURE_CHECK = """
import gc, weakref
import pandas as pd
from scratch_vs_keras.report import Report, Section, verdict_frame
from scratch_vs_keras.report import figures as F
from scratch_vs_keras.report.render import _figure_files


def draw_a_report():
    frame = pd.DataFrame({"step": [0, 1, 0, 1], "loss": [1.0, 0.5, 1.0, 0.5],
                          "side": ["NumPy", "NumPy", "Keras", "Keras"]})
    fig = F.lines(frame, "step", "loss", "curve", "Loss", "step", "loss", "Both sides.", hue="side")
    assert fig.figure.legends or any(ax.get_legend() for ax in fig.figure.axes), "no legend"
    report = Report("memory", "Memory", "", verdict_frame([]), [Section("s", "", figures=[fig])])
    assert set(_figure_files(report)) == {"curve"}
    return weakref.ref(fig.figure)


alive = draw_a_report()
for _ in range(3):  # a figure's artists finalize over more than one collection
    gc.collect()
print("kept" if alive() is not None else "collected")
"""


def test_a_drawn_figure_with_a_legend_is_not_kept_alive():
    done = subprocess.run([sys.executable, "-c", FIGURE_CHECK], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "collected", "a drawn, closed figure is still reachable"
