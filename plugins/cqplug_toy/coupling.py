"""How C and Q interact and decohere in the toy model (convention A, physics.md §2).

    H_I = lam q sigma_z
    d rho/dt = ... - gamma_c [q,[q,rho]] - gamma_q [sigma_z,[sigma_z,rho]]

The oscillator's position decoheres (momentum diffusion 2 gamma_c) and the qubit dephases in the
coupling basis; the dynamics is a valid CQ theory iff 16 gamma_c gamma_q >= lam^2.
"""

from cqplug import Observable, Parameter

from .qubit import SIGMA

COUPLINGS = [("lam*q", SIGMA["sz"])]

CHANNELS = [
    ("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
    ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
]

PARAMETERS = {
    "lam": Parameter(1.0, "coupling strength, lam q sigma_z", "energy/length"),
    "gamma_c": Parameter(0.25, "position decoherence rate of the oscillator, -gamma_c [q,[q,rho]]",
                         "1/(time length^2)"),
    "gamma_q": Parameter(0.25, "dephasing rate of the qubit, -gamma_q [sigma_z,[sigma_z,rho]]", "1/time"),
}

OBSERVABLES = [Observable("qsz", "q", SIGMA["sz"], "<q sigma_z> (Weyl-symmetrised)", "⟨qσ_z⟩")]
