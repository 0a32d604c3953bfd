"""Figures of results and scans (Matplotlib, imported on first use; ``pip install "cqplug[plot]"``).

:func:`plot_result` draws each observable's mean against time with a band of +-2 standard
errors, the exact reference dashed where the result carries one (``Result.reference``, filled by
``cqplug run --reference``) or one is passed, optionally a panel of z-scores against it
(``residuals``: at this precision the bands are thinner than the lines), and each selected
classical variable's histogram as a heat map of the probability density over time. Labels are
the observables' own (⟨q²⟩, ⟨σ_x⟩); parameters print as fractions of pi where they are one.
:func:`plot_scan` draws a scan: final-time values against one parameter, or a heat map over
two. Only Matplotlib's object interface is used, so the caller's backend is never changed.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from ..errors import CQPlugError

BAND_SIGMAS = 2.0
MAX_PANELS = 6  # by default: a slide holds six panels; the others on request (``observables``)
WIDTH_INCHES, DPI = 12.8, 100  # 1280 px wide, landscape no wider than 16:9

_MATHTEXT = {"⟨": r"\langle ", "⟩": r"\rangle", "σ": r"\sigma", "²": "^2", "γ": r"\gamma", "λ": r"\lambda",
             "ω": r"\omega", "Δ": r"\Delta", "ε": r"\epsilon", "θ": r"\theta", "φ": r"\phi"}


def mathtext(label: str) -> str:
    """A label such as ⟨σ_x⟩ or ⟨q²⟩ as Matplotlib mathtext ($\\langle\\sigma_x\rangle$): typeset, no literal
    underscore. Labels without such symbols are kept as they are."""
    if not any(c in label for c in _MATHTEXT) and "_" not in label:
        return label
    text = label
    for symbol, tex in _MATHTEXT.items():
        text = text.replace(symbol, tex)
    text = f"${text}$"
    try:
        from matplotlib.mathtext import MathTextParser

        MathTextParser("path").parse(text)
    except ValueError:  # not something mathtext can typeset: the label as written
        return label
    return text


def default_panels(result, residuals: bool = False) -> tuple:
    """(observables, histograms) the figure shows by default, and the names left out: the observables in
    order (the plain means of classical variables last), then the classical variables' histograms, at most
    MAX_PANELS in all (with ``residuals`` each observable takes two: its values and its z-scores)."""
    histograms = [k for k, h in result.histograms.items() if np.size(h.get("probability", [])) > 0]
    means = [n for n in result.observables if n in result.histograms]  # <q>, <p>: after the rest
    panels = [("observable", n) for n in result.observables if n not in means]
    panels += [("observable", n) for n in means] + [("histogram", n) for n in histograms]
    room = MAX_PANELS // 2 if residuals else MAX_PANELS
    shown = panels[:room]
    left_out = [n if kind == "observable" else f"{n} (histogram)" for kind, n in panels[room:]]
    return ([n for kind, n in shown if kind == "observable"], [n for kind, n in shown if kind == "histogram"],
            left_out)


def require_matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CQPlugError('plotting needs Matplotlib: pip install "cqplug[plot]"') from None
    return Figure


def pretty_number(value: float) -> str:
    """1.5708 -> 'π/2', 6.28319 -> '2π', 0.25 -> '0.25'."""
    if value != 0:
        for denominator in (1, 2, 3, 4, 6, 8, 12):
            numerator = value * denominator / math.pi
            if abs(numerator - round(numerator)) < 1e-9 and 0 < abs(round(numerator)) <= 24:
                k = int(round(numerator))
                top = {1: "π", -1: "-π"}.get(k, f"{k}π")
                return top if denominator == 1 else f"{top}/{denominator}"
    return f"{value:g}"


def _label(result, name: str) -> str:
    return mathtext(result.info.labels.get(name) or f"⟨{name}⟩")


def _title(result) -> str:
    info = result.info
    if info.deterministic:  # the method's own line, its start (what it computed) if long
        what = textwrap.shorten(info.summary or "deterministic", 72, placeholder=" ...")
    else:
        what = f"{info.trajectories} trajectories, dt = {info.dt if info.dt is not None else float('nan'):.3g}"
    params = ", ".join(f"{k} = {pretty_number(v)}" for k, v in info.parameters.items())
    partial = "  [PARTIAL]" if result.partial else ""
    return f"{info.model} — {info.method}, {what}{partial}\n{params}"


def _figure_size(rows: int, cols: int) -> tuple:
    """Landscape, at most 16:9 and at most 1280 px wide; every row at least 3.2 inches tall."""
    width = min(WIDTH_INCHES, 4.3 * cols)
    return width, max(width * 9 / 16, 3.2 * rows + 0.8)


def _grid(panels: int, columns: int) -> tuple:
    """(rows, columns) with no empty cell when possible (panels = rows x columns) and no empty row."""
    columns = min(columns, panels)
    for c in range(columns, max(1, columns - 1) - 1, -1):
        if panels % c == 0:
            return panels // c, c
    return math.ceil(panels / columns), columns


def plot_result(result, path=None, observables=None, reference=None, residuals: bool = False, columns: int = 3):
    """Plot ``result`` (a cqplug.Result); save to ``path`` (.png, .pdf, .svg) if given; return the Figure.

    observables : names to draw; a classical variable's name selects its histogram. Default: the
        observables, then the histograms, at most MAX_PANELS (a slide; ``default_panels`` says which).
    reference : a Result or {name: mean array} of exact means on the same times (default:
        ``result.reference``).
    residuals : add a panel of z-scores (mean - exact) / stderr per observable (needs a reference).
    """
    Figure = require_matplotlib()
    if observables is None:
        names, histograms, _ = default_panels(result, residuals)
    else:
        names = list(observables)
        histograms_all = [k for k, h in result.histograms.items() if np.size(h.get("probability", [])) > 0]
        unknown = [n for n in names if n not in result.observables and n not in result.histograms]
        if unknown:
            raise CQPlugError(f"no observable(s) {unknown} in this result; it has {list(result.observables)}")
        histograms = [n for n in names if n in histograms_all]
        names = [n for n in names if n in result.observables]
    exact = reference if reference is not None else result.reference
    if hasattr(exact, "observables"):
        exact = {k: exact.mean(k) for k in exact.observables}
    if residuals and not exact:
        raise CQPlugError("residual panels need a reference: run with --reference or pass --reference EXACT.json")
    shown = [n for n in names if exact and n in exact] if residuals else []
    panels = len(names) + len(shown) + len(histograms)
    if panels == 0:
        raise CQPlugError("nothing to plot: no observables or histograms selected")
    rows, cols = _grid(panels, columns)
    fig = Figure(figsize=_figure_size(rows, cols), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    t = result.times
    units = "t (model units, ħ = 1)"
    cells = iter(axes)
    for name in names:
        ax = next(cells)
        mean, err = result.mean(name), result.stderr(name)
        ax.plot(t, mean, color="C0", lw=1.6, label=result.info.method)
        if np.any(err > 0):
            ax.fill_between(t, mean - BAND_SIGMAS * err, mean + BAND_SIGMAS * err, color="C0", alpha=0.25,
                            lw=0, label=f"±{BAND_SIGMAS:g} s.e.")
        if exact and name in exact:
            ax.plot(t, exact[name], "k--", lw=1.2, label="exact")
        ax.set_xlabel(units)
        ax.set_ylabel(_label(result, name))
        ax.grid(alpha=0.3)
    if names:
        axes[0].legend(fontsize="small", loc="best")
    for name in shown:
        ax = next(cells)
        err = result.stderr(name)
        ok = err > 0
        z = np.where(ok, (result.mean(name) - exact[name]) / np.where(ok, err, 1.0), np.nan)
        ax.axhspan(-2, 2, color="0.85", lw=0)
        ax.plot(t, z, "o-", ms=3, lw=0.8, color="C3")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel(units)
        ax.set_ylabel(f"z of {_label(result, name)}")
        ax.set_title("(mean − exact) / s.e.", fontsize="small")
    for name in histograms:
        ax = next(cells)
        h = result.histograms[name]
        edges, prob = np.asarray(h["edges"]), np.asarray(h["probability"])
        density = prob / np.diff(edges)[None, :]
        mid = 0.5 * (t[1:] + t[:-1])
        t_edges = np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]]) if len(t) > 1 \
            else np.array([t[0] - 0.5, t[0] + 0.5])
        image = ax.pcolormesh(t_edges, edges, density.T, shading="flat", cmap="viridis")
        fig.colorbar(image, ax=ax, label=f"P({name}) density")
        ax.set_xlabel(units)
        ax.set_ylabel(name)
        ax.set_title(f"distribution of {name}", fontsize="medium")
    for ax in cells:
        ax.set_visible(False)
    fig.suptitle(_title(result), fontsize="medium")
    if path is not None:
        fig.savefig(path, dpi=DPI)
    return fig


def plot_scan(scan, path=None, observables=None, time_index: int = -1, columns: int = 3):
    """Final-time values of a scan: lines against one parameter, heat maps over two; one panel per observable."""
    Figure = require_matplotlib()
    first = next((r for r in scan.results if r is not None), None)
    if first is None:
        raise CQPlugError("this scan has no finished point to plot")
    names = list(observables or first.observables)
    unknown = [n for n in names if n not in first.observables]
    if unknown:
        raise CQPlugError(f"no observable(s) {unknown} in this scan; it has {list(first.observables)}")
    params = list(scan.grid)
    if len(params) > 2:
        raise CQPlugError("plot draws scans over one or two parameters")
    rows, cols = _grid(len(names), columns)
    fig = Figure(figsize=_figure_size(rows, cols), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    t = first.times[time_index]
    for ax, name in zip(axes, names):
        values, errors = scan.table(name, time_index), scan.table(name, time_index, "stderr")
        label = _label(first, name)
        if len(params) == 1:
            x = np.asarray(scan.grid[params[0]], dtype=float)
            ax.errorbar(x, values, yerr=BAND_SIGMAS * errors, fmt="o-", ms=4, capsize=2)
            ax.set_xlabel(params[0])
            ax.set_ylabel(f"{label} at t = {pretty_number(t)}")
        else:
            x, y = (np.asarray(scan.grid[p], dtype=float) for p in params)
            image = ax.pcolormesh(np.arange(len(y) + 1), np.arange(len(x) + 1), values, cmap="viridis")
            ax.set_xticks(np.arange(len(y)) + 0.5, [pretty_number(v) for v in y])
            ax.set_yticks(np.arange(len(x)) + 0.5, [pretty_number(v) for v in x])
            ax.set_xlabel(params[1])
            ax.set_ylabel(params[0])
            fig.colorbar(image, ax=ax, label=f"{label} at t = {pretty_number(t)} (blank: refused)")
    for ax in axes[len(names):]:
        ax.set_visible(False)
    fig.suptitle(f"scan of {scan.info.model} — {scan.info.method}", fontsize="medium")
    if path is not None:
        fig.savefig(path, dpi=DPI)
    return fig


def plot_file(source, path, observables=None, reference=None, residuals: bool = False):
    """``cqplug plot``: a saved result or scan (any file :func:`cqplug.load` reads) to an image file."""
    from .files import load
    from .result import Result
    from .scan import Scan

    require_matplotlib()
    found = load(source)
    if isinstance(found, Scan):
        if reference or residuals:
            raise CQPlugError("--reference and --residuals apply to single results, not scans")
        return plot_scan(found, path, observables)
    exact = Result.load(reference) if reference else None
    return plot_result(found, path, observables=observables, reference=exact, residuals=residuals)
