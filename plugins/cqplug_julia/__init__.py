"""Built-in backend "julia": StochasticDiffEq ensembles through juliacall (optional).

Registration imports nothing: juliacall is imported on first use, and only after a Julia
executable has been found (importing juliacall without Julia may try to download one).
"""

from cqplug.hookspecs import hookimpl


def julia_backend(solver=None):
    """StochasticDiffEq ensembles on Julia threads (needs Julia and pip install 'cqplug[julia]')."""
    from .backend import JuliaBackend

    return JuliaBackend(solver)


@hookimpl
def cqplug_register_backends(register):
    register("julia", julia_backend)
