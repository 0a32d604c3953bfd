"""Small models used by the tests, built with the public API exactly as a plugin would."""

import numpy as np

import cqplug


def spin_oscillator(**overrides):
    """Toy-like model written out again, with an optional nonlinearity ``kind``."""
    kind = overrides.pop("kind", "exact")
    s = cqplug.pauli_matrices()
    H_C = {"exact": "p**2/2 + q**2/2", "anharmonic": "p**2/2 + q**2/2 + a*q**4"}.get(kind, "p**2/2 + q**2/2")
    coupling = "lam*q**2" if kind == "nonlinear-coupling" else "lam*q"
    params = {"lam": 1.0, "a": 0.1, "gamma_c": 0.25, "gamma_q": 0.25}
    spec = dict(
        coordinates=["q"], momenta=["p"], parameters=params, classical_hamiltonian=H_C,
        couplings=[(coupling, s["sz"])],
        channels=[("position-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(), cqplug.qubit_state(np.pi / 2, 0)),
    )
    spec.update(overrides)
    return cqplug.Model(f"spin-oscillator-{kind}", **spec)
