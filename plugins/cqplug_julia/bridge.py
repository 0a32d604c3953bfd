"""Finding Julia and loading CQPlug.jl through juliacall: lazy, fail-fast, never downloading Julia.

Before juliacall is first imported, :func:`check_julia` finds a Julia executable (never
``juliaup``, which may install releases), runs ``julia --version`` and compares it with the range
juliapkg itself will require (computed from every ``juliapkg.json`` on the path, juliacall's
included: ``juliapkg.deps.find_requirements``). The Julia is exported as ``PYTHON_JULIAPKG_EXE``
*before* juliapkg is imported (juliapkg reads it once, at its import; if something imported it
earlier, its state is updated too), so juliapkg uses it and never looks for another, juliaup
included; one out of range is refused with the range, and the variable is left as it was.

The first start installs and precompiles the Julia packages (StochasticDiffEqWeak and
StochasticDiffEqLowOrder, for DRI1, RI5 and EM) into the environment's Julia project: minutes,
the network once. :func:`load` says so on stderr before it starts, prints a line every minute
while it lasts, and says how long it took.

Signals: with more than one Julia thread juliacall must let Julia install its signal handling,
which takes SIGINT and SIGTERM away from Python (Julia would exit on SIGTERM, losing the run).
:func:`load` gives both back to Python's main thread once Julia is up, so Ctrl-C and SIGTERM act
as on every other backend: the block in progress finishes (or Julia's InterruptException ends it),
the finished blocks are kept and saved, the result is marked partial.

Environment (read once, before juliacall's first import):

    CQPLUG_JULIA_THREADS            Julia threads for EnsembleThreads (default: "auto")
    PYTHON_JULIAPKG_EXE             the Julia to use (else ``julia`` on PATH)
    PYTHON_JULIACALL_EXE/_PROJECT   use this Julia and project, bypassing juliapkg entirely
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.resources
import importlib.util
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from cqplug.errors import BackendUnavailable

INSTALL_HINT = (
    "install a Julia in the range juliapkg requires (see `cqplug check` or the README; with Python's OpenSSL "
    "older than 3.5 that is 1.10.3 - 1.11) from https://julialang.org/downloads, put `julia` on PATH or set "
    "PYTHON_JULIAPKG_EXE=/path/to/julia, then pip install 'cqplug[julia]'; the first run installs "
    "StochasticDiffEq (minutes)"
)

_state = {"module": None, "error": None}


def find_julia() -> str | None:
    """A Julia executable, found without importing juliacall (juliaup is never used)."""
    for var in ("PYTHON_JULIACALL_EXE", "PYTHON_JULIAPKG_EXE"):
        value = os.environ.get(var)
        if value:
            return shutil.which(value) or (value if os.path.isfile(value) else None)
    return shutil.which("julia")


def julia_version(exe: str) -> str:
    """``X.Y.Z`` from ``exe --version``; BackendUnavailable if it is not a working Julia."""
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackendUnavailable(f"backend 'julia': {exe} --version failed ({exc})") from None
    match = re.search(r"julia version (\d+\.\d+\.\d+)", out)
    if not match:
        raise BackendUnavailable(f"backend 'julia': {exe} does not look like Julia (--version said {out.strip()!r})")
    return match.group(1)


def required_julia():
    """The Julia compat juliapkg will require here (a juliapkg Compat), or None without juliapkg."""
    try:
        import juliapkg.deps
    except ImportError:
        return None
    with contextlib.redirect_stdout(io.StringIO()):  # juliapkg logs "Found dependencies" to stdout
        compat, _ = juliapkg.deps.find_requirements()
    return compat


def _hand_to_juliapkg(exe: str | None) -> None:
    """Set PYTHON_JULIAPKG_EXE to ``exe`` (None: remove it), and juliapkg's copy of it if juliapkg is
    already imported (it reads the variable once, at import)."""
    if exe is None:
        os.environ.pop("PYTHON_JULIAPKG_EXE", None)
    else:
        os.environ["PYTHON_JULIAPKG_EXE"] = exe
    state = sys.modules.get("juliapkg.state")
    if state is not None:
        state.STATE["override_executable"] = exe


def check_julia() -> str:
    """Find Julia, check its version against juliapkg's requirement, export it for juliapkg (before
    juliapkg is imported); returns the executable. Raises BackendUnavailable with what to do otherwise."""
    exe = find_julia()
    if exe is None:
        raise BackendUnavailable("backend 'julia': no Julia executable found (PATH, PYTHON_JULIAPKG_EXE, "
                                 f"PYTHON_JULIACALL_EXE); {INSTALL_HINT}")
    version = julia_version(exe)
    bypass = bool(os.environ.get("PYTHON_JULIACALL_EXE"))  # juliacall then never asks juliapkg for a Julia
    before = os.environ.get("PYTHON_JULIAPKG_EXE")
    if not bypass:
        _hand_to_juliapkg(exe)
    compat = required_julia()
    if compat is not None:
        from juliapkg.compat import Version

        if Version.parse(version) not in compat:
            if not bypass:
                _hand_to_juliapkg(before)
            raise BackendUnavailable(f"backend 'julia': Julia {version} at {exe} is outside the range juliapkg "
                                     f"requires here ({compat}); "
                                     "juliapkg would then download another Julia. Install a Julia in that range "
                                     "and put it first on PATH or set PYTHON_JULIAPKG_EXE")
    return exe


def first_start() -> bool:
    """Whether starting Julia will install or update its packages (juliapkg has not resolved this
    environment for this Julia and these requirements yet). Best effort: False when unsure."""
    if os.environ.get("PYTHON_JULIACALL_EXE"):
        return False
    try:
        import juliapkg.deps

        with contextlib.redirect_stdout(io.StringIO()):
            return not juliapkg.deps.can_skip_resolve()
    except Exception:  # an internal juliapkg API: never let the announcement fail a run
        return False


@contextlib.contextmanager
def heartbeat(what: str, every: float = 60.0):
    """While the block runs, a line on stderr every ``every`` seconds saying that ``what`` is still
    going on and for how long (a first start must never look like a hang)."""
    started, done = time.perf_counter(), threading.Event()

    def beat():
        while not done.wait(every):
            minutes = (time.perf_counter() - started) / 60
            print(f"cqplug: still {what} ({minutes:.1f} min so far)", file=sys.stderr, flush=True)

    thread = threading.Thread(target=beat, name="cqplug-julia-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def give_signals_back() -> None:
    """After Julia started with its own signal handling, let SIGINT and SIGTERM reach Python again
    (Julia blocks them in every thread and waits for them on a thread of its own; a process-directed
    signal goes to the main thread when that thread does not block it)."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def status() -> tuple:
    """(True, "") if the backend can start here, else (False, why). Imports nothing."""
    if "juliacall" in sys.modules:
        return True, ""
    if importlib.util.find_spec("juliacall") is None:
        return False, "juliacall is not installed (pip install 'cqplug[julia]')"
    try:
        check_julia()
    except BackendUnavailable as exc:
        return False, str(exc)
    return True, ""


def source_path():
    """CQPlug.jl as shipped in the package (the wheel's cqplug_julia/julia/CQPlug.jl), or in the
    source tree (an editable install does not map the nested cqplug_julia.julia package)."""
    try:
        return importlib.resources.files("cqplug_julia.julia").joinpath("CQPlug.jl")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "julia" / "CQPlug.jl"


def load():
    """The Julia module CQPlug, started on first call; a failure is cached and raised again."""
    if _state["module"] is not None:
        return _state["module"]
    if _state["error"] is None:
        ok, why = status()
        if not ok:
            _state["error"] = why
    if _state["error"] is not None:
        raise BackendUnavailable(f"backend 'julia' is unavailable: {_state['error']}")
    threads = os.environ.get("CQPLUG_JULIA_THREADS", "auto")
    os.environ.setdefault("PYTHON_JULIACALL_THREADS", threads)
    if os.environ["PYTHON_JULIACALL_THREADS"] != "1":
        os.environ.setdefault("PYTHON_JULIACALL_HANDLE_SIGNALS", "yes")  # required with > 1 thread
    installing = first_start()
    if installing:
        print("cqplug: first start of the julia backend in this environment: juliapkg installs and precompiles "
              "StochasticDiffEqWeak and StochasticDiffEqLowOrder (typically 5-20 minutes, the network once; "
              "Julia's own progress follows)", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        # imported only now, after the checks: the first import resolves juliapkg.json (installs and
        # precompiles the Julia packages) with the Julia exported above
        with heartbeat("installing and precompiling the Julia packages") if installing else contextlib.nullcontext():
            juliacall = importlib.import_module("juliacall")
        give_signals_back()
        with importlib.resources.as_file(source_path()) as path:
            juliacall.Base.include(juliacall.Main, str(path))
        _state["module"] = juliacall.Main.CQPlug
    except Exception as exc:  # JuliaError, URLError, CalledProcessError, ...
        _state["error"] = (
            f"starting Julia failed ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        )
        raise BackendUnavailable(f"backend 'julia' is unavailable: {_state['error']}") from exc
    if installing:
        print(f"cqplug: Julia and its packages ready after {time.perf_counter() - started:.0f} s; later starts "
              "take seconds", file=sys.stderr, flush=True)
    return _state["module"]


def start_before_numpy() -> None:
    """Start Julia now, before the command line imports NumPy: juliacall advises importing it first
    (a system libstdc++ loaded by NumPy's dependants can stop Julia from starting). A failure is
    kept and reported when the backend is used."""
    if "numpy" not in sys.modules:
        with contextlib.suppress(BackendUnavailable):
            load()
