"""solve(problem, method, backend, **options): the one entry point (SciML's problem/algorithm/solve).

``solve`` owns the orchestration. For a trajectory method it builds the compiled system
(:func:`cqplug.system.compile_system`), creates the backend, runs the ensemble (or, with
``target_error``, the multilevel estimator) and assembles the result; a reference method
computes its result itself. Methods and backends are looked up by name at this edge.
"""

from __future__ import annotations

import dataclasses

from ..deprecation import deprecated
from ..errors import CQPlugError, PositivityViolation, RunFailed
from ..registry import get_registry
from ..results.assembly import ensemble_result
from ..system.compiled import compile_system
from .ensemble import raise_if_failed, run_ensemble
from .methods import ReferenceMethod, TrajectoryMethod
from .options import DEFAULT_BACKEND, split_options

__all__ = ["DEFAULT_BACKEND", "resolve_method", "solve"]


def resolve_method(method, registry) -> tuple:
    """(name, method object) from a registered name or a method object."""
    if isinstance(method, str):
        return method, registry.method(method)
    if isinstance(method, (TrajectoryMethod, ReferenceMethod)):
        return method.name, method
    raise CQPlugError(f"method must be a registered name or a method object, got {type(method).__name__}")


def solve(problem, method="cq", backend: str | None = None, *legacy, registry=None, **options):
    """Solve ``problem`` with a registered method (``cqplug list`` shows them: the unravellings "cq",
    "cq-ket", "mean-field", an exact reference, ...) or a method object.

    ``backend`` names the integrator for trajectory methods (default ``cqplug.DEFAULT_BACKEND``).
    ``options`` are the shared options of :class:`cqplug.solving.options.SolveOptions`
    (trajectories, seed, dt, step_error, extrapolate, target_stderr, target_error, workers,
    executor, bins, ...) and the options the method or the backend declares (its ``Options``;
    ``cqplug run --help`` lists them).
    ``registry`` (default: the plugins installed) is where names are looked up (keyword only; passing
    it fourth, positionally, as cqplug 0.1 allowed, is deprecated).
    """
    if legacy:
        if len(legacy) > 1 or registry is not None:
            raise TypeError("solve() takes at most 3 positional arguments (problem, method, backend)")
        deprecated("solve(problem, method, backend, registry) with the registry positional", "registry=...")
        registry = legacy[0]
    registry = registry or get_registry()
    method_name, method_obj = resolve_method(method, registry)
    if method_obj.needs_valid_cq and not problem.tradeoff.valid:
        raise PositivityViolation(f"method {method_name!r}: " + problem.tradeoff.violation_message())
    if isinstance(method_obj, ReferenceMethod):
        if backend is not None:
            raise CQPlugError(f"method {method_name!r} runs no integrator backend; drop the backend")
        shared, own, _ = split_options(options, method_obj.Options, None, method_name, None)
        method_obj.check_available()
        return with_plugin_options(method_obj.solve(problem, shared, own), own, None)
    if not isinstance(method_obj, TrajectoryMethod):
        raise CQPlugError(f"method {method_name!r} is neither a trajectory method nor a reference method")
    backend_name = backend or DEFAULT_BACKEND
    entry = registry.get("backends", backend_name)
    shared, own, backend_options = split_options(options, method_obj.Options, getattr(entry.factory, "Options", None),
                                                 method_name, backend_name)
    if method_obj.Options is not None:
        method_obj = method_obj.with_options(own)
    engine = registry.backend(backend_name, **(dataclasses.asdict(backend_options) if backend_options else {}))
    engine.check_available()
    engine.require_state(method_obj.state, backend_name)
    if shared.record and not getattr(engine, "keeps_records", False):
        able = [n for n in registry.names("backends") if getattr(registry.get("backends", n).factory, "keeps_records",
                                                                 False)]
        raise CQPlugError(f"backend {backend_name!r} does not keep per-step records (record=True); backends that do: "
                          f"{', '.join(able) or 'none installed'}")
    if shared.target_error is not None:  # compiles one system per level itself
        from .multilevel import solve_to_accuracy

        try:
            result = solve_to_accuracy(problem, method_obj, method_name, engine, backend_name, shared)
        except RunFailed as exc:
            with_plugin_options(exc.partial_result, own, backend_options)
            raise
        return with_plugin_options(result, own, backend_options)
    system = compile_system(problem, method_obj, dt=shared.dt, step_error=shared.step_error,
                            weak_order=engine.weak_order)
    outcome = run_ensemble(system, engine, shared)
    result = with_plugin_options(ensemble_result(problem, system, outcome, method_name, backend_name, shared), own,
                                 backend_options)
    raise_if_failed(outcome, result)
    if shared.record:
        result.sample_paths.update(sample_records(system, engine, outcome.seed, len(result.sample_paths["z"])))
    return result


def sample_records(system, engine, seed: int, n: int) -> dict:
    """{"record_times", "record_z"}: the first ``n`` trajectories of seed block 0 (the sample paths) on the
    uniform step grid, integrated again by the backend with their classical point kept at every step."""
    from ..system.records import step_grid
    from .backend import Block
    from .seeds import block_seed

    raw = engine.prepare(system).records(Block(0, block_seed(seed, 0), n), n)
    times, z = step_grid(system, raw)
    return {"record_times": times, "record_z": z}


def with_plugin_options(result, method_options, backend_options):
    """``result`` with ``info.plugin_options``: the values of the method's and the backend's own
    options the run used (defaults included), so that a saved result says how to reproduce it."""
    used = {who: dataclasses.asdict(options) for who, options in (("method", method_options),
                                                                  ("backend", backend_options))
            if options is not None}
    if result is not None and used:
        result.info = result.info.replace(plugin_options=used)
    return result
