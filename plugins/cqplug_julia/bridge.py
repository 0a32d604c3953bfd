"""Finding Julia and loading CQPlug.jl through juliacall: lazy, fail-fast, never downloading.

Environment (read once, before juliacall's first import):

    CQPLUG_JULIA_THREADS            Julia threads for EnsembleThreads (default: "auto"); with more
                                    than one thread PYTHON_JULIACALL_HANDLE_SIGNALS=yes is set,
                                    so Ctrl-C then stops Julia but is not seen by Python
    PYTHON_JULIACALL_EXE/_PROJECT   use this Julia and project, bypassing juliapkg entirely
    PYTHON_JULIAPKG_EXE             the Julia juliapkg should use
    CQPLUG_JULIA_ALLOW_DOWNLOAD=1   let juliapkg download Julia when none is found
"""

from __future__ import annotations

import importlib
import importlib.resources
import importlib.util
import os
import shutil
import sys

from cqplug.errors import BackendUnavailable

INSTALL_HINT = (
    "install Julia >= 1.10 (https://julialang.org/downloads, or juliaup) and put `julia` on PATH or set "
    "PYTHON_JULIAPKG_EXE=/path/to/julia, then pip install 'cqplug[julia]'; the first run installs "
    "StochasticDiffEq (minutes). CQPLUG_JULIA_ALLOW_DOWNLOAD=1 lets juliapkg download Julia itself"
)

_state = {"module": None, "error": None}


def find_julia() -> str | None:
    """A Julia executable, found without importing juliacall."""
    for var in ("PYTHON_JULIACALL_EXE", "PYTHON_JULIAPKG_EXE"):
        value = os.environ.get(var)
        if value:
            return shutil.which(value) or (value if os.path.isfile(value) else None)
    return shutil.which("julia")


def status() -> tuple:
    """(True, "") if the backend can start here, else (False, why). Fast; imports nothing."""
    if "juliacall" in sys.modules:
        return True, ""
    if importlib.util.find_spec("juliacall") is None:
        return False, "juliacall is not installed (pip install 'cqplug[julia]')"
    if find_julia() is None and os.environ.get("CQPLUG_JULIA_ALLOW_DOWNLOAD") != "1":
        return False, "no Julia executable found (PATH, PYTHON_JULIAPKG_EXE, PYTHON_JULIACALL_EXE)"
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
        raise BackendUnavailable(f"backend 'julia' is unavailable: {_state['error']}. To enable it: {INSTALL_HINT}")
    threads = os.environ.get("CQPLUG_JULIA_THREADS", "auto")
    os.environ.setdefault("PYTHON_JULIACALL_THREADS", threads)
    if os.environ["PYTHON_JULIACALL_THREADS"] != "1":
        os.environ.setdefault("PYTHON_JULIACALL_HANDLE_SIGNALS", "yes")  # required with > 1 thread
    try:
        # imported only now, after the probe: the first import resolves juliapkg.json (downloads and
        # precompiles the Julia packages) and, without a Julia, may try to download one
        juliacall = importlib.import_module("juliacall")

        with importlib.resources.as_file(source_path()) as path:
            juliacall.Base.include(juliacall.Main, str(path))
        _state["module"] = juliacall.Main.CQPlug
    except Exception as exc:  # JuliaError, URLError, CalledProcessError, ...
        _state["error"] = f"starting Julia failed ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        raise BackendUnavailable(f"backend 'julia' is unavailable: {_state['error']}") from exc
    return _state["module"]
