"""Finding Julia and loading CQPlug.jl through juliacall: lazy, fail-fast, never downloading Julia.

Before juliacall is first imported, :func:`check_julia` finds a Julia executable (never
``juliaup``, which may install releases), runs ``julia --version`` and compares it with the range
juliapkg itself will require (computed from every ``juliapkg.json`` on the path, juliacall's
included, without importing juliacall: ``juliapkg.deps.find_requirements``). A Julia in range is
exported as ``PYTHON_JULIAPKG_EXE``, so juliapkg uses it and never looks for another; one out of
range is refused with the range. The first import still installs StochasticDiffEq into the
environment's Julia project (minutes, needs the network once).

Environment (read once, before juliacall's first import):

    CQPLUG_JULIA_THREADS            Julia threads for EnsembleThreads (default: "auto"); with more
                                    than one thread PYTHON_JULIACALL_HANDLE_SIGNALS=yes is set,
                                    so Ctrl-C then stops Julia but is not seen by Python
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
import subprocess
import sys

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


def check_julia() -> str:
    """Find Julia, check its version against juliapkg's requirement, export it for juliapkg;
    returns the executable. Raises BackendUnavailable with what to do otherwise."""
    exe = find_julia()
    if exe is None:
        raise BackendUnavailable("backend 'julia': no Julia executable found (PATH, PYTHON_JULIAPKG_EXE, "
                                 f"PYTHON_JULIACALL_EXE); {INSTALL_HINT}")
    version = julia_version(exe)
    compat = required_julia()
    if compat is not None:
        from juliapkg.compat import Version

        if Version.parse(version) not in compat:
            raise BackendUnavailable(f"backend 'julia': Julia {version} at {exe} is outside the range juliapkg "
                                     f"requires here ({compat}); "
                                     "juliapkg would then download another Julia. Install a Julia in that range "
                                     "and put it first on PATH or set PYTHON_JULIAPKG_EXE")
    if not os.environ.get("PYTHON_JULIACALL_EXE"):
        os.environ["PYTHON_JULIAPKG_EXE"] = exe
    return exe


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
    """CQPlug.jl as shipped in the package (the wheel's cqplug_julia/julia/CQPlug.jl)."""
    return importlib.resources.files("cqplug_julia.julia").joinpath("CQPlug.jl")


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
    try:
        # imported only now, after the checks: the first import resolves juliapkg.json (installs and
        # precompiles the Julia packages) with the Julia exported above
        juliacall = importlib.import_module("juliacall")

        with importlib.resources.as_file(source_path()) as path:
            juliacall.Base.include(juliacall.Main, str(path))
        _state["module"] = juliacall.Main.CQPlug
    except Exception as exc:  # JuliaError, URLError, CalledProcessError, ...
        _state["error"] = (
            f"starting Julia failed ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        )
        raise BackendUnavailable(f"backend 'julia' is unavailable: {_state['error']}") from exc
    return _state["module"]
