"""Keras's L2(0.01) is not my lambda/2 ||W||^2 / n."""

import numpy as np

from ...keras_side import to_keras
from ...scratch import regularizers
from ._shared import Answer, agree, binary_data, keras_and_tf, mlp, numbers

SLUG = "l2_factor"
TITLE = "L2 regularization: no 1/2, no 1/n, and a float32 factor"
QUESTION = ("My L2 penalty $\\frac{\\lambda}{2n}\\lVert W\\rVert^2$ and its gradient "
            "$\\frac{\\lambda}{n} W$ do not match Keras's `L2(0.01)`, even in float64 where "
            "the gap is $10^{-9}$: what does Keras add?")
ANSWER = ("Keras adds $\\lambda \\sum W^2$ to every batch's loss (no $\\frac12$, no division by "
          "the batch size), with gradient $2\\lambda W$, and casts $\\lambda$ through float32 "
          "even in a float64 model ($0.01 \\to 0.0099999998$).")
THREADS = [("keras-team/keras#2717", "https://github.com/keras-team/keras/issues/2717"),
           ("tensorpack/tensorpack#1381", "https://github.com/tensorpack/tensorpack/issues/1381"),
           ("keras-team/keras#15791", "https://github.com/keras-team/keras/issues/15791")]
EXPLANATION = r"""
Keras's batch loss is the data loss (already a mean over the batch) plus each regularized
kernel's penalty, once per batch:

$$J = \frac1B\sum_s \ell_s + \bar\lambda \sum_{jk} W_{jk}^2, \qquad
\frac{\partial}{\partial W}\,\bar\lambda \lVert W\rVert^2 = 2\bar\lambda W,$$

with $\bar\lambda = \mathrm{fl}_{32}(\lambda)$: `ops.cast` of the Python float goes through
float32, so $0.01$ becomes $0.009999999776$, a relative change of $2.2\times10^{-8}$, visible in a
float64 comparison. The lecture's $\frac{\lambda}{2n}\lVert W\rVert^2$ therefore corresponds to
Keras's `L2(λ/(2n))` on the mean loss (or choose a factor exact in float32, such as
$2^{-7}$).
"""


def measure(cfg):
    _, tf = keras_and_tf()
    x, y = binary_data(40, cfg.seed)
    lam = 0.01
    model = mlp(x.shape[1], 8, 1, "binary_crossentropy", "sgd", seed=cfg.seed,
                kernel_regularizer=regularizers.L2(lam))
    twin = to_keras(model)
    with tf.GradientTape() as tape:
        keras_loss = twin.compute_loss(x, y, twin(x))
    keras_grads = [g.numpy() for g in tape.gradient(keras_loss, twin.trainable_weights)]
    penalty = float(sum(twin.losses))
    loss, grads = model.loss_and_gradients(x, y)
    W = model.get_weights()[0]
    bare = model.astype("float64")
    bare.layers[0].kernel_regularizer = None
    data_loss, data_grads = bare.loss_and_gradients(x, y)
    lam32 = float(np.float32(lam))
    n = len(x)
    rows = [("penalty added to the loss", penalty, model.penalty(), lam32 * np.sum(W ** 2),
             lam / (2 * n) * np.sum(W ** 2)),
            ("penalty with the exact 0.01, minus Keras's", np.nan, np.nan,
             lam * np.sum(W ** 2) - penalty, np.nan),
            ("dJ/dW[0, 0] minus the data loss's", keras_grads[0][0, 0] - data_grads[0][0, 0],
             grads[0][0, 0] - data_grads[0][0, 0], 2 * lam32 * W[0, 0], lam / n * W[0, 0]),
            ("the factor as Keras uses it, minus 0.01", np.nan, np.nan, lam32 - lam, np.nan)]
    checks = [agree("J with the penalty: twin vs Keras", loss, float(keras_loss)),
              agree("gradients: twin vs Keras", np.concatenate([g.ravel() for g in grads]),
                    np.concatenate([g.ravel() for g in keras_grads])),
              agree("penalty = fl32(0.01) sum(W^2)", lam32 * np.sum(W ** 2), penalty),
              agree("penalty's kernel gradient = 2 fl32(0.01) W", 2 * lam32 * W,
                    keras_grads[0] - data_grads[0])]
    gap = abs(lam * np.sum(W ** 2) - penalty) / penalty
    finding = (f"Keras adds {penalty:.10f} for L2(0.01) on the hidden kernel: 0.0099999998 x "
               f"sum(W^2), {gap:.1e} below 0.01 x sum(W^2) and {penalty / (lam / (2 * n) * np.sum(W ** 2)):.0f} "
               f"times the lecture's (lambda/2n) ||W||^2 with n = {n}.")
    return Answer(numbers(rows).rename(columns={"student": "lecture's λ/(2n)"}), checks, finding)
