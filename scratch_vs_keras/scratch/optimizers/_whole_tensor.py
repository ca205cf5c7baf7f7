"""What the optimizers added for issue 16 (Lion, Lamb, Ftrl, Adafactor) share beyond the base class.

* :class:`WholeTensorSteps`: Lamb's trust ratio uses each tensor's norm and Adafactor factors a
  kernel's second moment into row and column means, so their step must see the model's tensors
  one by one. The trainer steps Dense-only models on one flat weight buffer (its layout: the
  tensors, in order, back to back); the mixin cuts that buffer back into the tensors.
* :func:`dense_gradient`: these optimizers take dense gradients only. An Embedding's row-wise
  gradient (:class:`SparseRows`) would reach Keras's version as ``IndexedSlices``, whose
  arithmetic inside these update rules has not been compared with Keras here, so it is refused
  rather than guessed.
"""

import numpy as np

from .base import SparseRows


class WholeTensorSteps:
    """Mixin (before :class:`Optimizer` in the bases): ``apply`` on a flat buffer steps tensor by tensor."""

    def apply(self, grads, variables, tensors=None):
        if tensors is not None and len(variables) == 1 and len(tensors) > 1:
            grads, variables = list(tensors), _cut(variables[0], tensors)
        super().apply(grads, variables)


def _cut(flat, tensors):
    """Views of ``flat`` shaped like ``tensors`` (the buffer's layout: back to back, in order)."""
    views, start = [], 0
    for t in tensors:
        views.append(flat[start:start + t.size].reshape(t.shape))
        start += t.size
    if start != flat.size:
        raise ValueError(
            f"The flat weight buffer holds {flat.size} numbers but the gradient tensors "
            f"{start}; pass the tensors themselves to `apply`."
        )
    return views


def dense_gradient(gradient, optimizer):
    """``gradient`` if it is a dense array, else a ValueError naming the optimizer and the fix."""
    if isinstance(gradient, SparseRows):
        raise ValueError(
            f"{type(optimizer).__name__} takes dense gradients only: an Embedding's row-wise "
            "gradient has not been checked against Keras for it. Use one of SGD, RMSprop, Adagrad, "
            "Adadelta, Adam, AdamW, Adamax, Nadam with Embedding layers."
        )
    return np.asarray(gradient)
