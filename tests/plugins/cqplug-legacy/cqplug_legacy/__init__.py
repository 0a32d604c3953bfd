"""Two models as a cqplug 0.1 user wrote them (0.1 spellings: the channel "position-decoherence",
coherent_state(q0, p0, m, omega) with m and omega positional, the module cqplug.channels)."""

import numpy as np
from cqplug.channels import QuantumDephasing

from cqplug import InitialState, Model, Observable, Parameter, coherent_state, hookimpl

S_X = np.array([[0, 1], [1, 0]])
S_Z = np.array([[1, 0], [0, -1]])
QUTRIT_Z = np.diag([1.0, 0.0, -1.0])
QUTRIT_X = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]) / np.sqrt(2)


def momentum_coupled():
    """An oscillator (omega = 1.3) coupled to a qubit through its momentum, g p sigma_x."""
    return Model(
        "legacy-momentum",
        coordinates=["x"], momenta=["k"],
        parameters={"omega": Parameter(1.3, "frequency"), "g": 0.5, "kappa": 0.2, "eta": 0.4, "delta": 0.8},
        classical_hamiltonian="k**2/2 + omega**2*x**2/2",
        quantum_hamiltonian=[("delta/2", S_Z)],
        couplings=[("g*k", S_X)],
        channels=[("position-decoherence", {"operator": "k", "rate": "kappa"}), QuantumDephasing("eta", coupling=0)],
        initial_state=lambda p: InitialState(coherent_state(1.0, 0.0, 1.0, p["omega"]), np.array([1, 0])),
        observables=[Observable("ksx", "k", S_X, "<k sigma_x>")],
    )


def qutrit():
    """A qutrit measured by an oscillator through lam q S_z."""
    return Model(
        "legacy-qutrit",
        coordinates=["q"], momenta=["p"],
        parameters={"lam": 0.6, "a": 0.5, "gamma_c": 0.25, "gamma_q": 0.15},
        classical_hamiltonian="p**2/2 + q**2/2",
        quantum_hamiltonian=[("a", QUTRIT_X)],
        couplings=[("lam*q", QUTRIT_Z)],
        channels=[("position-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"})],
        initial_state=lambda p: InitialState(coherent_state(0.5, 0.0, 1.0, 1.0), np.array([0.5, 0.5**0.5, 0.5])),
        observables=[Observable("Sz2", 1, QUTRIT_Z @ QUTRIT_Z, "<S_z^2>")],
    )


@hookimpl
def cqplug_register_models(register):
    register("legacy-momentum", momentum_coupled)
    register("legacy-qutrit", qutrit)
