"""Linear algebra of the quantum state that every backend shares.

**Hermitian coordinates.** A d x d Hermitian matrix rho is stored as d^2 real numbers x:
x[i] = rho_ii (i < d), then for each pair i < k in row order x[d + 2p] = Re rho_ik and
x[d + 2p + 1] = Im rho_ik. Linear maps that preserve Hermiticity (channels, superoperators)
become real d^2 x d^2 matrices on x, and Tr(B rho) a real linear functional of x.

**Superoperators** act on the row-major vectorisation vec(rho): vec(A rho B) = (A (x) B^T) vec(rho).

**Working basis.** When the coupling operators L_a commute, they share an eigenbasis; in it
every L_a, every measured operator C_j and every excess-dephasing operator J_r is diagonal,
which makes the z-dependent part of the quantum step diagonal (see :mod:`cqplug.system.compiled`).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

_TOL = 1e-10


def pairs(d: int) -> list:
    """The off-diagonal pairs (i, k), i < k, in coordinate order."""
    return [(i, k) for i in range(d) for k in range(i + 1, d)]


def hermitian_coordinates(rho: np.ndarray) -> np.ndarray:
    """x (d^2 reals) of a Hermitian matrix (see module doc)."""
    d = rho.shape[-1]
    x = np.empty(d * d)
    x[:d] = np.real(np.diag(rho))
    for p, (i, k) in enumerate(pairs(d)):
        x[d + 2 * p], x[d + 2 * p + 1] = rho[i, k].real, rho[i, k].imag
    return x


def from_hermitian_coordinates(x: np.ndarray, d: int) -> np.ndarray:
    rho = np.diag(x[:d]).astype(complex)
    for p, (i, k) in enumerate(pairs(d)):
        rho[i, k] = x[d + 2 * p] + 1j * x[d + 2 * p + 1]
        rho[k, i] = np.conj(rho[i, k])
    return rho


def real_superoperator(P: np.ndarray, d: int) -> np.ndarray:
    """The real d^2 x d^2 matrix of a Hermiticity-preserving superoperator P on Hermitian coordinates."""
    R = np.empty((d * d, d * d))
    for b in range(d * d):
        unit = np.zeros(d * d)
        unit[b] = 1.0
        rho = from_hermitian_coordinates(unit, d)
        R[:, b] = hermitian_coordinates((P @ rho.reshape(-1)).reshape(d, d))
    return R


def observable_functionals(operators: np.ndarray) -> np.ndarray:
    """W (k, d^2) with Tr(B_k rho) = W_k . x for Hermitian B_k."""
    k, d, _ = operators.shape
    W = np.empty((k, d * d))
    for b in range(d * d):
        unit = np.zeros(d * d)
        unit[b] = 1.0
        rho = from_hermitian_coordinates(unit, d)
        W[:, b] = np.real(np.einsum("kij,ji->k", operators, rho))
    return W


def liouvillian(H: np.ndarray, jumps) -> np.ndarray:
    """Superoperator of rho -> -i[H, rho] + sum_r (J_r rho J_r^+ - {J_r^+ J_r, rho}/2) (row-major)."""
    d = H.shape[0]
    eye = np.eye(d)
    generator = -1j * (np.kron(H, eye) - np.kron(eye, H.T))
    for J in jumps:
        JdJ = J.conj().T @ J
        generator += np.kron(J, J.conj()) - 0.5 * np.kron(JdJ, eye) - 0.5 * np.kron(eye, JdJ.T)
    return generator


def kraus_operators(superoperator: np.ndarray, d: int) -> np.ndarray:
    """K (k, d, d) with P rho = sum_i K_i rho K_i^+ for a completely positive map P (a d^2 x d^2
    matrix on row-major vec(rho)): the eigenvectors of its Choi matrix C[(i,j),(k,l)] = P[(i,k),(j,l)],
    scaled by the square roots of their eigenvalues, largest first (for a short step: the no-jump
    evolution first). Eigenvalues below 1e-14 of the largest are dropped."""
    choi = superoperator.reshape(d, d, d, d).transpose(0, 2, 1, 3).reshape(d * d, d * d)
    w, V = np.linalg.eigh(0.5 * (choi + choi.conj().T))
    order = np.argsort(w)[::-1]
    keep = [i for i in order if w[i] > 1e-14 * max(w.max(), 1e-300)]
    return np.array([np.sqrt(w[i]) * V[:, i].reshape(d, d) for i in keep], dtype=complex).reshape(-1, d, d)


def hermitian_factors(E: np.ndarray, L: np.ndarray) -> np.ndarray:
    """J_r = sqrt(e_r) sum_a v_ra L_a from E = sum_r e_r v_r v_r^T (e_r > 0): sum_ab E_ab D_ab[L] = sum_r D[J_r]."""
    d = L.shape[-1]
    if E.size == 0:
        return np.zeros((0, d, d), complex)
    w, V = np.linalg.eigh(E)
    keep = w > _TOL * max(1.0, np.abs(w).max(initial=0.0))
    return np.array([np.sqrt(w[r]) * np.tensordot(V[:, r], L, axes=1) for r in np.flatnonzero(keep)],
                    dtype=complex).reshape(-1, d, d)


def commute(A: np.ndarray, B: np.ndarray) -> bool:
    scale = max(1.0, np.abs(A).max(initial=0.0) * np.abs(B).max(initial=0.0))
    return bool(np.abs(A @ B - B @ A).max(initial=0.0) <= 1e-10 * scale)


def common_eigenbasis(operators: np.ndarray) -> np.ndarray | None:
    """A unitary U with U^+ X U diagonal for every X in ``operators`` (a commuting set), or None."""
    d = operators.shape[-1]
    for a in range(len(operators)):
        for b in range(a + 1, len(operators)):
            if not commute(operators[a], operators[b]):
                return None
    if len(operators) == 0:
        return np.eye(d, dtype=complex)
    weights = 1.0 / (np.arange(len(operators)) + np.pi)  # a generic combination separates every joint eigenspace
    _, U = np.linalg.eigh(np.tensordot(weights, operators, axes=1))
    for X in operators:
        Y = U.conj().T @ X @ U
        if np.abs(Y - np.diag(np.diag(Y))).max(initial=0.0) > 1e-8 * max(1.0, np.abs(X).max()):
            return None
    return U


def in_basis(U: np.ndarray, X: np.ndarray) -> np.ndarray:
    """U^+ X U for one matrix or a stack."""
    return np.einsum("ji,...jk,kl->...il", U.conj(), X, U)


def diagonal_values(X: np.ndarray) -> np.ndarray:
    """The (real) diagonals of a stack of Hermitian matrices that are diagonal."""
    return np.real(np.diagonal(X, axis1=-2, axis2=-1)).copy()


def spread(values: np.ndarray) -> float:
    """max - min of eigenvalues (0 for none)."""
    return float(values.max() - values.min()) if values.size else 0.0


def centred(values: np.ndarray) -> np.ndarray:
    """Eigenvalues (k, d) shifted to a zero midrange per operator: only a global phase changes, and
    the phase arguments a kernel evaluates stay small."""
    if not values.size:
        return values
    return values - 0.5 * (values.max(axis=1, keepdims=True) + values.min(axis=1, keepdims=True))


def expm(A: np.ndarray) -> np.ndarray:
    return sla.expm(A)
