"""solve(problem, method, backend, **options): the one entry point (SciML's problem/algorithm/solve)."""

from __future__ import annotations

from .options import Options
from .plugins import get_registry

DEFAULT_BACKEND = "cpu"


def solve(problem, method: str = "cq", backend: str | None = None, **options):
    """Solve ``problem`` with a registered method ("cq", "cq-ket", "mean-field", "lindblad", ...).

    ``backend`` names the integrator for trajectory methods (default "cpu", compiled with Numba);
    ``options`` are those of :class:`cqplug.options.Options`.
    """
    registry = get_registry()
    opts = Options.from_kwargs(**options)
    solver = registry.create("methods", method)
    engine = None
    if solver.uses_backend:
        engine = registry.create("backends", backend or DEFAULT_BACKEND)
        engine.check_available()
    return solver.solve(problem, engine, opts)
