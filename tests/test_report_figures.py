"""The report figures agree with their captions and with each other: NumPy solid and Keras dashed,
one colour per category level across figures, colours that can be told apart, legends that cover
nothing, and each quantity's own bound drawn."""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from scratch_vs_keras.report import figures as F


def lab(color):
    """CIELAB of a matplotlib colour (D65), for perceptual distances."""
    c = np.array(to_rgb(color))
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ c / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def legend_of(fig):
    legends = fig.figure.legends + [ax.get_legend() for ax in fig.figure.axes if ax.get_legend()]
    assert len(legends) == 1
    return legends[0]


def handles(fig):
    """``{label: handle}`` of the figure's legend."""
    legend = legend_of(fig)
    return {t.get_text(): h for t, h in zip(legend.get_texts(), legend.legend_handles)}


def handle_color(h):
    for getter in ("get_markerfacecolor", "get_color", "get_facecolor"):
        if hasattr(h, getter):
            c = getattr(h, getter)()
            return c[0] if isinstance(c, np.ndarray) and c.ndim == 2 else c
    raise AssertionError(h)


def magnitudes(order):
    """Per-layer gradient magnitudes as the vanishing-gradients experiment tabulates them."""
    rows = [{"activation": act, "side": side, "layer": layer, "init": "glorot_uniform",
             "value": 10.0 ** -(layer * (i + 1))}
            for i, act in enumerate(order) for side in ("keras", "scratch") for layer in (1, 2, 3)]
    return pd.DataFrame(rows)


def test_numpy_is_solid_and_keras_dashed_as_the_caption_says():
    # The vanishing-gradients frame lists Keras first (groupby order): seaborn then drew Keras
    # solid and NumPy dashed, under a caption saying the opposite.
    data = magnitudes(["relu", "sigmoid", "tanh"])
    fig = F.lines(data.assign(side=data.side.map(F.SIDE_NAMES)), "layer", "value", "per_layer",
                  "t", "layer", "mean |dJ/dW|", "NumPy solid, Keras dashed.", hue="activation",
                  style="side", logy=True)
    h = handles(fig)
    assert h["NumPy (scratch)"].get_linestyle() == "-"
    assert h["Keras (model.fit)"].get_linestyle() in ("--", "-.", ":")


def test_a_level_keeps_its_colour_across_figures():
    # Two figures of one report listed the activations in different orders, and seaborn gave
    # "relu" the first colour in one and "sigmoid" the first colour in the other.
    colors = []
    for order in (["sigmoid", "tanh", "relu"], ["relu", "sigmoid", "tanh"]):
        fig = F.lines(magnitudes(order), "layer", "value", "f", "t", "layer", "v", "c",
                      hue="activation", logy=True)
        colors.append({k: to_rgb(handle_color(v)) for k, v in handles(fig).items()
                       if k in order})
    assert colors[0] == colors[1] and len(set(colors[0].values())) == 3


@pytest.mark.parametrize("n_tensors", [7, 15])
def test_every_tensor_can_be_told_apart(n_tensors):
    # The headline's 7 tensors had two colours 16 CIELAB units apart (blue and purple dots);
    # beyond 10 levels seaborn's husl palette puts neighbours closer still.
    names = ["batch loss"] + [f"dense_{i}/{w}" for i in range((n_tensors - 1) // 2 + 1)
                              for w in ("kernel", "bias")]
    names = names[:n_tensors]
    frame = pd.DataFrame([{"step": s, "tensor": t, "value": 1e-16 * (1 + i)}
                          for s in range(3) for i, t in enumerate(names)])
    fig = F.differences_over_time(frame, "step", "d", "t", "step", "c.", hue="tensor")
    h = {k: v for k, v in handles(fig).items() if k in names}
    assert len(h) == n_tensors
    for (a, ha), (b, hb) in itertools.combinations(h.items(), 2):
        apart = np.linalg.norm(lab(handle_color(ha)) - lab(handle_color(hb)))
        assert apart >= 25 or ha.get_marker() != hb.get_marker(), (a, b, apart)


def _overlaps(fig):
    """The axes the legend covers by more than a pixel each way (touching edges do not count)."""
    fig.figure.canvas.draw()
    box = legend_of(fig).get_window_extent()
    covered = []
    for ax in fig.figure.axes:
        a = ax.get_window_extent()
        if min(box.x1, a.x1) - max(box.x0, a.x0) > 1 and min(box.y1, a.y1) - max(box.y0, a.y0) > 1:
            covered.append(ax)
    return covered


def test_legends_cover_no_bars():
    frame = pd.DataFrame({"optimizer": ["adam", "sgd", "rmsprop"] * 2,
                          "quantity": ["batch loss"] * 3 + ["final weights"] * 3,
                          "relative difference": [1e-16, 3e-16, 1e-18, 2e-16, 5e-17, 1e-18]})
    fig = F.bars(frame, "optimizer", "relative difference", "w", "t", "optimizer", "rel", "c",
                 hue="quantity", logy=True, rotate=True)
    assert _overlaps(fig) == []


def test_legends_cover_no_curves():
    data = magnitudes(["relu", "sigmoid", "tanh"])
    fig = F.lines(data, "layer", "value", "f", "t", "layer", "v", "c", hue="activation", logy=True)
    assert _overlaps(fig) == []
    frame = pd.DataFrame({"step": [0, 1, 0, 1], "side": ["scratch", "scratch", "keras", "keras"],
                          "loss": [1.0, 0.5, 1.0, 0.5]})
    assert _overlaps(F.overlaid_curves(frame, "step", "loss", "c", "t", "s", "l", "c")) == []


def bound_lines(ax):
    """The y values of the horizontal lines drawn across ``ax``."""
    return sorted({float(line.get_ydata()[0]) for line in ax.get_lines()
                   if len(set(np.asarray(line.get_ydata(), dtype=float))) == 1
                   and tuple(line.get_xdata()) == (0, 1)})


def test_worst_difference_bars_draw_each_bound():
    # Without the bounds, 1e-16 noise between optimizers looks like a ranking.
    frame = pd.DataFrame({"optimizer": ["adam", "sgd"] * 2,
                          "quantity": ["batch loss"] * 2 + ["final weights"] * 2,
                          "relative difference": [1e-16, 3e-16, 2e-16, 5e-17]})
    fig = F.bars(frame, "optimizer", "relative difference", "w", "t", "optimizer", "rel", "c",
                 hue="quantity", logy=True,
                 tolerance={"batch loss": 1e-12, "final weights": 1e-10})
    assert bound_lines(fig.figure.axes[0]) == [1e-12, 1e-10]


def test_the_headline_figures_draw_each_quantitys_own_bound():
    # The per-step plot drew one line at 1e-10 where the batch loss is held to 1e-12, and the
    # one-batch chart drew none (gradients 1e-12, finite differences 1e-6).
    from scratch_vs_keras import experiments

    report = experiments.run("headline", experiments.Config(quick=True), write=False)
    figs = {f.name: f for s in report.sections for f in s.figures}
    assert bound_lines(figs["gradient_check"].figure.axes[0]) == [1e-12, 1e-6]
    assert bound_lines(figs["run_differences"].figure.axes[0]) == [1e-12, 1e-10]
