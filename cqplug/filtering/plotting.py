"""The filter's figure: the recorded classical path above, the conditioned quantum expectations below."""

from __future__ import annotations

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
