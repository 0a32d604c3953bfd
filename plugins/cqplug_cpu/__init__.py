"""Built-in backend "cpu": CQ trajectories compiled with Numba, blocks run on all cores.

Registration imports nothing heavy; Numba is imported when the backend is first used.
"""

from cqplug.hookspecs import hookimpl


def cpu_backend():
    """Compiled CPU backend (Numba): the default; model code generated from SymPy, no Python per step."""
    from .backend import CPUBackend

    return CPUBackend()


@hookimpl
def cqplug_register_backends(register):
    register("cpu", cpu_backend)
