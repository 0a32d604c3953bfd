"""The exact CQ unravelling with a conditioned density matrix (physics.md §5)."""

from cqplug.problem.terms import cq_terms
from cqplug.solving.methods import TrajectoryMethod


class CQ(TrajectoryMethod):
    """dz and drho driven by one shared Wiener vector (sigma K^T = D1); the excess dephasing
    D0 - K K^T applied deterministically, so the average over trajectories is the exact
    open-quantum dynamics."""

    state = "density"

    def terms(self, problem):
        return cq_terms(problem)
