"""Seaborn figures for the reports: each function returns a :class:`~.document.Figure`.

Relative differences are drawn on a log scale; exact zeros (the two sides bit-identical) cannot
be, and are drawn at the bottom edge, 1e-18, which the captions say.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
import seaborn as sns  # noqa: E402

from .document import Figure  # noqa: E402

ZERO_FLOOR = 1e-18
SIDE_PALETTE = {"NumPy (scratch)": "#1f77b4", "Keras (model.fit)": "#ff7f0e"}
SIDE_NAMES = {"scratch": "NumPy (scratch)", "keras": "Keras (model.fit)"}

sns.set_theme(style="whitegrid", context="notebook")


def _floor(values):
    v = np.asarray(values, dtype=float)
    return np.where(v > 0, v, ZERO_FLOOR)


def _integer_ticks(grid, data, x):
    """Whole-number ticks on an axis of steps, epochs, layers or depths."""
    if np.issubdtype(np.asarray(data[x]).dtype, np.integer):
        for ax in grid.axes.flat:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _epochs_from_one(data, x):
    """Epochs are counted from 1 in the figures (the records count from 0)."""
    if x == "epoch":
        data = data.assign(epoch=data["epoch"] + 1)
    return data


def overlaid_curves(frame, x, y, name, title, xlabel, ylabel, caption, col=None, col_wrap=4,
                    logy=False, logx=False, markers=False):
    """Both sides' curves overlaid (NumPy solid, Keras dashed) — where they coincide the dashes
    lie on the solid line."""
    data = _epochs_from_one(frame.copy(), x)
    data["side"] = data["side"].map(lambda s: SIDE_NAMES.get(s, s))
    grid = sns.relplot(data=data, x=x, y=y, hue="side", style="side", kind="line", col=col,
                       col_wrap=col_wrap if col else None, palette=SIDE_PALETTE,
                       dashes={"NumPy (scratch)": "", "Keras (model.fit)": (4, 3)},
                       markers={"NumPy (scratch)": "o", "Keras (model.fit)": "X"} if markers else False,
                       height=3.0 if col else 4.0, aspect=1.3 if col else 1.6,
                       facet_kws={"sharey": False}, errorbar=None)
    grid.set_axis_labels(xlabel, ylabel)
    if logy:
        grid.set(yscale="log")
    if logx:
        grid.set(xscale="log")
    else:
        _integer_ticks(grid, data, x)
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    sns.move_legend(grid, "upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, title=None,
                    frameon=False)
    return Figure(name, grid.figure, caption)


def differences_over_time(frame, x, name, title, xlabel, caption, hue="layer", tolerance=None,
                          col=None, col_wrap=4,
                          ylabel="relative difference |NumPy − Keras| / max|Keras|"):
    """Relative differences NumPy vs Keras on a log scale, with the tolerance as a red line."""
    data = _epochs_from_one(frame.copy(), x)
    data["relative difference"] = _floor(data["value"])
    size = 30 if len(data) < 300 else 9
    grid = sns.relplot(data=data, x=x, y="relative difference", hue=hue, kind="scatter", col=col,
                       col_wrap=col_wrap if col else None, height=3.0 if col else 4.0,
                       aspect=1.3 if col else 1.6, s=size, alpha=0.7, linewidth=0)
    _integer_ticks(grid, data, x)
    grid.set(yscale="log", ylim=(ZERO_FLOOR / 3, 1.0))
    grid.set_axis_labels(xlabel, ylabel)
    if tolerance is not None:
        for ax in grid.axes.flat:
            ax.axhline(tolerance, color="red", linestyle=":", linewidth=1.2)
            ax.text(ax.get_xlim()[0], tolerance * 1.6, f" tolerance {tolerance:.0e}", color="red",
                    fontsize=8, va="bottom")
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    return Figure(name, grid.figure, caption + f" Exact zeros are drawn at {ZERO_FLOOR:.0e}.")


def bars(frame, x, y, name, title, xlabel, ylabel, caption, hue=None, logy=False, rotate=False):
    """A bar chart (e.g. the worst difference per run, or a final metric per setting)."""
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * frame[x].nunique() + 3), 4))
    sns.barplot(data=frame, x=x, y=y, hue=hue, ax=ax, errorbar=None)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if rotate:
        ax.tick_params(axis="x", rotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    fig.tight_layout()
    return Figure(name, fig, caption)


def lines(frame, x, y, name, title, xlabel, ylabel, caption, hue=None, style=None, col=None,
          col_wrap=3, logy=False, markers=True, sharey=True):
    """Generic lines with markers (e.g. gradient magnitude per layer), optionally faceted."""
    data = _epochs_from_one(frame, x)
    grid = sns.relplot(data=data, x=x, y=y, hue=hue, style=style or hue,
                       col=col, kind="line", markers=markers, dashes=style is not None,
                       col_wrap=col_wrap if col else None, height=3.2 if col else 4.0,
                       aspect=1.25 if col else 1.6, errorbar=None, facet_kws={"sharey": sharey})
    _integer_ticks(grid, data, x)
    if logy:
        grid.set(yscale="log")
    grid.set_axis_labels(xlabel, ylabel)
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    return Figure(name, grid.figure, caption)


def scatter(frame, x, y, name, title, xlabel, ylabel, caption, hue=None, style=None, col=None,
            col_order=None, col_wrap=3):
    """Points (e.g. one per sample), optionally faceted."""
    grid = sns.relplot(data=frame, x=x, y=y, hue=hue, style=style, col=col, col_order=col_order,
                       kind="scatter", col_wrap=col_wrap if col else None, s=22, alpha=0.75,
                       height=3.4 if col else 4.0, aspect=1.2 if col else 1.6)
    grid.set_axis_labels(xlabel, ylabel)
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    return Figure(name, grid.figure, caption)
