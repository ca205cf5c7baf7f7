"""Seaborn figures for the reports: each function returns a :class:`~.document.Figure`.

Conventions every figure keeps, so that a figure never contradicts its caption or its neighbour:

- **Sides.** NumPy is solid with circles, Keras dashed with crosses, in every figure that has a
  side (a fixed mapping, not seaborn's order of appearance, which flipped them).
- **Colours.** A categorical variable's levels get colours from :data:`PALETTE` in sorted order
  (:func:`category_palette`), so ``relu`` has the same colour in every figure of a report that
  shows the same activations, whatever order the rows came in. The palette's colours are at least
  30 CIELAB units apart; past its nine colours the markers change too, so no two levels look alike.
- **Legends** go below the axes, never over bars or curves.
- **Bounds.** A chart of differences draws the tolerance each quantity is held to (one dotted line
  per distinct bound, labelled), so round-off far below it is not read as a ranking.

Relative differences are drawn on a log scale; exact zeros (the two sides bit-identical) cannot
be, and are drawn at the bottom edge, 1e-18, which the captions say.
"""

import functools

import numpy as np

from ..timing import phase
from .document import Figure

ZERO_FLOOR = 1e-18
SIDE_NAMES = {"scratch": "NumPy (scratch)", "keras": "Keras (model.fit)"}
SIDE_PALETTE = {"NumPy (scratch)": "#1f77b4", "Keras (model.fit)": "#ff7f0e"}
# Paul Tol's "bright" scheme with black, orange and grey: colour-blind safe, well apart.
PALETTE = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#000000", "#EE7733",
           "#999999"]
MARKERS = ["o", "s", "^", "D", "v", "P"]
BOUND_COLOR = "#b00020"


@functools.cache
def plotting():
    """``(pyplot, seaborn)``, imported (Agg backend, the reports' theme) on the first figure: the
    command line's checks, and a bad input's message, need not wait the two seconds that seaborn
    and SciPy take to import."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt, sns


def _timed(draw):
    """``draw``, its time counted as the report's (see :mod:`scratch_vs_keras.timing`)."""
    @functools.wraps(draw)
    def timed(*args, **kwargs):
        with phase("report"):
            return draw(*args, **kwargs)
    return timed


def _floor(values):
    v = np.asarray(values, dtype=float)
    return np.where(v > 0, v, ZERO_FLOOR)


def _sorted_levels(values):
    levels = list(dict.fromkeys(values))
    try:
        return sorted(levels)
    except TypeError:  # mixed types: sort by their text
        return sorted(levels, key=str)


def category_palette(levels):
    """``{level: colour}`` for a categorical variable: sorted levels, :data:`PALETTE` in turn."""
    return {lv: PALETTE[i % len(PALETTE)] for i, lv in enumerate(_sorted_levels(levels))}


def category_markers(levels):
    """``{level: marker}``: the same marker until the palette's colours run out, then the next."""
    return {lv: MARKERS[(i // len(PALETTE)) % len(MARKERS)]
            for i, lv in enumerate(_sorted_levels(levels))}


def _sides(data, var):
    """``{level: "numpy" | "keras"}`` where every level of ``var`` names a side, else None."""
    if var is None:
        return None
    sides = {}
    for level in data[var].unique():
        text = str(level)
        if text == "scratch" or text.startswith("NumPy"):
            sides[level] = "numpy"
        elif text == "keras" or text.startswith("Keras"):
            sides[level] = "keras"
        else:
            return None
    return sides


def _side_order(sides):
    return sorted(sides, key=lambda lv: (sides[lv] != "numpy", str(lv)))


def _hue(data, hue, palette=None):
    """seaborn keyword arguments for a fixed palette of ``hue`` (see the module's notes)."""
    if hue is None:
        return {}
    sides = _sides(data, hue)
    if sides:
        colors = {"numpy": SIDE_PALETTE["NumPy (scratch)"], "keras": SIDE_PALETTE["Keras (model.fit)"]}
        return {"hue": hue, "palette": {lv: colors[sides[lv]] for lv in sides},
                "hue_order": _side_order(sides)}
    palette = palette or category_palette(data[hue])
    return {"hue": hue, "palette": palette, "hue_order": [lv for lv in palette if lv in set(data[hue])]}


def _style(data, style, lines=True):
    """seaborn keyword arguments for ``style``: a side is NumPy solid/circles, Keras dashed/crosses."""
    if style is None:
        return {}
    sides = _sides(data, style)
    if not sides:
        return {"style": style}
    kwargs = {"style": style, "style_order": _side_order(sides),
              "markers": {lv: "o" if sides[lv] == "numpy" else "X" for lv in sides}}
    if lines:
        kwargs["dashes"] = {lv: "" if sides[lv] == "numpy" else (4, 3) for lv in sides}
    return kwargs


def _integer_ticks(grid, data, x):
    """Whole-number ticks on an axis of steps, epochs, layers or depths."""
    from matplotlib.ticker import MaxNLocator

    if np.issubdtype(np.asarray(data[x]).dtype, np.integer):
        for ax in grid.axes.flat:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _epochs_from_one(data, x):
    """Epochs are counted from 1 in the figures (the records count from 0)."""
    if x == "epoch":
        data = data.assign(epoch=data["epoch"] + 1)
    return data


def _legend_below(grid, ncol=None, one_row=False):
    """The grid's legend under the axes, where it covers nothing (``one_row`` for a legend of
    several variables, whose titles would otherwise land mid-column)."""
    sns = plotting()[1]
    if grid.legend is not None:
        n = len(grid.legend.get_texts())
        sns.move_legend(grid, "upper center", bbox_to_anchor=(0.5, 0.0), frameon=False,
                        ncol=ncol or (n if one_row else min(n, 4)), title=None)


def _bounds(tolerance, colors=None):
    """``[(label, value, colour)]`` from one bound or ``{label: bound}``; labels that share a
    bound share a line."""
    if tolerance is None:
        return []
    if not isinstance(tolerance, dict):
        return [("tolerance", float(tolerance), BOUND_COLOR)]
    by_value = {}
    for label, value in tolerance.items():
        if value is not None and np.isfinite(value):
            by_value.setdefault(float(value), []).append(str(label))
    colors = colors or {}
    return [(", ".join(labels), value,
             colors.get(labels[0], BOUND_COLOR) if len(labels) == 1 else BOUND_COLOR)
            for value, labels in sorted(by_value.items())]


def draw_bounds(ax, tolerance, colors=None):
    """One dotted line per distinct bound, labelled at its right end."""
    for label, value, color in _bounds(tolerance, colors):
        ax.axhline(value, color=color, linestyle=":", linewidth=1.4, zorder=3)
        text = f"bound {value:.0e}" if label == "tolerance" else f"{label}: bound {value:.0e}"
        ax.text(0.99, value * 1.5, text, transform=ax.get_yaxis_transform(), color=color,
                fontsize=8, ha="right", va="bottom", zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 1})


@_timed
def overlaid_curves(frame, x, y, name, title, xlabel, ylabel, caption, col=None, col_wrap=4,
                    logy=False, logx=False, markers=False):
    """Both sides' curves overlaid (NumPy solid, Keras dashed) — where they coincide the dashes
    lie on the solid line."""
    sns = plotting()[1]
    data = _epochs_from_one(frame.copy(), x)
    data["side"] = data["side"].map(lambda s: SIDE_NAMES.get(s, s))
    style = _style(data, "side")
    if not markers:
        style["markers"] = False
    grid = sns.relplot(data=data, x=x, y=y, kind="line", col=col,
                       col_wrap=col_wrap if col else None, **_hue(data, "side"), **style,
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
    _legend_below(grid, ncol=2)
    return Figure(name, grid.figure, caption)


@_timed
def differences_over_time(frame, x, name, title, xlabel, caption, hue="layer", tolerance=None,
                          col=None, col_wrap=4, palette=None,
                          ylabel="relative difference |NumPy − Keras| / max|Keras|"):
    """Relative differences NumPy vs Keras on a log scale, with each bound as a dotted line.

    ``tolerance``: one bound, or ``{label: bound}`` (a hue level, or a name for several); each
    distinct bound gets its own line."""
    sns = plotting()[1]
    data = _epochs_from_one(frame.copy(), x)
    data["relative difference"] = _floor(data["value"])
    size = 30 if len(data) < 300 else 9
    hue_kw = _hue(data, hue, palette)
    marker_kw = {}
    if hue is not None and not _sides(data, hue):
        marker_kw = {"style": hue, "style_order": hue_kw["hue_order"],
                     "markers": category_markers(hue_kw["hue_order"])}
    grid = sns.relplot(data=data, x=x, y="relative difference", kind="scatter", col=col,
                       col_wrap=col_wrap if col else None, height=3.0 if col else 4.0,
                       aspect=1.3 if col else 1.6, s=size, alpha=0.8, linewidth=0,
                       **hue_kw, **marker_kw)
    _integer_ticks(grid, data, x)
    grid.set(yscale="log", ylim=(ZERO_FLOOR / 3, 1.0))
    grid.set_axis_labels(xlabel, ylabel)
    for ax in grid.axes.flat:
        draw_bounds(ax, tolerance, hue_kw.get("palette"))
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    _legend_below(grid)
    return Figure(name, grid.figure, caption + f" Exact zeros are drawn at {ZERO_FLOOR:.0e}.")


@_timed
def bars(frame, x, y, name, title, xlabel, ylabel, caption, hue=None, logy=False, rotate=False,
         tolerance=None, palette=None):
    """A bar chart (e.g. the worst difference per run, or a final metric per setting); with
    ``tolerance`` (one bound or ``{hue level: bound}``) the bounds are drawn as dotted lines."""
    plt, sns = plotting()
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * frame[x].nunique() + 3), 4))
    hue_kw = _hue(frame, hue, palette)
    sns.barplot(data=frame, x=x, y=y, ax=ax, errorbar=None, **hue_kw)
    if logy:
        ax.set_yscale("log")
        top = max([float(np.nanmax(frame[y]))] + [b for _, b, _ in _bounds(tolerance)])
        ax.set_ylim(min(float(np.nanmin(frame[y])), ZERO_FLOOR) / 3, top * 300)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if rotate:
        ax.tick_params(axis="x", rotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    draw_bounds(ax, tolerance, hue_kw.get("palette"))
    fig.tight_layout()
    if ax.get_legend() is not None:
        sns.move_legend(ax, "upper center", bbox_to_anchor=(0.5, 0), frameon=False, title=None,
                        ncol=min(len(ax.get_legend().get_texts()), 4),
                        bbox_transform=fig.transFigure)
    return Figure(name, fig, caption)


@_timed
def lines(frame, x, y, name, title, xlabel, ylabel, caption, hue=None, style=None, col=None,
          col_wrap=3, logy=False, markers=True, sharey=True, palette=None):
    """Generic lines with markers (e.g. gradient magnitude per layer), optionally faceted; a
    ``style`` of sides draws NumPy solid and Keras dashed."""
    sns = plotting()[1]
    data = _epochs_from_one(frame, x)
    style_kw = _style(data, style or hue) if (style or hue) else {}
    if style_kw and "dashes" not in style_kw:
        style_kw["dashes"] = style is not None
    if style_kw and "markers" not in style_kw:
        style_kw["markers"] = markers
    grid = sns.relplot(data=data, x=x, y=y, col=col, kind="line",
                       col_wrap=col_wrap if col else None, height=3.2 if col else 4.0,
                       aspect=1.25 if col else 1.6, errorbar=None, facet_kws={"sharey": sharey},
                       **_hue(data, hue, palette), **style_kw)
    _integer_ticks(grid, data, x)
    if logy:
        grid.set(yscale="log")
    grid.set_axis_labels(xlabel, ylabel)
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    _legend_below(grid, one_row=hue is not None and style is not None and style != hue)
    return Figure(name, grid.figure, caption)


@_timed
def scatter(frame, x, y, name, title, xlabel, ylabel, caption, hue=None, style=None, col=None,
            col_order=None, col_wrap=3, palette=None):
    """Points (e.g. one per sample), optionally faceted; a ``style`` of sides draws NumPy as
    circles and Keras as crosses."""
    sns = plotting()[1]
    grid = sns.relplot(data=frame, x=x, y=y, col=col, col_order=col_order, kind="scatter",
                       col_wrap=col_wrap if col else None, s=22, alpha=0.75,
                       height=3.4 if col else 4.0, aspect=1.2 if col else 1.6,
                       **_hue(frame, hue, palette), **_style(frame, style, lines=False))
    grid.set_axis_labels(xlabel, ylabel)
    if col:
        grid.set_titles("{col_name}")
    grid.figure.suptitle(title, y=1.02)
    _legend_below(grid, one_row=hue is not None and style is not None and style != hue)
    return Figure(name, grid.figure, caption)


@_timed
def heatmap(table, name, title, xlabel, ylabel, caption, colorbar, center=0.0, missing="no value"):
    """A table of numbers (rows x columns, a DataFrame) as coloured cells, on a diverging scale
    centred on ``center`` (below it blue, above it red); NaN cells are hatched grey and the
    caption gets what they mean (``missing``)."""
    plt, sns = plotting()
    values = table.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    reach = max([1.0] + [abs(float(v) - center) for v in finite])
    fig, ax = plt.subplots(figsize=(min(max(7.0, 3 + 0.45 * table.shape[1]), 24),
                                    min(max(4.0, 2 + 0.3 * table.shape[0]), 40)))
    ax.set_facecolor("#d9d9d9")
    sns.heatmap(table, ax=ax, cmap="vlag", center=center, vmin=center - reach, vmax=center + reach,
                mask=~np.isfinite(values), linewidths=0.5, linecolor="white",
                cbar_kws={"label": colorbar, "shrink": 0.6})
    for i, j in zip(*np.nonzero(~np.isfinite(values))):
        ax.add_patch(plt.Rectangle((j, i), 1, 1, fill=False, hatch="xx", edgecolor="#7f7f7f",
                                   linewidth=0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.suptitle(title)
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    return Figure(name, fig, caption + f" Hatched grey: {missing}.")
