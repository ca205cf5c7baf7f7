"""The Keras twin of a NumPy callback: ``keras.callbacks.<Name>(**callback.get_config())``.

A ``scratch.callbacks`` callback is the one description of what it does; its Keras twin is built
from its ``get_config()`` (the arguments under Keras's names), as ``to_keras`` builds the model.
"""

from ._tf import import_keras

#: The callbacks whose Keras twin has the same name and arguments.
TWINNED = ("EarlyStopping", "ReduceLROnPlateau", "LearningRateScheduler", "TerminateOnNaN",
           "CSVLogger")


def keras_callback(callback, **overrides):
    """The ``keras.callbacks`` twin of the NumPy ``callback``; ``overrides`` replace arguments
    of its config (e.g. another ``filename`` for a CSVLogger, so the two sides do not write
    into one file). Raises ValueError for a callback without a Keras twin."""
    name = type(callback).__name__
    if name not in TWINNED:
        raise ValueError(
            f"{name} has no Keras twin here; the callbacks built for both sides are "
            f"{', '.join(TWINNED)}. Give the others to each side's fit yourself."
        )
    keras = import_keras()
    return getattr(keras.callbacks, name)(**{**callback.get_config(), **overrides})
