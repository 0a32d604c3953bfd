"""The classical part C of the toy model: a harmonic oscillator (q, p) of mass m and frequency omega.

    H_C = p^2/(2m) + m omega^2 q^2 / 2

Its initial state is a coherent state centred at (q0, p0): the ground state's width,
Var q = 1/(2 m omega) and Var p = m omega / 2 (hbar = 1), displaced.
"""

from cqplug import Parameter, coherent_state

HAMILTONIAN = "p**2/(2*m) + m*omega**2*q**2/2"

PARAMETERS = {
    "m": Parameter(1.0, "oscillator mass", "mass"),
    "omega": Parameter(1.0, "oscillator angular frequency", "1/time"),
    "q0": Parameter(0.0, "initial coherent-state centre, position", "length"),
    "p0": Parameter(0.0, "initial coherent-state centre, momentum", "momentum"),
}


def initial_state(p: dict):
    return coherent_state(p["q0"], p["p0"], m=p["m"], omega=p["omega"])
