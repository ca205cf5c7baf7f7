"""scratch_vs_keras: a from-scratch NumPy MLP and its Keras twin, proven equal number by number.

``scratch_vs_keras.scratch`` is the NumPy side and never imports TensorFlow. The Keras side
(``to_keras``) and the comparisons (``compare_gradients``) import TensorFlow when first used.
"""

__version__ = "0.1.0"

_LAZY = {
    "to_keras": ("scratch_vs_keras.keras_side", "to_keras"),
    "compare_gradients": ("scratch_vs_keras.compare", "compare_gradients"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'scratch_vs_keras' has no attribute {name!r}")


__all__ = ["scratch", "to_keras", "compare_gradients", "__version__"]
