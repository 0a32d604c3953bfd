"""An oscillator measuring a spin-1: the toy model with the qubit replaced by a qutrit.

    H = p^2/(2m) + m omega^2 q^2/2 + delta S_x + lam q S_z          (hbar = 1)
    d rho/dt = -i[H, rho] - gamma_c [q,[q,rho]] - gamma_q [S_z,[S_z,rho]]

S_z = diag(1, 0, -1). With delta = 0 the oscillator's position splits into three branches,
centred at -lam s (1 - cos(omega t)) / (m omega^2) for s = 1, 0, -1. The CQ description is exact
(quadratic H_C, linear coupling) and valid when 16 gamma_c gamma_q >= lam^2 (the same bound as
the qubit: the back-reaction and the dephasing both scale with S_z).
Initial state: oscillator coherent state at (q0, p0), spin coherent state along +x.
"""

import numpy as np

from cqplug import InitialState, Model, Observable, Parameter, coherent_state

S_X = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]) / np.sqrt(2)
S_Z = np.diag([1.0, 0.0, -1.0])
SPIN_X_UP = np.array([0.5, 1 / np.sqrt(2), 0.5])  # S_x eigenstate with eigenvalue +1


def spin_one_oscillator() -> Model:
    return Model(
        "spin-one",
        description=__doc__,
        coordinates=["q"],
        momenta=["p"],
        parameters={
            "m": Parameter(1.0, "oscillator mass"),
            "omega": Parameter(1.0, "oscillator angular frequency"),
            "delta": Parameter(0.0, "transverse field, delta S_x"),
            "lam": Parameter(1.0, "coupling lam q S_z"),
            "gamma_c": Parameter(0.25, "position decoherence rate of the oscillator"),
            "gamma_q": Parameter(0.25, "dephasing rate of the spin in S_z"),
            "q0": Parameter(0.0, "initial coherent-state centre, position"),
            "p0": Parameter(0.0, "initial coherent-state centre, momentum"),
        },
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2",
        quantum_hamiltonian=[("delta", S_X)],
        couplings=[("lam*q", S_Z)],
        channels=[
            ("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
        ],
        initial_state=lambda p: InitialState(coherent_state(p["q0"], p["p0"], m=p["m"], omega=p["omega"]), SPIN_X_UP),
        observables=[
            Observable("Sx", 1, S_X, "<S_x>"),
            Observable("Sz", 1, S_Z, "<S_z>"),
            Observable("Sz2", 1, S_Z @ S_Z, "<S_z^2>"),
            Observable("qSz", "q", S_Z, "<q S_z> (Weyl-symmetrised)"),
        ],
    )
