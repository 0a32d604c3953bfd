"""The commands on recorded classical paths: ``cqplug filter`` (the quantum state conditioned on one
path, and its log-likelihood) and ``cqplug profile`` (the log-likelihood of a file's paths over a grid of
one parameter, summed over the paths, and the maximum-likelihood estimate with its curvature error)."""

from __future__ import annotations

import sys

import numpy as np

from .. import __version__
from ..errors import CQPlugError
from ..results.result import write_json
from ..solving.interrupts import Terminated, deferred_interrupts
from .commands import check_outputs, parameters


def _records(args, problem) -> list:
    """[(index, record)] of the paths ``--path`` names (all where it is not given), their variables
    checked against the model's."""
    from ..results.records import load_records

    records = load_records(args.record)
    chosen = args.path if args.path is not None else range(len(records))
    if isinstance(chosen, int):
        chosen = [chosen]
    for k in chosen:
        if not 0 <= k < len(records):
            raise CQPlugError(f"--path {k}: {args.record} holds {len(records)} path(s), numbered from 0")
    variables = tuple(str(v) for v in problem.model.z)
    names = records[0].z_names if records else ()
    if names and tuple(names) != variables:
        raise CQPlugError(f"{args.record}: its variables ({', '.join(names)}) are not model "
                          f"{args.model!r}'s ({', '.join(variables)}, in this order)")
    return [(k, records[k]) for k in dict.fromkeys(chosen)]


def cmd_filter(args, out) -> int:
    from ..filtering import filter as run_filter
    from ..problem import Problem

    check_outputs(args)
    problem = Problem(args.model, parameters(args.param))
    ((_, record),) = _records(args, problem)
    result = run_filter(problem, record.times, record.z, method=args.method, tolerance=args.tolerance)
    if args.output:
        with deferred_interrupts():
            result.save(args.output)
        print(f"saved {args.output}", file=out)
    print(result.summary(), file=out)
    if args.plot:
        from ..filtering.plotting import plot_filter

        quantum = [o.name for o in problem.observables if str(o.classical).strip() == "1"]
        plot_filter(result, args.plot, quantum or None, {o.name: o.label for o in problem.observables if o.label})
        print(f"plotted {args.plot}", file=out)
    return 0


def cmd_profile(args, out) -> int:
    """Per path, the log-likelihood at every grid value (a refused value, e.g. below the trade-off, is
    NaN); the sum over the paths (independent records: log-likelihoods add); the estimate from the sum.
    The file (``-o``) is written before the estimate, and keeps the paths finished if interrupted."""
    from ..filtering import curvature_estimate, likelihood_profile
    from ..filtering.result import LOGLIKELIHOOD
    from ..problem import Problem
    from ..solving.scan import grid_points, parse_grid

    grid = parse_grid(args.grid)
    if len(grid) != 1:
        raise CQPlugError(f"a likelihood profile scans one parameter; got {', '.join(grid)} (give --grid once)")
    ((name, values),) = grid.items()
    check_outputs(args)
    problem = Problem(args.model, parameters(args.param), require_cq=False)  # each grid value is checked
    grid_points(problem.model, grid)
    records = _records(args, problem)
    per_path, stopped = {}, None
    try:
        for i, (k, record) in enumerate(records):
            try:
                profile = likelihood_profile(problem, grid, record.times, record.z, method=args.method,
                                             tolerance=args.tolerance)
            except CQPlugError as exc:
                raise CQPlugError(f"path {k} of {args.record}: {exc}") from None
            per_path[k] = profile.table(LOGLIKELIHOOD)
            best = np.nanargmax(per_path[k]) if np.isfinite(per_path[k]).any() else None
            at = f"largest at {name} = {values[best]:g}" if best is not None else "refused at every value"
            print(f"[{i + 1}/{len(records)}] path {k}: {at}", file=out, flush=True)
    except KeyboardInterrupt as exc:
        stopped = exc
    if not per_path:
        raise stopped or CQPlugError(f"{args.record} holds no paths")
    total = np.sum(list(per_path.values()), axis=0)
    try:
        estimate, error, refused = *curvature_estimate(values, total), None
    except CQPlugError as exc:
        estimate, error, refused = None, None, str(exc)
    print(_table(name, values, total, len(per_path)), file=out)
    if args.output:
        fixed = {k: v for k, v in problem.params.items() if k != name}
        saved = {"cqplug": __version__, "model": args.model, "parameters": fixed,
                 "record": str(args.record), "paths": list(per_path), "parameter": name, "values": list(values),
                 "loglikelihood": total, "per_path": list(per_path.values()),
                 "estimate": estimate, "error": error, "estimate_refused": refused, "partial": stopped is not None}
        with deferred_interrupts():
            write_json(args.output, saved)
        print(f"saved {args.output}" + (" (PARTIAL)" if stopped else ""), file=out)
    if stopped is not None:
        by = "SIGTERM" if isinstance(stopped, Terminated) else "Ctrl-C"
        print(f"interrupted ({by}): kept the {len(per_path)} path(s) finished", file=sys.stderr)
        return 143 if isinstance(stopped, Terminated) else 130
    if refused is not None:
        raise CQPlugError(f"no estimate: {refused}" + (f"; the profile is saved in {args.output}" if args.output
                                                        else ""))
    print(f"{name} = {estimate:.6g} ± {error:.2g} (maximum likelihood over {len(per_path)} path(s); "
          "± the curvature error)", file=out)
    if args.plot:
        from ..filtering.plotting import plot_profile

        plot_profile(values, total, name, estimate, error, args.plot,
                     f"{args.model}: {len(per_path)} recorded path(s)")
        print(f"plotted {args.plot}", file=out)
    return 0


def _table(name, values, total, paths) -> str:
    """The summed profile as lines ``value  log-likelihood  difference from the largest``."""
    top = np.nanmax(total) if np.isfinite(total).any() else np.nan
    lines = [f"{name:>12s}  log-likelihood ({paths} path(s))  minus the largest"]
    for value, ll in zip(values, total):
        lines.append(f"{value:12.6g}  {ll:24.6f}  {ll - top:17.4f}" if np.isfinite(ll)
                     else f"{value:12.6g}  {'refused':>24s}")
    return "\n".join(lines)


COMMANDS = {"filter": cmd_filter, "profile": cmd_profile}
