"""Turning what a run produced into a :class:`~cqplug.results.result.Result`, with its metadata.

Every result's ``info`` (a :class:`~cqplug.results.metadata.RunInfo`) holds the problem (model,
parameters, exactness, trade-off ratio), how it was solved (method, backend, seed, trajectories,
time step, weak order, sampling of the measurement record, executor), whether it is ``partial``,
timings, and the units: hbar = 1 and times in the model's own units.
"""

from __future__ import annotations

import numpy as np

from .. import __version__
from .metadata import UNITS, RunInfo, trajectory_summary
from .result import Result

CONSERVATIVE_ORDER = 1  # step error reported as E[f(2 dt) - f(dt)]: an upper estimate for any weak order >= 1
STEP_ERROR = ("E[f(2 dt) - f(dt)] on shared noise: an upper estimate of the step error for any weak order >= 1 "
              "(3x the asymptotic error of this order-2 scheme; stiff problems can reduce the order)")


def problem_info(problem, method: str, backend: str | None) -> dict:
    """The :class:`RunInfo` fields every result carries (the problem, the method, the backend)."""
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
        "variables": tuple(str(s) for s in problem.model.z),
        "version": __version__,
        "versions": versions(),
    }


def versions() -> dict:
    """The versions a result depends on: cqplug, Python and the numerical libraries."""
    import platform

    import scipy
    import sympy

    return {"cqplug": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "sympy": sympy.__version__}


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
    step = system.describe()
    info = trajectory_info(
        problem_info(problem, method, backend) | {key: step.pop(key) for key in STEP_FIELDS},
        trajectories=stats.count, seed=outcome.seed, state=system.state, extrapolated=options.extrapolate,
        target_stderr=options.target_stderr, executor=outcome.executor, compile_seconds=outcome.prepare_seconds,
        run_seconds=outcome.run_seconds, interrupted=outcome.failure,
        details=step | {"bias_estimate": STEP_ERROR})
    return with_step_error_statement(Result(problem.times.copy(), observables, histograms, paths, info))


def with_step_error_statement(result: Result) -> Result:
    """``result`` with ``info.step_error_statement``: the step-error line, computed once from its numbers."""
    from .compare import step_error_line

    result.info = result.info.replace(step_error_statement=step_error_line(result)[0])
    return result


STEP_FIELDS = ("dt", "steps_per_save", "time_step", "weak_order", "step_error")  # of CompiledSystem.describe()


def interruption(failure) -> str | None:
    """How a run ended early: "SIGTERM", "SIGINT", "error", or None when it did not."""
    if failure is None:
        return None
    if type(failure).__name__ == "Terminated":
        return "SIGTERM"
    return "SIGINT" if isinstance(failure, KeyboardInterrupt) else "error"


def trajectory_info(fields: dict, *, interrupted=None, **more) -> RunInfo:
    """The RunInfo of a trajectory run, its ``summary`` line written from the fields."""
    by = interruption(interrupted)
    info = RunInfo(kind="trajectories", partial=by is not None, interrupted_by=by, **fields, **more)
    return info.replace(summary=trajectory_summary(info))


def deterministic_result(problem, means: dict, histograms: dict, details: dict, method: str, summary: str = "",
                         run_seconds: float | None = None, times=None) -> Result:
    """A Result of exact means (standard and step errors zero), e.g. from a reference method.

    ``summary``: the one line a reader is shown about how it was computed (the method's words);
    ``details``: the method's own metadata (kept in ``info.details`` and the file); ``times``: where the
    means are given (default the problem's saved times)."""
    times = problem.times if times is None else np.asarray(times, dtype=float)
    zero = np.zeros(len(times))
    observables = {k: {"mean": np.asarray(v, dtype=float), "stderr": zero.copy(), "bias": zero.copy(),
                       "bias_stderr": zero.copy()} for k, v in means.items()}
    details = dict(details)
    run_seconds = details.pop("run_seconds", run_seconds)  # cqplug 0.2 passed it among the details
    info = RunInfo(kind="deterministic", summary=summary, run_seconds=run_seconds, details=details,
                   **problem_info(problem, method, None) | {"t_final": float(times[-1])})
    return Result(times.copy(), observables, histograms, {}, info)
