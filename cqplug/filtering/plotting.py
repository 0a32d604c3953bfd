"""The filter's figures: the recorded classical path above the conditioned quantum expectations, and a
likelihood profile with its maximum-likelihood estimate."""

from __future__ import annotations

import numpy as np

from ..results.plotting import DPI, WIDTH_INCHES, mathtext, require_matplotlib


def plot_filter(result, path=None, quantum=None, labels=None):
    """Draw a :class:`~cqplug.filtering.FilterResult`: the recorded z(t) and the conditioned values of the
    observables ``quantum`` (default: all); ``labels`` {observable: label}. Saved to ``path`` if given;
    returns the Figure."""
    Figure = require_matplotlib()
    labels = labels or {}
    names = list(quantum) if quantum is not None else list(result.conditioned)
    fig = Figure(figsize=(min(WIDTH_INCHES, 8.0), 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    for i, name in enumerate(result.z_names):
        top.plot(result.times, result.z[:, i], lw=1.0, label=mathtext(name))
    top.set_ylabel("recorded path")
    top.legend(loc="best", fontsize="small")
    top.set_title(f"{result.info.get('model', '?')}: log-likelihood {result.loglikelihood:.4g}", fontsize="medium")
    for name in names:
        bottom.plot(result.times, result.mean(name), lw=1.2, label=mathtext(labels.get(name, f"⟨{name}⟩")))
    bottom.set_ylabel("conditioned on the path")
    bottom.set_xlabel("t")
    bottom.legend(loc="best", fontsize="small")
    if path is not None:
        fig.savefig(path, dpi=DPI)
    return fig


def plot_profile(values, loglikelihood, parameter, estimate, error, path=None, title=""):
    """Draw a likelihood profile: log-likelihood minus its largest value at ``values`` of ``parameter``, the
    parabola of the curvature estimate, -(theta - estimate)^2 / 2 error^2 (shifted to the points within three
    errors of the estimate), the estimate with its error band and the level -1/2 that the band meets.
    Saved to ``path`` if given; returns the Figure."""
    Figure = require_matplotlib()
    values, ll = np.asarray(values, dtype=float), np.asarray(loglikelihood, dtype=float)
    finite = np.isfinite(ll)
    values, drop = values[finite], ll[finite] - ll[finite].max()
    parabola = -((values - estimate) ** 2) / (2 * error**2)
    near = np.abs(values - estimate) <= 3 * error
    shift = float(np.mean((drop - parabola)[near])) if near.any() else 0.0
    fig = Figure(figsize=(min(WIDTH_INCHES, 7.0), 4.5), layout="constrained")
    ax = fig.subplots()
    ax.plot(values, drop, "o", label="log-likelihood (minus its largest)")
    fine = np.linspace(max(values.min(), estimate - 4 * error), min(values.max(), estimate + 4 * error), 200)
    ax.plot(fine, shift - (fine - estimate) ** 2 / (2 * error**2), "-", lw=1.2, label="curvature fit")
    band = f"{mathtext(parameter)} = {estimate:.4g} ± {error:.2g}"
    ax.axvspan(estimate - error, estimate + error, alpha=0.2, label=band)
    ax.axvline(estimate, lw=1.0)
    ax.axhline(shift - 0.5, ls=":", lw=1.0, color="gray")
    ax.set_xlabel(mathtext(parameter))
    ax.set_ylabel("log-likelihood difference")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title, fontsize="medium")
    if path is not None:
        fig.savefig(path, dpi=DPI)
    return fig
