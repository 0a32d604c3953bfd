"""The numerical terms of the CQ trajectory equations (physics.md §5), method by method.

    dz  = [Omega grad H_C + sum_a (Omega grad h_a) <L_a>] dt + sigma dW,         sigma sigma^T = D2
    drho = -i[H(z), rho] dt + D0^{ab} (L_a rho L_b - {L_b L_a, rho}/2) dt
           + sum_j (C_j rho + rho C_j - 2 <C_j> rho) dW_j,                     C_j = sum_a K_aj L_a,
                                                                                sigma K^T = D1

The dephasing left over after the measurement-like C_j terms, E = D0 - K K^T (>= 0 by the
trade-off), is written as sum_r (J_r rho J_r - {J_r^2, rho}/2) with Hermitian J_r. A density
matrix method applies it deterministically; a ket method unravels it with independent noises.
Backends integrate these terms and never see the model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

_TOL = 1e-12


@dataclass(frozen=True)
class TrajectoryTerms:
    """sigma (2n, m), K (n_L, m), C (m, d, d), J (r, d, d), G = sum_ab D0_ab L_a L_b (d, d)."""

    sigma: np.ndarray
    K: np.ndarray
    C: np.ndarray
    J: np.ndarray
    G: np.ndarray

    @property
    def n_noise(self) -> int:
        return self.sigma.shape[1]


def _hermitian_factors(E: np.ndarray, L: np.ndarray) -> np.ndarray:
    """J_r = sqrt(e_r) sum_a v_ra L_a from E = sum_r e_r v_r v_r^T (e_r > 0)."""
    w, V = np.linalg.eigh(E) if E.size else (np.zeros(0), np.zeros((0, 0)))
    keep = w > _TOL * max(1.0, np.abs(w).max(initial=0.0))
    d = L.shape[-1]
    return np.array([np.sqrt(w[r]) * np.tensordot(V[:, r], L, axes=1) for r in np.flatnonzero(keep)],
                    dtype=complex).reshape(-1, d, d)


def cq_terms(problem) -> TrajectoryTerms:
    """The exact CQ unravelling: one shared Wiener vector for C and Q."""
    D2, D1, D0, L = problem.D2, problem.D1, problem.D0, problem.L
    w, V = np.linalg.eigh(D2)
    keep = w > _TOL * max(1.0, np.abs(w).max(initial=0.0))
    sigma = V[:, keep] * np.sqrt(w[keep])
    K = (np.linalg.pinv(sigma) @ D1).T if sigma.size else np.zeros((L.shape[0], 0))
    E = D0 - K @ K.T
    C = np.array([np.tensordot(K[:, j], L, axes=1) for j in range(K.shape[1])], dtype=complex).reshape(-1, *L.shape[1:])
    G = np.einsum("ab,aij,bjk->ik", D0, L, L) if L.size else np.zeros_like(problem.H_Q)
    return TrajectoryTerms(sigma, K, C, _hermitian_factors(E, L), G)


def mean_field_terms(problem) -> TrajectoryTerms:
    """Ehrenfest: no classical noise, no measurement-like back-reaction; Q keeps its dephasing D0."""
    exact = cq_terms(problem)
    n_L, d = problem.L.shape[0], problem.model.d
    return replace(
        exact,
        sigma=np.zeros((exact.sigma.shape[0], 0)),
        K=np.zeros((n_L, 0)),
        C=np.zeros((0, d, d), complex),
        J=_hermitian_factors(problem.D0, problem.L),
    )
