"""Built-in backend "jax": batches of trajectories vectorised by XLA, on the CPU or a CUDA GPU.

Registration imports nothing heavy; JAX (and diffrax, for the generic solvers) are imported
when the backend is first used. Install with ``pip install "cqplug[jax]"``; for an NVIDIA GPU
also ``pip install "jax[cuda12]"`` (docs/backends.md).
"""

from dataclasses import dataclass

from cqplug.hookspecs import hookimpl
from cqplug.solving.options import option


@dataclass
class JAXOptions:
    """Options of the jax backend (--option NAME=VALUE)."""

    solver: str = option("cq", "cq (the positivity-preserving CQ step, as the cpu backend) or euler (diffrax's "
                               "Euler-Maruyama on the standard-form SDE the julia backend integrates)")
    device: str | None = option(None, "JAX device: cpu, gpu, gpu:1, ...", shown="JAX's default device")
    blocks: int | None = option(None, "seed blocks (512 trajectories) per device call",
                                shown="8 on a CPU, 256 on a GPU")


def jax_backend(solver: str = "cq", device: str | None = None, blocks: int | None = None):
    """JAX/XLA: trajectories vectorised on the CPU or a GPU; the CQ step or diffrax's solvers."""
    from .backend import JAXBackend

    return JAXBackend(solver, device, blocks)


jax_backend.Options = JAXOptions


@hookimpl
def cqplug_register_backends(register):
    register("jax", jax_backend)
