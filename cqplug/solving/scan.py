"""Running a parameter scan: one ensemble per point of a grid of model parameters, saved together
(the results container, :class:`~cqplug.results.scan.Scan`, is in :mod:`cqplug.results.scan`).

    problem = cqplug.Problem("toy", t_final=3.0)
    scan = cqplug.scan(problem, {"lam": [0.5, 1.0], "gamma_q": [0.25, 0.5, 1.0]},
                       method="cq", trajectories=20_000, seed=1)
    scan.table("q2")            # final-time <q^2> on the grid, shape (2, 3); NaN where refused
    scan.save("scan.json"); cqplug.load("scan.json")

Each point is ``problem.remake(**point)`` (SciML's remake), solved as a full ensemble on the
chosen executor (a Dask cluster is opened once for the whole scan); points run one after
another. Point i runs on the master seed child_seed(seed, SCAN, i) (:mod:`cqplug.solving.seeds`),
recorded in its result.
A point whose rates violate the trade-off is recorded as refused, with the minimum decoherence it
needs; a point that fails part-way keeps its finished part; Ctrl-C keeps every finished point
and marks the scan partial.
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from ..errors import CQPlugError, InvalidProblem, RunFailed
from ..results.metadata import ScanInfo
from ..results.scan import Scan as _Scan
from .seeds import SCAN, child_seed


def parse_grid(specs) -> dict:
    """{name: values} from "NAME=v1,v2,..." or "NAME=start:stop:count" (count points, ends included)."""
    grid = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        try:
            if not sep or not name:
                raise ValueError
            if ":" in values:
                start, stop, count = values.split(":")
                points = np.linspace(float(start), float(stop), int(count)).tolist()
            else:
                points = [float(v) for v in values.split(",")]
        except ValueError:
            raise CQPlugError(f"grid {spec!r}: expected NAME=v1,v2,... or NAME=start:stop:count") from None
        if not points or name in grid:
            raise CQPlugError(f"grid {spec!r}: give each parameter once, with at least one value")
        grid[name] = points
    if not grid:
        raise CQPlugError("a scan needs at least one grid parameter (NAME=v1,v2,...)")
    return grid


def grid_points(model, grid: dict) -> list:
    """The points ({parameter: value}) of the product grid, its parameters checked against the model's."""
    unknown = sorted(set(grid) - set(model.parameters))
    if unknown:
        raise CQPlugError(
            f"model {model.name!r} has no parameter(s) {unknown} to scan; its parameters: "
            + ", ".join(model.parameters)
        )
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def point_seed(seed: int, index: int) -> int:
    """The master seed of grid point ``index``."""
    return child_seed(seed, SCAN, index)


def scan(
    problem,
    grid: dict,
    *,
    method="cq",
    backend=None,
    seed: int | None = None,
    executor="local",
    scheduler=None,
    on_point=None,
    registry=None,
    **options,
) -> _Scan:
    """Solve ``problem.remake(**point)`` at every point of ``grid`` ({parameter: values}); ``options``
    as for :func:`cqplug.solve`. ``on_point(i, point, result, error)`` is called after each point."""
    from ..problem import Problem
    from ..registry import get_registry
    from .executors import DaskExecutor
    from .solve import resolve_method, solve

    if not isinstance(problem, Problem):
        raise CQPlugError(f"scan takes a cqplug.Problem (the fixed parameters and times), got {type(problem).__name__}")
    registry = registry or get_registry()
    model = problem.model
    points = grid_points(model, grid)
    method_name, method_obj = resolve_method(method, registry)
    seed = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**63)
    results, errors = [None] * len(points), [None] * len(points)
    info = {
        "model": model.name,
        "parameters": dict(problem.params),
        "method": method_name,
        "backend": backend,
        "seed": seed,
        "t_final": problem.t_final,
        "save_dt": float(problem.times[1] - problem.times[0]),
        "executor": executor if isinstance(executor, str) else executor.name,
        "partial": False,
    }
    owned = executor == "dask"
    runner = DaskExecutor(scheduler, options.get("workers")) if owned else executor
    require_cq = problem.require_cq or method_obj.needs_valid_cq
    started = time.perf_counter()
    try:
        for i, point in enumerate(points):
            try:
                here = problem.remake(point, require_cq=require_cq)
                results[i] = solve(
                    here,
                    method_name,
                    backend,
                    registry=registry,
                    seed=point_seed(seed, i),
                    executor=runner,
                    scheduler=None if owned else scheduler,
                    **options,
                )
                if results[i].partial:
                    errors[i], info["partial"] = "interrupted: partial result", True
            except InvalidProblem as exc:  # e.g. rates below the trade-off at this point
                errors[i] = f"refused: {exc}"
            except RunFailed as exc:
                results[i], errors[i] = exc.partial_result, f"failed: {exc}"
            except KeyboardInterrupt:
                errors[i], info["partial"] = "interrupted before any trajectory finished", True
            if on_point is not None:
                on_point(i, point, results[i], errors[i])
            if info["partial"]:
                break
    finally:
        if owned:
            runner.close()
    info["run_seconds"] = time.perf_counter() - started
    return _Scan(grid, points, results, errors, ScanInfo.from_dict(info))


def __getattr__(name):
    """``cqplug.solving.scan.Scan`` (cqplug 0.2) is :class:`cqplug.results.scan.Scan`, with a warning."""
    if name == "Scan":
        from ..deprecation import deprecated

        deprecated("cqplug.solving.scan.Scan", "cqplug.Scan (or cqplug.results.scan.Scan)")
        return _Scan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
