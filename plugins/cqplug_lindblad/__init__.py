"""Built-in method "lindblad": the exact open-quantum reference (QuTiP, C quantised).

QuTiP is imported only when the method runs (``pip install cqplug[reference]``).
"""

from dataclasses import dataclass

from cqplug.hookspecs import hookimpl
from cqplug.solving.options import option


@dataclass
class LindbladOptions:
    """Options of the lindblad reference (--option NAME=VALUE)."""

    truncation: int | None = option(None, "Fock states per classical degree of freedom",
                                    shown="estimated, then increased until converged")
    tolerance: float = option(1e-6, "convergence tolerance of the automatic truncation (absolute, on every "
                                    "observable, scaled by max(1, |value|))")
    max_states: int = option(2500, "largest Hilbert-space dimension (Fock states^n x d) to attempt; memory and "
                                   "time grow as its square (1568 states: 5.3 GB and about a minute per try)")

    def __post_init__(self):
        from cqplug.solving.options import _count, _positive

        self.truncation = _count("truncation", self.truncation, allow_none=True)
        self.tolerance = _positive("tolerance", self.tolerance)
        self.max_states = _count("max_states", self.max_states)


def lindblad():
    """Exact reference: C quantised on a truncated Fock basis (estimated, convergence-checked), QuTiP."""
    from .reference import LindbladReference

    return LindbladReference()


lindblad.Options = LindbladOptions


@hookimpl
def cqplug_register_methods(register):
    register("lindblad", lindblad)
