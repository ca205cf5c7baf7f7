"""One flat buffer for all of a model's weights, and one for their gradients.

The rule: after :class:`WeightBuffer` packs a model's layers, every ``layer.weights[j]`` is a
*view* into :attr:`WeightBuffer.values`, and the backward pass can write each gradient into the
matching view of :attr:`WeightBuffer.gradients`. An optimizer step on the whole model is then a
handful of NumPy operations on one vector instead of a handful per tensor: the same arithmetic,
element by element (a course-scale step spends a third of its time in such per-call overhead).

A copy of a model (``copy.deepcopy``, ``pickle``) copies each view as an array of its own, which
breaks the rule; the model therefore packs its copy again (``Model.__setstate__``), and
:meth:`holds` tells whether the rule still holds.

Only Dense-like layers step on the flat vector: an Embedding's row-wise gradient
(:class:`~scratch_vs_keras.scratch.sparse.SparseRows`) and per-tensor clipping (``clipnorm``) need
the tensors one by one (:attr:`steps_flat`).
"""

import numpy as np


class WeightBuffer:
    """Packs ``layers``' weights (in their order) into one ``dtype`` vector; see the module doc.

    Attributes:
        values: all weights, flat; each ``layer.weights[j]`` is a view into it.
        gradients: a vector of the same layout for the gradients.
        gradient_views: per layer, the views of ``gradients`` shaped like its weights.
        steps_flat: whether an optimizer may step on ``values`` as one tensor (no layer produces
            row-wise gradients).
    """

    def __init__(self, layers, dtype):
        weights = [w for layer in layers for w in layer.weights]
        self.values = np.empty(sum(w.size for w in weights), dtype=dtype)
        self.gradients = np.empty_like(self.values)
        self.gradient_views = []
        start = 0
        for layer in layers:
            views, gviews = [], []
            for w in layer.weights:
                view = self.values[start:start + w.size].reshape(w.shape)
                view[...] = w
                views.append(view)
                gviews.append(self.gradients[start:start + w.size].reshape(w.shape))
                start += w.size
            layer.weights = views
            self.gradient_views.append(gviews)
        self.steps_flat = not any(layer.sparse_gradients for layer in layers)

    def holds(self, layers):
        """Whether ``layers``' weights are (still) views into this buffer."""
        weights = [w for layer in layers for w in layer.weights]
        return not weights or np.shares_memory(weights[0], self.values)
