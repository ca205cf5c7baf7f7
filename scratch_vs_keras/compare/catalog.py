"""Named optimizer set-ups used by the tests, the drift benchmark and the experiments: every Keras
optimizer with each of its options, and every learning-rate schedule (in one place, so that
what is tested is what is reported)."""

from ..scratch import optimizers as O

S = O.schedules

OPTIMIZERS = {
    "sgd": lambda: O.SGD(0.05),
    "sgd_momentum": lambda: O.SGD(0.05, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: O.RMSprop(0.001),
    "rmsprop_centered": lambda: O.RMSprop(0.001, centered=True),
    "rmsprop_momentum": lambda: O.RMSprop(0.001, momentum=0.5),
    "adagrad": lambda: O.Adagrad(0.05),
    "adadelta": lambda: O.Adadelta(1.0),
    "adam": lambda: O.Adam(0.005),
    "adam_amsgrad": lambda: O.Adam(0.005, amsgrad=True),
    "adamw": lambda: O.AdamW(0.005),
    "adamax": lambda: O.Adamax(0.005),
    "nadam": lambda: O.Nadam(0.005),
    "sgd_clipnorm": lambda: O.SGD(0.1, clipnorm=0.05),
    "adam_clipvalue": lambda: O.Adam(0.005, clipvalue=0.01),
    "rmsprop_global_clipnorm": lambda: O.RMSprop(0.002, global_clipnorm=0.05),
    "sgd_momentum_weight_decay": lambda: O.SGD(0.05, momentum=0.9, weight_decay=0.01),
}

SCHEDULES = {
    "exponential": lambda: O.SGD(S.ExponentialDecay(0.1, 100, 0.5)),
    "inverse_time_per_epoch": lambda: O.SGD(S.InverseTimeDecay(0.1, 32, 0.5, staircase=True)),
    "inverse_time": lambda: O.SGD(S.InverseTimeDecay(0.1, 7, 0.05)),
    "piecewise": lambda: O.SGD(S.PiecewiseConstantDecay([300, 600], [0.1, 0.05, 0.01])),
    "polynomial": lambda: O.SGD(S.PolynomialDecay(0.1, 1000, power=2.0)),
    "cosine": lambda: O.Adam(S.CosineDecay(0.01, 1000, alpha=0.1)),
}
