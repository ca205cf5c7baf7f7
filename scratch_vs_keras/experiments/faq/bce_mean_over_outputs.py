"""My binary cross-entropy gradient is off by the number of outputs."""

import numpy as np

from ...keras_side import to_keras
from ...scratch import Input, Sequential
from ...scratch.layers import Dense
from ._shared import Answer, agree, binary_data, keras_and_tf, numbers

SLUG = "bce_mean_over_outputs"
TITLE = "Binary cross-entropy with several outputs: off by the number of outputs"
QUESTION = ("With $k$ sigmoid outputs my binary cross-entropy (summed over the outputs, averaged "
            "over the batch) and its gradient are $k$ times Keras's: which is right?")
ANSWER = ("Both, for different costs: Keras averages over the last axis (the $k$ outputs) and "
          "then over the batch, dividing by $Bk$; the lecture's cost sums over both.")
THREADS = [("oysteijo/simd_neuralnet#1", "https://github.com/oysteijo/simd_neuralnet/issues/1")]
EXPLANATION = r"""
Keras's `binary_crossentropy` reduces each sample's $k$ outputs with a **mean**, then the default
reduction divides by the batch size $B$. For a sigmoid output layer $A = \sigma(XW + b)$:

$$J_{\mathrm{Keras}} = \frac{1}{Bk}\sum_{s=1}^{B}\sum_{i=1}^{k} \mathrm{bce}(y_{si}, a_{si}), \qquad
\frac{\partial J_{\mathrm{Keras}}}{\partial W} = \frac{1}{Bk} X^\top (A - Y).$$

The lecture's cost sums over samples and outputs, $J = \sum_s\sum_i \mathrm{bce}$, with gradient
$X^\top (A - Y)$: $Bk$ times Keras's. Dividing by $B$ only (a "mean over the batch") leaves the
factor $k$. To train the same trajectory, scale the learning rate (or use `reduction="sum"`, which
still keeps the mean over the $k$ outputs).
"""


def measure(cfg):
    _, tf = keras_and_tf()
    x, _ = binary_data(8, cfg.seed)
    k = 3
    y = (np.random.default_rng(cfg.seed).random((len(x), k)) < 0.5).astype(float)
    model = Sequential([Input((x.shape[1],)), Dense(k, activation="sigmoid")],
                       seed=cfg.seed, dtype="float64")
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    twin = to_keras(model)
    with tf.GradientTape() as tape:
        keras_loss = twin.compute_loss(x, y, twin(x))
    keras_grads = [g.numpy() for g in tape.gradient(keras_loss, twin.trainable_weights)]
    loss, grads = model.loss_and_gradients(x, y)
    W, b = model.get_weights()
    a = 1 / (1 + np.exp(-(x @ W + b)))
    summed = float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))
    summed_grad = x.T @ (a - y)
    B = len(x)
    rows = [("J (Keras's mean over outputs and batch)", float(keras_loss), loss, summed / (B * k), np.nan),
            ("J summed over outputs, mean over batch", np.nan, np.nan, np.nan, summed / B),
            ("J summed over outputs and batch (lecture)", np.nan, np.nan, np.nan, summed),
            ("dJ/dW[0, 0]", keras_grads[0][0, 0], grads[0][0, 0], summed_grad[0, 0] / (B * k),
             summed_grad[0, 0] / B),
            ("student's dJ/dW / Keras's", np.nan, np.nan, float(k),
             float(summed_grad[0, 0] / B / keras_grads[0][0, 0]))]
    checks = [agree("J: twin vs Keras", loss, float(keras_loss)),
              agree("dJ/dW and dJ/db: twin vs Keras", np.concatenate([g.ravel() for g in grads]),
                    np.concatenate([g.ravel() for g in keras_grads])),
              agree("J = summed cost / (B k)", summed / (B * k), float(keras_loss)),
              agree("dJ/dW = X^T (A - Y) / (B k)", summed_grad / (B * k), keras_grads[0])]
    finding = (f"With B = {B} rows and k = {k} sigmoid outputs, Keras's loss is {float(keras_loss):.6f}; "
               f"the sum over outputs averaged over the batch is {summed / B:.6f}, exactly k = {k} "
               "times more, and so is the gradient. The twin reproduces Keras's numbers, and "
               "X^T(A - Y)/(Bk) is Keras's gradient.")
    return Answer(numbers(rows), checks, finding)
