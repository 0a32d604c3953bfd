"""The toy model in an environment: its qubit decays and its oscillator is damped.

    H = p^2/(2m) + m omega^2 q^2/2 + (delta/2) sigma_x + lam q sigma_z            (hbar = 1)
    d rho/dt = -i[H, rho] - gamma_c [q,[q,rho]] - gamma_q [sigma_z,[sigma_z,rho]]
               + kappa D[sigma_-] rho + Gamma D[a] rho

The damping's diffusion adds to gamma_c's: the trade-off is 16 (gamma_c + Gamma m omega / 4) gamma_q >= lam^2
for the momentum direction (cqplug computes it). Initial state: oscillator coherent at (q0, 0), qubit in |0>.
"""

import numpy as np

from cqplug import InitialState, Model, Parameter, coherent_state, pauli_matrices

S = pauli_matrices()


def decaying_toy() -> Model:
    return Model(
        "decaying-toy",
        description=__doc__,
        coordinates=["q"],
        momenta=["p"],
        parameters={
            "m": Parameter(1.0, "oscillator mass"),
            "omega": Parameter(1.0, "oscillator angular frequency"),
            "delta": Parameter(1.0, "qubit splitting"),
            "lam": Parameter(0.8, "coupling, lam q sigma_z"),
            "gamma_c": Parameter(0.2, "position decoherence rate, -gamma_c [q,[q,rho]]"),
            "gamma_q": Parameter(0.25, "qubit dephasing rate, -gamma_q [sigma_z,[sigma_z,rho]]"),
            "kappa": Parameter(0.5, "spontaneous emission rate of the qubit, kappa D[sigma_-]", "1/time"),
            "Gamma": Parameter(0.3, "damping rate of the oscillator, Gamma D[a]", "1/time"),
            "q0": Parameter(1.0, "initial position of the oscillator"),
        },
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2",
        quantum_hamiltonian=[("delta/2", S["sx"])],
        couplings=[("lam*q", S["sz"])],
        channels=[
            ("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
            ("spontaneous-emission", {"rate": "kappa"}),
            ("oscillator-damping", {"rate": "Gamma"}),
        ],
        initial_state=lambda p: InitialState(coherent_state(p["q0"], 0.0, m=p["m"], omega=p["omega"]),
                                             np.array([1.0, 0.0])),
        t_final=2.0,
    )
