"""The noise terms of the CQ trajectory equations (physics.md §5), method by method.

    dz  = [Omega grad H_C + F <L>] dt + sigma dW,                       sigma sigma^T = D2
    drho = -i[H(z), rho] dt + sum_j D[C_j] rho dt + sum_ab E_ab D_ab[L] rho dt
           + sum_j (C_j rho + rho C_j - 2 <C_j> rho) dW_j,              C_j = sum_a K_aj L_a

with F_ia = (Omega grad h_a)_i the force per unit <L_a> and D_ab[L] rho = L_a rho L_b -
{L_b L_a, rho}/2. A method chooses three things: the classical noise ``sigma`` (2n x m), how
strongly each noise also measures Q (``K``, n_L x m) and the dephasing left unconditioned
(``E``, n_L x n_L, positive semi-definite). The exact unravelling takes sigma K^T = D1 and
E = D0 - K K^T (>= 0 by the trade-off); then F <L> dt + sigma dW = sigma dY, with the
measurement record dY = dW + 2 <C> dt: the classical system *is* the record of the
measurement of Q. Mean-field drops the measurement (K = 0, E = D0) and the classical noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_TOL = 1e-12


@dataclass(frozen=True)
class TrajectoryTerms:
    """sigma (2n, m), K (n_L, m), E (n_L, n_L); ``m`` noises, each measuring C_j = sum_a K_aj L_a."""

    sigma: np.ndarray
    K: np.ndarray
    E: np.ndarray

    @property
    def n_noise(self) -> int:
        return self.sigma.shape[1]


def _noise_root(D2: np.ndarray) -> np.ndarray:
    """sigma with sigma sigma^T = D2, one column per positive eigenvalue."""
    w, V = np.linalg.eigh(D2)
    keep = w > _TOL * max(1.0, np.abs(w).max(initial=0.0))
    return V[:, keep] * np.sqrt(w[keep])


def cq_terms(problem) -> TrajectoryTerms:
    """The exact CQ unravelling: one shared Wiener vector for C and Q."""
    sigma = _noise_root(problem.D2)
    n_L = problem.L.shape[0]
    K = (np.linalg.pinv(sigma) @ problem.D1).T if sigma.size else np.zeros((n_L, 0))
    E = problem.D0 - K @ K.T
    return TrajectoryTerms(sigma, K, 0.5 * (E + E.T))


def mean_field_terms(problem) -> TrajectoryTerms:
    """Ehrenfest: no classical noise, no measurement-like back-reaction; Q keeps its dephasing D0."""
    n_L = problem.L.shape[0]
    return TrajectoryTerms(np.zeros((2 * problem.model.n, 0)), np.zeros((n_L, 0)), problem.D0.copy())
