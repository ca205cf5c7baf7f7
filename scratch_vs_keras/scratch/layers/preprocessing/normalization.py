"""``Normalization``: features shifted and scaled to mean 0, variance 1, as Keras's."""

import numpy as np

#: Keras's ``backend.epsilon()``: the smallest standard deviation it divides by
EPSILON = 1e-7


class Normalization:
    r""":math:`(x - \mu) / \max(\sqrt{\sigma^2}, \epsilon)` per feature (the last axis), as
    ``keras.layers.Normalization(axis=-1)``, with ``mean``/``variance`` given or from ``adapt``.

    ``adapt`` on a list of batches merges them as Keras does (each batch's mean and variance
    weighted into the running ones: :math:`w = n_b / n`, :math:`\mu' = (1-w)\mu + w\mu_b`,
    :math:`\sigma'^2 = (1-w)(\sigma^2 + (\mu - \mu')^2) + w(\sigma_b^2 + (\mu_b - \mu')^2)`);
    on one array it is ``np.mean``/``np.var`` (the population variance, not ``ddof=1``).

    Args:
        mean, variance: per-feature statistics, or ``None`` for ``adapt``.
        dtype: the float type statistics and outputs are computed in (Keras's compute dtype).
    """

    def __init__(self, mean=None, variance=None, dtype="float64"):
        if (mean is None) != (variance is None):
            raise ValueError("Pass both `mean` and `variance`, or neither (then call adapt(data)).")
        self.dtype = np.dtype(dtype)
        self.mean = None if mean is None else np.atleast_1d(np.asarray(mean, self.dtype))
        self.variance = None if variance is None else np.atleast_1d(np.asarray(variance, self.dtype))

    def adapt(self, data):
        """The per-feature mean and variance of ``data`` (2-D, or a list of 2-D batches)."""
        if not isinstance(data, (list, tuple)):
            x = self._check(data)
            self.mean, self.variance = x.mean(axis=0), x.var(axis=0)
            return self
        mean = variance = np.zeros(self._check(data[0]).shape[1], self.dtype)
        count = 0
        for batch in data:
            x = self._check(batch)
            count += len(x)
            w = float(len(x)) / count
            new_mean = mean * (1.0 - w) + x.mean(axis=0) * w
            variance = (variance + (mean - new_mean) ** 2) * (1.0 - w) \
                + (x.var(axis=0) + (x.mean(axis=0) - new_mean) ** 2) * w
            mean = new_mean
        self.mean, self.variance = mean, variance
        return self

    def _check(self, batch):
        x = np.asarray(batch, dtype=self.dtype)
        x = x.reshape(-1, 1) if x.ndim == 1 else x
        if x.ndim != 2 or not np.isfinite(x).all():
            raise ValueError("Normalization takes a 2-D array of finite numbers (rows x features); "
                             "fill or drop missing values first.")
        return x

    def __call__(self, values):
        if self.mean is None:
            raise ValueError("Normalization has no statistics: call adapt(data) first.")
        x = np.asarray(values, dtype=self.dtype)
        return (x - self.mean) / np.maximum(np.sqrt(self.variance), self.dtype.type(EPSILON))

    def get_config(self):
        return {"mean": None if self.mean is None else self.mean.tolist(),
                "variance": None if self.variance is None else self.variance.tolist()}

    def __repr__(self):
        return f"Normalization({'not adapted' if self.mean is None else f'{self.mean.size} features'})"
