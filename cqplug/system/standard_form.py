"""The CQ trajectory SDE in standard form du = f(u) dt + g(u) dW, for generic SDE solvers.

Backends built on generic SDE libraries (StochasticDiffEq in Julia, diffrax in JAX) hand this to
their solvers. They receive the same :class:`StandardForm`: real matrices computed
here, once, from the :class:`~cqplug.system.compiled.CompiledSystem`, and a dozen lines of
linear algebra that each backend writes in its language (:meth:`StandardForm.drift` and
:meth:`StandardForm.diffusion` are the NumPy version). So the equations a backend integrates
are these matrices, tested here against the direct complex-matrix equations, and only the glue
is backend-specific. State, Itô, in the system's working basis:

    u = [z (2n); x],   x = [Re vec(rho); Im vec(rho)] (2 d^2, row-major)   or   [Re psi; Im psi] (2 d)

The SDE (H(z) = H_Q + sum_a h_a(z) L_a, D[X] rho = X rho X^+ - {X^+ X, rho}/2, e_X = <X>):

    dz   = [Omega grad H_C(z) + f(z) + F e_L] dt + sigma dW          (f: the channels' friction drift)
    drho = (-i[H(z), rho] + sum_j D[C_j] rho + sum_r D[J_r] rho + sum_k D[jumps_k] rho) dt
           + sum_j (C_j rho + rho C_j - 2 e_Cj rho) dW_j
    dpsi = (-i H(z) - sum_j (C_j - e_Cj)^2 / 2 - sum_r J_r^2 / 2) psi dt
           + sum_j (C_j - e_Cj) psi dW_j - i sum_r J_r psi dW'_r

In real form, with the matrices below (each the real 2N x 2N form [[Re M, -Im M], [Im M, Re M]]
of a complex map M):

    f_x = A0 x + sum_a h_a(z) A_a x                     [+ sum_j e_Cj G_j x - |e_C|^2 x / 2   (ket)]
    g_x[:, j] = G_j x - kappa e_Cj x    (j < m; kappa = 2 density, 1 ket)
    g_x[:, m + r] = G_{m+r} x           (ket: the excess-dephasing noises)
    e_X = w_X . x / w_1 . x  (density)    or    x^T Q_X x / x^T x  (ket)

Generic solvers keep neither the trace nor positivity, hence the normalisation in e_X; backends
project the state back between saved intervals (:meth:`StandardForm.project`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BackendUnavailable
from . import quantum


def real_form(M: np.ndarray) -> np.ndarray:
    """[[Re M, -Im M], [Im M, Re M]] for one complex matrix or a stack."""
    M = np.asarray(M, dtype=complex)
    top = np.concatenate([M.real, -M.imag], axis=-1)
    bottom = np.concatenate([M.imag, M.real], axis=-1)
    return np.concatenate([top, bottom], axis=-2)


@dataclass(frozen=True, eq=False)
class StandardForm:
    """The real matrices of the standard-form SDE (module docstring); shapes with N = len(x)."""

    state: str
    n_z: int
    d: int
    sigma: np.ndarray  # (2n, m)
    force: np.ndarray  # F (2n, n_L)
    A0: np.ndarray  # (N, N)
    A: np.ndarray  # (n_L, N, N)
    G: np.ndarray  # (m [+ r], N, N)
    m: int  # measured noises (the first m columns of G)
    expect_L: np.ndarray  # density: (n_L, N) functionals w; ket: (n_L, N, N) quadratic forms Q
    expect_C: np.ndarray  # (m, N) or (m, N, N)
    trace: np.ndarray  # w_1 (N,) for densities; unused (x^T x) for kets

    @property
    def ket(self) -> bool:
        return self.state == "ket"

    @property
    def noises(self) -> int:
        return self.G.shape[0]

    @property
    def size(self) -> int:
        return self.n_z + self.A0.shape[0]

    @property
    def kappa(self) -> float:
        return 1.0 if self.ket else 2.0

    # -- state <-> arrays --------------------------------------------------------------------
    def pack(self, z: np.ndarray, q: np.ndarray) -> np.ndarray:
        """u from z and the quantum state (rho (d, d) or psi (d,))."""
        q = np.asarray(q, dtype=complex).ravel()
        return np.concatenate([np.asarray(z, dtype=float), q.real, q.imag])

    def unpack(self, u: np.ndarray) -> tuple:
        """(z, rho or psi) from u."""
        half = (self.size - self.n_z) // 2
        q = u[self.n_z:self.n_z + half] + 1j * u[self.n_z + half:]
        return u[:self.n_z], (q if self.ket else q.reshape(self.d, self.d))

    # -- the equations (NumPy; the backends write the same lines) ----------------------------
    def expectations(self, forms: np.ndarray, x: np.ndarray) -> np.ndarray:
        if self.ket:
            return np.einsum("i,kij,j->k", x, forms, x) / (x @ x)
        return forms @ x / (self.trace @ x)

    def drift(self, u: np.ndarray, hamilton, couplings) -> np.ndarray:
        """f(u); ``hamilton(z)`` and ``couplings(z)`` evaluate the model's phase-space functions."""
        z, x = u[:self.n_z], u[self.n_z:]
        fz = np.asarray(hamilton(z), dtype=float) + self.force @ self.expectations(self.expect_L, x)
        fx = self.A0 @ x
        if len(self.A):
            fx = fx + np.einsum("a,aij,j->i", np.asarray(couplings(z), dtype=float), self.A, x)
        if self.ket and self.m:
            e = self.expectations(self.expect_C, x)
            fx = fx + np.einsum("j,jik,k->i", e, self.G[:self.m], x) - 0.5 * (e @ e) * x
        return np.concatenate([fz, fx])

    def diffusion(self, u: np.ndarray) -> np.ndarray:
        """g(u), (size, noises)."""
        x = u[self.n_z:]
        gx = np.einsum("jik,k->ij", self.G, x)
        if self.m:
            gx[:, :self.m] -= self.kappa * np.outer(x, self.expectations(self.expect_C, x))
        gz = np.zeros((self.n_z, self.noises))
        gz[:, :self.m] = self.sigma
        return np.concatenate([gz, gx])

    def project(self, u: np.ndarray) -> np.ndarray:
        """The nearest physical state: kets normalised; densities Hermitian, negative eigenvalues
        removed, trace one."""
        z, q = self.unpack(u)
        if self.ket:
            return self.pack(z, q / np.linalg.norm(q))
        w, V = np.linalg.eigh(0.5 * (q + q.conj().T))
        q = (V * np.maximum(w, 0.0)) @ V.conj().T
        return self.pack(z, q / np.trace(q).real)


def expectation_forms(state: str, operators: np.ndarray) -> np.ndarray:
    """The forms giving e_X for each Hermitian X of ``operators`` (k, d, d): densities (k, 2 d^2)
    functionals w with Tr(X rho) = w . x; kets (k, 2 d, 2 d) quadratic forms, the real form of X."""
    if state == "ket":
        return real_form(operators)
    k, d = operators.shape[0], operators.shape[-1]
    flat = np.swapaxes(operators, -1, -2).reshape(k, d * d)  # Tr(X rho) = vec(X^T) . vec(rho)
    return np.concatenate([flat.real, -flat.imag], axis=-1)


def standard_form(system) -> StandardForm:
    """The standard form of a compiled system (any method, density or ket)."""
    d, ket = system.d, system.state == "ket"
    if ket and system.n_jumps:
        raise BackendUnavailable("the standard-form SDE (of backends built on generic SDE solvers) has no diffusive "
                                 "unravelling of quantum Lindblad channels for pure states; use method 'cq', or a "
                                 "backend that integrates the split step (the default backend does)")
    eye = np.eye(d)
    if ket:
        A0 = -1j * system.H_Q - 0.5 * sum((X @ X for X in list(system.C) + list(system.J)), np.zeros((d, d)))
        A = [-1j * L for L in system.L]
        G = list(system.C) + [-1j * J for J in system.J]
        trace = np.zeros(2 * d)
    else:  # superoperators on row-major vec: vec(X rho Y) = (X kron Y^T) vec(rho)
        A0 = quantum.liouvillian(system.H_Q, list(system.C) + list(system.J) + list(system.jumps))
        A = [-1j * (np.kron(L, eye) - np.kron(eye, L.T)) for L in system.L]
        G = [np.kron(C, eye) + np.kron(eye, C.T) for C in system.C]
        trace = expectation_forms("density", eye[None].astype(complex))[0]
    n = d if ket else d * d
    return StandardForm(
        state=system.state, n_z=system.n_z, d=d, sigma=np.asarray(system.sigma, dtype=float),
        force=np.asarray(system.force, dtype=float), A0=real_form(A0),
        A=real_form(np.array(A, dtype=complex).reshape(-1, n, n)),
        G=real_form(np.array(G, dtype=complex).reshape(-1, n, n)), m=system.n_noise,
        expect_L=expectation_forms(system.state, system.L), expect_C=expectation_forms(system.state, system.C),
        trace=trace)
