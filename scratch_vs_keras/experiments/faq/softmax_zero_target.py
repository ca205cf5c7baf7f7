"""Softmax + cross-entropy with an all-zero target: a non-zero gradient one way, zero the other."""

import numpy as np

from ...scratch import activations, losses
from ._shared import Answer, agree, keras_and_tf, numbers

SLUG = "softmax_zero_target"
TITLE = "Softmax cross-entropy with an all-zero target row"
QUESTION = ("A row whose one-hot target is all zeros has loss 0: why did its gradient come out "
            "non-zero through a Keras softmax layer and zero through `tf.nn.softmax`?")
ANSWER = ("A Keras softmax sends the loss through TensorFlow's fused logits kernel, whose "
          "gradient is $\\mathrm{softmax}(z) - y$ also where $y = 0$; with op determinism on (as "
          "here) TensorFlow differentiates $\\mathrm{softmax}(z)\\sum_i y_i - y$ instead, which is "
          "0 for that row, as the clipped-probability path is.")
THREADS = [("tensorflow/tensorflow#60314", "https://github.com/tensorflow/tensorflow/issues/60314"),
           ("tensorflow/tensorflow#1234", "https://github.com/tensorflow/tensorflow/issues/1234")]
EXPLANATION = r"""
After a Keras softmax, categorical cross-entropy is evaluated from the logits $z$:
$\ell = \sum_i y_i \left(\log\sum_j e^{z_j} - z_i\right)$, whose derivative is

$$\frac{\partial \ell}{\partial z} = \mathrm{softmax}(z)\sum_i y_i - y .$$

For a one-hot row ($\sum_i y_i = 1$) that is $\mathrm{softmax}(z) - y$; for an all-zero row it
is $0$, like the loss. TensorFlow's fused kernel `SoftmaxCrossEntropyWithLogits` hard-codes
$\mathrm{softmax}(z) - y$, which for the all-zero row is $\mathrm{softmax}(z) \ne 0$: the
thread's non-zero gradient, and what a default TensorFlow session computes. With
`tf.config.experimental.enable_op_determinism()` (which this package turns on for every
comparison) TensorFlow builds the loss from ordinary ops instead and differentiates it exactly.
On `tf.nn.softmax` output (eager) the loss is $-\sum_i y_i \log \bar p_i$ on clipped
probabilities, identically 0 for $y = 0$, with zero gradient. (The package's NumPy loss copied the
fused kernel; this question found it, and it now follows the deterministic setting.)
"""


def _keras_gradients(z, y):
    keras, tf = keras_and_tf()
    z = tf.constant(z)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        logits_loss = keras.losses.categorical_crossentropy(y, keras.ops.softmax(z))
        clipped_loss = keras.losses.categorical_crossentropy(y, tf.nn.softmax(z))
        logits_sum, clipped_sum = tf.reduce_sum(logits_loss), tf.reduce_sum(clipped_loss)
    return (logits_loss.numpy(), tape.gradient(logits_sum, z).numpy(), clipped_loss.numpy(),
            tape.gradient(clipped_sum, z).numpy())


def _fused_kernel(z, y):
    """The fused kernel's own gradient output (what TensorFlow uses without op determinism)."""
    _, tf = keras_and_tf()
    return tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=tf.constant(z),
                                                    labels=tf.constant(y))[1].numpy()


def _twin_gradients(z, y):
    softmax, loss = activations.get("softmax"), losses.CategoricalCrossentropy(reduction="sum")
    logits_values, _ = loss.per_sample_from_logits(y, z)
    _, logits_grad = loss.value_and_gradient_from_logits(y, z)
    a = softmax(z)
    clipped_values, _ = loss.per_sample(y, a)
    _, da = loss.value_and_gradient(y, a)
    return logits_values, logits_grad, clipped_values, softmax.backward(z, a, da)


def measure(cfg):
    z = np.array([[0.1, 0.9, -0.3], [0.2, 0.1, 0.4], [1.5, -0.5, 0.3]])
    y = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    from ...keras_side import configure_keras

    configure_keras("float64")  # float64 and op determinism, as every comparison here
    k_lv, k_lg, k_cv, k_cg = _keras_gradients(z, y)
    fused = _fused_kernel(z, y)
    t_lv, t_lg, t_cv, t_cg = _twin_gradients(z, y)
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = softmax * y.sum(axis=1, keepdims=True) - y
    old_kernel = softmax - y  # the fused kernel's formula
    rows = [("all-zero row: loss, logits path", k_lv[0], t_lv[0], 0.0, np.nan),
            ("all-zero row: max |dJ/dz|, logits path", np.abs(k_lg[0]).max(), np.abs(t_lg[0]).max(),
             0.0, np.nan),
            ("all-zero row: max |dJ/dz|, fused kernel", np.abs(fused[0]).max(), np.nan,
             np.abs(old_kernel[0]).max(), np.nan),
            ("all-zero row: max |dJ/dz|, clipped path", np.abs(k_cg[0]).max(), np.abs(t_cg[0]).max(),
             0.0, np.nan),
            ("one-hot row: dJ/dz_2, logits path", k_lg[1, 1], t_lg[1, 1], expected[1, 1], np.nan),
            ("one-hot row: dJ/dz_2, clipped path", k_cg[1, 1], t_cg[1, 1], expected[1, 1], np.nan)]
    checks = [agree("losses, both paths: twin vs Keras", np.concatenate([t_lv, t_cv]),
                    np.concatenate([k_lv, k_cv])),
              agree("dJ/dz, logits path: twin vs Keras", t_lg, k_lg),
              agree("dJ/dz, clipped path: twin vs Keras", t_cg, k_cg),
              agree("dJ/dz = softmax(z) sum(y) - y (both paths)", np.concatenate([expected, expected]),
                    np.concatenate([k_lg, k_cg])),
              agree("fused kernel's gradient = softmax(z) - y", old_kernel, fused)]
    finding = (f"For the all-zero row the loss is {abs(k_lv[0]):g} on every path. Its gradient is "
               f"{np.abs(k_lg[0]).max():g} through a Keras softmax with op determinism on, "
               f"{np.abs(k_cg[0]).max():g} through `tf.nn.softmax`, and "
               f"{np.abs(fused[0]).max():.6f} in its largest entry from the fused kernel that "
               "TensorFlow uses by default. The twin reproduces both Keras paths.")
    return Answer(numbers(rows), checks, finding)
