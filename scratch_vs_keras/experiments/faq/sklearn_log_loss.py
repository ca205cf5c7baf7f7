"""sklearn's log_loss differs from Keras's training loss but matches val_loss."""

import numpy as np

from ...keras_side import to_keras
from ...scratch import losses
from ._shared import HISTORY, Answer, agree, binary_data, keras_and_tf, mlp, numbers

SLUG = "sklearn_log_loss"
TITLE = "sklearn's log_loss: unlike the training loss, equal to val_loss"
QUESTION = ("`sklearn.metrics.log_loss` on my model's predictions differs from the training loss "
            "Keras printed but equals `val_loss`, and on saturated predictions it disagrees with "
            "Keras's `binary_crossentropy` too: why?")
ANSWER = ("`log_loss` scores one static model, as `val_loss` and `evaluate` do, while the training "
          "loss is the running mean over changing weights; on probabilities Keras clips at "
          "$10^{-7}$, scikit-learn at the float's machine epsilon.")
THREADS = [("keras-team/keras#12274", "https://github.com/keras-team/keras/issues/12274"),
           ("keras-team/keras#12681", "https://github.com/keras-team/keras/issues/12681")]
EXPLANATION = r"""
`val_loss` is computed after the epoch's last update, on fixed weights, like
`log_loss(y, model.predict(x))`:

$$\frac1n\sum_s -[y_s\log p_s + (1-y_s)\log(1-p_s)].$$

The training loss is the batch-size-weighted
mean of the batch losses at the weights *before* each update (question 1), a different quantity.

On probability arrays both libraries clip before the log, with different bounds:
Keras $\bar p = \mathrm{clip}(p, 10^{-7}, 1-10^{-7})$, so one sample's loss is at most
$-\log 10^{-7} = 16.12$; scikit-learn clips at $\epsilon_{\mathrm{float64}} = 2.2\times10^{-16}$
(at most 36.04). Inside a model Keras takes the logits shortcut and clips nothing, so `val_loss`
and `log_loss` agree until a prediction rounds to 0 or 1.
"""


def measure(cfg):
    from sklearn.metrics import log_loss

    x, y = binary_data(160, cfg.seed)
    x_train, y_train, x_val, y_val = x[:100], y[:100], x[100:], y[100:]
    epochs = 2 if cfg.quick else 5
    model = mlp(x.shape[1], 8, 1, "binary_crossentropy", "adam", seed=cfg.seed)
    twin = to_keras(model)
    h = twin.fit(x_train, y_train, batch_size=32, epochs=epochs, shuffle=False, verbose=0,
                 validation_data=(x_val, y_val)).history
    ours = model.fit(x_train, y_train, batch_size=32, epochs=epochs, shuffle=False, verbose=0,
                     validation_data=(x_val, y_val)).history
    p_val = twin(x_val).numpy()[:, 0]  # what predict returns, without tracing predict's graph
    p_train = twin(x_train).numpy()[:, 0]
    keras_eval = twin.evaluate(x_train, y_train, verbose=0)
    sk_val, sk_train = log_loss(y_val, p_val), log_loss(y_train, p_train)
    saturated = np.array([1e-3, 1e-9, 1e-12, 0.0])
    keras, _ = keras_and_tf()
    keras_clip = keras.losses.binary_crossentropy(np.ones((4, 1)), saturated[:, None]).numpy()
    twin_clip = losses.BinaryCrossentropy(reduction="sum").per_sample(np.ones((4, 1)),
                                                                      saturated[:, None])[0]
    sk_clip = [log_loss([1.0], [p], labels=[0, 1]) for p in saturated]
    by_hand = -np.log(np.clip(saturated, 1e-7, 1 - 1e-7))
    rows = [("training loss, last epoch (History['loss'])", h["loss"][-1], ours["loss"][-1], np.nan,
             sk_train),
            ("evaluate(x_train) after fit", keras_eval, model.evaluate(x_train, y_train), sk_train,
             sk_train),
            ("val_loss, last epoch", h["val_loss"][-1], ours["val_loss"][-1], sk_val, sk_val)]
    rows += [(f"y = 1, p = {p:g}: binary_crossentropy on the array", k, t, b, s)
             for p, k, t, b, s in zip(saturated, keras_clip, twin_clip, by_hand, sk_clip)]
    checks = [agree("History loss and val_loss: twin vs Keras",
                    ours["loss"] + ours["val_loss"], h["loss"] + h["val_loss"], HISTORY),
              agree("val_loss = sklearn log_loss of Keras's predictions", sk_val, h["val_loss"][-1]),
              agree("evaluate(x_train) = sklearn log_loss of Keras's predictions", sk_train, keras_eval),
              agree("BCE on saturated arrays: twin vs Keras", twin_clip, keras_clip),
              agree("BCE on saturated arrays = -log(clip(p, 1e-7, 1 - 1e-7))", by_hand, keras_clip)]
    finding = (f"After {epochs} epochs the training loss printed is {h['loss'][-1]:.6f}; sklearn's "
               f"log_loss on the training predictions is {sk_train:.6f} (= `evaluate`) and on the "
               f"validation predictions {sk_val:.6f} (= `val_loss` {h['val_loss'][-1]:.6f}). For "
               f"p = 0 and y = 1 Keras's array loss is {keras_clip[-1]:.4f}, sklearn's {sk_clip[-1]:.4f}.")
    return Answer(numbers(rows).rename(columns={"student": "sklearn log_loss"}), checks, finding)
