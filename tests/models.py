"""Small models used by the tests, built with the public API exactly as a plugin would."""

import numpy as np

import cqplug
from cqplug.analysis.quantum_info import pauli_string


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
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(m=1.0, omega=1.0),
                                                    cqplug.qubit_state(np.pi / 2, 0)),
    )
    spec.update(overrides)
    return cqplug.Model(f"spin-oscillator-{kind}", **spec)


def momentum_coupled(omega=1.3, g=0.5):
    """An oscillator of frequency omega != 1 coupled through its momentum: g p sigma_x. Its momentum
    decoheres (position diffusion) and sigma_x dephases; trade-off 16 kappa eta >= g^2."""
    s = cqplug.pauli_matrices()
    return cqplug.Model(
        "momentum-coupled", coordinates=["x"], momenta=["k"],
        parameters={"omega": omega, "g": g, "kappa": 0.2, "eta": 0.4, "delta": 0.8},
        classical_hamiltonian="k**2/2 + omega**2*x**2/2",
        quantum_hamiltonian=[("delta/2", s["sz"])],
        couplings=[("g*k", s["sx"])],
        channels=[("classical-decoherence", {"operator": "k", "rate": "kappa"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "eta"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(1.0, 0.0, m=1.0, omega=p["omega"]),
                                                    np.array([1, 0])),
        observables=[cqplug.Observable("ksx", "k", s["sx"], "<k sigma_x>")],
        t_final=2.0,
    )


def qubit_chain(qubits: int, lam=0.4, gamma_c=0.25):
    """An oscillator coupled to a chain of qubits: H_Q = 1/2 sum sigma_x, coupling lam q sum sigma_z
    (one coupling operator L = sum_k Z_k with eigenvalues nq, nq-2, ..., -nq), d = 2^qubits; at the
    trade-off 16 gamma_c gamma_q = lam^2."""
    labels = ["I" * k + "{}" + "I" * (qubits - k - 1) for k in range(qubits)]
    X = sum(pauli_string(lb.format("X")) for lb in labels)
    Z = sum(pauli_string(lb.format("Z")) for lb in labels)
    plus = np.ones(2**qubits) / np.sqrt(2**qubits)
    return cqplug.Model(
        f"chain-{qubits}", coordinates=["q"], momenta=["p"],
        parameters={"lam": lam, "gamma_c": gamma_c, "gamma_q": lam**2 / (16 * gamma_c)},
        classical_hamiltonian="p**2/2 + q**2/2", quantum_hamiltonian=[(0.5, X)], couplings=[("lam*q", Z)],
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(m=1.0, omega=1.0), plus),
        t_final=1.0,
    )


def two_qubit_sum(gamma=0.375):
    """An oscillator coupled to two qubits through L = sigma_z (x) 1 + 1 (x) sigma_z with one
    dephasing channel on that L (issue 11's user model): dephasing rates gamma (Delta L)^2 up to
    16 gamma = 6."""
    Z = pauli_string("ZI") + pauli_string("IZ")
    plus = np.ones(4) / 2
    return cqplug.Model(
        "two-qubit-sum", coordinates=["q"], momenta=["p"],
        parameters={"lam": 0.8, "gamma_c": 0.25, "gamma": gamma, "delta": 1.0},
        classical_hamiltonian="p**2/2 + q**2/2",
        quantum_hamiltonian=[("delta/2", pauli_string("XI")), ("delta/2", pauli_string("IX"))],
        couplings=[("lam*q", Z)],
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(m=1.0, omega=1.0), plus),
        observables=[cqplug.Observable("IX", 1, pauli_string("IX"), "<1 (x) sigma_x>"),
                     cqplug.Observable("ZZ", 1, pauli_string("ZZ"), "<sigma_z (x) sigma_z>")],
        t_final=2.0,
    )


def spin_one(g=0.6, gamma_c=0.25):
    """An oscillator measuring a spin-1 (d = 3) through g q S_z, with a transverse field a S_x;
    trade-off 16 gamma_c gamma_q >= g^2."""
    Sz = np.diag([1.0, 0.0, -1.0])
    Sx = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]) / np.sqrt(2)
    up_x = np.array([0.5, 1 / np.sqrt(2), 0.5])  # S_x = +1
    return cqplug.Model(
        "spin-one", coordinates=["q"], momenta=["p"],
        parameters={"g": g, "a": 0.5, "gamma_c": gamma_c, "gamma_q": g**2 / (16 * gamma_c) * 1.5},
        classical_hamiltonian="p**2/2 + q**2/2", quantum_hamiltonian=[("a", Sx)], couplings=[("g*q", Sz)],
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(0.5, 0.0, m=1.0, omega=1.0), up_x),
        observables=[cqplug.Observable("Sx", 1, Sx, "<S_x>"), cqplug.Observable("Sz2", 1, Sz @ Sz, "<S_z^2>"),
                     cqplug.Observable("qSz", "q", Sz, "<q S_z>")],
        t_final=2.0,
    )


def toy_in_environment(n_qubit=0.0, n_bath=0.5, **rates):
    """The toy model (oscillator of mass m, frequency omega; qubit; lam q sigma_z) in a real environment:
    the qubit decays (``amplitude-damping`` at kappa, thermal occupation n_qubit) and the oscillator sits
    in a thermal bath (``thermal-oscillator`` at Gamma, occupation n_bath), beside the toy's own
    channels. The bath's diffusion counts toward the trade-off: 16 (gamma_c + ...) gamma_q >= lam^2."""
    s = cqplug.pauli_matrices()
    params = {"m": 0.8, "omega": 1.3, "delta": 1.0, "lam": 0.8, "gamma_c": 0.2, "gamma_q": 0.3, "kappa": 0.5,
              "Gamma": 0.4} | rates
    return cqplug.Model(
        "toy-in-environment", coordinates=["q"], momenta=["p"], parameters=params,
        classical_hamiltonian="p**2/(2*m) + m*omega**2*q**2/2", quantum_hamiltonian=[("delta/2", s["sx"])],
        couplings=[("lam*q", s["sz"])],
        channels=[("classical-decoherence", {"operator": "q", "rate": "gamma_c"}),
                  ("coupling-dephasing", {"coupling": 0, "rate": "gamma_q"}),
                  ("amplitude-damping", {"rate": "kappa", "n_thermal": n_qubit}),
                  ("thermal-oscillator", {"rate": "Gamma", "n_thermal": n_bath})],
        initial_state=lambda p: cqplug.InitialState(cqplug.coherent_state(1.0, 0.0, m=p["m"], omega=p["omega"]),
                                                    cqplug.qubit_state(0.0, 0.0)),
        observables=[cqplug.Observable("qsz", "q", s["sz"], "<q sigma_z>")],
        t_final=2.0,
    )
