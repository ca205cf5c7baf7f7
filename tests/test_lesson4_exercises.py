"""Lesson 4's checks call student-like wrong answers wrong: 08's look-back written for 07a's
heavy-ball step, 08a's step with the rate hard-coded (right at the one-step check, caught by the
step-by-step training, which names the step, the layer and the tensor) and a Keras model whose
network is right but whose momentum is not (caught through model.fit)."""

from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from scratch_vs_keras.lessons import lesson_files
from scratch_vs_keras.lessons.runner import EXERCISE_TAG, _definitions, solve_cell

WRONG = '''
import keras
import numpy as np


def heavy_ball_step(W, grad, rho_prev, eta, alpha):
    rho = eta * grad                       # 08's look-back, not 07a's heavy ball
    return W - (rho + alpha * rho_prev), rho


def adagrad_lookback_step(W, grad, G_prev, rho_prev, eta, alpha):
    G = grad * grad + alpha * G_prev + 1e-7
    rho = 0.125 * grad / np.sqrt(G)        # the rate hard-coded: the lesson's one-step check uses 0.125
    return W - (rho + alpha * rho_prev), G, rho


def build_keras_model():
    features = keras.Input(shape=(4,), name="features")
    hidden = keras.layers.Dense(6, activation="sigmoid", name="hidden")(features)
    output = keras.layers.Dense(3, activation="sigmoid", name="output")(hidden)
    model = keras.Model(inputs=features, outputs=output)
    rate = keras.optimizers.schedules.ExponentialDecay(0.125, 4, 0.5, staircase=True)
    model.compile(optimizer=keras.optimizers.SGD(rate, momentum=0.9),   # not the course's 0.5
                  loss=keras.losses.BinaryCrossentropy(reduction="sum"), loss_weights=3.0)
    return model
'''


def test_lesson_4_calls_wrong_answers_wrong_and_says_where(monkeypatch):
    monkeypatch.setenv("SCRATCH_VS_KERAS_QUICK", "1")
    path = next(p for p in lesson_files() if p.stem == "04_momentum_adaptive_optimizers")
    nb = jupytext.read(path)
    for i, cell in enumerate(nb.cells):
        if EXERCISE_TAG in cell.metadata.get("tags", []):
            cell.source = solve_cell(cell.source, _definitions(WRONG, "wrong"), WRONG, f"cell {i}")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join("".join(o.get("text", "")) for o in outputs)
    assert "✗ heavy_ball_step() differs from CourseSGD's step (W, rho)" in text
    assert "Keras's SGD is compared with your step once the check above passes." in text
    # right at the one step (rate 0.125), wrong in training (rate 0.05): named where it parts
    assert "✓ adagrad_lookback_step() equals CourseSGD's step (W, G, rho)" in text
    assert ("✗ adagrad_lookback_step() parts from the course at step 0 (epoch 0), layer 1, W1"
            in text)
    assert "Your Keras model is the NumPy model" in text   # one batch cannot see the optimizer
    assert "MISMATCH: 8 steps" in text and "trains otherwise" in text
    assert text.rstrip().endswith("Exercises done: 0 of 3. Next: Exercise 1, 07a's heavy-ball "
                                  "step (wrong): complete it above and run the lesson again.")
    for exercise in ("Exercise 2 (08a's AdaGrad, then the look-back)",
                     "Exercise 3 (a course network and its optimizer in Keras)"):
        assert f"{exercise}: not right yet" in text, exercise
    nbformat.validate(nb)
