"""The partial Wigner transform over C of a state on (Fock space of C) (x) Q (physics.md §3).

    W(q, p) = (1/pi) integral dy <q + y| rho |q - y> e^{-2 i p y}      (hbar = 1)

is a d x d Hermitian matrix at each phase-space point; Tr_Q W is the Wigner function of C and
its integral over phase space is the reduced state of Q. The state is a CQ state (positive,
treatable as classical C) when W(q, p) >= 0 everywhere, which the exact open dynamics preserves
exactly when the decoherence meets the trade-off. For one degree of freedom with ladder
operators of length scale l (q = l (a + a^+)/sqrt(2)), Fock matrix elements transform in closed
form (Laguerre polynomials):

    W[|m><n|](q, p) = ((-1)^n / pi) sqrt(n!/m!) (sqrt(2) r e^{-i phi})^(m-n) e^{-r^2} L_n^(m-n)(2 r^2)

for m >= n, with q/l + i p l = r e^{i phi}; W[|n><m|] is its complex conjugate.
"""

from __future__ import annotations

import numpy as np
from scipy.special import eval_genlaguerre, gammaln


def fock_wigner(N: int, q: np.ndarray, p: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """W[|m><n|] on the grid q x p for m, n < N: shape (N, N, len(q), len(p)), complex."""
    Q, P = np.meshgrid(np.asarray(q, float) / scale, np.asarray(p, float) * scale, indexing="ij")
    r2 = Q**2 + P**2
    log_r = 0.5 * np.log(np.maximum(r2, 1e-300))
    phase = np.exp(-1j * np.arctan2(P, Q))
    W = np.zeros((N, N) + Q.shape, dtype=complex)
    for n in range(N):
        for m in range(n, N):
            k = m - n
            log_amp = 0.5 * (gammaln(n + 1) - gammaln(m + 1)) + k * (0.5 * np.log(2) + log_r) - r2
            value = (-1) ** n / np.pi * np.exp(log_amp) * phase**k * eval_genlaguerre(n, k, 2 * r2)
            W[m, n] = value
            W[n, m] = value.conj()
    return W


def partial_wigner(rho: np.ndarray, N: int, d: int, q: np.ndarray, p: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """W(q, p) of ``rho`` on Fock(N) (x) C^d (C first), shape (..., N d, N d) for a stack of
    states: shape (..., len(q), len(p), d, d), Hermitian at each point."""
    rho = np.asarray(rho, dtype=complex)
    r = rho.reshape(rho.shape[:-2] + (N, d, N, d))
    return np.einsum("...minj,mnab->...abij", r, fock_wigner(N, q, p, scale), optimize=True)


def relative_lowest_eigenvalue(W: np.ndarray) -> np.ndarray:
    """min over the grid of the eigenvalues of W(q, p), divided by the max, for each state of a
    stack (..., len(q), len(p), d, d): negative exactly when W is not a positive CQ state."""
    w = np.linalg.eigvalsh(W)
    return w.min(axis=(-3, -2, -1)) / w.max(axis=(-3, -2, -1))
