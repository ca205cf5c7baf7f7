"""Same seed, different results."""

import numpy as np

from ...keras_side import to_keras
from ._shared import HISTORY, IDENTICAL, Answer, agree, binary_data, keras_and_tf, mlp, numbers

SLUG = "same_seed"
TITLE = "Same seed, different results"
QUESTION = ("I set the seed, shuffle with NumPy the way Keras should, start from the same weights, "
            "and still get other losses than `fit(shuffle=True)`, sometimes even between two "
            "Keras runs: where does the randomness come from?")
ANSWER = ("`fit(shuffle=True)` draws each epoch's order inside `tf.data` from TensorFlow's seed, "
          "not NumPy's: with no TensorFlow seed every run differs, after "
          "`keras.utils.set_random_seed` every run repeats; to match a NumPy loop, feed Keras the "
          "NumPy orders with `shuffle=False`.")
THREADS = [("keras-team/keras#2743", "https://github.com/keras-team/keras/issues/2743"),
           ("keras-team/keras#439", "https://github.com/keras-team/keras/issues/439"),
           ("keras-team/keras#9808", "https://github.com/keras-team/keras/issues/9808")]
EXPLANATION = r"""
An epoch's update sequence depends on the order of its batches: the same rows in another order
give other weights after every step, since

$$w_{i} = w_{i-1} - \eta\,\nabla J_{\pi(i)}(w_{i-1})$$

depends on which batch $\pi(i)$ comes $i$-th. With `shuffle=True`, Keras draws the permutation
$\pi$ inside its `tf.data` pipeline from TensorFlow's random state. With no global TensorFlow
seed (a fresh session: `np.random.seed` alone does not set it) each `fit` draws new orders, so two
runs differ (and with op determinism on, as in this package, TensorFlow refuses to shuffle
without a seed); after `keras.utils.set_random_seed` (Python's, NumPy's and TensorFlow's seeds)
the orders of every `fit` call are derived from that seed, so runs repeat exactly and another
seed gives other orders. No NumPy generator, whatever its seed, produces TensorFlow's
permutation. This package therefore draws every epoch's permutation in NumPy (`scratch.batching.epoch_permutations`, from the model's seed) and hands
Keras the permuted rows with `shuffle=False`: then both sides see identical batches and agree to
round-off.
"""


def _keras_history(twin, start, x, y, batch, epochs, seed=None, orders=None):
    """Keras's History['loss'] from the weights ``start`` (SGD keeps no state, so one twin serves
    every run): ``fit(shuffle=True)`` after ``keras.utils.set_random_seed(seed)``, or epoch by
    epoch on the rows ``orders[e]`` with ``shuffle=False``."""
    keras, _ = keras_and_tf()
    twin.set_weights(start)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    if orders is None:
        return twin.fit(x, y, batch_size=batch, epochs=epochs, shuffle=True, verbose=0).history["loss"]
    return [twin.fit(x[o], y[o], batch_size=batch, epochs=1, shuffle=False, verbose=0).history["loss"][0]
            for o in orders]


def measure(cfg):
    x, y = binary_data(96, cfg.seed)
    batch, epochs = 16, 2 if cfg.quick else 4

    def fresh():
        return mlp(x.shape[1], 8, 1, "binary_crossentropy", "sgd", seed=cfg.seed)

    model = fresh()
    twin, start = to_keras(model), model.get_weights()
    run_1 = _keras_history(twin, start, x, y, batch, epochs, seed=cfg.seed + 1)
    run_2 = _keras_history(twin, start, x, y, batch, epochs, seed=cfg.seed + 1)
    other_seed = _keras_history(twin, start, x, y, batch, epochs, seed=cfg.seed + 2)
    orders = model.epoch_orders(len(x), epochs)
    fed = _keras_history(twin, start, x, y, batch, epochs, orders=orders)
    ours = model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=True, verbose=0).history["loss"]
    again = fresh().fit(x, y, batch_size=batch, epochs=epochs, shuffle=True, verbose=0).history["loss"]
    e = epochs - 1
    rows = [("fit(shuffle=True) after set_random_seed, run 1", run_1[e], np.nan, np.nan, np.nan),
            ("fit(shuffle=True) after set_random_seed, run 2", run_2[e], np.nan, np.nan, np.nan),
            ("fit(shuffle=True) after set_random_seed with another seed", other_seed[e], np.nan,
             np.nan, np.nan),
            ("twin's fit(shuffle=True): its NumPy permutations", np.nan, ours[e], np.nan, np.nan),
            ("fit(shuffle=False) on the twin's permuted rows", fed[e], ours[e], np.nan, np.nan)]
    checks = [agree("Keras, same seed twice: History", run_2, run_1, IDENTICAL),
              agree("twin, same seed twice: History", again, ours, IDENTICAL),
              agree("Keras on the twin's batch orders vs the twin: History", ours, fed, HISTORY)]
    finding = (f"After {epochs} epochs of {batch}-row batches: Keras with the seed reset prints "
               f"{run_1[e]:.6f} twice, and {other_seed[e]:.6f} with another seed; the twin, shuffling "
               f"in NumPy, {ours[e]:.6f}, which Keras prints too ({fed[e]:.6f}) once it is fed "
               "the twin's permuted rows.")
    return Answer(numbers(rows).drop(columns=["first principles", "student"]), checks, finding)
