"""My loss and my metric disagree."""

import numpy as np

from ...keras_side import to_keras
from ...scratch import regularizers
from ._shared import (HISTORY, Answer, BatchLog, agree, batch_sizes, keras_and_tf, mlp, numbers,
                      regression_data)

SLUG = "loss_vs_metric"
TITLE = "The loss and the metric disagree"
QUESTION = ("I compile with `loss='mse'` and `metrics=['mse', RootMeanSquaredError()]`: why is the "
            "loss larger than the MSE metric, and why is the RMSE metric not the square root of "
            "the loss, nor the mean of my per-batch RMSEs?")
ANSWER = ("The loss includes the regularization penalty, the metric does not; the RMSE metric is "
          "the root of the epoch's mean squared error, not a mean of per-batch roots.")
THREADS = [("keras-team/keras#8866", "https://github.com/keras-team/keras/issues/8866")]
EXPLANATION = r"""
Per batch $i$ (weights $w_{i-1}$ before its update, $B_i$ rows), the loss adds every layer's
penalty $\Omega(w) = \lambda \lVert W \rVert^2$ to the data term; the metric is the data term only:

$$L = \frac{\sum_i B_i\,[\mathrm{MSE}_i + \Omega(w_{i-1})]}{\sum_i B_i}, \qquad
\mathrm{metric} = \frac{\sum_i B_i\,\mathrm{MSE}_i}{\sum_i B_i}.$$

`RootMeanSquaredError` keeps the sum of squared errors and the count over the whole epoch and
takes one root at the end, $\sqrt{\mathrm{metric}}$, which is neither $\sqrt{L}$ nor
$\frac1m\sum_i \sqrt{\mathrm{MSE}_i}$ (a root of a mean is not a mean of roots).
"""


def measure(cfg):
    keras, _ = keras_and_tf()
    x, y = regression_data(90, cfg.seed)
    batch, lam = 32, 0.25  # 0.25 is exact in float32, so Keras's factor equals the twin's
    model = mlp(x.shape[1], 8, 1, "mse", "sgd", seed=cfg.seed, out_activation="linear",
                kernel_regularizer=regularizers.L2(lam))
    twin = to_keras(model, compile=False)
    twin.compile(optimizer="sgd", loss="mse", jit_compile=False,
                 metrics=["mse", keras.metrics.RootMeanSquaredError(name="rmse")])
    h = twin.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0).history
    log = BatchLog()
    ours = model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0,
                     callbacks=[log]).history
    sizes = np.array(batch_sizes(len(x), batch))
    data_terms = np.array(log.losses) - np.array(log.penalties)
    metric = float(sizes @ data_terms / sizes.sum())
    penalty = float(sizes @ np.array(log.penalties) / sizes.sum())
    rows = [("loss (History['loss'])", h["loss"][0], ours["loss"][0], metric + penalty, np.nan),
            ("MSE metric (History['mse'])", h["mse"][0], np.nan, metric, np.nan),
            ("loss - MSE metric", h["loss"][0] - h["mse"][0], np.nan, penalty, np.nan),
            ("RMSE metric (History['rmse'])", h["rmse"][0], np.nan, np.sqrt(metric),
             np.sqrt(h["loss"][0])),
            ("mean of per-batch RMSEs", np.nan, np.nan, np.nan,
             float(np.mean(np.sqrt(data_terms))))]
    checks = [agree("History['loss']: twin vs Keras", ours["loss"], h["loss"], HISTORY),
              agree("MSE metric = weighted mean of the twin's data terms", metric, h["mse"][0], HISTORY),
              agree("loss - metric = weighted mean of the twin's penalties", penalty,
                    h["loss"][0] - h["mse"][0], HISTORY),
              agree("RMSE metric = sqrt(the twin's MSE metric)", np.sqrt(metric), h["rmse"][0], HISTORY)]
    finding = (f"With L2({lam}) on the hidden kernel, one epoch of {len(x)} rows prints loss "
               f"{h['loss'][0]:.6f} and MSE metric {h['mse'][0]:.6f}: the gap "
               f"{h['loss'][0] - h['mse'][0]:.6f} is the mean penalty. The RMSE metric "
               f"{h['rmse'][0]:.6f} is the root of the MSE metric; sqrt(loss) would be "
               f"{np.sqrt(h['loss'][0]):.6f} and the mean of per-batch roots "
               f"{np.mean(np.sqrt(data_terms)):.6f}.")
    return Answer(numbers(rows), checks, finding)
