"""The exact CQ unravelling with pure conditioned states (physics.md §5).

At saturation (D0 = K K^T) conditioned states stay pure and the ket equation is the density
equation. Above it, each Hermitian factor J_r of the excess dephasing D0 - K K^T is unravelled by
an independent noise, psi -> exp(-i J_r dW'_r) psi (exact for commuting couplings): cheaper per
step than a density matrix, with a larger variance.
"""

from cqplug.problem.terms import cq_terms
from cqplug.solving.methods import TrajectoryMethod


class CQKet(TrajectoryMethod):
    state = "ket"

    def terms(self, problem):
        return cq_terms(problem)
