"""My Adam update does not match TensorFlow's (or PyTorch's)."""

import numpy as np
import pandas as pd

from ...keras_side import configure_keras, keras_optimizer
from ...report import figures as F
from ...scratch import optimizers
from ._shared import IDENTICAL, Answer, agree, keras_and_tf, numbers

SLUG = "adam_epsilon"
TITLE = "Adam: where epsilon sits, and the float32 betas"
QUESTION = ("My NumPy Adam, written from the paper (as PyTorch implements it), does not give "
            "Keras's update, most of all for small gradients: which formula does Keras use?")
ANSWER = ("Keras folds both bias corrections into the step size and adds $\\epsilon$ to the "
          "*uncorrected* $\\sqrt{v}$, which is the paper's $\\epsilon$ scaled by "
          "$\\sqrt{1-\\beta_2^t}$; it also rounds $\\beta_1, \\beta_2$ to float32 inside the powers.")
THREADS = [("tensorflow/tensorflow#44865", "https://github.com/tensorflow/tensorflow/issues/44865")]
EXPLANATION = r"""
With $m_t = \beta_1 m_{t-1} + (1-\beta_1) g$, $v_t = \beta_2 v_{t-1} + (1-\beta_2) g^2$, the paper
(and PyTorch) step is

$$\Delta w = -\eta\, \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon},$$

while Keras computes $\alpha_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)$ and
$\Delta w = -\alpha_t\, m_t / (\sqrt{v_t} + \epsilon)$. Multiplying out, Keras's $\epsilon$ acts as
$\hat\epsilon = \epsilon/\sqrt{1-\beta_2^t}$ in the paper's formula: 31.6 times larger at $t = 1$
($\sqrt{1-0.999} = 0.0316$). For $|g| \gg \hat\epsilon$ the two agree; for $|g|$ near or below
$\hat\epsilon \approx 3\times10^{-6}$ Keras's step is much smaller. Keras also passes
$\beta_1, \beta_2$ through float32 inside $\beta^t$, even in a float64 model
($0.999 \to 0.99900001$, so $1-\beta_2$ in $\alpha_1$ is $0.00099998713$): a relative change of
about $6\times10^{-6}$ in the first steps, far above float64 round-off.
"""


def _keras_steps(g, steps):
    keras, tf = keras_and_tf()
    optimizer = keras_optimizer(optimizers.Adam())
    w = keras.Variable(np.zeros_like(g), dtype="float64")
    optimizer.build([w])

    @tf.function  # as inside model.fit
    def apply(grad):
        optimizer.apply([grad], [w])

    out = []
    for _ in range(steps):
        apply(tf.constant(g))
        out.append(w.numpy().copy())
    return out


def _written_out(g, steps, keras_form, float32_betas=None, beta_1=0.9, beta_2=0.999, lr=1e-3,
                 eps=1e-7):
    """``steps`` Adam updates from zero weights, Keras's form or the paper's; the betas in the
    powers rounded to float32 (by default in Keras's form only)."""
    w, m, v, out = np.zeros_like(g), np.zeros_like(g), np.zeros_like(g), []
    rounded = keras_form if float32_betas is None else float32_betas
    b1, b2 = (float(np.float32(beta_1)), float(np.float32(beta_2))) if rounded else (beta_1, beta_2)
    for t in range(1, steps + 1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        if keras_form:
            w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        else:
            w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(w.copy())
    return out


def measure(cfg):
    configure_keras("float64")
    g = np.logspace(-12, 0, 49)
    steps = 3
    theirs = _keras_steps(g, steps)
    twin, w = optimizers.Adam(), np.zeros_like(g)
    ours = []
    for _ in range(steps):
        twin.apply([g.copy()], [w])
        ours.append(w.copy())
    keras_form = _written_out(g, steps, keras_form=True)
    paper = _written_out(g, steps, keras_form=False)
    exact_betas = _written_out(g, steps, keras_form=True, float32_betas=False)
    rows = []
    for magnitude in (1.0, 1e-4, 1e-6, 1e-8, 1e-10):
        i = int(np.argmin(np.abs(np.log10(g) - np.log10(magnitude))))
        rows.append((f"step 1 update, g = {magnitude:g}", theirs[0][i], ours[0][i], keras_form[0][i],
                     paper[0][i]))
    checks = [agree(f"weights after each of {steps} steps, 49 gradients: twin vs Keras",
                    np.array(ours), np.array(theirs), IDENTICAL),
              agree("Keras's formula written out (eps outside sqrt(v), float32 betas)",
                    np.array(keras_form), np.array(theirs))]
    ratio = pd.DataFrame({"|g|": g, "Keras step / paper step": theirs[0] / paper[0]})
    fig = F.lines(ratio, "|g|", "Keras step / paper step", "epsilon",
                  "Adam's first step: Keras vs the paper's formula", "|g| (log scale)",
                  "Keras step / paper step", "The first update of Keras's Adam divided by the "
                  "paper's (PyTorch's) with the same epsilon 1e-7: equal for large gradients, "
                  "about (|g| + 1e-7) / (|g| + 3.2e-6) for small ones.", markers=True)
    fig.figure.axes[0].set_xscale("log")
    beta_effect = float(np.max(np.abs(np.array(keras_form) - np.array(exact_betas))
                               / np.abs(np.array(keras_form))))
    i = int(np.argmin(np.abs(np.log10(g) + 8)))
    finding = (f"For g = 1e-8 Keras's first step is {theirs[0][i]:.3e}, the paper's "
               f"{paper[0][i]:.3e}; for g = 1 {theirs[0][-1]:.7e} and {paper[0][-1]:.7e}. The twin's weights "
               f"equal Keras's bit for bit over {steps} steps, and rounding the betas to float32 "
               f"changes the steps by up to {beta_effect:.1e} relative.")
    return Answer(numbers(rows).rename(columns={"student": "paper / PyTorch"}), checks, finding,
                  figures=[fig], data={"ratio": ratio})
