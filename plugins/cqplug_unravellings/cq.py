"""The exact CQ unravelling with a conditioned density matrix (physics.md §5)."""

from cqplug.methods import TrajectoryMethod
from cqplug.terms import cq_terms


class CQ(TrajectoryMethod):
    """dz and drho driven by one shared Wiener vector; the excess dephasing D0 - K K^T applied
    deterministically, so the average over trajectories is the exact open-quantum dynamics."""

    name = "cq"
    summary = "exact CQ trajectories (density matrix)"
    state = "density"

    def terms(self, problem):
        return cq_terms(problem)
