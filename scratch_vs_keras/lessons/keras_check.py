"""A student's own Keras model, proven equal to the NumPy model the lesson built: the lessons'
exercises where the student writes ``Input``/``Dense``/``concatenate``/``Model`` themselves.

:func:`check_keras_model` sets Keras to the NumPy model's float type *before* calling the
student's builder (Keras freezes a layer's dtype when the layer is created), checks that the
model has the NumPy model's layers by name and its weights by name and shape, copies the NumPy
weights into it (so both start from identical weights), and compares one batch on both sides
with :func:`~scratch_vs_keras.compare.compare_gradients`: every layer's output, the loss and
every gradient, within the equivalence contract's tolerances. Like the gradient checker it
never raises for the student's answer: a skeleton is "not done", an error names the line.
"""

import difflib
from dataclasses import dataclass

from .answers import Refused, call_student


@dataclass
class KerasModelCheck:
    """What :func:`check_keras_model` found: ``status`` is ``"right"`` (the comparison is a
    MATCH), ``"wrong"`` (compared, not equal), ``"not done"``, ``"error"`` or ``"bad answer"``;
    ``comparison`` is the :class:`~scratch_vs_keras.compare.GradientComparison` when one ran and
    ``keras_model`` the student's model (with the NumPy model's weights) when it could be built."""

    status: str
    message: str = ""
    comparison: object = None
    keras_model: object = None

    @property
    def ok(self):
        return self.status == "right"

    def __str__(self):
        if self.comparison is None:
            return self.message
        return f"{self.comparison}\n{self.message}".rstrip()


def check_keras_model(build, model, x, y):
    """Check the student's Keras model against ``model``, the compiled ``scratch`` model.

    Args:
        build: the student's function ``build() -> keras.Model`` (compiled, with the layer names
            the exercise gives), called after Keras is set to ``model``'s float type.
        model: the compiled ``scratch.Model``/``Sequential`` it must equal.
        x, y: one batch (an array, or a dict by input name).

    Returns a :class:`KerasModelCheck`; ``str()`` of it is the comparison table and a verdict.
    """
    from ..keras_side import configure_keras, copy_weights, keras_weight_names

    fname = getattr(build, "__name__", "build")
    try:
        configure_keras(model.dtype, model.seed)
        theirs = call_student(build, (), f"your function {fname}()")
        _check_model(theirs, fname)
        _check_layers(theirs, model, keras_weight_names(theirs))
        copy_weights(model, theirs)
    except Refused as refused:
        return KerasModelCheck(refused.feedback.status, refused.feedback.message)
    from ..compare import compare_gradients

    try:
        comparison = compare_gradients(model, x, y, keras_model=theirs, finite_differences=False)
    except Exception as exc:  # the student's model, whatever it raises: evidence, not a crash
        return KerasModelCheck("error", f"Your Keras model could not be run on the batch: "
                               f"{type(exc).__name__}: {str(exc).splitlines()[0]}", None, theirs)
    if comparison.ok:
        return KerasModelCheck("right", "Your Keras model is the NumPy model: same layers, same "
                               "outputs, same loss, same gradients.", comparison, theirs)
    return KerasModelCheck("wrong", "Your Keras model computes other numbers: the first row out "
                           "of tolerance names the layer where it differs (an activation, a "
                           "missing layer, another loss).", comparison, theirs)


def _check_model(theirs, fname):
    if not all(hasattr(theirs, a) for a in ("layers", "trainable_weights", "compiled")):
        raise Refused("bad answer", f"{fname}() returned a {type(theirs).__name__}; return the "
                      "keras.Model(inputs=..., outputs=...) you built.")
    if not theirs.compiled:
        raise Refused("bad answer", f"The model {fname}() returned is not compiled: call "
                      "model.compile(optimizer=..., loss=...) with the loss the exercise names "
                      "before returning it.")


def _check_layers(theirs, model, names):
    """Refused ("bad answer") naming missing layers, unexpected weights or wrong shapes."""
    wanted = [layer.name for layer in model.layers]
    have = [layer.name for layer in theirs.layers]
    missing = [n for n in wanted if n not in have]
    if missing:
        hints = [f"{n!r}" + (f" (yours: {near[0]!r}?)" if (near := difflib.get_close_matches(n, have, 1))
                             else "") for n in missing]
        raise Refused("bad answer", f"Your model has no layer named {', '.join(hints)}. Give each "
                      f"layer the name the exercise lists (name=...): {', '.join(map(repr, wanted))}.")
    shapes = dict(zip(names, (tuple(w.shape) for w in theirs.trainable_weights)))
    for n, w in zip(model.weight_names(), model.get_weights()):
        if n not in shapes:
            raise Refused("bad answer", f"Your model has no weight {n!r}; check use_bias and the "
                          "layer's type.")
        if shapes[n] != w.shape:
            raise Refused("bad answer", f"Your weight {n!r} has shape {shapes[n]}, the NumPy model's "
                          f"{w.shape}. A Keras kernel is (inputs, units): check the units and what "
                          "feeds the layer.")
    extra = [n for n in names if n not in model.weight_names()]
    if extra:
        raise Refused("bad answer", f"Your model has weights the NumPy model lacks: "
                      f"{', '.join(extra)}; build exactly the layers the exercise lists.")
