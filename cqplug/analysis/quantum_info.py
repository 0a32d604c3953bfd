"""Quantum-information quantities of Q: Pauli-string tomography and entanglement (negativity).

For Q made of k qubits (d = 2^k), the state is fixed by its Pauli-string expectations

    rho = 2^-k sum_P <P> P,        P in {I, X, Y, Z}^k,  <I...I> = 1,

so a result that records every <P> (see :func:`pauli_string_observables`) gives the reduced
state of Q at each saved time, including the ensemble-averaged state of CQ trajectories.
"""

from __future__ import annotations

import itertools
from functools import reduce

import numpy as np

from ..model import Observable, pauli_matrices

_PAULI = {"I": np.eye(2, dtype=complex)} | {k[1].upper(): m for k, m in pauli_matrices().items()}


def pauli_string(label: str) -> np.ndarray:
    """The matrix of a Pauli string such as "XZ" = sigma_x (x) sigma_z (first letter: first qubit)."""
    try:
        return reduce(np.kron, [_PAULI[c] for c in label.upper()])
    except KeyError:
        raise ValueError(f"Pauli string {label!r}: use the letters I, X, Y, Z") from None


def pauli_strings(qubits: int) -> list:
    """Every Pauli string on ``qubits`` qubits except the identity: "IX", "IY", ..., "ZZ"."""
    return ["".join(s) for s in itertools.product("IXYZ", repeat=qubits)][1:]


def pauli_string_observables(qubits: int) -> list:
    """Observables <P> for every non-identity Pauli string: enough to reconstruct the Q state."""
    return [Observable(label, 1, pauli_string(label), f"<{label}> (Pauli string)") for label in pauli_strings(qubits)]


def state_from_pauli_strings(expectations: dict, qubits: int) -> np.ndarray:
    """rho = 2^-k (I + sum_P <P> P) from {label: <P>} (every non-identity string of k qubits)."""
    rho = np.eye(2**qubits, dtype=complex)
    for label in pauli_strings(qubits):
        rho = rho + expectations[label] * pauli_string(label)
    return rho / 2**qubits


def partial_transpose(rho: np.ndarray, dims: tuple, subsystem: int = 1) -> np.ndarray:
    """Transpose of ``rho`` on one factor of a bipartite space with dimensions ``dims``."""
    da, db = dims
    r = rho.reshape(da, db, da, db)
    r = r.transpose(0, 3, 2, 1) if subsystem == 1 else r.transpose(2, 1, 0, 3)
    return r.reshape(da * db, da * db)


def negativity(rho: np.ndarray, dims: tuple = (2, 2)) -> float:
    """N(rho) = sum of |negative eigenvalues| of the partial transpose; 0 for separable states
    (and, for two qubits or a qubit and a qutrit, > 0 for every entangled state)."""
    w = np.linalg.eigvalsh(partial_transpose(np.asarray(rho, dtype=complex), dims))
    return float(-w[w < 0].sum())
