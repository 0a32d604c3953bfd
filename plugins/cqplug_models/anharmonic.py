"""Anharmonic (quartic) oscillator coupled to a qubit: a model whose CQ description is approximate.

    H = p^2/(2m) + m omega^2 q^2/2 + kappa q^4 + (delta/2) sigma_x + lam q sigma_z
    d rho/dt = -i[H, rho] - gamma_c [q,[q,rho]] - gamma_q [sigma_z,[sigma_z,rho]]

The partial Wigner transform of the quartic potential has a Moyal term (hbar^2/24) V'''(q)
d^3W/dp^3 = kappa q d^3W/dp^3 that CQ dynamics drops: CQ trajectories follow classical
Hamiltonian flow in V(q), so they are exact only at kappa = 0 (where this is the toy model).
`cqplug check anharmonic` says so, and `cqplug run anharmonic --reference` measures the error.
Initial state: coherent state of the harmonic part at (q0, p0), the qubit in |+>.
"""

import numpy as np

from cqplug import InitialState, Model, Parameter, coherent_state, pauli_matrices, qubit_state


def anharmonic() -> Model:
    sigma = pauli_matrices()
    return Model(
        "anharmonic",
        description=__doc__,
        t_final=3.0,  # the exact reference (N ~ 50) takes a few seconds here, ~45 s at 2 pi
        coordinates=["q"],
        momenta=["p"],
        parameters={
            "m": Parameter(1.0, "oscillator mass"),
            "omega": Parameter(1.0, "harmonic angular frequency"),
            "kappa": Parameter(0.05, "quartic coefficient, kappa q^4 (>= 0)"),
            "delta": Parameter(0.0, "qubit splitting, (delta/2) sigma_x"),
            "lam": Parameter(1.0, "coupling lam q sigma_z"),
            "gamma_c": Parameter(0.25, "position decoherence rate of the oscillator"),
            "gamma_q": Parameter(0.25, "dephasing rate of the qubit in sigma_z"),
            "q0": Parameter(0.5, "initial coherent-state centre, position"),
            "p0": Parameter(0.0, "initial coherent-state centre, momentum"),
        },
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2 + kappa*q**4",
        quantum_hamiltonian=[("delta/2", sigma["sx"])],
        couplings=[("lam*q", sigma["sz"])],
        channels=[
            ("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
        ],
        initial_state=lambda p: InitialState(
            coherent_state(p["q0"], p["p0"], m=p["m"], omega=p["omega"]), qubit_state(np.pi / 2, 0.0)
        ),
    )
