"""The oscillator–qubit toy model (physics.md §2, convention A).

    H = p^2/(2m) + m omega^2 q^2/2 + (delta/2) sigma_x + lam q sigma_z
    d rho/dt = -i[H, rho] - gamma_c [q,[q,rho]] - gamma_q [sigma_z,[sigma_z,rho]]

Valid (completely positive CQ dynamics) iff 16 gamma_c gamma_q >= lam^2. Initial state: a
coherent state centred at (q0, p0) times cos(theta/2)|0> + e^{i phi} sin(theta/2)|1>.
Defaults are the Page–Geilker set-up: the qubit in |+>, the oscillator in its ground state.
"""

import numpy as np

from cqplug import InitialState, Model, Observable, Parameter, coherent_state, pauli_matrices, qubit_state


def oscillator_qubit() -> Model:
    sigma = pauli_matrices()
    return Model(
        "toy",
        description=__doc__,
        coordinates=["q"],
        momenta=["p"],
        parameters={
            "m": Parameter(1.0, "oscillator mass"),
            "omega": Parameter(1.0, "oscillator angular frequency"),
            "delta": Parameter(0.0, "qubit splitting (H_Q = delta/2 sigma_x)"),
            "lam": Parameter(1.0, "coupling strength (lam q sigma_z)"),
            "gamma_c": Parameter(0.25, "position decoherence rate of the oscillator, -gamma_c [q,[q,rho]]"),
            "gamma_q": Parameter(0.25, "dephasing rate of the qubit, -gamma_q [sigma_z,[sigma_z,rho]]"),
            "q0": Parameter(0.0, "initial coherent-state centre, position"),
            "p0": Parameter(0.0, "initial coherent-state centre, momentum"),
            "theta": Parameter(np.pi / 2, "initial qubit polar angle (Bloch sphere)"),
            "phi": Parameter(0.0, "initial qubit azimuth"),
        },
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2",
        quantum_hamiltonian=[("delta/2", sigma["sx"])],
        couplings=[("lam*q", sigma["sz"])],
        channels=[
            ("position-decoherence", {"operator": "q", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
        ],
        initial_state=lambda p: InitialState(
            coherent_state(p["q0"], p["p0"], p["m"], p["omega"]), qubit_state(p["theta"], p["phi"])
        ),
        observables=[Observable("qsz", "q", sigma["sz"], "<q sigma_z> (Weyl-symmetrised)")],
    )
