"""fit prints one loss, evaluate on the same data another, my NumPy loop a third."""

import numpy as np

from ...keras_side import to_keras
from ...report import figures as F
from ._shared import (HISTORY, Answer, BatchLog, agree, batch_sizes, binary_data,
                      keras_and_tf, keras_running_losses, mlp, numbers, unaveraged)

SLUG = "fit_vs_evaluate"
TITLE = "fit, evaluate and my NumPy loop print three different losses"
QUESTION = ("`fit` prints one training loss, `evaluate` on the same training data another, and my "
            "NumPy loop a third: which one is wrong?")
ANSWER = ("None: `fit` prints the batch-size-weighted mean of each batch's loss *before* that "
          "batch's update, `evaluate` the loss of the final weights, and an unweighted mean of "
          "batch losses is a third quantity.")
THREADS = [("keras-team/keras#503", "https://github.com/keras-team/keras/issues/503"),
           ("keras-team/keras#6977", "https://github.com/keras-team/keras/issues/6977"),
           ("keras-team/keras#6292", "https://github.com/keras-team/keras/issues/6292"),
           ("tensorflow/tensorflow#29964", "https://github.com/tensorflow/tensorflow/issues/29964"),
           ("tensorflow/tensorflow#43164", "https://github.com/tensorflow/tensorflow/issues/43164")]
EXPLANATION = r"""
Within an epoch the weights change after every batch. `fit` reports the running mean of the batch
losses, each computed at the weights *before* that batch's update, weighted by the batch sizes
$B_i$ (the last batch is shorter):

$$L_{\mathrm{fit}} = \frac{\sum_i B_i \, J_i(w_{i-1})}{\sum_i B_i}$$

`evaluate` computes $J(w_{\mathrm{final}})$ on all rows with the weights after the last update, a
model that no batch of the epoch was scored with. A NumPy loop that appends each batch's loss and
takes `np.mean` gives every batch the same weight, so a short last batch counts as much as a full
one: $\frac1m \sum_i J_i(w_{i-1})$.
"""


def measure(cfg):
    keras, _ = keras_and_tf()
    x, y = binary_data(100, cfg.seed)
    batch, epochs = 32, (1 if cfg.quick else 3)
    model = mlp(x.shape[1], 8, 1, "binary_crossentropy", "adam", seed=cfg.seed)
    twin = to_keras(model)
    running = keras_running_losses(keras)
    history = twin.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0,
                       callbacks=[running]).history
    keras_eval = twin.evaluate(x, y, verbose=0)
    log = BatchLog()
    ours = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0,
                     callbacks=[log]).history
    ours_eval = model.evaluate(x, y)
    sizes = batch_sizes(len(x), batch)
    last = slice(-len(sizes), None)  # the last epoch's batches
    weighted = float(np.dot(sizes, log.losses[last]) / sum(sizes))
    student = float(np.mean(log.losses[last]))
    at_final = model.compute_loss(x, y)
    keras_batches = unaveraged(running.means[last], sizes)
    rows = [
        ("fit: History['loss'], last epoch", history["loss"][-1], ours["loss"][-1], weighted, student),
        ("evaluate(x_train) after fit", keras_eval, ours_eval, at_final, np.nan),
    ]
    checks = [agree("History['loss'] per epoch: twin vs Keras", ours["loss"], history["loss"], HISTORY),
              agree("evaluate after fit: twin vs Keras", ours_eval, keras_eval),
              agree("fit's loss = weighted mean of the twin's pre-update batch losses",
                    weighted, history["loss"][-1], HISTORY),
              agree("evaluate = J(final weights) on all rows, twin", at_final, keras_eval),
              agree("batch losses (un-averaged from fit's running mean) vs the twin's",
                    log.losses[last], keras_batches, 1e-12)]
    frame = _frame(sizes, keras_batches, log.losses[last])
    fig = F.bars(frame, "batch", "loss", "batch_losses",
                 "The last epoch's batch losses, each before its update",
                 "batch (rows)", "batch loss J_i",
                 f"Keras's batch losses (un-averaged from `fit`'s running mean) and the twin's. "
                 f"`fit` prints their mean weighted by the batch sizes, {history['loss'][-1]:.6f}; "
                 f"`evaluate` after the epoch gives {keras_eval:.6f} (the two horizontal lines).",
                 hue="side")
    ax = fig.figure.axes[0]
    ax.axhline(history["loss"][-1], color="black", linestyle="--", linewidth=1)
    ax.axhline(keras_eval, color="black", linestyle=":", linewidth=1)
    ax.text(len(sizes) - 0.5, history["loss"][-1], " fit prints", va="bottom", ha="right")
    ax.text(len(sizes) - 0.5, keras_eval, " evaluate", va="top", ha="right")
    finding = (f"On {len(x)} rows in batches of {batch} (the last has {sizes[-1]} rows), `fit` "
               f"prints {history['loss'][-1]:.6f}, `evaluate` {keras_eval:.6f}, and the unweighted "
               f"mean of the batch losses is {student:.6f}; the twin reproduces the first two, and "
               "the weighted mean of its pre-update batch losses is `fit`'s number.")
    return Answer(numbers(rows), checks, finding, figures=[fig], data={"batch_losses": frame})


def _frame(sizes, keras_losses, twin_losses):
    import pandas as pd

    labels = [f"{i + 1} ({b})" for i, b in enumerate(sizes)]
    return pd.concat([pd.DataFrame({"batch": labels, "loss": keras_losses, "side": "Keras"}),
                      pd.DataFrame({"batch": labels, "loss": twin_losses, "side": "twin"})],
                     ignore_index=True)
