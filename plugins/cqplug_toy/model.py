"""The toy model of Layton 2026 (arXiv:2604.08024): an oscillator coupled to a qubit.

    H = p^2/(2m) + m omega^2 q^2/2 + (delta/2) sigma_x + lam q sigma_z
    d rho/dt = -i[H, rho] - gamma_c [q,[q,rho]] - gamma_q [sigma_z,[sigma_z,rho]]

Valid (completely positive CQ dynamics) iff 16 gamma_c gamma_q >= lam^2. Initial state: a
coherent state centred at (q0, p0) times cos(theta/2)|0> + e^{i phi} sin(theta/2)|1>.
Defaults are the Page–Geilker set-up: the qubit in |+>, the oscillator in its ground state,
exactly at the minimal decoherence.
"""

from cqplug import InitialState, Model

from . import coupling, oscillator, qubit


def toy() -> Model:
    return Model(
        "toy",
        description=__doc__,
        coordinates=["q"],
        momenta=["p"],
        parameters=oscillator.PARAMETERS | qubit.PARAMETERS | coupling.PARAMETERS,
        classical_hamiltonian=oscillator.HAMILTONIAN,
        quantum_hamiltonian=qubit.HAMILTONIAN,
        couplings=coupling.COUPLINGS,
        channels=coupling.CHANNELS,
        initial_state=lambda p: InitialState(oscillator.initial_state(p), qubit.initial_state(p)),
        observables=coupling.OBSERVABLES,
    )
