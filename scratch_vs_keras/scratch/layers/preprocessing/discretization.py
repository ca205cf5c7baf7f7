"""``Discretization``: a number -> the index of its bin, as ``keras.layers.Discretization``."""

import numbers

import numpy as np


class Discretization:
    r"""Bins numbers: index :math:`i` for :math:`b_{i-1} \le x < b_i` (``np.digitize``), with
    ``bin_boundaries`` given or found by ``adapt`` (``num_bins`` quantiles).

    ``adapt`` follows Keras's approximate quantiles: each batch is sorted and summarized by every
    :math:`\lceil n\epsilon\rceil`-th value with weight ``step``; summaries are merged (sorted,
    then compressed to :math:`1/\epsilon` points by interpolating their cumulative weights); the
    boundaries are the summary compressed to ``num_bins`` points, last one dropped. Like Keras,
    it works in float32, so the boundaries are float32 numbers.

    Args:
        bin_boundaries: sorted boundaries (``len + 1`` bins), or ``None`` with ``num_bins``.
        num_bins: the number of bins ``adapt`` finds.
        epsilon: the quantile error tolerance of ``adapt`` (Keras's default 0.01).
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int"):
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError("Pass exactly one of `bin_boundaries` (a sorted list) and `num_bins` "
                             "(then call adapt(data)).")
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral)
                                     or num_bins < 2):
            raise ValueError(f"`num_bins` must be an integer >= 2; received {num_bins!r}.")
        if output_mode != "int":
            raise ValueError(f"`output_mode` must be 'int'; received {output_mode!r}.")
        self.num_bins, self.epsilon, self.output_mode = num_bins, float(epsilon), output_mode
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        if self.bin_boundaries is not None and np.any(np.diff(self.bin_boundaries) < 0):
            raise ValueError("`bin_boundaries` must be sorted in increasing order.")

    def adapt(self, data):
        """Boundaries of ``num_bins`` quantile bins of ``data`` (an array, or a list of batches
        merged one after another as Keras merges a dataset's batches)."""
        if self.num_bins is None:
            raise ValueError("This Discretization was given `bin_boundaries`; adapt needs num_bins.")
        summary = np.array([[], []], dtype=np.float32)
        for batch in (data if isinstance(data, (list, tuple)) else [data]):
            values = np.asarray(batch, dtype=np.float32)
            if np.isnan(values).any():
                raise ValueError("Discretization.adapt received NaN; drop or fill missing values first.")
            merged = np.concatenate([_summarize(values, self.epsilon), summary], axis=1)
            summary = _compress(merged[:, np.argsort(merged[0])], self.epsilon)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()
        return self

    def __call__(self, values):
        if self.bin_boundaries is None:
            raise ValueError("Discretization has no boundaries: call adapt(data) first.")
        return np.digitize(np.asarray(values, dtype=np.float64), self.bin_boundaries).astype(np.int64)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode}

    def __repr__(self):
        bins = self.num_bins if self.bin_boundaries is None else len(self.bin_boundaries) + 1
        return f"Discretization({bins} bins)"


def _summarize(values, epsilon):
    """Every ``step``-th sorted value (from ``step - 1``), each weighted ``step``."""
    values = np.sort(values.reshape(-1))
    step = max(values.size * epsilon, 1)
    points = values[int(step - 1)::int(step)]
    return np.stack([points, np.full_like(points, step)])


def _compress(summary, epsilon):
    """The summary at ``1/epsilon`` evenly spaced cumulative-weight fractions (float32)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    share = cumulative / cumulative[-1]
    points = np.interp(fractions, share, summary[0])
    cumulative = np.interp(fractions, share, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack((points, weights)).astype(np.float32)
