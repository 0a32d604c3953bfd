"""What each command does. Input is checked before any work (parameters, paths, options); a run
saves what it finished before anything that could fail after it (the reference, a figure)."""

from __future__ import annotations

import math
import os
import sys

import numpy as np

from ..errors import CQPlugError, RunFailed
from ..registry import KINDS, get_registry
from ..results.result import SAVED_AS, check_output_path, format_value
from ..solving.interrupts import Terminated, deferred_interrupts
from ..solving.methods import ReferenceMethod, TrajectoryMethod
from ..solving.options import DEFAULT_BACKEND, route_option_texts
from .arguments import solve_options

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def parameters(pairs) -> dict:
    """{name: value} from -p NAME=VALUE pairs; a name given twice is refused."""
    values = {}
    for name, value in pairs:
        if name in values:
            raise CQPlugError(f"parameter {name} is given twice (-p {name}={values[name]} and -p {name}={value}); "
                              "give it once")
        values[name] = value
    return values


def cmd_list(args, out) -> int:
    registry = get_registry()
    for kind in KINDS:
        print(f"{kind}:", file=out)
        for name in registry.names(kind):
            entry = registry.get(kind, name)
            print(f"  {name:<22} {entry.summary}", file=out)
            print(f"  {'':<22} [plugin {entry.plugin}, {entry.distribution}]", file=out)
    if registry.failures:
        print("failed plugins:", file=out)
        for f in registry.failures:
            print(f"  {f.plugin:<22} {f.reason}  [{f.distribution}]", file=out)
    return 0


def cmd_check(args, out) -> int:
    from ..problem import Problem
    from .describe import check_text

    problem = Problem(args.model, parameters(args.param))
    print(check_text(problem), file=out)
    return 0


def cmd_describe(args, out) -> int:
    from .describe import describe_text

    print(describe_text(args.model, parameters(args.param)), file=out)
    return 0


def cmd_derive(args, out) -> int:
    from ..problem.derivation import derive

    print(derive(args.model, parameters(args.param), latex=args.latex), file=out)
    return 0


def _plugin_options(args, registry, method, reference=None) -> tuple:
    """(solve kwargs, reference kwargs) from -O NAME=VALUE: each name routed to the one plugin that
    declares it (the method, the backend of a trajectory method, then the reference method)."""
    owners = [(f"method {args.method!r}", getattr(method, "Options", None))]
    if isinstance(method, TrajectoryMethod):
        backend = args.backend or DEFAULT_BACKEND
        owners.append((f"backend {backend!r}", getattr(registry.get("backends", backend).factory, "Options", None)))
    if reference is not None:
        owners.append((f"the reference {reference.name!r}", getattr(reference, "Options", None)))
    routed = route_option_texts(args.option, owners)
    reference_options = routed.pop() if reference is not None else {}
    return {k: v for bucket in routed for k, v in bucket.items()}, reference_options


def exact_reference(registry, name: str | None = None):
    """The reference method ``--reference`` compares with: ``name``, or the one registered method that
    declares itself ``exact`` (a built-in one when plugins add others)."""
    if name is not None:
        method = registry.method(name)
        if not isinstance(method, ReferenceMethod):
            raise CQPlugError(f"--reference-method {name!r} is a trajectory method; give a reference method")
        return method
    found = []
    for candidate in registry.names("methods"):
        try:
            method = registry.method(candidate)
        except CQPlugError:  # a plugin's failing method is not the reference; `cqplug list` reports it
            continue
        if isinstance(method, ReferenceMethod) and method.exact:
            found.append((not registry.get("methods", candidate).builtin, candidate, method))
    if not found:
        raise CQPlugError("--reference: no exact reference method is installed (see `cqplug list`)")
    found.sort(key=lambda item: item[:2])
    if len(found) > 1 and found[0][0] == found[1][0]:
        raise CQPlugError(f"--reference: several exact reference methods ({', '.join(c for _, c, _ in found)}); "
                          "choose one with --reference-method NAME")
    return found[0][2]


def _validate(options: dict) -> None:
    """Check the shared options now, before any work (solve checks them again)."""
    from ..solving.options import SolveOptions

    SolveOptions(**{k: v for k, v in options.items() if k in SolveOptions.__dataclass_fields__})


def check_outputs(args) -> None:
    if getattr(args, "record", None) and args.command == "run":
        from ..results.records import RECORD_SUFFIXES

        check_output_path(args.record, RECORD_SUFFIXES)
    if getattr(args, "output", None):
        check_output_path(args.output, SAVED_AS if args.command == "run" else (".json",))
        if args.output.lower().endswith(".nc"):
            from ..results.datasets import require_netcdf

            require_netcdf()
    if getattr(args, "plot", None):
        check_output_path(args.plot, FIGURE_SUFFIXES)
        from ..results.plotting import require_matplotlib

        require_matplotlib()


def _save(result, path, out) -> None:
    with deferred_interrupts():
        result.save(path)
    print(f"saved {path}" + (" (PARTIAL)" if result.partial else ""), file=out)


def _interrupted(result) -> int:
    by = result.info.interrupted_by or "SIGINT"
    print(f"interrupted ({by}): kept the {result.info.trajectories} trajectories finished "
          "(result marked partial)", file=sys.stderr)
    return 143 if by == "SIGTERM" else 130


def cmd_run(args, out) -> int:
    from ..problem import Problem
    from ..solving.solve import solve

    registry = get_registry()
    method = registry.method(args.method)
    check_outputs(args)
    reference = None
    if args.reference or args.reference_method:
        reference = exact_reference(registry, args.reference_method)
        reference.check_available()
    problem = Problem(args.model, parameters(args.param), t_final=args.t_final, save_dt=args.save_dt,
                      require_cq=method.needs_valid_cq)
    own, reference_options = _plugin_options(args, registry, method, reference)
    options = solve_options(args) | own | ({"record": True} if args.record else {})
    _validate(options)
    if not isinstance(method, TrajectoryMethod):
        options = {k: options[k] for k in ("bins", "hist_range", "progress")} | own
    try:
        result = solve(problem, method=args.method, backend=args.backend, registry=registry, **options)
    except CQPlugError as exc:
        partial = getattr(exc, "partial_result", None)
        if args.output and partial is not None:
            _save(partial, args.output, out)
            raise RunFailed(f"{exc}; the finished part is saved in {args.output}", partial) from None
        raise
    if args.output:
        _save(result, args.output, out)
    if args.record and result.records:
        from ..results.records import save_records

        with deferred_interrupts():
            save_records(result.records, args.record)
        print(f"saved {args.record} ({len(result.records)} recorded paths of {len(result.records[0].times)} times)",
              file=out)
    _print_result(problem, result, out)
    if result.partial:
        return _interrupted(result)
    status = 0
    if reference is not None:
        status = _compare_with_reference(problem, result, args, reference, reference_options, out)
    if args.plot and status == 0:
        from ..results.plotting import plot_result

        try:
            plot_result(result, args.plot, residuals=args.residuals)
            print(f"plotted {args.plot}{_left_out(result, args.residuals)}", file=out)
        except CQPlugError as exc:
            kept = f"; the result is saved in {args.output}" if args.output else ""
            raise CQPlugError(f"plotting failed: {exc}{kept}") from None
    return status


def _print_result(problem, result, out) -> None:
    from ..results.compare import step_error_line

    info = result.info
    backend = f" on {info.backend}" if info.backend else ""
    print(f"{info.model} with {info.method}{backend}: {info.summary or info.kind}", file=out)
    if not problem.exact:
        print("note: the CQ description of this model is an approximation: " + "; ".join(problem.approximations),
              file=out)
    adjusted = info.time_step.get("adjusted")
    if adjusted:
        print(f"note: {adjusted}", file=out)
    print("units: hbar = 1; times in the model's units" + ("; values are Richardson-extrapolated" if
                                                           info.extrapolated else ""), file=out)
    print(result.summary(), file=out)
    if not info.deterministic:
        line, small = step_error_line(result)
        print(line, file=out if small else sys.stderr)


def _compare_with_reference(problem, result, args, method, reference_options, out) -> int:
    from ..results.compare import verdict, zscores
    from ..solving.solve import solve

    kept = f" (the trajectory result is saved in {args.output})" if args.output else ""
    try:
        reference = solve(problem, method, progress=False if args.quiet else None, bins=args.bins,
                          hist_range=dict(args.hist_range) or None, **reference_options)
    except KeyboardInterrupt as exc:
        print(f"interrupted during the exact reference{kept}", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except CQPlugError as exc:
        print(f"cqplug: error: the exact reference failed: {exc}{kept}", file=sys.stderr)
        return 2
    result.reference = {k: reference.mean(k) for k in reference.observables}
    if args.output:
        _save(result, args.output, out)
    print(f"exact reference ({reference.info.method}): {reference.info.summary or 'deterministic'}", file=out)
    width = max(len(n) for n in result.observables)
    for name, z in zscores(result, reference).items():
        finite = z[np.isfinite(z)]
        largest = float(np.abs(finite).max()) if finite.size else 0.0
        bad = int(np.isinf(z).sum())
        print(f"  {name:>{width}}: max |z| = {largest:5.2f} over {finite.size} times"
              + (f", {bad} deterministic mismatch(es)" if bad else "")
              + f"   exact at t = {problem.times[-1]:.4g}: {format_value(reference.mean(name)[-1], 0)}", file=out)
    text, ok = verdict(result, reference)
    print(f"verdict: {text}", file=out)
    return 0


def cmd_scan(args, out) -> int:
    from ..problem import Problem
    from ..solving.scan import parse_grid, scan

    registry = get_registry()
    grid = parse_grid(args.grid)
    check_outputs(args)
    method = registry.method(args.method)
    problem = Problem(args.model, parameters(args.param), t_final=args.t_final, save_dt=args.save_dt,
                      require_cq=False)
    own, _ = _plugin_options(args, registry, method)
    options = solve_options(args) | own
    _validate(options)
    if not isinstance(method, TrajectoryMethod):
        options = {k: options[k] for k in ("bins", "hist_range", "progress")} | own
    total = math.prod(len(v) for v in grid.values())

    def report(i, point, result, error):
        head = " ".join(f"{k}={v:g}" for k, v in point.items())
        if result is None:
            done = ""
        else:
            info = result.info
            done = info.summary if info.deterministic else f"{info.trajectories} trajectories"
        print(f"[{i + 1}/{total}] {head}: " + (error or done), file=out, flush=True)

    result = scan(problem, grid, method=args.method, backend=args.backend, on_point=report, registry=registry,
                  **options)
    print(result.summary(), file=out)
    if args.output:
        with deferred_interrupts():
            result.save(args.output)
        print(f"saved {args.output}" + (" (PARTIAL)" if result.partial else ""), file=out)
    if result.partial:
        print("interrupted: kept the points finished (scan marked partial)", file=sys.stderr)
        return 130
    return 0


def cmd_plot(args, out) -> int:
    from ..results.plotting import plot_file

    path = args.output or os.path.splitext(args.result)[0] + ".png"
    check_output_path(path, FIGURE_SUFFIXES)
    names = [n.strip() for n in args.observables.split(",")] if args.observables else None
    plot_file(args.result, path, observables=names, reference=args.reference, residuals=args.residuals)
    left_out = ""
    if names is None:
        try:
            from ..results.result import Result

            left_out = _left_out(Result.load(args.result), args.residuals)
        except CQPlugError:  # a scan: every observable is one panel
            left_out = ""
    print(f"plotted {path}{left_out}", file=out)
    return 0


def _left_out(result, residuals: bool = False) -> str:
    """What the default figure did not show, and how to ask for it."""
    from ..results.plotting import default_panels

    *_, left_out = default_panels(result, residuals)
    return f" (left out: {', '.join(left_out)}; --observables NAMES to choose)" if left_out else ""


def cmd_new_plugin(args, out) -> int:
    from ..scaffold import new_plugin

    owner = get_registry().owner(args.name)
    if owner is not None:
        raise CQPlugError(f"the name {args.name!r} is already registered (plugin {owner.plugin}, {owner.distribution});"
                          " choose another")
    root = new_plugin(args.name, args.directory)
    print(f"created {root}: model {args.name!r} in {root}/{root.name.replace('-', '_')}/model.py\n"
          f"next: pip install -e {root}  &&  cqplug run {args.name} --reference  &&  python -m pytest {root}/tests",
          file=out)
    return 0


COMMANDS = {"list": cmd_list, "check": cmd_check, "describe": cmd_describe, "derive": cmd_derive, "run": cmd_run,
            "scan": cmd_scan, "plot": cmd_plot, "new-plugin": cmd_new_plugin}
