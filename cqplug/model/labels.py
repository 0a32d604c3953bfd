"""Readable names of quantum operators: a multiple of a Pauli string as sigma_z, 2*sigma_x or Z⊗I."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import sympy as sp

PAULI = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
         "Z": np.array([[1, 0], [0, -1]])}


def operator_label(matrix: np.ndarray) -> str | None:
    """'sigma_z'-style (d = 2) or 'Z⊗I'-style (several qubits) label of a real multiple of a Pauli
    string, with its coefficient; None when the matrix is not one."""
    d = matrix.shape[0]
    k = int(round(np.log2(d))) if d > 1 else 0
    if d < 2 or 2**k != d:
        return None
    found = []
    for letters in itertools.product("IXYZ", repeat=k):
        P = functools.reduce(np.kron, [PAULI[c] for c in letters])
        coefficient = np.trace(P.conj().T @ matrix) / d
        if abs(coefficient) > 1e-12:
            found.append(("".join(letters), coefficient))
    if len(found) != 1 or abs(found[0][1].imag) > 1e-12:
        return None
    letters, coefficient = found[0]
    name = f"sigma_{letters.lower()}" if k == 1 else "⊗".join(letters)
    c = coefficient.real
    return name if abs(c - 1) < 1e-12 else f"{sp.nsimplify(c)}*{name}"
