"""Turning what a run produced into a :class:`~cqplug.results.result.Result`, with its metadata.

Every result's ``info`` holds the problem (model, parameters, exactness, trade-off ratio), how
it was solved (method, backend, seed, trajectories, time step, weak order, sampling of the
measurement record, executor), whether it is ``partial``, timings, and the units: hbar = 1 and
times in the model's own units.
"""

from __future__ import annotations

import numpy as np

from .. import __version__
from .result import Result

UNITS = "hbar = 1; times and rates in the model's units"
CONSERVATIVE_ORDER = 1  # step error reported as E[f(2 dt) - f(dt)]: an upper estimate for any weak order >= 1
STEP_ERROR = ("E[f(2 dt) - f(dt)] on shared noise: an upper estimate of the step error for any weak order >= 1 "
              "(3x the asymptotic error of this order-2 scheme; stiff problems can reduce the order)")


def problem_info(problem, method: str, backend: str | None) -> dict:
    """Metadata every result carries."""
    return {
        "model": problem.model.name,
        "parameters": dict(problem.params),
        "method": method,
        "backend": backend,
        "exact": problem.exact,
        "approximations": problem.approximations,
        "tradeoff_ratio": problem.tradeoff.ratio,
        "t_final": float(problem.t_final),
        "units": UNITS,
        "labels": {o.name: o.label or f"⟨{o.name}⟩" for o in problem.observables},
        "version": __version__,
    }


def histogram_entries(z_names, histogram, stats) -> dict:
    """{variable: edges, probabilities, under- and overflow} of the histogrammed variables."""
    entries = {}
    for i, z in enumerate(z_names[:histogram.variables]):
        counts = stats.hist[i]
        entries[z] = {"edges": histogram.edges(i), "probability": counts[:, 1:-1] / stats.count,
                      "underflow": counts[:, 0] / stats.count, "overflow": counts[:, -1] / stats.count,
                      "trajectories": stats.count}
    return entries


def ensemble_result(problem, system, outcome, method: str, backend: str, options) -> Result:
    """The Result of a trajectory ensemble (``outcome``: :class:`cqplug.solving.ensemble.EnsembleOutcome`)."""
    stats, histogram = outcome.statistics, outcome.histogram
    names = system.observable_names
    stderr = stats.stderr
    bias, bias_stderr = stats.bias(CONSERVATIVE_ORDER)
    means = stats.mean
    if options.extrapolate:
        means, stderr = stats.extrapolated(system.weak_order)
    observables = {}
    for k, name in enumerate(names):
        entry = {"mean": means[k].copy(), "stderr": stderr[k].copy()}
        if bias is not None and not options.extrapolate:  # extrapolated means: leading step error removed
            entry["bias"] = bias[k].copy()
            entry["bias_stderr"] = bias_stderr[k].copy()
        observables[name] = entry
    histograms = histogram_entries(system.z_names, histogram, stats)
    paths = {"z": stats.path_z}
    paths.update({n: stats.paths[:, :, k] for k, n in enumerate(names)})
    interrupted = outcome.failure is not None
    info = problem_info(problem, method, backend) | system.describe() | {
        "trajectories": stats.count, "partial": interrupted, "seed": outcome.seed,
        "state": system.state, "extrapolated": options.extrapolate, "target_stderr": options.target_stderr,
        "bias_estimate": STEP_ERROR,
        "executor": outcome.executor, "compile_seconds": outcome.prepare_seconds, "run_seconds": outcome.run_seconds,
    }
    if interrupted:
        info["interrupted_by"] = "SIGTERM" if type(outcome.failure).__name__ == "Terminated" else (
            "SIGINT" if isinstance(outcome.failure, KeyboardInterrupt) else "error")
    return Result(problem.times.copy(), observables, histograms, paths, info)


def deterministic_result(problem, means: dict, histograms: dict, info: dict, method: str) -> Result:
    """A Result of exact means (standard and step errors zero), e.g. from the lindblad reference."""
    zero = np.zeros(len(problem.times))
    observables = {k: {"mean": np.asarray(v, dtype=float), "stderr": zero.copy(), "bias": zero.copy(),
                       "bias_stderr": zero.copy()} for k, v in means.items()}
    return Result(problem.times.copy(), observables, histograms, {}, problem_info(problem, method, None) | info)
