"""Figures of results (Matplotlib, imported on first use; ``pip install "cqplug[plot]"``).

:func:`plot_result` draws each observable's mean against time with a band of +-2 standard
errors, the exact reference dashed where the result carries one (``Result.reference``, filled
by ``cqplug run --reference``) or one is passed, and each classical variable's histogram as a
heat map of the probability density over time. Uses Matplotlib's object interface only, so it
never changes the caller's backend.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import CQPlugError

BAND_SIGMAS = 2.0


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CQPlugError('plotting needs Matplotlib: pip install "cqplug[plot]"') from None
    return Figure


def _title(result) -> str:
    info = result.info
    what = f"{info.get('trajectories')} trajectories" if "trajectories" in info else f"N = {info.get('truncation')}"
    params = ", ".join(f"{k}={v:g}" for k, v in info.get("parameters", {}).items())
    partial = "  [PARTIAL]" if result.partial else ""
    return f"{info.get('model', '?')} — {info.get('method', '?')}, {what}{partial}\n{params}"


def plot_result(result, path=None, observables=None, reference=None, columns: int = 3):
    """Plot ``result`` (a cqplug.Result); save to ``path`` (.png, .pdf, .svg) if given; return the Figure.

    observables : names to draw (default: all); histograms of every classical variable follow.
    reference : a Result or {name: mean array} of exact means on the same times (default:
        ``result.reference``).
    """
    Figure = _figure_class()
    names = list(observables or result.observables)
    unknown = [n for n in names if n not in result.observables]
    if unknown:
        raise CQPlugError(f"no observable(s) {unknown} in this result; it has {list(result.observables)}")
    exact = reference if reference is not None else result.reference
    if hasattr(exact, "observables"):
        exact = {k: exact.mean(k) for k in exact.observables}
    histograms = [k for k, h in result.histograms.items() if np.size(h.get("probability", [])) > 0]
    panels = len(names) + len(histograms)
    rows = math.ceil(panels / columns)
    fig = Figure(figsize=(4.2 * min(columns, panels), 3.0 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, min(columns, panels), squeeze=False).ravel()
    t = result.times
    for ax, name in zip(axes, names):
        mean, err = result.mean(name), result.stderr(name)
        ax.plot(t, mean, color="C0", lw=1.6, label=result.info.get("method", "result"))
        if np.any(err > 0):
            ax.fill_between(t, mean - BAND_SIGMAS * err, mean + BAND_SIGMAS * err, color="C0", alpha=0.25,
                            lw=0, label=f"±{BAND_SIGMAS:g} s.e.")
        if exact and name in exact:
            ax.plot(t, exact[name], "k--", lw=1.2, label="exact")
        ax.set_xlabel("t")
        ax.set_ylabel(f"⟨{name}⟩")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small", loc="best")
    for ax, name in zip(axes[len(names):], histograms):
        h = result.histograms[name]
        edges, prob = np.asarray(h["edges"]), np.asarray(h["probability"])
        density = prob / np.diff(edges)[None, :]
        mid = 0.5 * (t[1:] + t[:-1])
        t_edges = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]]) if len(t) > 1 \
            else np.array([t[0] - 0.5, t[0] + 0.5])
        image = ax.pcolormesh(t_edges, edges, density.T, shading="flat", cmap="viridis")
        fig.colorbar(image, ax=ax, label=f"P({name}) density")
        ax.set_xlabel("t")
        ax.set_ylabel(name)
        ax.set_title(f"distribution of {name}", fontsize="medium")
    for ax in axes[panels:]:
        ax.set_visible(False)
    fig.suptitle(_title(result), fontsize="medium")
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
