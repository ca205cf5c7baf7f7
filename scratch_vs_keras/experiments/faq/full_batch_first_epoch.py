"""With the full batch, the loss shown after epoch 1 is the initial loss."""

import pandas as pd

from ...keras_side import to_keras
from ...report import figures as F
from ._shared import HISTORY, Answer, agree, binary_data, mlp, numbers

SLUG = "full_batch_first_epoch"
TITLE = "With the full batch, epoch 1 shows the loss before any training"
QUESTION = ("With `batch_size` equal to the number of rows, why is the loss printed after epoch 1 "
            "exactly the loss of the untrained network, one epoch behind `evaluate`?")
ANSWER = ("Each epoch has one batch, and `fit` reports that batch's loss before its update: the "
          "loss printed for epoch $e$ is the loss at the weights after epoch $e-1$.")
THREADS = [("keras-team/keras#8578", "https://github.com/keras-team/keras/issues/8578"),
           ("keras-team/keras#503", "https://github.com/keras-team/keras/issues/503")]
EXPLANATION = r"""
`fit` computes a batch's loss and its gradient in one pass, then updates the weights. With the
full batch an epoch is one step $w_e = w_{e-1} - \eta \nabla J(w_{e-1})$, and the History holds

$$L_{\mathrm{fit}}(e) = J(w_{e-1}), \qquad \texttt{evaluate} \text{ after epoch } e = J(w_e) = L_{\mathrm{fit}}(e+1).$$

So the first printed loss is $J(w_0)$, the loss before any training, and `fit`'s curve lags
`evaluate`'s by exactly one epoch.
"""


def measure(cfg):
    x, y = binary_data(60, cfg.seed)
    epochs = 2 if cfg.quick else 8
    model = mlp(x.shape[1], 8, 1, "binary_crossentropy", "sgd", seed=cfg.seed)
    twin = to_keras(model)
    n = len(x)
    keras_fit, keras_before, keras_after = [], [], []
    for _ in range(epochs):  # one epoch per call, to evaluate between epochs (SGD has no state)
        keras_before.append(twin.evaluate(x, y, batch_size=n, verbose=0))
        keras_fit.append(twin.fit(x, y, batch_size=n, epochs=1, shuffle=False,
                                  verbose=0).history["loss"][0])
        keras_after.append(twin.evaluate(x, y, batch_size=n, verbose=0))
    initial = model.compute_loss(x, y)
    ours = model.fit(x, y, batch_size=n, epochs=epochs, shuffle=False, verbose=0).history["loss"]
    rows = [(f"epoch {e + 1}: fit's loss", keras_fit[e], ours[e], keras_before[e], keras_after[e])
            for e in range(epochs)]
    table = numbers(rows).rename(columns={"first principles": "evaluate before the epoch",
                                          "student": "evaluate after the epoch"})
    checks = [agree("History['loss'] per epoch: twin vs Keras", ours, keras_fit, HISTORY),
              agree("epoch 1's loss = the twin's loss of the untrained weights", initial,
                    keras_fit[0], HISTORY),
              agree("fit's loss of epoch e = Keras's evaluate before epoch e", keras_fit,
                    keras_before, HISTORY),
              agree("fit's loss of epoch e+1 = Keras's evaluate after epoch e", keras_fit[1:],
                    keras_after[:-1], HISTORY)]
    curves = pd.concat([
        pd.DataFrame({"epoch": range(1, epochs + 1), "loss": keras_fit, "side": "keras",
                      "what": "fit's printed loss"}),
        pd.DataFrame({"epoch": range(1, epochs + 1), "loss": ours, "side": "scratch",
                      "what": "fit's printed loss"}),
        pd.DataFrame({"epoch": range(1, epochs + 1), "loss": keras_after, "side": "keras",
                      "what": "evaluate after the epoch"})], ignore_index=True)
    fig = F.lines(curves, "epoch", "loss", "lag", "fit's loss lags evaluate by one epoch",
                  "epoch", "loss", "Full batch: `fit`'s loss of each epoch (both sides) and "
                  "Keras's `evaluate` after it; the `fit` curve is the `evaluate` curve moved one "
                  "epoch to the right.", hue="what", style="side")
    finding = (f"With all {n} rows in one batch, epoch 1 prints {keras_fit[0]:.6f}, the loss of the "
               f"untrained network (twin: {initial:.6f}); `evaluate` after epoch 1 gives "
               f"{keras_after[0]:.6f}, which epoch 2 prints.")
    return Answer(table, checks, finding, figures=[fig], data={"losses": curves})
