"""Initial states: a Gaussian phase-space density for C and a quantum state for Q.

CQ trajectories sample the classical start z0 from the initial Wigner function of C, which must
therefore be a probability density. Gaussian states (coherent, squeezed, thermal) are; states
with negative Wigner functions (Fock states n >= 1, cat states) would need signed weights and
are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidProblem


def symplectic_form(n: int) -> np.ndarray:
    """Omega = [[0, 1], [-1, 0]] (n x n blocks), for z = (q_1..q_n, p_1..p_n)."""
    eye = np.eye(n)
    zero = np.zeros((n, n))
    return np.block([[zero, eye], [-eye, zero]])


@dataclass(frozen=True)
class GaussianState:
    """Gaussian Wigner function of C: mean z and covariance, z = (q_1..q_n, p_1..p_n).

    Physical when cov + (i/2) Omega >= 0 (the uncertainty relation, hbar = 1).
    """

    mean: np.ndarray
    covariance: np.ndarray

    def __post_init__(self):
        try:
            mean = np.asarray(self.mean, dtype=float).reshape(-1)
            cov = np.asarray(self.covariance, dtype=float)
        except (TypeError, ValueError):
            raise InvalidProblem("Gaussian state: mean and covariance must be arrays of numbers") from None
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "covariance", cov)
        if mean.size % 2 or cov.shape != (mean.size, mean.size):
            raise InvalidProblem(
                f"Gaussian state: mean has {mean.size} entries and covariance shape {cov.shape}; "
                "expected 2n entries (q_1..q_n, p_1..p_n) and a 2n x 2n covariance"
            )
        if not np.all(np.isfinite(mean)) or not np.all(np.isfinite(cov)):
            raise InvalidProblem("Gaussian state: mean and covariance must be finite numbers")
        if not np.allclose(cov, cov.T):
            raise InvalidProblem("Gaussian state: the covariance matrix must be symmetric")
        n = mean.size // 2
        omega = symplectic_form(n)
        lowest = min(np.linalg.eigvalsh(cov[np.ix_(b, b)] + 0.5j * omega[np.ix_(b, b)]).min() for b in self.blocks)
        if lowest < -1e-9 * max(1.0, np.abs(cov).max()):
            raise InvalidProblem(
                "Gaussian state violates the uncertainty relation (cov + i Omega/2 has eigenvalue "
                f"{lowest:.3g} < 0): for each degree of freedom Var q * Var p must be >= 1/4 (hbar = 1)"
            )

    @property
    def n(self) -> int:
        return self.mean.size // 2

    @property
    def blocks(self) -> list:
        """Index arrays of the degrees of freedom the covariance correlates (each q_i with its p_i): a
        bath of uncorrelated modes is n blocks of two, checked and sampled one by one."""
        from scipy.sparse import csgraph, csr_matrix

        n = self.n
        linked = self.covariance != 0
        linked[np.arange(n), np.arange(n) + n] = True
        count, labels = csgraph.connected_components(csr_matrix(linked), directed=False)
        order = np.argsort(labels, kind="stable")
        return np.split(order, np.flatnonzero(np.diff(labels[order])) + 1) if count > 1 else [np.arange(2 * n)]

    def sampling_root(self) -> np.ndarray:
        """R with R R^T = covariance: z0 = mean + R xi, xi standard normal, samples this state (block by
        block, so R has the covariance's block structure)."""
        root = np.zeros_like(self.covariance)
        for b in self.blocks:
            w, V = np.linalg.eigh(self.covariance[np.ix_(b, b)])
            root[np.ix_(b, b)] = V * np.sqrt(np.clip(w, 0.0, None))
        return root


def coherent_state(q0: float = 0.0, p0: float = 0.0, m: float | None = None, omega: float | None = None
                   ) -> GaussianState:
    """Coherent state of an oscillator of mass ``m`` and angular frequency ``omega`` centred at
    (q0, p0): Var q = 1/(2 m omega), Var p = m omega / 2 (hbar = 1).

    ``m`` and ``omega`` are required (by keyword or, as in cqplug 0.1, positionally): the width of
    the state is that of the ground state of *your* oscillator, and a silent m = omega = 1 would
    give the wrong initial state for any other (which the exact reference, started from the same
    state, could not reveal).
    """
    if m is None or omega is None:
        raise InvalidProblem("coherent_state(q0, p0, m, omega): give the oscillator's mass m and angular frequency "
                             "omega (its ground state sets the width), e.g. coherent_state(q0, p0, m=1.0, omega=1.0)")
    if not (m > 0 and omega > 0):
        raise InvalidProblem(f"coherent state needs m > 0 and omega > 0 (got m={m}, omega={omega})")
    return GaussianState([q0, p0], np.diag([1.0 / (2 * m * omega), m * omega / 2]))


def wave_packet(q0: float = 0.0, p0: float = 0.0, sigma_q: float = 1.0) -> GaussianState:
    """Minimum-uncertainty Gaussian wave packet: Var q = sigma_q^2, Var p = 1/(4 sigma_q^2)."""
    if sigma_q <= 0:
        raise InvalidProblem(f"wave packet needs sigma_q > 0 (got {sigma_q})")
    return GaussianState([q0, p0], np.diag([sigma_q**2, 1.0 / (4 * sigma_q**2)]))


def product_state(*states: GaussianState) -> GaussianState:
    """Uncorrelated product of Gaussian states of several degrees of freedom, ordered as given."""
    qs = np.concatenate([s.mean[: s.n] for s in states])
    ps = np.concatenate([s.mean[s.n :] for s in states])
    n = qs.size
    cov = np.zeros((2 * n, 2 * n))
    offset = 0
    for s in states:
        idx = np.r_[offset : offset + s.n, n + offset : n + offset + s.n]
        cov[np.ix_(idx, idx)] = s.covariance
        offset += s.n
    return GaussianState(np.concatenate([qs, ps]), cov)


def qubit_state(theta: float, phi: float) -> np.ndarray:
    """cos(theta/2)|0> + e^{i phi} sin(theta/2)|1>, with sigma_z|0> = +|0>."""
    return np.array([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)], dtype=complex)


@dataclass(frozen=True)
class InitialState:
    """C in a Gaussian state, Q in a ket (d,) or density matrix (d, d); uncorrelated."""

    classical: GaussianState
    quantum: np.ndarray

    def density_matrix(self) -> np.ndarray:
        q = np.asarray(self.quantum, dtype=complex)
        return np.outer(q, q.conj()) if q.ndim == 1 else q

    def ket_mixture(self) -> tuple:
        """(kets (k, d), cumulative probabilities (k,)): the Q state as a mixture of pure states,
        for unravellings that carry kets (one ket with probability 1 when Q starts pure)."""
        w, V = np.linalg.eigh(self.density_matrix())
        keep = w > 1e-12
        return V[:, keep].T, np.cumsum(w[keep]) / w[keep].sum()


def check_initial_state(state, n: int, d: int) -> InitialState:
    """Validate what a model's ``initial_state(params)`` returned."""
    if not isinstance(state, InitialState):
        raise InvalidProblem(
            "initial_state must return cqplug.InitialState(classical=GaussianState, quantum=...), "
            f"got {type(state).__name__}"
        )
    classical = state.classical
    if not isinstance(classical, GaussianState):
        raise InvalidProblem(_non_gaussian_message(classical))
    if classical.n != n:
        raise InvalidProblem(f"initial classical state has {classical.n} degrees of freedom; the model has {n}")
    quantum = _as_quantum_state(state.quantum, d)
    return InitialState(classical, quantum)


def _non_gaussian_message(classical) -> str:
    what = type(classical).__name__
    detail = ""
    if hasattr(classical, "full"):  # a qutip.Qobj: say whether its Wigner function goes negative
        try:
            import qutip

            xs = np.linspace(-6, 6, 121)
            w_min = float(qutip.wigner(classical, xs, xs).min())
            detail = f" (its Wigner function reaches {w_min:.3g})" if w_min < -1e-6 else " (non-Gaussian)"
        except Exception:  # the refusal does not depend on this detail
            detail = ""
    return (
        f"the initial state of C is a {what}{detail}: CQ trajectories sample z0 from the initial Wigner "
        "function, so it must be a non-negative density; supported: cqplug.GaussianState "
        "(coherent_state, wave_packet, thermal or squeezed covariances). States with negative Wigner "
        "functions (Fock n >= 1, cat states) need signed weights, which are not supported yet"
    )


def _as_quantum_state(q, d: int) -> np.ndarray:
    if hasattr(q, "full"):
        q = q.full()
    try:
        q = np.asarray(q, dtype=complex)
    except (TypeError, ValueError):
        raise InvalidProblem(
            f"initial quantum state must be a ket or density matrix of numbers, got {type(q).__name__}"
        ) from None
    if q.ndim == 2 and q.shape[1] == 1:
        q = q[:, 0]
    if q.shape not in ((d,), (d, d)):
        raise InvalidProblem(
            f"initial quantum state has shape {q.shape}; expected a ket ({d},) or a density matrix ({d}, {d})"
        )
    if q.ndim == 1:
        if not np.all(np.isfinite(q)):
            raise InvalidProblem("initial quantum ket has entries that are not finite numbers")
        norm = np.linalg.norm(q)
        if abs(norm - 1) > 1e-8:
            raise InvalidProblem(f"initial quantum ket has norm {norm:.6g}; normalise it")
        return q
    if not np.all(np.isfinite(q)):
        raise InvalidProblem("initial quantum density matrix has entries that are not finite numbers")
    if not np.allclose(q, q.conj().T, atol=1e-10):
        raise InvalidProblem("initial quantum density matrix is not Hermitian")
    if abs(np.trace(q).real - 1) > 1e-8 or np.linalg.eigvalsh(q).min() < -1e-10:
        raise InvalidProblem("initial quantum density matrix must have trace 1 and no negative eigenvalue")
    return q
