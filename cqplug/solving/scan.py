"""Parameter scans: one ensemble per point of a grid of model parameters, saved together.

    problem = cqplug.Problem("toy", t_final=3.0)
    scan = cqplug.scan(problem, {"lam": [0.5, 1.0], "gamma_q": [0.25, 0.5, 1.0]},
                       method="cq", trajectories=20_000, seed=1)
    scan.table("q2")            # final-time <q^2> on the grid, shape (2, 3); NaN where refused
    scan.save("scan.json"); cqplug.Scan.load("scan.json")

Each point is ``problem.remake(**point)`` (SciML's remake), solved as a full ensemble on the
chosen executor (a Dask cluster is opened once for the whole scan); points run one after
another. Point i uses the seed SeedSequence(seed, spawn_key=(2, i)), recorded in its result.
A point whose rates violate the trade-off is recorded as refused, with the minimum decoherence it
needs; a point that fails part-way keeps its finished part; Ctrl-C keeps every finished point
and marks the scan partial.
"""

from __future__ import annotations

import itertools
import json
import os
import time

import numpy as np

from ..errors import CQPlugError, InvalidProblem, RunFailed
from ..results.result import Result, _plain, check_output_path, write_atomically


class Scan:
    """Results over a grid: ``grid`` {name: values}, ``points`` (one dict per grid point, C order),
    ``results`` (Result or None), ``errors`` (None or why the point has no complete result)."""

    def __init__(self, grid: dict, points: list, results: list, errors: list, info: dict):
        self.grid, self.points, self.results, self.errors, self.info = grid, points, results, errors, info

    @property
    def shape(self) -> tuple:
        return tuple(len(v) for v in self.grid.values())

    def _repr_html_(self) -> str:
        """A notebook's view: each grid point's final-time means."""
        from ..views import scan_html

        return scan_html(self)

    def __repr__(self) -> str:
        grid = ", ".join(f"{k}: {len(v)} values" for k, v in self.grid.items())
        done = sum(r is not None for r in self.results)
        return f"Scan({grid}; {done} of {len(self.points)} points solved" + (", partial" if self.partial else "") + ")"

    @property
    def partial(self) -> bool:
        return bool(self.info.get("partial", False))

    def table(self, observable: str, time_index: int = -1, what: str = "mean") -> np.ndarray:
        """``what`` ("mean" or "stderr") of an observable at one saved time, shaped like the grid."""
        values = [
            np.nan if r is None or observable not in r.observables else r.observables[observable][what][time_index]
            for r in self.results
        ]
        return np.array(values, dtype=float).reshape(self.shape)

    def to_dict(self) -> dict:
        return {
            "grid": {k: list(map(float, v)) for k, v in self.grid.items()},
            "points": self.points,
            "results": [None if r is None else r.to_dict() for r in self.results],
            "errors": self.errors,
            "info": self.info,
        }

    def save(self, path) -> None:
        """Write the whole scan to one .json file (atomically)."""
        path = os.fspath(path)
        check_output_path(path, (".json",))
        write_atomically(path, lambda fh: fh.write(json.dumps(_plain(self.to_dict()), allow_nan=False).encode()))

    @classmethod
    def load(cls, path) -> Scan:
        path = os.fspath(path)
        try:
            with open(path) as fh:
                data = json.load(fh)
        except FileNotFoundError:
            raise CQPlugError(f"cannot read scan {path!r}: no such file") from None
        except (OSError, ValueError) as exc:
            raise CQPlugError(f"cannot read scan {path!r}: not a complete JSON file ({type(exc).__name__})") from None
        if not isinstance(data, dict) or not all(k in data for k in ("grid", "points", "results", "errors", "info")):
            raise CQPlugError(
                f"{path!r} is not a cqplug scan"
                + (" (it is a single result: cqplug.Result.load)" if isinstance(data, dict) and "times" in data else "")
            )
        results = [None if r is None else Result.from_dict(r, repr(path)) for r in data["results"]]
        return cls(data["grid"], data["points"], results, data["errors"], data["info"])

    def summary(self, observables=None) -> str:
        """One line per point: parameters, then final-time means +- standard errors (or the error)."""
        lines = []
        for point, result, error in zip(self.points, self.results, self.errors):
            head = " ".join(f"{k}={v:g}" for k, v in point.items())
            if result is None:
                lines.append(f"{head}: {error}")
                continue
            names = list(observables or result.observables)[:6]
            cells = " ".join(f"{n}={result.mean(n)[-1]:.4g}±{result.stderr(n)[-1]:.1g}" for n in names)
            lines.append(f"{head}: {cells}" + (f"  [{error}]" if error else ""))
        return "\n".join(lines)


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


def point_seed(seed: int, index: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=(2, index)).generate_state(1, np.uint64)[0] >> np.uint64(1))


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
) -> Scan:
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
    unknown = sorted(set(grid) - set(model.parameters))
    if unknown:
        raise CQPlugError(
            f"model {model.name!r} has no parameter(s) {unknown} to scan; its parameters: "
            + ", ".join(model.parameters)
        )
    method_name, method_obj = resolve_method(method, registry)
    seed = seed if seed is not None else int(np.random.SeedSequence().entropy % 2**63)
    names = list(grid)
    points = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
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
    return Scan(grid, points, results, errors, info)
