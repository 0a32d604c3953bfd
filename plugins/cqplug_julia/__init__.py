"""Built-in backend "julia": StochasticDiffEq ensembles through juliacall (optional).

Registration imports nothing: juliacall is imported on first use, and only after a Julia in the
range juliapkg requires has been found (importing juliacall without one may download Julia).
"""

from dataclasses import dataclass

from cqplug.hookspecs import hookimpl
from cqplug.solving.options import option


@dataclass
class JuliaOptions:
    """Options of the julia backend (--option NAME=VALUE)."""

    solver: str = option("DRI1", "StochasticDiffEq solver for general noise at a fixed step: DRI1 or RI5 (weak "
                                 "order 2) or EM (Euler-Maruyama, weak order 1)")


def julia_backend(solver: str = "DRI1"):
    """StochasticDiffEq on Julia threads, on the standard-form SDE (needs Julia and pip install 'cqplug[julia]')."""
    from .backend import JuliaBackend

    return JuliaBackend(solver)


def start_before_numpy():
    """Start Julia before the command line imports NumPy (juliacall's advice: a libstdc++ loaded
    first by NumPy's dependants can stop Julia from starting)."""
    from .bridge import start_before_numpy as start

    start()


julia_backend.Options = JuliaOptions
julia_backend.start_before_numpy = start_before_numpy


@hookimpl
def cqplug_register_backends(register):
    register("julia", julia_backend)
