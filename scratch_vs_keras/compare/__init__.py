"""Comparisons between the NumPy model and its Keras twin (imports TensorFlow when used)."""

from .diff import TOLERANCES, max_abs_diff, rel_diff, rel_diff_in_context, tolerance
from .gradients import (
    GradientComparison,
    compare_gradients,
    finite_difference_gradients,
    keras_sensitivities,
    keras_trace,
)

__all__ = [
    "TOLERANCES",
    "GradientComparison",
    "compare_gradients",
    "finite_difference_gradients",
    "keras_sensitivities",
    "keras_trace",
    "max_abs_diff",
    "rel_diff",
    "rel_diff_in_context",
    "tolerance",
]
from .training import Divergence, SideBySideRun, first_divergence, train_side_by_side

__all__ += ["Divergence", "SideBySideRun", "first_divergence", "train_side_by_side"]
