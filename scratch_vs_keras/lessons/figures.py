"""The lessons' picture of a side-by-side run: both sides' batch losses, and their relative
difference where it is not zero."""


def plot_run_losses(run, numpy_label="NumPy", keras_label="Keras (model.fit)",
                    ylabel="batch loss", tolerance=1e-12):
    """Two panels for a :class:`~scratch_vs_keras.compare.training.SideBySideRun`: the batch
    losses of both sides, and ``|numpy - keras| / |keras|`` per step on a log scale, where steps
    that are exactly equal cannot be drawn (the title counts them)."""
    import matplotlib.pyplot as plt  # here: importing the lessons package picks no backend

    losses = run.records[run.records.quantity == "batch_loss"].pivot(index="step", columns="side",
                                                                      values="value")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    top.plot(losses.index, losses["scratch"], label=numpy_label, lw=3, alpha=0.5)
    top.plot(losses.index, losses["keras"], "--", label=keras_label)
    top.set_ylabel(ylabel)
    top.legend()
    differs = losses[losses["rel_diff"] > 0]
    bottom.semilogy(differs.index, differs["rel_diff"], "o")
    bottom.axhline(tolerance, ls=":", color="gray")
    bottom.text(losses.index[0], 2 * tolerance, f"tolerance {tolerance:.0e}", fontsize=8,
                color="gray")
    bottom.set_ylim(1e-18, 1e-10)
    bottom.set_xlabel("step")
    bottom.set_ylabel("relative difference")
    bottom.set_title(f"{int((losses['rel_diff'] == 0).sum())} of {len(losses)} steps identical "
                     "(not drawn)", fontsize=9)
    fig.tight_layout()
    return fig
