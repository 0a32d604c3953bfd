"""Methods: how a problem is solved. Trajectory methods transform the CQ terms and hand them to a backend."""

from __future__ import annotations

from .ensemble import run_ensemble


class Method:
    """Base class. ``solve(problem, backend, options)`` returns a :class:`cqplug.Result`."""

    name = ""
    summary = ""
    uses_backend = True
    #: True for methods that are only valid when the trade-off holds (the CQ unravellings);
    #: solve() refuses them for a problem built with require_cq=False whose trade-off fails.
    needs_valid_cq = False

    def solve(self, problem, backend, options):
        raise NotImplementedError


class TrajectoryMethod(Method):
    """An unravelling: ``terms(problem)`` gives the SDE terms, ``state`` is "density" or "ket"."""

    state = "density"
    needs_valid_cq = True

    def terms(self, problem):
        raise NotImplementedError

    def solve(self, problem, backend, options):
        backend.require_state(self.state)
        return run_ensemble(problem, self.terms(problem), self.state, backend, options, self.name)
