"""Optimizers with Keras's names, arguments, defaults and exact update arithmetic.

``compile(optimizer="adam")`` works as in Keras; each class documents its update rule.
"""

from . import schedules
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from ..sparse import SparseRows
from .base import Optimizer
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .muon import Muon
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD
from .._validation import lookup

ALL = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "nadam": Nadam,
    "lion": Lion,
    "lamb": Lamb,
    "ftrl": Ftrl,
    "adafactor": Adafactor,
    "muon": Muon,
}


def get(identifier):
    """An optimizer for a Keras name (``"adam"``), with Keras's defaults, or an Optimizer instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    return lookup(identifier, ALL, "optimizer", "optimizer")()


__all__ = ["SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Lion",
           "Lamb", "Ftrl", "Adafactor", "Muon", "Optimizer", "SparseRows", "get", "schedules"]
