"""validation_split does not pick random rows."""

import numpy as np

from ...keras_side import to_keras
from ._shared import HISTORY, Answer, agree, binary_data, mlp, numbers

SLUG = "validation_split"
TITLE = "validation_split holds out the last rows, not random ones"
QUESTION = ("With `validation_split=0.2` and `shuffle=True` my validation scores look nothing like "
            "my training scores: are the validation rows not drawn at random?")
ANSWER = ("No: `fit` holds out the *last* 20% of the rows as passed, before any shuffling "
          "(`shuffle` reorders only the training part), so data sorted by class validate on one "
          "class.")
THREADS = [("keras-team/keras#597", "https://github.com/keras-team/keras/issues/597"),
           ("keras-team/keras#6422", "https://github.com/keras-team/keras/issues/6422"),
           ("keras-team/keras#8346", "https://github.com/keras-team/keras/issues/8346"),
           ("keras-team/keras#20946", "https://github.com/keras-team/keras/issues/20946")]
EXPLANATION = r"""
For $n$ rows and a fraction $f$, `fit` splits at $s = \lfloor n(1-f) \rfloor$: rows $0..s-1$ train,
rows $s..n-1$ validate, in the order they were passed. `shuffle=True` then permutes the training
rows each epoch; the validation rows never change. So

$$\texttt{val\_loss}(e) = J(w_e;\ x_{s:n},\ y_{s:n}),$$

the loss after epoch $e$ on the tail of the arrays. On data sorted by the target, the tail holds
one class only. (A maintainer's reply in one thread says the data are shuffled before the split;
the numbers below, from Keras 3.15's own `fit`, show they are not.) Shuffle once yourself before
calling `fit`, or pass `validation_data`.
"""


def measure(cfg):
    x, y = binary_data(120, cfg.seed)
    order = np.argsort(y, kind="stable")  # sorted by class, as data often arrive
    x, y = x[order], y[order]
    split = int(len(x) * 0.8)
    model = mlp(x.shape[1], 8, 1, "binary_crossentropy", "sgd", seed=cfg.seed)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    twin, start = to_keras(model), model.get_weights()  # SGD keeps no state: one twin, two runs
    keras_shuffled = twin.fit(x, y, batch_size=32, epochs=1, validation_split=0.2, shuffle=True,
                              verbose=0).history
    ours_after = model.astype("float64")
    ours_after.set_weights([w.numpy() for w in twin.weights])
    tail_loss, tail_acc = ours_after.evaluate(x[split:], y[split:])
    rng = np.random.default_rng(cfg.seed)
    random_rows = rng.permutation(len(x))[:len(x) - split]
    random_loss, _ = ours_after.evaluate(x[random_rows], y[random_rows])
    twin.set_weights(start)
    keras_in_order = twin.fit(x, y, batch_size=32, epochs=1, validation_split=0.2,
                                       shuffle=False, verbose=0).history
    ours = model.fit(x, y, batch_size=32, epochs=1, validation_split=0.2, shuffle=False,
                     verbose=0).history
    rows = [("val_loss, shuffle=True", keras_shuffled["val_loss"][0], tail_loss, np.nan, random_loss),
            ("val_accuracy, shuffle=True", keras_shuffled["val_accuracy"][0], tail_acc, np.nan, np.nan),
            ("share of class 1 in the held-out rows", np.nan, float(y[split:].mean()), np.nan,
             float(y[random_rows].mean())),
            ("val_loss, shuffle=False", keras_in_order["val_loss"][0], ours["val_loss"][0], np.nan, np.nan)]
    table = numbers(rows).rename(columns={"twin": "twin (last 20% of the rows)",
                                          "student": "a random 20%"}).drop(columns="first principles")
    checks = [agree("val_loss with shuffle=True = the twin's loss on the last 20% at Keras's weights",
                    tail_loss, keras_shuffled["val_loss"][0]),
              agree("val_accuracy with shuffle=True = the twin's on the last 20%", tail_acc,
                    keras_shuffled["val_accuracy"][0]),
              agree("History with shuffle=False (loss, accuracy, val_*): twin vs Keras",
                    [ours[k][0] for k in sorted(ours)], [keras_in_order[k][0] for k in sorted(ours)],
                    HISTORY)]
    finding = (f"On {len(x)} rows sorted by class, the last {len(x) - split} rows are all class "
               f"{int(y[split])}: Keras's val_accuracy is {keras_shuffled['val_accuracy'][0]:g} with "
               f"shuffle=True, and its val_loss {keras_shuffled['val_loss'][0]:.6f} is the twin's loss "
               f"on exactly those rows at Keras's weights ({tail_loss:.6f}); a random 20% would give "
               f"{random_loss:.6f}.")
    return Answer(table, checks, finding)
