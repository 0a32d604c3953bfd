"""Built-in backend "cpu": lane-vectorised kernels generated per model and compiled with Numba.

Registration imports nothing heavy; Numba is imported when the backend is first used.
"""

from dataclasses import dataclass

from cqplug.hookspecs import hookimpl
from cqplug.solving.options import option


@dataclass
class CPUOptions:
    """Options of the cpu backend (--option NAME=VALUE)."""

    kernel: str = option("auto", "auto (straight-line code up to d = 4, loop nests above), unrolled or looped")


def cpu_backend(kernel: str = "auto"):
    """Compiled CPU kernels (Numba), trajectories as SIMD lanes, blocks on all cores: the default."""
    from .backend import CPUBackend

    return CPUBackend(kernel)


cpu_backend.Options = CPUOptions
cpu_backend.keeps_records = True  # (what solve(record=True) lists when a backend lacks it)


@hookimpl
def cqplug_register_backends(register):
    register("cpu", cpu_backend)
