"""Build a compiled ``keras.Sequential`` from a ``scratch.Sequential``: the model's layer list is the
one description both sides come from.

Keras fixes a model's float type when its layers, loss and optimizer are *created* (the dtype
policy, the loss dtype and the learning-rate variable are frozen then), and ``fit`` casts float
data to ``keras.config.floatx()``. So :func:`configure_keras` sets both the float type and the
dtype policy to the scratch model's dtype *before* anything is created, and leaves them set:
Keras's float type is global, and the twin must be trained under the one it was built with.
"""

import numpy as np

from ..scratch import initializers as s_init
from ..scratch import losses as s_losses
from ..scratch import regularizers as s_reg
from ..scratch.activations import LeakyReLU


def _keras():
    from ._tf import import_keras

    return import_keras()


def configure_keras(dtype):
    """Set Keras's float type and dtype policy to ``dtype`` and make TensorFlow's ops deterministic."""
    keras = _keras()
    import tensorflow as tf

    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    tf.config.experimental.enable_op_determinism()


def keras_activation(activation):
    """The Keras activation for a scratch one (its name, or a closure for a non-default slope)."""
    if isinstance(activation, LeakyReLU) and activation.negative_slope != 0.2:
        keras = _keras()
        slope = activation.negative_slope
        return lambda x: keras.activations.leaky_relu(x, negative_slope=slope)
    return activation.name


def keras_initializer(initializer):
    keras = _keras()
    return keras.initializers.get(
        {"class_name": s_init.serialize(initializer), "config": initializer.get_config()}
    )


def keras_regularizer(regularizer):
    """``scratch.regularizers.L2(l)`` -> ``keras.regularizers.L2(l)`` (and L1, L1L2)."""
    if regularizer is None:
        return None
    keras = _keras()
    if isinstance(regularizer, s_reg.L1):
        return keras.regularizers.L1(regularizer.l1)
    if isinstance(regularizer, s_reg.L2):
        return keras.regularizers.L2(regularizer.l2)
    return keras.regularizers.L1L2(l1=regularizer.l1, l2=regularizer.l2)


def keras_loss(loss):
    """The ``keras.losses`` object with the same class, reduction and ``from_logits``."""
    keras = _keras()
    cls = getattr(keras.losses, type(loss).__name__)
    kwargs = {"reduction": loss.reduction}
    if isinstance(loss, s_losses._CrossEntropy):
        kwargs["from_logits"] = loss.from_logits
    return cls(**kwargs)


def keras_optimizer(optimizer):
    """The Keras optimizer for the scratch model's ``compile(optimizer=...)``."""
    if optimizer is None:
        return "rmsprop"
    to_keras = getattr(optimizer, "to_keras", None)
    if to_keras is not None:
        return to_keras()
    return optimizer


def to_keras(model, compile=True):
    """The compiled ``keras.Sequential`` twin of ``model``, starting from identical weights.

    Args:
        model: a built ``scratch.Sequential`` (it starts with ``Input`` or has seen data).
        compile: also compile the twin with the model's loss and optimizer (needs a compiled model).

    The twin's layers have the scratch layers' names, units, activations, ``use_bias``,
    initializers and regularizers; its weights are ``model.get_weights()``. Its optimizer is a
    fresh one with the scratch optimizer's class and arguments (no state carried over).
    """
    from ..scratch import Sequential

    if not isinstance(model, Sequential):
        raise TypeError(f"to_keras expects a scratch.Sequential; received {type(model).__name__}.")
    if not model.built:
        raise ValueError(
            "to_keras needs a built model: start it with scratch.Input(shape=(n_features,)) or "
            "call it on data first."
        )
    from ..scratch.layers import Dense

    others = [layer for layer in model.layers if not isinstance(layer, Dense)]
    if others:
        raise ValueError(
            f"to_keras translates Dense layers only; this model also has {others[0]!r}. (A course "
            "estimator with bias='row' is translated by scratch_vs_keras.keras_side.course.)"
        )
    keras = _keras()
    configure_keras(model.dtype)
    layers = [keras.Input(shape=model.input_shape)]
    for layer in model.layers:
        layers.append(
            keras.layers.Dense(
                layer.units,
                activation=keras_activation(layer.activation),
                use_bias=layer.use_bias,
                kernel_initializer=keras_initializer(layer.kernel_initializer),
                bias_initializer=keras_initializer(layer.bias_initializer),
                kernel_regularizer=keras_regularizer(layer.kernel_regularizer),
                bias_regularizer=keras_regularizer(layer.bias_regularizer),
                name=layer.name,
            )
        )
    twin = keras.Sequential(layers, name=model.name)
    twin.set_weights(model.get_weights())
    if compile:
        model._require_loss()
        twin.compile(
            optimizer=keras_optimizer(model.optimizer),
            loss=keras_loss(model.loss),
            metrics=list(getattr(model, "metrics", []) or []) or None,
            loss_weights=model.loss_weights,
            jit_compile=False,  # XLA fuses arithmetic and so changes rounding
        )
    return twin


def copy_weights(source, target):
    """Copy weights from ``source`` to ``target`` (either side), in Keras's shared order and layout."""
    target.set_weights([np.array(w) for w in source.get_weights()])
    return target
