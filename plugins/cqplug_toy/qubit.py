"""The quantum part Q of the toy model: a qubit with splitting delta.

    H_Q = (delta/2) sigma_x,     sigma_z|0> = +|0>

Its initial state is cos(theta/2)|0> + e^{i phi} sin(theta/2)|1>; the default (theta = pi/2,
phi = 0) is |+>, the Page–Geilker "quantum coin".
"""

import numpy as np

from cqplug import Parameter, pauli_matrices, qubit_state

SIGMA = pauli_matrices()

HAMILTONIAN = [("delta/2", SIGMA["sx"])]

PARAMETERS = {
    "delta": Parameter(0.0, "qubit splitting, (delta/2) sigma_x", "energy (hbar = 1: 1/time)"),
    "theta": Parameter(np.pi / 2, "initial qubit polar angle on the Bloch sphere", "rad"),
    "phi": Parameter(0.0, "initial qubit azimuth", "rad"),
}


def initial_state(p: dict):
    return qubit_state(p["theta"], p["phi"])
