"""Keras's binary cross-entropy gives a gradient of 0 where mine gives -1."""

import numpy as np
import pandas as pd

from ...report import figures as F
from ...scratch import activations, config, losses
from ._shared import Answer, agree, keras_and_tf, numbers

SLUG = "bce_clipping"
TITLE = "Binary cross-entropy: a gradient of 0 where mine is -1"
QUESTION = ("For a confidently wrong sigmoid output my NumPy gradient $\\sigma(z) - y$ is -1, "
            "Keras's binary cross-entropy on `tf.math.sigmoid(z)` gives 0, and a Keras model "
            "with a sigmoid layer gives -1 again: why?")
ANSWER = ("On probabilities Keras clips $p$ to $[10^{-7}, 1 - 10^{-7}]$ and the clip passes no "
          "gradient; after a Keras sigmoid it uses the logits $z$ instead (no clipping), so "
          "the gradient is $\\sigma(z) - y$ for every $z$.")
THREADS = [("keras-team/keras#9664", "https://github.com/keras-team/keras/issues/9664"),
           ("tensorflow/tensorflow#13439", "https://github.com/tensorflow/tensorflow/issues/13439"),
           ("keras-team/keras#8030", "https://github.com/keras-team/keras/issues/8030")]
EXPLANATION = r"""
On a probability tensor $p$, Keras evaluates $\ell = -[y \log \bar p + (1-y)\log(1-\bar p)]$ with
$\bar p = \mathrm{clip}(p, \varepsilon, 1-\varepsilon)$, $\varepsilon = 10^{-7}$. The clip's derivative
is 0 outside the range, so

$$\frac{\partial \ell}{\partial z} = \begin{cases} \sigma(z) - y & \varepsilon \le \sigma(z) \le 1-\varepsilon \\ 0 & \text{otherwise,}\end{cases}$$

and the gradient vanishes for $z < \log\frac{\varepsilon}{1-\varepsilon} \approx -16.12$ (with
$y = 1$), exactly where the output is most wrong. A tensor that a Keras sigmoid produced carries
its logits $z$, and the loss then uses $\ell = \max(z,0) - zy + \log(1+e^{-|z|})$, whose
gradient is $\sigma(z) - y$ everywhere. A plain `tf.math.sigmoid` output carries no logits (in
eager mode), so it takes the clipped path: the "better gradients" of Keras's own layers.
"""


def _keras_gradients(z, y):
    keras, tf = keras_and_tf()
    z = tf.constant(z)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        logits_path = tf.reduce_sum(keras.losses.binary_crossentropy(y, keras.ops.sigmoid(z)))
        clipped_path = tf.reduce_sum(keras.losses.binary_crossentropy(y, tf.math.sigmoid(z)))
    return tape.gradient(logits_path, z).numpy(), tape.gradient(clipped_path, z).numpy()


def _twin_gradients(z, y):
    sigmoid, loss = activations.get("sigmoid"), losses.BinaryCrossentropy(reduction="sum")
    _, logits_path = loss.value_and_gradient_from_logits(y, z)
    p = sigmoid(z)
    _, dp = loss.value_and_gradient(y, p)
    return logits_path, sigmoid.backward(z, p, dp)


def measure(cfg):
    z = np.arange(-40.0, 40.25, 0.25)[:, None]
    y = np.ones_like(z)
    keras_logits, keras_clipped = _keras_gradients(z, y)
    twin_logits, twin_clipped = _twin_gradients(z, y)
    eps = config.epsilon()
    p = 1 / (1 + np.exp(-z))
    student = p - y
    clipped = np.where((p >= eps) & (p <= 1 - eps), student, 0.0)
    rows = []
    for value in (-30.0, -16.5, -16.0, -5.0, 0.0):
        i = int(np.flatnonzero(z[:, 0] == value)[0])
        rows += [(f"z = {value:g}: sigmoid layer (logits path)", keras_logits[i, 0],
                  twin_logits[i, 0], student[i, 0], student[i, 0]),
                 (f"z = {value:g}: tf.math.sigmoid (clipped path)", keras_clipped[i, 0],
                  twin_clipped[i, 0], clipped[i, 0], student[i, 0])]
    checks = [agree("dJ/dz, logits path, 321 logits: twin vs Keras", twin_logits, keras_logits),
              agree("dJ/dz, clipped path, 321 logits: twin vs Keras", twin_clipped, keras_clipped),
              agree("logits path = sigma(z) - y", student, keras_logits),
              agree("clipped path = sigma(z) - y inside the clip, 0 outside", clipped, keras_clipped)]
    curves = pd.concat([pd.DataFrame({"z": z[:, 0], "dJ/dz": g[:, 0], "path": path, "side": side})
                        for g, path, side in ((keras_logits, "sigmoid layer (logits)", "keras"),
                                              (twin_logits, "sigmoid layer (logits)", "scratch"),
                                              (keras_clipped, "tf.math.sigmoid (clipped)", "keras"),
                                              (twin_clipped, "tf.math.sigmoid (clipped)", "scratch"))],
                       ignore_index=True)
    fig = F.lines(curves, "z", "dJ/dz", "gradients", "dJ/dz of binary cross-entropy, target y = 1",
                  "logit z", "dJ/dz", "Each path on both sides (Keras dashed over the twin). The "
                  "clipped path drops to 0 left of z = log(1e-7/(1 - 1e-7)) = -16.12, where the "
                  "logits path stays at sigma(z) - 1 = -1.", hue="side", style="side", col="path",
                  col_wrap=2, markers=False)
    cut = float(np.log(eps / (1 - eps)))
    finding = (f"At z = -30 with y = 1, the sigmoid layer's gradient is {keras_logits[z[:, 0] == -30][0, 0]:.6f} "
               f"and the clipped path's {keras_clipped[z[:, 0] == -30][0, 0]:g}; the two part at "
               f"z = {cut:.4f}. The twin reproduces both paths at all {len(z)} logits.")
    return Answer(numbers(rows), checks, finding, figures=[fig], data={"gradients": curves})
