"""The exact CQ unravelling with pure conditioned states (physics.md §5).

At saturation (D0 = K K^T) conditioned states stay pure and the ket equation is the density
equation. Above it, each Hermitian factor J_r of the excess dephasing D0 - K K^T is unravelled by
an independent noise, psi -> (1 - i J_r dW'_r - J_r^2 dt/2) psi: cheaper per step, larger variance.
"""

from cqplug.methods import TrajectoryMethod
from cqplug.terms import cq_terms


class CQKet(TrajectoryMethod):
    name = "cq-ket"
    summary = "exact CQ trajectories (pure states)"
    state = "ket"

    def terms(self, problem):
        return cq_terms(problem)
