"""Mean-field (Ehrenfest) dynamics (physics.md §6): the semi-classical recipe that CQ fixes.

    dz = [Omega grad H_C + sum_a (Omega grad h_a) <L_a>] dt     (no noise)
    drho = -i[H(z), rho] dt + D0^{ab} (L_a rho L_b - {L_b L_a, rho}/2) dt

Q keeps the dephasing of its channels but the back-reaction is the average force: C never
branches. Trajectories differ only through the initial z sampled from the Wigner function.
"""

from cqplug.problem.terms import mean_field_terms
from cqplug.solving.methods import TrajectoryMethod


class MeanField(TrajectoryMethod):
    state = "density"
    needs_valid_cq = False  # Ehrenfest dynamics is defined (and wrong) at any decoherence rates

    def terms(self, problem):
        return mean_field_terms(problem)
