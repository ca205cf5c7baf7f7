"""The Keras twin of a scratch model: same layers, activations, penalties, loss, identical weights.

Only this package and :mod:`scratch_vs_keras.compare` import TensorFlow, and only when used.
"""

from .twin import (
    configure_keras,
    KERAS_LAYERS,
    copy_weights,
    keras_inputs,
    keras_layer,
    keras_loss,
    keras_optimizer,
    keras_preprocessing,
    keras_regularizer,
    keras_schedule,
    keras_weight_names,
    keras_weights_by_name,
    keras_variables,
    to_keras,
    training_states,
)

__all__ = ["KERAS_LAYERS", "configure_keras", "copy_weights", "keras_inputs", "keras_layer",
           "keras_loss", "keras_optimizer", "keras_preprocessing", "keras_regularizer", "keras_schedule",
           "keras_variables", "keras_weight_names", "keras_weights_by_name", "to_keras",
           "training_states"]
