"""Built-in backend "cpu": lane-vectorised kernels generated per model and compiled with Numba.

Registration imports nothing heavy; Numba is imported when the backend is first used.
"""

from cqplug.hookspecs import hookimpl


def cpu_backend():
    """Compiled CPU kernels (Numba), trajectories as SIMD lanes, blocks on all cores: the default."""
    from .backend import CPUBackend

    return CPUBackend()


@hookimpl
def cqplug_register_backends(register):
    register("cpu", cpu_backend)
