"""The command line (a stable contract; scripts depend on it).

    cqplug list
    cqplug check MODEL [-p NAME=VALUE ...]
    cqplug describe MODEL          cqplug derive MODEL [--latex]
    cqplug run MODEL [-p NAME=VALUE ...] [--method NAME] [--backend NAME]
                     [-n N] [--seed S] [--t-final T] [--dt DT] [--save-dt DS] [-o FILE.json|.npz|.nc]
                     [--reference [--reference-method NAME]] [--plot FILE.png] [--target-error E]
                     [--record FILE.npz|.csv] [-O NAME=VALUE] ...
    cqplug scan MODEL --grid NAME=V1,V2,... [--grid NAME=START:STOP:COUNT ...] [run options] [-o SCAN.json]
    cqplug filter MODEL --record FILE.npz|.csv [-p NAME=VALUE ...] [--path K] [-o OUT.json] [--plot FILE.png]
    cqplug profile MODEL --record FILE.npz|.csv --grid NAME=START:STOP:COUNT [-p NAME=VALUE ...] [--path K ...]
                   [-o PROFILE.json] [--plot FILE.png]
    cqplug plot RESULT.json|.npz|.nc|SCAN.json [--observables q,sz] [--output FILE.png] [--reference EXACT.json]
    cqplug new-plugin NAME [--directory DIR]

``cqplug --debug ...`` adds the Python traceback to an error's one line. Deprecated spellings (a
channel name or module path of an earlier cqplug, used by a plugin) work and print one line each.

Exit status: 0 success; 2 bad input (one line on stderr, nothing written), a plugin that failed, or a failed step after
the run (the run's result kept); 1 a run that failed part-way (the finished part saved, marked
partial); 130 Ctrl-C and 143 SIGTERM (the finished part kept and saved, marked partial).
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
import warnings

from ..errors import CQPlugError, RunFailed
from ..solving.interrupts import Terminated, terminate_as_interrupt
from .arguments import build_parser


def _flag_value(argv, flag, default=None):
    """The value of ``flag`` on the command line (``--flag VALUE`` or ``--flag=VALUE``)."""
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return default


def _start_backend_early(argv) -> None:
    """A backend's factory may define ``start_before_numpy()``: called when the backend is chosen on
    the command line, before anything imports NumPy (for runtimes that must load their shared
    libraries first). Unknown names are left to the run's own error."""
    name = _flag_value(argv, "--backend")
    if not name or not argv or argv[0] not in ("run", "scan"):
        return
    from ..registry import get_registry

    entry = get_registry().entries["backends"].get(name)
    hook = getattr(entry.factory, "start_before_numpy", None) if entry is not None else None
    if hook is not None:
        hook()


def _plugin_help(parser, argv) -> None:
    """With --help on run/scan: list the options of the method and backend named on the line."""
    if not argv or argv[0] not in ("run", "scan") or not ({"-h", "--help"} & set(argv)):
        return

    from ..registry import get_registry
    from ..solving.options import DEFAULT_BACKEND, describe_options
    from .commands import exact_reference

    registry = get_registry()
    lines = []
    try:
        method = registry.method(_flag_value(argv, "--method", "cq"))
        owners = [(f"method {_flag_value(argv, '--method', 'cq')}", getattr(method, "Options", None))]
        backend = _flag_value(argv, "--backend", DEFAULT_BACKEND)
        owners.append((f"backend {backend}", getattr(registry.get("backends", backend).factory, "Options", None)))
        if "--reference" in argv or any(a.startswith("--reference-method") for a in argv):
            reference = exact_reference(registry, _flag_value(argv, "--reference-method", None))
            owners.append((f"reference {reference.name}", reference.Options))
    except CQPlugError as exc:
        lines.append(str(exc))
        owners = []
    for owner, options in owners:
        described = describe_options(options)
        lines.append(f"options of the {owner} (-O NAME=VALUE): " + ("none" if not described else ""))
        lines += [f"  {name} (default {default}): {text}" for name, default, text in described]
    subparsers = next(a for a in parser._actions if a.dest == "command")
    subparsers.choices[argv[0]].epilog = "\n".join(lines)


@contextlib.contextmanager
def _deprecations_shown():
    """cqplug's deprecation warnings (each once per run) as one line on stderr: Python hides
    DeprecationWarning outside __main__, and a plugin author should see them."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"cqplug: deprecated: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.filterwarnings("always", message=r".* is deprecated since cqplug", category=DeprecationWarning)
        warnings.showwarning = show
        yield


def _report(exc: CQPlugError, debug: bool) -> None:
    print(f"cqplug: error: {exc}", file=sys.stderr)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    _plugin_help(parser, argv)
    args = parser.parse_args(argv)
    _start_backend_early(argv)
    from . import commands, filtering  # imports NumPy

    out = sys.stdout
    try:
        with terminate_as_interrupt(), _deprecations_shown():
            return (commands.COMMANDS | filtering.COMMANDS)[args.command](args, out)
    except RunFailed as exc:
        _report(exc, args.debug)
        return 1
    except CQPlugError as exc:
        _report(exc, args.debug)
        return 2
    except KeyboardInterrupt as exc:
        by = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
        print(f"cqplug: interrupted ({by}) before any trajectory block finished; nothing saved", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except BrokenPipeError:  # e.g. `cqplug check toy | head -1`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
