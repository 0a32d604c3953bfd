"""solve(problem, method, backend, **options): the one entry point (SciML's problem/algorithm/solve)."""

from __future__ import annotations

from .errors import CQPlugError, PositivityViolation
from .options import Options
from .plugins import get_registry

DEFAULT_BACKEND = "cpu"


def solve(problem, method: str = "cq", backend: str | None = None, registry=None, **options):
    """Solve ``problem`` with a registered method ("cq", "cq-ket", "mean-field", "lindblad", ...).

    ``backend`` names the integrator for trajectory methods (default "cpu", compiled with Numba);
    ``options`` are those of :class:`cqplug.options.Options`; ``registry`` (default: the plugins
    installed) is where method and backend names are looked up.
    """
    registry = registry or get_registry()
    opts = Options.from_kwargs(**options)
    solver = registry.create("methods", method)
    if solver.needs_valid_cq and not problem.tradeoff.valid:
        raise PositivityViolation(f"method {method!r}: " + problem.tradeoff.violation_message())
    engine = None
    if solver.uses_backend:
        name = backend or DEFAULT_BACKEND
        config = {"solver": opts.solver} if opts.solver else {}
        try:
            engine = registry.create("backends", name, **config)
        except TypeError:
            raise CQPlugError(f"backend {name!r} has a single built-in scheme and takes no solver option") from None
        engine.check_available()
    elif opts.solver:
        raise CQPlugError(f"method {method!r} runs no integrator backend; drop the solver option")
    return solver.solve(problem, engine, opts)
