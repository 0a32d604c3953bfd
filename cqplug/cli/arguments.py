"""The command line's arguments: the shared solve flags are generated from
:class:`cqplug.solving.options.SolveOptions`, so their names, defaults and help have one source;
a method's or backend's own options are given as ``--option NAME=VALUE``."""

from __future__ import annotations

import argparse
import dataclasses
import math

from .. import __version__
from ..solving.options import DEFAULT_BACKEND, SolveOptions, shown_default


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit status 2 (like every other input error)."""

    def error(self, message):
        self.exit(2, f"cqplug: error: {message} (see {self.prog} --help)\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _pair(kind: str):
    def parse(text: str) -> tuple:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
        return name.strip(), value.strip()

    parse.__name__ = kind
    return parse


def _hist_range(text: str) -> tuple:
    name, _, rng = text.partition("=")
    lo, _, hi = rng.partition(":")
    try:
        low, high = float(lo), float(hi)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=LOW:HIGH, got {text!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise argparse.ArgumentTypeError(f"histogram range {text!r} must be finite with LOW < HIGH")
    return name, (low, high)


def _count(text: str) -> int:
    """An integer, also written as 1e4 or 10_000."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not (math.isfinite(value) and value.is_integer()):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(value)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


_TYPES = {"trajectories": _count, "seed": _count, "workers": _count, "chunk_size": _count, "bins": _count,
          "n_paths": _count, "dt": _number, "target_stderr": _number, "target_error": _number}


def add_solve_options(p: argparse.ArgumentParser) -> None:
    """One flag per field of SolveOptions that the command line offers, default shown."""
    for f in dataclasses.fields(SolveOptions):
        meta = f.metadata
        if not meta.get("cli", True):
            continue
        flag = "--" + f.name.replace("_", "-")
        names = [flag] + ([meta["short"]] if meta.get("short") else [])
        help_text = meta["help"].replace("%", "%%")
        help_text = f"{help_text} (default: {shown_default(f)})"
        if f.type in ("bool", bool) or isinstance(f.default, bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default, help=help_text)
            continue
        kwargs = {"default": f.default, "metavar": meta.get("metavar"), "help": help_text}
        if f.name == "hist_range":
            kwargs.update(action="append", type=_hist_range, default=[])
        elif meta.get("choices"):
            kwargs["choices"] = meta["choices"]
        elif f.name in _TYPES:
            kwargs["type"] = _TYPES[f.name]
        p.add_argument(*names, **{k: v for k, v in kwargs.items() if v is not None or k == "default"})


def solve_options(args) -> dict:
    """The shared options given on the command line, as keyword arguments of cqplug.solve."""
    options = {}
    for f in dataclasses.fields(SolveOptions):
        if f.metadata.get("cli", True) and hasattr(args, f.name):
            options[f.name] = getattr(args, f.name)
    options["hist_range"] = dict(options.get("hist_range") or []) or None
    options["progress"] = False if getattr(args, "quiet", False) else None
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cqplug", description="Exact classical-quantum dynamics (hbar = 1; times in the model's "
                                               "units).", formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"cqplug {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, also print the Python traceback (e.g. of a plugin that failed)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    sub.add_parser("list", help="list models, channels, methods and backends, and plugins that failed to load")

    def model_args(p):
        p.add_argument("model", help="model name (see `cqplug list`)")
        p.add_argument("--param", "-p", action="append", type=_pair("param"), default=[], metavar="NAME=VALUE",
                       help="set a model parameter (repeatable; each name once)")

    check = sub.add_parser("check", help="validate parameters: the trade-off, saturation, exactness")
    model_args(check)
    describe = sub.add_parser("describe", help="a model in full: Hamiltonian, parameters with units and defaults, "
                                               "channels, initial state, observables, trade-off")
    model_args(describe)
    derive = sub.add_parser("derive", help="the derived equations: Hamilton's equations with back-reaction, D2, D1, "
                                           "D0, the positivity condition, the hybrid master equation, the CQ SDEs")
    model_args(derive)
    derive.add_argument("--latex", action="store_true", help="print a LaTeX snippet instead of text")

    def solve_args(p):
        model_args(p)
        p.add_argument("--method", default="cq", help="a method `cqplug list` shows (default: cq)")
        p.add_argument("--backend", default=None,
                       help=f"integrator backend for trajectory methods (default: {DEFAULT_BACKEND})")
        p.add_argument("--t-final", type=_number, default=None,
                       help="final time (default: the model's own, one its exact reference reaches)")
        p.add_argument("--save-dt", type=_number, default=None,
                       help="interval between saved times; must divide t_final (default: t_final/40)")
        add_solve_options(p)
        p.add_argument("--option", "-O", action="append", type=_pair("option"), default=[], metavar="NAME=VALUE",
                       help="an option of the method, the backend or the reference method, e.g. -O truncation=60; "
                            "`cqplug run --method M --backend B [--reference] --help` lists them")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    run = sub.add_parser("run", help="solve a model and print or save the result", formatter_class=_Formatter)
    solve_args(run)
    run.add_argument("--output", "-o", default=None,
                     help="save the result (.json; .npz for large histograms; .nc NetCDF with cqplug[netcdf])")
    run.add_argument("--reference", action="store_true",
                     help="also solve the exact reference (the installed method that declares itself exact) and "
                          "compare (z-scores and a verdict)")
    run.add_argument("--reference-method", default=None, metavar="NAME",
                     help="with --reference: which reference method, where several are installed")
    run.add_argument("--plot", default=None, metavar="FILE.png",
                     help="also draw the result (means with error bands, exact reference, histograms)")
    run.add_argument("--residuals", action="store_true", help="with --plot and --reference: add panels of z-scores")
    run.add_argument("--record", default=None, metavar="FILE.npz|.csv",
                     help="also keep the sample trajectories' classical path at every time step and save them "
                          "(the input of `cqplug filter` and `cqplug profile`; --n-paths of them)")

    scan = sub.add_parser("scan", help="one ensemble per point of a parameter grid, saved together")
    solve_args(scan)
    scan.add_argument("--grid", "-g", action="append", default=[], metavar="NAME=V1,V2|START:STOP:COUNT",
                      help="a scanned parameter (repeatable; the grid is their product)")
    scan.add_argument("--output", "-o", default=None, help="save the scan (.json)")

    def record_args(p):
        model_args(p)
        p.add_argument("--record", "-r", required=True, metavar="FILE.npz|.csv",
                       help="the recorded paths: a file of `cqplug run --record` or a CSV with columns path, t and "
                            "the model's variables")
        p.add_argument("--method", default="cq", help="the density unravelling that defines the record (default: cq)")
        p.add_argument("--tolerance", type=_number, default=1e-6,
                       help="largest part of a step off the directions the noise moves, relative to max(1, |z|) "
                            "(default: 1e-06; measured data needs more)")

    filtering = sub.add_parser("filter", help="the quantum state conditioned on a recorded classical path, and the "
                                              "path's log-likelihood")
    record_args(filtering)
    filtering.add_argument("--path", type=int, default=0, help="which path of the file (default: 0, the first)")
    filtering.add_argument("--output", "-o", default=None, help="save the filter result (.json)")
    filtering.add_argument("--plot", default=None, metavar="FILE.png",
                           help="draw the recorded path and the conditioned quantum expectations")

    profile = sub.add_parser("profile", help="the log-likelihood of recorded paths over a grid of one parameter, and "
                                             "its maximum-likelihood estimate with the curvature error")
    record_args(profile)
    profile.add_argument("--grid", "-g", action="append", default=[], metavar="NAME=V1,V2|START:STOP:COUNT",
                         help="the parameter and its values (once; the estimate needs the maximum inside the grid)")
    profile.add_argument("--path", type=int, action="append", default=None,
                         help="a path of the file (repeatable; default: every path, their log-likelihoods summed)")
    profile.add_argument("--output", "-o", default=None,
                         help="save the profile (.json: the values, the summed and per-path log-likelihoods, the "
                              "estimate and its error)")
    profile.add_argument("--plot", default=None, metavar="FILE.png",
                         help="draw the profile, the fitted parabola and the estimate with its error")

    plot = sub.add_parser("plot", help="draw a saved result or scan: means with error bands, reference, histograms")
    plot.add_argument("result", help="a result (.json, .npz or .nc) or a scan (.json) saved with --output")
    plot.add_argument("--observables", default=None, help="comma-separated names (default: all)")
    plot.add_argument("--output", "-o", default=None, help="image file .png, .pdf or .svg (default: RESULT with .png)")
    plot.add_argument("--reference", default=None, help="a saved exact result to overlay (default: the one in RESULT)")
    plot.add_argument("--residuals", action="store_true", help="add panels of z-scores against the reference")

    new = sub.add_parser("new-plugin", help="write a plugin package cqplug-NAME with a model NAME and its tests")
    new.add_argument("name", help="model name: lower-case letters, digits and hyphens")
    new.add_argument("--directory", default=".", help="an existing directory in which to create cqplug-NAME/ "
                                                      "(default: here)")
    return parser
