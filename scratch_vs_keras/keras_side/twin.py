"""Build a compiled ``keras.Sequential`` from a ``scratch.Sequential``: the model's layer list is the
one description both sides come from. This module is the one place that translates the NumPy side
into Keras: layers (:data:`KERAS_LAYERS`, one entry per layer class), activations, initializers,
regularizers, losses, optimizers and schedules (from their complete ``get_config()``).

Keras fixes a model's float type when its layers, loss and optimizer are *created* (the dtype
policy, the loss dtype and the learning-rate variable are frozen then), and ``fit`` casts float
data to ``keras.config.floatx()``. So :func:`configure_keras` sets both the float type and the
dtype policy to the scratch model's dtype *before* anything is created, and leaves them set:
Keras's float type is global, and the twin must be trained under the one it was built with.
"""

import numpy as np

from ..scratch import initializers as s_init
from ..scratch import layers as s_layers
from ..scratch import optimizers as s_opt
from ..scratch import regularizers as s_reg
from ..timing import phase


def _keras():
    from ._tf import import_keras

    return import_keras()


def configure_keras(dtype, seed=None):
    """Set Keras's float type and dtype policy to ``dtype`` and make TensorFlow deterministic:
    op determinism on, and (with ``seed``) TensorFlow's global seed set, which deterministic
    random ops such as ``fit``'s own shuffling require."""
    keras = _keras()
    from ._tf import tensorflow

    tf = tensorflow()

    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    tf.config.experimental.enable_op_determinism()
    if seed is not None:
        tf.random.set_seed(seed)


def keras_activation(activation):
    """The Keras activation for a scratch one: its name, or, with arguments other than Keras's
    defaults (``relu(max_value=6.0)``, ``softmax(axis=0)``), a closure passing them."""
    arguments = activation.non_default_arguments()
    if not arguments:
        return activation.name
    fn = getattr(_keras().activations, activation.name)
    return lambda x: fn(x, **arguments)


def keras_initializer(initializer):
    """The Keras initializer of the same class and arguments (its ``get_config()``)."""
    keras = _keras()
    # an array given as the initializer is a Constant of that value
    name = "Constant" if isinstance(initializer, s_init.Constant) else type(initializer).__name__
    return getattr(keras.initializers, name)(**initializer.get_config())


def keras_regularizer(regularizer):
    """``scratch.regularizers.L2(l)`` -> ``keras.regularizers.L2(l)`` (and L1, L1L2,
    OrthogonalRegularizer)."""
    if regularizer is None:
        return None
    keras = _keras()
    if isinstance(regularizer, s_reg.OrthogonalRegularizer):
        if keras.config.floatx() == "float64":
            raise ValueError(
                "Keras 3.15.1's OrthogonalRegularizer keeps its factor as a float32 tensor and "
                "fails in a float64 model (a float32 * float64 multiplication); build this model "
                "with dtype='float32' to compare it with Keras."
            )
        return keras.regularizers.OrthogonalRegularizer(**regularizer.get_config())
    if isinstance(regularizer, s_reg.L1):
        return keras.regularizers.L1(regularizer.l1)
    if isinstance(regularizer, s_reg.L2):
        return keras.regularizers.L2(regularizer.l2)
    return keras.regularizers.L1L2(l1=regularizer.l1, l2=regularizer.l2)


def keras_loss(loss):
    """The ``keras.losses`` object of the same class, with the scratch loss's value for each of
    the Keras class's arguments (reduction, from_logits, delta, gamma, ignore_class, ...)."""
    import inspect

    keras = _keras()
    cls = getattr(keras.losses, type(loss).__name__)
    names = set(inspect.signature(cls.__init__).parameters) - {"self", "name", "dtype"}
    return cls(**{n: getattr(loss, n) for n in names if hasattr(loss, n)})


def keras_schedule(schedule):
    """The Keras learning-rate schedule of the same class, from the scratch one's ``get_config()``."""
    return _schedule_from_config(s_opt.schedules.serialize(schedule))


def _schedule_from_config(serialized):
    keras = _keras()
    return getattr(keras.optimizers.schedules, serialized["class_name"])(**serialized["config"])


def keras_optimizer(optimizer, model=None, twin=None):
    """A fresh Keras optimizer of the same class and arguments (``get_config()``, the learning
    rate's schedule or callable included), for the scratch model's ``compile(optimizer=...)``.

    The weight decay exclusions carry over: ``var_names`` as they are, ``var_list`` (arrays of
    the scratch ``model``) as the variables of the same names in its Keras ``twin``."""
    if optimizer is None:
        return "rmsprop"
    if not isinstance(optimizer, s_opt.Optimizer):
        return optimizer
    keras = _keras()
    cls = getattr(keras.optimizers, type(optimizer).__name__, None)
    if cls is None:
        raise ValueError(
            f"Keras has no optimizer {type(optimizer).__name__}; to_keras translates "
            f"{', '.join(sorted(c.__name__ for c in s_opt.ALL.values()))}."
        )
    config = optimizer.get_config()
    del config["name"]  # Keras names its own optimizer
    if isinstance(config["learning_rate"], dict):
        config["learning_rate"] = _schedule_from_config(config["learning_rate"])
    theirs = cls(**config)
    excluded = optimizer.weight_decay_exclusions()
    if excluded["var_list"] or excluded["var_names"]:
        theirs.exclude_from_weight_decay(
            var_list=_keras_variables(excluded["var_list"] or [], model, twin),
            var_names=excluded["var_names"])
    return theirs


def _keras_variables(arrays, model, twin):
    """The ``twin``'s variables for the scratch ``model``'s weight ``arrays`` (by name)."""
    if not arrays:
        return None
    ours = list(zip(model.weight_names(), model.weights)) if model is not None else []
    names = [next((n for n, w in ours if w is a), None) for a in arrays]
    if twin is None or None in names:
        raise ValueError(
            "exclude_from_weight_decay(var_list=...) names arrays that are not the translated "
            "model's own weights; translate with to_keras(model) (the model those arrays belong "
            "to), or exclude by name with var_names=['bias']."
        )
    by_name = dict(zip(keras_weight_names(twin), twin.trainable_weights))
    return [by_name[n] for n in names]


def _keras_dense(layer, keras):
    return keras.layers.Dense(
        layer.units,
        activation=keras_activation(layer.activation),
        use_bias=layer.use_bias,
        kernel_initializer=keras_initializer(layer.kernel_initializer),
        bias_initializer=keras_initializer(layer.bias_initializer),
        kernel_regularizer=keras_regularizer(layer.kernel_regularizer),
        bias_regularizer=keras_regularizer(layer.bias_regularizer),
        name=layer.name,
    )


def _keras_embedding(layer, keras):
    return keras.layers.Embedding(
        layer.input_dim, layer.output_dim,
        embeddings_initializer=keras_initializer(layer.embeddings_initializer),
        embeddings_regularizer=keras_regularizer(layer.embeddings_regularizer),
        name=layer.name,
    )


def _keras_seeded(layer, keras):
    """Keras's own ``Dropout`` or ``GaussianNoise`` with the layer's seed, its seed state moved on
    by the draws the NumPy layer has made already, so both draw the same next mask or noise."""
    if isinstance(layer, s_layers.Dropout):
        twin = keras.layers.Dropout(layer.rate, seed=layer.seed, name=layer.name)
    else:
        twin = keras.layers.GaussianNoise(layer.stddev, seed=layer.seed, name=layer.name)
    if layer.draws_in_training:  # Keras makes no seed generator for rate 0 or stddev 0
        twin.seed_generator.state.assign(np.array([layer.seed, layer.draws], dtype="int64"))
    return twin


def _keras_normalization(layer, keras):
    """Keras's ``BatchNormalization`` or ``LayerNormalization`` from the layer's ``get_config()``
    (its initializers and regularizers translated); the weights, moving statistics included,
    are copied afterwards."""
    config = layer.get_config()
    for key in config:
        if key.endswith("_initializer"):
            config[key] = keras_initializer(getattr(layer, key))
        elif key.endswith("_regularizer"):
            config[key] = keras_regularizer(getattr(layer, key))
    return getattr(keras.layers, type(layer).__name__)(**config)


def _keras_merge(layer, keras):
    """The Keras merge layer of the same class (``Add``, ``Multiply``, ...): no arguments."""
    return getattr(keras.layers, type(layer).__name__)(name=layer.name)


#: scratch layer class -> ``fn(layer, keras)`` returning the Keras layer with the same class,
#: arguments and name. A new layer adds one entry here (and nothing to the model code).
KERAS_LAYERS = {
    s_layers.Dense: _keras_dense,
    s_layers.Embedding: _keras_embedding,
    s_layers.Concatenate: lambda layer, keras: keras.layers.Concatenate(name=layer.name),
    s_layers.Identity: lambda layer, keras: keras.layers.Identity(name=layer.name),
    s_layers.Dropout: _keras_seeded,
    s_layers.GaussianNoise: _keras_seeded,
    s_layers.BatchNormalization: _keras_normalization,
    s_layers.LayerNormalization: _keras_normalization,
    s_layers.Dot: lambda layer, keras: keras.layers.Dot(axes=layer.axes, normalize=layer.normalize,
                                                        name=layer.name),
    **{merge: _keras_merge for merge in (s_layers.Add, s_layers.Subtract, s_layers.Multiply,
                                         s_layers.Average, s_layers.Maximum, s_layers.Minimum)},
}


def training_states(keras_model):
    """The variables a call with ``training=True`` moves on: each ``Dropout``'s and
    ``GaussianNoise``'s seed state
    ``(seed, draws)`` and each ``BatchNormalization``'s moving statistics (Keras's
    ``non_trainable_variables``). A measurement that calls the model in training mode restores
    them, so that it sees the mask the next training step draws and leaves the run's masks and
    moving statistics as the training steps alone make them."""
    return list(keras_model.non_trainable_variables)


def keras_preprocessing(layer):
    """The Keras preprocessing layer with the same state as a scratch one (its vocabulary, bins,
    boundaries or statistics, from ``get_config()``): it maps the same raw values to the same
    numbers (``StringLookup``, ``IntegerLookup``, ``HashedCrossing``, ``Discretization``,
    ``Normalization``)."""
    from ..scratch.layers import preprocessing as s_pre

    keras = _keras()
    config = layer.get_config()
    if isinstance(layer, (s_pre.StringLookup, s_pre.IntegerLookup)):
        if config["vocabulary"] is None:
            raise ValueError(f"{layer!r} has no vocabulary yet: adapt it first.")
        del config["max_tokens"]  # the vocabulary is already cut to it
        return getattr(keras.layers, type(layer).__name__)(**config)
    if isinstance(layer, s_pre.Discretization):
        return keras.layers.Discretization(bin_boundaries=config["bin_boundaries"])
    if isinstance(layer, s_pre.Normalization):
        # arrays, not the config's lists: Keras would read a list of floats as float32
        return keras.layers.Normalization(axis=-1, mean=layer.mean, variance=layer.variance)
    if isinstance(layer, s_pre.HashedCrossing):
        return keras.layers.HashedCrossing(**config)
    raise ValueError(f"keras_preprocessing translates the scratch preprocessing layers; received {layer!r}.")


def keras_layer(layer):
    """The Keras layer with the same class, arguments and name as a scratch layer."""
    build = KERAS_LAYERS.get(type(layer))
    if build is None:
        raise ValueError(
            f"to_keras translates {', '.join(c.__name__ for c in KERAS_LAYERS)} layers; this "
            f"model also has {layer!r}. (A course estimator with bias='row' is translated by "
            "scratch_vs_keras.course.keras.)"
        )
    return build(layer, _keras())


def to_keras(model, compile=True):
    """The compiled Keras twin of ``model``, starting from identical weights.

    Args:
        model: a built ``scratch.Sequential`` (it starts with ``Input`` or has seen data) or a
            functional ``scratch.Model``.
        compile: also compile the twin with the model's loss and optimizer (needs a compiled model).

    A ``Sequential`` becomes a ``keras.Sequential``, a ``Model`` a functional ``keras.Model`` with
    the same inputs (names, shapes, dtypes). Each layer keeps its class, name and arguments
    (units, activation, use_bias, initializers, regularizers); the weights are copied by layer
    name. The optimizer is a fresh one with the scratch optimizer's class and arguments (no state
    carried over).
    """
    with phase("keras_twin_build"):
        return _to_keras(model, compile)


def _to_keras(model, compile):
    from ..scratch import Model, Sequential

    if not isinstance(model, Model):
        raise TypeError(f"to_keras expects a scratch.Sequential or scratch.Model; received {type(model).__name__}.")
    if not model.built:
        raise ValueError(
            "to_keras needs a built model: start it with scratch.Input(shape=(n_features,)) or "
            "call it on data first."
        )
    keras = _keras()
    configure_keras(model.dtype, model.seed)
    if isinstance(model, Sequential):
        twin = keras.Sequential([keras.Input(shape=model.input_shape)]
                                + [keras_layer(layer) for layer in model.layers], name=model.name)
    else:
        inputs = [keras.Input(shape=n.shape, dtype="int32" if n.dtype == "int" else model.dtype,
                              name=n.name) for n in model.inputs]
        outputs = []
        for layer, sources in zip(model.layers, model.sources):
            args = [inputs[k] if kind == "input" else outputs[k] for kind, k in sources]
            outputs.append(keras_layer(layer)(args if len(args) > 1 else args[0]))
        twin = keras.Model(inputs=inputs, outputs=outputs[-1], name=model.name)
    copy_weights(model, twin)
    if compile:
        if model.loss is None:
            raise ValueError(
                "to_keras(compile=True) needs a compiled model: call model.compile(optimizer=..., "
                "loss=...) first, or pass compile=False."
            )
        twin.compile(
            optimizer=keras_optimizer(model.optimizer, model, twin),
            loss=keras_loss(model.loss),
            metrics=list(getattr(model, "metrics", []) or []) or None,
            loss_weights=model.loss_weights,
            jit_compile=False,  # XLA fuses arithmetic and so changes rounding
        )
    return twin


def keras_weight_names(keras_model):
    """``"layer/weight"`` names of a Keras model's trainable weights, in their order."""
    names = {}
    for layer in keras_model.layers:
        for v in layer.trainable_weights:
            names[id(v)] = f"{layer.name}/{v.name}"
    return [names[id(v)] for v in keras_model.trainable_weights]


def keras_variables(keras_model):
    """Every weight variable of a Keras model by ``"layer/weight"`` name, in ``model.weights``
    order (``get_weights``'s): the trainable ones and the non-trainable ones (moving statistics)."""
    return {f"{layer.name}/{v.name}": v for layer in keras_model.layers for v in layer.weights}


def keras_weights_by_name(keras_model, names):
    """The Keras model's weights as arrays, in the order of ``names`` (``"layer/weight"``)."""
    by_name = keras_variables(keras_model)
    return [by_name[n].numpy() for n in names]


def keras_inputs(model, x):
    """Validated scratch inputs in the form Keras takes: one array, or a dict by input name."""
    if isinstance(x, list):
        return {n.name: a for n, a in zip(model.inputs, x)}
    return x


def copy_weights(source, target):
    """Copy weights from ``source`` to ``target`` (either side), matched by layer and weight name."""
    from ..scratch import Model

    if isinstance(source, Model):
        by_name = dict(zip(source.weight_names(), source.get_weights()))
    else:
        by_name = {n: v.numpy() for n, v in keras_variables(source).items()}
    if isinstance(target, Model):
        target.set_weights([by_name[n] for n in target.weight_names()])
    else:
        missing = [n for n in keras_weight_names(target) if n not in by_name]
        if missing:
            raise ValueError(f"No source weights for {missing}; the two models' layers differ.")
        # non-trainable weights (moving statistics) where the source has them: a Keras layer's
        # own state the NumPy model does not describe is left as Keras made it
        for n, v in keras_variables(target).items():
            if n not in by_name:
                continue
            if tuple(v.shape) != by_name[n].shape:
                raise ValueError(f"Weight {n} has shape {tuple(v.shape)} in Keras but "
                                 f"{by_name[n].shape} in the source.")
            v.assign(by_name[n])
    return target
