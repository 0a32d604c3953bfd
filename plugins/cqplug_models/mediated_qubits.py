"""Two qubits A and B coupled to one oscillator, which mediates an interaction between them.

    H = p^2/(2m) + m omega^2 q^2/2 + (delta/2)(X_A + X_B) + lam q (Z_A + Z_B)
    d rho/dt = -i[H, rho] - gamma_c [q,[q,rho]] - gamma_q ([Z_A,[Z_A,rho]] + [Z_B,[Z_B,rho]])

(X_A = sigma_x (x) 1, Z_B = 1 (x) sigma_z, d = 4.) Fully quantum and closed, the oscillator
entangles the qubits (an effective Z_A Z_B interaction). Treated classically it cannot: every
CQ trajectory applies local operations only, so the averaged qubit state stays separable and the
negativity is zero. With two couplings the trade-off (D0 >= D1^T D2^+ D1) reads
8 gamma_c gamma_q >= lam^2 — twice the single-qubit minimum, since both qubits push the same
oscillator. Observables: every two-qubit Pauli string ("IX" ... "ZZ"), from which
cqplug.analysis.quantum_info.state_from_pauli_strings rebuilds the qubits' state.
Initial state: oscillator coherent state at (q0, p0), qubits in |+>|+>.
"""

import numpy as np

from cqplug import InitialState, Model, Parameter, coherent_state
from cqplug.analysis.quantum_info import pauli_string, pauli_string_observables


def mediated_qubits() -> Model:
    plus = np.array([1.0, 1.0]) / np.sqrt(2)
    return Model(
        "mediated-qubits",
        description=__doc__,
        coordinates=["q"],
        momenta=["p"],
        parameters={
            "m": Parameter(1.0, "oscillator mass"),
            "omega": Parameter(1.0, "oscillator angular frequency"),
            "delta": Parameter(0.0, "splitting of each qubit, (delta/2) sigma_x"),
            "lam": Parameter(0.5, "coupling of each qubit, lam q sigma_z"),
            "gamma_c": Parameter(0.25, "position decoherence rate of the oscillator"),
            "gamma_q": Parameter(0.125, "dephasing rate of each qubit in sigma_z"),
            "q0": Parameter(0.0, "initial coherent-state centre, position"),
            "p0": Parameter(0.0, "initial coherent-state centre, momentum"),
        },
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2",
        quantum_hamiltonian=[("delta/2", pauli_string("XI")), ("delta/2", pauli_string("IX"))],
        couplings=[("lam*q", pauli_string("ZI")), ("lam*q", pauli_string("IZ"))],
        channels=[
            ("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
            ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
            ("coupling-dephasing", {"coupling": 1, "rate": "gamma_q"}),
        ],
        initial_state=lambda p: InitialState(
            coherent_state(p["q0"], p["p0"], m=p["m"], omega=p["omega"]), np.kron(plus, plus)
        ),
        observables=pauli_string_observables(2),
    )
