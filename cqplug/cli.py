"""The command line (a stable contract; scripts depend on it).

    cqplug list
    cqplug check MODEL [--param NAME=VALUE ...]
    cqplug run MODEL [--param NAME=VALUE ...] [--method cq|cq-ket|mean-field|lindblad]
                     [--backend NAME] [--trajectories N] [--seed S] [--t-final T]
                     [--dt DT] [--save-dt DS] [--output FILE.json] [--solver NAME] ...
    cqplug scan MODEL --grid NAME=V1,V2,... [--grid NAME=START:STOP:COUNT ...] [run options] [-o SCAN.json]
    cqplug plot RESULT.json [--observables q,sz] [--output FILE.png] [--reference EXACT.json]
    cqplug new-plugin NAME [--directory DIR]

Bad input: a one-line error on stderr, exit status 2, nothing written to --output.
A run that fails part-way (a diverging trajectory): exit status 1, the finished part saved to
--output marked partial.
Ctrl-C during a run: the finished part is kept, saved if --output was given (marked partial),
exit status 130.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

from . import __version__
from .errors import CQPlugError, RunFailed
from .plugins import KINDS, get_registry


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit status 2 (like every other input error)."""

    def error(self, message):
        self.exit(2, f"cqplug: error: {message} (see {self.prog} --help)\n")


def _param(text: str) -> tuple:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()  # the model checks that the value is a number


def _hist_range(text: str) -> tuple:
    name, sep, rng = text.partition("=")
    lo, sep2, hi = rng.partition(":")
    try:
        return name, (float(lo), float(hi))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=LOW:HIGH, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cqplug", description="Exact classical-quantum dynamics.")
    parser.add_argument("--version", action="version", version=f"cqplug {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("list", help="list models, channels, methods and backends, and plugins that failed to load")

    def model_args(p):
        p.add_argument("model", help="model name (see `cqplug list`)")
        p.add_argument("--param", "-p", action="append", type=_param, default=[], metavar="NAME=VALUE",
                       help="set a model parameter (repeatable)")

    model_args(sub.add_parser("check", help="validate parameters: trade-off ratio, saturation, exactness"))

    def solve_args(p):
        model_args(p)
        p.add_argument("--method", default="cq", help="cq (default), cq-ket, mean-field, lindblad, ...")
        p.add_argument("--backend", default=None, help="integrator backend for trajectory methods (default: cpu)")
        p.add_argument("--trajectories", "-n", type=int, default=10_000, help="ensemble size (cap with --target-stderr)")
        p.add_argument("--seed", type=int, default=None, help="master seed (default: fresh, recorded in the result)")
        p.add_argument("--t-final", type=float, default=2 * math.pi, help="final time (default 2 pi)")
        p.add_argument("--dt", type=float, default=1e-3, help="largest time step (default 1e-3)")
        p.add_argument("--save-dt", type=float, default=None, help="interval between saved times (default t_final/40)")
        p.add_argument("--executor", default="local", choices=["local", "dask"],
                       help="where chunks run: threads here (default) or a Dask cluster")
        p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="with --executor dask: the scheduler, e.g. tcp://host:8786 (default: a LocalCluster here)")
        p.add_argument("--workers", type=int, default=None,
                       help="worker threads (default: all cores); dask without --scheduler: worker processes")
        p.add_argument("--chunk-size", type=int, default=None, help="trajectories per task (does not change results)")
        p.add_argument("--target-stderr", type=float, default=None,
                       help="stop when every observable's standard error is below this (--trajectories is the cap)")
        p.add_argument("--bins", type=int, default=60, help="histogram bins per classical variable")
        p.add_argument("--hist-range", action="append", type=_hist_range, default=[], metavar="NAME=LOW:HIGH",
                       help="histogram range of a classical variable (default: from a pilot run)")
        p.add_argument("--solver", default=None,
                       help="integrator of the backend, where it offers several (julia: DRI1 default, RI5, EM, LambaEM)")
        p.add_argument("--truncation", type=int, default=None, help="lindblad: Fock states per mode (default: automatic)")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    run = sub.add_parser("run", help="solve a model and print or save the result")
    solve_args(run)
    run.add_argument("--output", "-o", default=None, help="save the result (.json or .npz)")
    run.add_argument("--reference", action="store_true",
                     help="also solve the exact lindblad reference and print z-scores against it")
    run.add_argument("--plot", default=None, metavar="FILE.png",
                     help="also draw the result (means with error bands, exact reference, histograms)")

    scan = sub.add_parser("scan", help="one ensemble per point of a parameter grid, saved together")
    solve_args(scan)
    scan.add_argument("--grid", "-g", action="append", default=[], metavar="NAME=V1,V2|START:STOP:COUNT",
                      help="a scanned parameter (repeatable; the grid is their product)")
    scan.add_argument("--output", "-o", default=None, help="save the scan (.json)")

    plot = sub.add_parser("plot", help="draw a saved result: means with error bands, reference, histograms")
    plot.add_argument("result", help="a result saved with --output (.json or .npz)")
    plot.add_argument("--observables", default=None, help="comma-separated names (default: all)")
    plot.add_argument("--output", "-o", default=None, help="image file (default: RESULT with .png)")
    plot.add_argument("--reference", default=None, help="a saved exact result to overlay (default: the one in RESULT)")

    new = sub.add_parser("new-plugin", help="write a plugin package cqplug-NAME with a model NAME and its tests")
    new.add_argument("name", help="model name: lower-case letters, digits and hyphens")
    new.add_argument("--directory", default=".", help="where to create cqplug-NAME/ (default: here)")
    return parser


def cmd_list(out) -> int:
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


def _problem(args, require_cq: bool = True):
    from .problem import Problem

    params = dict(args.param)
    kwargs = {}
    if getattr(args, "t_final", None) is not None:
        kwargs = {"t_final": args.t_final, "save_dt": args.save_dt}
    return Problem(args.model, params, require_cq=require_cq, **kwargs)


def cmd_check(args, out) -> int:
    problem = _problem(args)
    print(problem.summary(), file=out)
    return 0


def cmd_plot(args, out) -> int:
    from .plotting import plot_result
    from .result import Result

    def load(path):
        try:
            return Result.load(path)
        except (OSError, ValueError, KeyError) as exc:
            raise CQPlugError(f"cannot read result {path!r}: {exc}") from None

    result = load(args.result)
    reference = load(args.reference) if args.reference else None
    names = [n.strip() for n in args.observables.split(",")] if args.observables else None
    path = args.output or os.path.splitext(args.result)[0] + ".png"
    plot_result(result, path, observables=names, reference=reference)
    print(f"plotted {path}", file=out)
    return 0


def cmd_new_plugin(args, out) -> int:
    from .scaffold import new_plugin

    root = new_plugin(args.name, args.directory)
    print(f"created {root}: model {args.name!r} in {root}/{root.name.replace('-', '_')}/model.py\n"
          f"next: pip install -e {root}  &&  cqplug run {args.name} --reference  &&  python -m pytest {root}/tests",
          file=out)
    return 0


def _solve_options(args) -> dict:
    """The options of cqplug.solve given on the command line (run and scan share them)."""
    options = dict(trajectories=args.trajectories, seed=args.seed, dt=args.dt, workers=args.workers,
                   target_stderr=args.target_stderr, bins=args.bins, truncation=args.truncation,
                   hist_range=dict(args.hist_range) or None, progress=False if args.quiet else None,
                   solver=args.solver, executor=args.executor, scheduler=args.scheduler)
    if args.chunk_size is not None:
        options["chunk_size"] = args.chunk_size
    return options


def cmd_scan(args, out) -> int:
    from .scan import parse_grid, scan

    grid = parse_grid(args.grid)
    if args.output and not args.output.lower().endswith(".json"):
        raise CQPlugError(f"cannot save a scan to {args.output!r}: use a .json file name")
    options = _solve_options(args)
    total = math.prod(len(v) for v in grid.values())

    def report(i, point, result, error):
        head = " ".join(f"{k}={v:g}" for k, v in point.items())
        done = f"{result.info.get('trajectories', '')} trajectories" if result is not None else ""
        print(f"[{i + 1}/{total}] {head}: " + (error or done), file=out, flush=True)

    result = scan(args.model, grid, dict(args.param), t_final=args.t_final, save_dt=args.save_dt, method=args.method,
                  backend=args.backend, on_point=report, **options)
    print(result.summary(), file=out)
    if args.output:
        result.save(args.output)
        print(f"saved {args.output}" + (" (PARTIAL)" if result.partial else ""), file=out)
    if result.partial:
        print("interrupted: kept the points finished (scan marked partial)", file=sys.stderr)
        return 130
    return 0


def cmd_run(args, out) -> int:
    from .compare import zscores
    from .solve import solve

    method = get_registry().create("methods", args.method)
    problem = _problem(args, require_cq=method.needs_valid_cq or args.reference)
    options = _solve_options(args)
    try:
        result = solve(problem, method=args.method, backend=args.backend, **options)
    except RunFailed as exc:
        if args.output and exc.partial_result is not None:
            exc.partial_result.save(args.output)
            print(f"saved the finished part to {args.output} (PARTIAL)", file=out)
        raise
    reference = solve(problem, method="lindblad", tolerance=1e-6) if args.reference else None
    if reference is not None:
        result.reference = {k: reference.mean(k) for k in reference.observables}
    if args.output:
        result.save(args.output)
    info = result.info
    if not args.output or reference is not None:
        what = f"{info['trajectories']} trajectories, seed {info['seed']}" if "seed" in info \
            else f"truncation N = {info.get('truncation')}"
        print(f"{info['model']} with {info['method']}" + (f" on {info['backend']}" if info["backend"] else "")
              + f": {what}" + ("" if problem.exact else "  [CQ description is an approximation]"), file=out)
        print(result.summary(), file=out)
    if reference is not None:
        print(f"z-scores against the exact reference (N = {reference.info['truncation']}):", file=out)
        for name, z in zscores(result, reference).items():
            print(f"  {name:>8}: max |z| = {np.nanmax(np.abs(z)):.2f} over {np.isfinite(z).sum()} times", file=out)
    if args.output:
        print(f"saved {args.output}" + (" (PARTIAL)" if result.partial else ""), file=out)
    if args.plot:
        from .plotting import plot_result

        plot_result(result, args.plot)
        print(f"plotted {args.plot}", file=out)
    if result.partial:
        print(f"interrupted: kept the {info['trajectories']} trajectories finished (result marked partial)",
              file=sys.stderr)
        return 130
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "list":
            return cmd_list(out)
        if args.command == "check":
            return cmd_check(args, out)
        if args.command == "scan":
            return cmd_scan(args, out)
        if args.command == "plot":
            return cmd_plot(args, out)
        if args.command == "new-plugin":
            return cmd_new_plugin(args, out)
        return cmd_run(args, out)
    except RunFailed as exc:
        print(f"cqplug: error: {exc}", file=sys.stderr)
        return 1
    except CQPlugError as exc:
        print(f"cqplug: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cqplug: interrupted before any trajectory block finished; nothing saved", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
