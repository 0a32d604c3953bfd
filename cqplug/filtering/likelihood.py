"""Likelihood profiles over model parameters, and the maximum-likelihood estimate with its curvature error.

    profile = cqplug.likelihood_profile(problem, {"lam": np.linspace(0.6, 1.4, 17)}, record.times, record.z)
    profile.table("loglikelihood")                        # log p(path | lam) at each grid value
    estimate, error = cqplug.maximum_likelihood(profile, "lam")

The profile is a :class:`~cqplug.Scan` whose points are :meth:`FilterResult.to_result` results (the
running log-likelihood is the observable ``loglikelihood``): it saves, loads and becomes an xarray
dataset like any scan, and a point whose rates violate the trade-off is recorded as refused.
Several independent records: add their profiles (log-likelihoods add).

The estimate: a parabola fitted to the profile's points around its maximum (the best point and its
two neighbours per side, where the grid has them), theta_hat = -b / 2a, and the curvature (Fisher)
error 1 / sqrt(-2a): the half-width where the log-likelihood has dropped by 1/2.
"""

from __future__ import annotations

import time

import numpy as np

from ..errors import CQPlugError, InvalidProblem
from .filter import filter as run_filter
from .result import LOGLIKELIHOOD


def likelihood_profile(problem, grid: dict, times, z, **options):
    """The log-likelihood of the path ``z`` at ``times`` at every point of ``grid`` ({parameter: values})
    as a :class:`~cqplug.Scan`; ``options`` as for :func:`cqplug.filter`."""
    from ..problem import Problem
    from ..results.metadata import ScanInfo
    from ..results.scan import Scan
    from ..solving.scan import grid_points

    if not isinstance(problem, Problem):
        raise CQPlugError(f"likelihood_profile takes a cqplug.Problem, got {type(problem).__name__}")
    points = grid_points(problem.model, grid)
    results, errors = [None] * len(points), [None] * len(points)
    started = time.perf_counter()
    for i, point in enumerate(points):
        try:
            here = problem.remake(point)
            results[i] = run_filter(here, times, z, **options).to_result(here)
        except InvalidProblem as exc:
            errors[i] = f"refused: {exc}"
    info = ScanInfo.from_dict({"model": problem.model.name, "parameters": dict(problem.params), "method": "filter",
                               "t_final": float(np.asarray(times)[-1]), "partial": False,
                               "run_seconds": time.perf_counter() - started})
    return Scan({k: list(v) for k, v in grid.items()}, points, results, errors, info)


def maximum_likelihood(profile, parameter: str) -> tuple:
    """(estimate, curvature error) of ``parameter`` from a one-parameter profile (see the module docstring)."""
    if parameter not in profile.grid or len(profile.grid) != 1:
        raise CQPlugError(f"maximum_likelihood needs a profile over {parameter!r} alone; it scans {list(profile.grid)}")
    values = np.asarray(profile.grid[parameter], dtype=float)
    return curvature_estimate(values, profile.table(LOGLIKELIHOOD))


def curvature_estimate(values, loglikelihoods) -> tuple:
    """(theta_hat, error) from log-likelihoods at ``values``: a parabola through the maximum and up to two
    neighbours on each side. Refused when the maximum is at an end of the grid (widen it) or the
    curvature is not negative."""
    values, ll = np.asarray(values, dtype=float), np.asarray(loglikelihoods, dtype=float)
    finite = np.isfinite(ll)
    values, ll = values[finite], ll[finite]
    order = np.argsort(values)
    values, ll = values[order], ll[order]
    if len(values) < 3:
        raise CQPlugError("a curvature estimate needs the log-likelihood at three or more values")
    best = int(np.argmax(ll))
    if best in (0, len(values) - 1):
        raise CQPlugError(f"the log-likelihood is largest at the end of the grid ({values[best]:g}): widen the grid")
    window = slice(max(0, best - 2), min(len(values), best + 3))
    a, b, _ = np.polyfit(values[window], ll[window], 2)
    if a >= 0:
        raise CQPlugError("the log-likelihood is not curved downwards around its maximum: refine the grid")
    return float(-b / (2 * a)), float(1.0 / np.sqrt(-2 * a))
