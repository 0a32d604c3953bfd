"""Two coupled oscillators (n = 2 classical degrees of freedom) driving one qubit.

    H = (p1^2 + p2^2)/(2m) + m omega^2 (q1^2 + q2^2)/2 + k q1 q2
        + (delta/2) sigma_x + lam1 q1 sigma_z + lam2 q2 sigma_x
    d rho/dt = -i[H, rho] - gamma_c ([q1,[q1,rho]] + [q2,[q2,rho]])
               - gamma_1 [sigma_z,[sigma_z,rho]] - gamma_2 [sigma_x,[sigma_x,rho]]

The two couplings do not commute, so the qubit is pushed around the Bloch sphere rather than
towards one axis. The CQ description is exact (H_C quadratic, couplings linear), valid when
16 gamma_c gamma_1 >= lam1^2 and 16 gamma_c gamma_2 >= lam2^2; the oscillators are stable for
|k| < m omega^2. Initial state: coherent states at (q10, 0) and (q20, 0), the qubit in |0>
(sigma_z = +1).
"""

import numpy as np

from cqplug import InitialState, Model, Observable, Parameter, coherent_state, pauli_matrices, product_state


def two_oscillators() -> Model:
    sigma = pauli_matrices()
    return Model(
        "two-oscillators",
        description=__doc__,
        t_final=2.0,  # two quantised oscillators: the reference needs ~20^2 x 2 states here, far more at 2 pi
        coordinates=["q1", "q2"],
        momenta=["p1", "p2"],
        parameters={
            "m": Parameter(1.0, "mass of each oscillator"),
            "omega": Parameter(1.0, "angular frequency of each oscillator"),
            "k": Parameter(0.3, "oscillator-oscillator coupling, k q1 q2 (|k| < m omega^2)"),
            "delta": Parameter(0.5, "qubit splitting, (delta/2) sigma_x"),
            "lam1": Parameter(0.6, "coupling lam1 q1 sigma_z"),
            "lam2": Parameter(0.4, "coupling lam2 q2 sigma_x"),
            "gamma_c": Parameter(0.05, "position decoherence rate of each oscillator"),
            "gamma_1": Parameter(0.5, "qubit dephasing rate in sigma_z"),
            "gamma_2": Parameter(0.25, "qubit dephasing rate in sigma_x"),
            "q10": Parameter(0.5, "initial centre of oscillator 1"),
            "q20": Parameter(-0.5, "initial centre of oscillator 2"),
        },
        classical_hamiltonian="(p1**2 + p2**2)/(2*m) + m*omega**2*(q1**2 + q2**2)/2 + k*q1*q2",
        quantum_hamiltonian=[("delta/2", sigma["sx"])],
        couplings=[("lam1*q1", sigma["sz"]), ("lam2*q2", sigma["sx"])],
        channels=[
            ("classical-decoherence", {"operator": "q1", "rate": "gamma_c"}),
            ("classical-decoherence", {"operator": "q2", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_1"}),
            ("coupling-dephasing", {"coupling": 1, "rate": "gamma_2"}),
        ],
        initial_state=lambda p: InitialState(
            product_state(
                coherent_state(p["q10"], 0.0, m=p["m"], omega=p["omega"]),
                coherent_state(p["q20"], 0.0, m=p["m"], omega=p["omega"]),
            ),
            np.array([1.0, 0.0]),
        ),
        observables=[
            Observable("q1q2", "q1*q2", None, "<q1 q2>"),
            Observable("q1sz", "q1", sigma["sz"], "<q1 sigma_z>"),
            Observable("q2sx", "q2", sigma["sx"], "<q2 sigma_x>"),
        ],
    )
