"""The compiled system: everything a backend integrates, and nothing else.

Core builds one :class:`CompiledSystem` per run from a Problem and a trajectory method; a
backend's ``prepare`` receives only this object (never the Problem, the Model or the registry).
It is plain data: sizes, parameter values, constant matrices, initial-state arrays, saved times
and the model's phase-space functions as symbolic expressions that each backend prints itself.

The SDE (Itô; physics.md §5), with the method's noise terms sigma, K, E (:mod:`cqplug.problem.terms`):

    dz   = [Omega grad H_C(z) + f(z) + F <L>] dt + sigma dW         F_ia = (Omega grad h_a)_i, f: friction
    drho = -i[H_Q + sum_a h_a(z) L_a, rho] dt + sum_j D[C_j] rho dt + sum_r D[J_r] rho dt
           + sum_k D[jumps_k] rho dt + sum_j (C_j rho + rho C_j - 2 <C_j> rho) dW_j      C_j = sum_a K_aj L_a

with sum_r D[J_r] = sum_ab E_ab D_ab[L]. Written with the measurement record
dY_j = dW_j + 2 <C_j> dt, the classical equation is dz = Omega grad H_C dt + sigma dY + F_res <L> dt
with F_res = F - 2 sigma K^T, which vanishes for the exact CQ unravelling.

**The step** (what every backend implements; physics.md §8) is a Strang splitting
A(dt/2) B(dt) A(dt/2) of two exactly solvable parts:

* A (constant): the classical flow, Omega grad H_C plus the channels' linear friction drift (exact
  when both are linear in z: ``linear_flow``; otherwise Heun) and, for Q, the constant generator
  L_0 = -i[H_Q, .] + sum_r D[J_r] + sum_k D[jumps_k] applied exactly as exp(tau L_0)
  (``quantum_propagator``); for kets exp(-i H_Q tau), or with jumps a Kraus operator of that channel
  sampled with its Born probability (``kraus_operators``). ``jumps`` are the channels' purely quantum
  Lindblad operators (any d x d matrices, e.g. amplitude damping): they live only here, so a new
  environment reaches every backend through this one superoperator.
* B (z-dependent): measurement of the C_j with record Delta Y_j, the kick z += sigma Delta Y
  (+ F_res <L> tau), and the coupling phase exp(-i tau sum_a h_a(z_mid) L_a). When the L_a commute
  (``commuting``) everything in B is diagonal in the working ``basis``; then
  M = exp(sum_j C_j Delta Y_j - C_j^2 tau) is the exact measurement operator and Delta Y is drawn
  from its exact law, a mixture over eigenvalues c_i (``sampling="branch"``) or a Gaussian with
  the mixture's mean 2 tau <C> and covariance tau (1 + 4 tau Cov C) (``sampling="gaussian"``,
  used when the mixture's components overlap: better coupled between step sizes). Kets unravel
  the excess dephasing by random phases exp(-i sum_r J_r w_r), w_r ~ N(0, tau): exact too.
  Otherwise (non-commuting couplings) B is a palindrome of exact pieces: each C_j measured in its
  own eigenbasis over half the step (the Brownian increment split at its bridge midpoint), the
  coupling unitary 1 - i tau D - (tau D)^2/2 in the middle, the halves in reverse. Weak order 2
  as well; pathwise (strong) order 1/2 instead of 1, because two non-commuting noises bring
  Lévy areas no such scheme resolves, so the step-error estimate is noisier there.

Every trajectory is also integrated on the coarse grid 2 dt with the same Brownian increments
(summed in pairs; ``step_error``): the difference of the two estimates measures the step error.
The order of the operations, each path's durations, the numbers a step draws and their pairing
between the grids are written once, in :mod:`cqplug.system.step_plan`, which the backends translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from ..errors import InvalidProblem
from . import quantum
from .phase_space import PhaseSpaceFunction, parameter_symbol, phase_space_functions, z_symbol
from .step_size import choose_time_step

_TOL = 1e-13
SUPEROPERATOR_MAX_D = 4  # above, a commuting density's constant channel is split (see constant_channel)
WEAK_ORDER = 2  # of the split step (commuting and palindromic), measured by benchmarks/weak_convergence.py


@dataclass(frozen=True, eq=False)
class LinearFlow:
    """dz/dt = A z + b, the classical flow of an H_C at most quadratic (A a NumPy array or, for a model
    declared with arrays, a SciPy sparse matrix). Variables that A does not connect are propagated
    separately, so a bath of uncoupled modes costs n small exponentials, not one of size 2n."""

    A: object
    b: np.ndarray

    @cached_property
    def blocks(self) -> list:
        """Index arrays of the groups of variables the flow connects (its augmented matrix's components)."""
        from scipy.sparse import csgraph, csr_matrix

        n = self.A.shape[0]
        augmented = csr_matrix(self.A).tolil()
        augmented.resize((n + 1, n + 1))
        augmented[np.flatnonzero(self.b), n] = 1.0
        count, labels = csgraph.connected_components(csr_matrix(augmented), directed=False)
        return [np.flatnonzero(labels == c) for c in range(count)]

    def sparse_propagator(self, tau: float) -> tuple:
        """(Phi as a SciPy CSR matrix, phi) with z(t + tau) = Phi z(t) + phi, exactly (block by block)."""
        from scipy.sparse import coo_matrix, csr_matrix

        n = self.A.shape[0]
        A = csr_matrix(self.A)
        rows, cols, values, phi = [], [], [], np.zeros(n)
        for block in self.blocks:
            inner = block[block < n]
            size = len(inner)
            augmented = np.zeros((size + 1, size + 1))
            augmented[:size, :size] = A[inner][:, inner].toarray()
            augmented[:size, size] = self.b[inner]
            flow = quantum.expm(tau * augmented)
            r, c = np.meshgrid(inner, inner, indexing="ij")
            rows.append(r.ravel())
            cols.append(c.ravel())
            values.append(flow[:size, :size].ravel())
            phi[inner] = flow[:size, size]
        Phi = coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        Phi = csr_matrix(Phi)
        Phi.data[np.abs(Phi.data) <= 1e-15 * max(1.0, np.abs(Phi.data).max(initial=0.0))] = 0.0
        Phi.eliminate_zeros()
        return Phi, phi

    def propagator(self, tau: float) -> tuple:
        """(Phi, phi) as dense arrays."""
        Phi, phi = self.sparse_propagator(tau)
        return Phi.toarray(), phi

    def spectral_radius(self) -> float:
        """Largest |eigenvalue| of A (block by block)."""
        from scipy.sparse import csr_matrix

        A, n = csr_matrix(self.A), self.A.shape[0]
        radius = 0.0
        for block in self.blocks:
            inner = block[block < n]
            if len(inner):
                radius = max(radius, float(np.max(np.abs(np.linalg.eigvals(A[inner][:, inner].toarray())))))
        return radius


@dataclass(frozen=True, eq=False)
class CompiledSystem:
    """The backend-neutral SDE of one run (see the module docstring for the equations)."""

    model: str
    method: str
    state: str  # "density" or "ket"
    parameters: np.ndarray
    z_names: tuple
    observable_names: tuple
    # classical part
    hamilton: PhaseSpaceFunction
    couplings: PhaseSpaceFunction
    observables: PhaseSpaceFunction
    linear_flow: LinearFlow | None
    sigma: np.ndarray  # (2n, m)
    force: np.ndarray  # F (2n, n_L): force on C per unit <L_a>
    residual_force: np.ndarray  # F - 2 sigma K^T (2n, n_L): zero for the exact unravelling
    # quantum part, in the working basis
    basis: np.ndarray  # U: operators here are U^+ X U of the model's
    commuting: bool
    H_Q: np.ndarray  # (d, d)
    L: np.ndarray  # (n_L, d, d)
    C: np.ndarray  # (m, d, d)
    J: np.ndarray  # (r, d, d)
    jumps: np.ndarray  # (k, d, d): the channels' purely quantum Lindblad operators sqrt(rate) J_k
    observable_operators: np.ndarray  # (k, d, d)
    # initial state
    z_mean: np.ndarray
    z_root: np.ndarray  # z0 = z_mean + z_root xi, xi standard normal
    rho0: np.ndarray  # (d, d)
    kets: np.ndarray  # (components, d): the initial Q state as a mixture of kets
    ket_cumulative: np.ndarray  # cumulative probabilities of the components
    # time grid and step
    times: np.ndarray
    dt: float
    steps_per_save: int  # even, so the coarse grid 2 dt hits every saved time
    step_error: bool
    sampling: str  # "gaussian" or "branch" (commuting systems)
    weak_order: int
    time_step: dict = field(default_factory=dict)  # how dt was chosen

    # -- sizes -------------------------------------------------------------------------------
    @property
    def n_z(self) -> int:
        return self.sigma.shape[0]

    @property
    def n_noise(self) -> int:
        return self.sigma.shape[1]

    @property
    def n_couplings(self) -> int:
        return self.L.shape[0]

    @property
    def d(self) -> int:
        return self.H_Q.shape[0]

    @property
    def n_dephasing(self) -> int:
        return self.J.shape[0]

    @property
    def n_jumps(self) -> int:
        return self.jumps.shape[0]

    @property
    def n_observables(self) -> int:
        return len(self.observable_names)

    # -- diagonal forms (commuting systems) ----------------------------------------------------
    @property
    def coupling_eigenvalues(self) -> np.ndarray:
        """l (n_L, d): the diagonals of the L_a (commuting systems)."""
        return quantum.diagonal_values(self.L)

    @property
    def measurement_eigenvalues(self) -> np.ndarray:
        """c (m, d): the diagonals of the C_j (commuting systems)."""
        return quantum.diagonal_values(self.C)

    @property
    def dephasing_eigenvalues(self) -> np.ndarray:
        """j (r, d): the diagonals of the J_r (commuting systems)."""
        return quantum.diagonal_values(self.J)

    def eigen(self, operators: np.ndarray) -> tuple:
        """(V (k, d, d), values (k, d)) with X_k = V_k diag(values_k) V_k^+ (non-commuting systems)."""
        values, vectors = np.linalg.eigh(operators) if len(operators) else (np.zeros((0, self.d)),
                                                                             np.zeros((0, self.d, self.d)))
        return vectors.astype(complex), values

    # -- constant propagators ----------------------------------------------------------------
    @property
    def constant_channel(self) -> str:
        """How A applies its constant quantum part. Densities: "superoperator" (the exact d^2 x d^2 map
        exp(tau L_0), up to d = SUPEROPERATOR_MAX_D, where its d^4 cost is small, and whenever the model has
        quantum Lindblad channels) or "split" (larger d, commuting couplings): Gamma(tau/2) o U(tau) o
        Gamma(tau/2), the dephasing as a Schur factor around the conjugation by exp(-i H_Q tau), second
        order, 2 d^3 per step. Kets: "unitary" exp(-i H_Q tau), or "kraus" when the model has quantum
        Lindblad channels: one Kraus operator of their exact channel sampled per step
        (``kraus_operators``)."""
        if self.state == "ket":
            return "kraus" if self.n_jumps else "unitary"
        if self.d <= SUPEROPERATOR_MAX_D or not self.commuting or self.n_jumps:
            return "superoperator"
        return "split"

    @property
    def coherence_decay_rates(self) -> np.ndarray:
        """(d, d): rho_ik decays at (1/2) sum_r (j_ri - j_rk)^2 under sum_r D[J_r] (diagonal J_r)."""
        j = self.dephasing_eigenvalues
        if not j.size:
            return np.zeros((self.d, self.d))
        return 0.5 * np.sum((j[:, :, None] - j[:, None, :]) ** 2, axis=0)

    def dephasing_factors(self, tau: float) -> np.ndarray:
        """Gamma (d, d): exp(tau sum_r D[J_r]) rho = Gamma * rho elementwise, for diagonal J_r."""
        return np.exp(-tau * self.coherence_decay_rates)

    def kraus_operators(self, tau: float) -> np.ndarray:
        """Kets with quantum Lindblad channels ("kraus"): K_i (k, d, d) of exp(tau L_q),
        L_q = -i[H_Q, .] + sum_k D[jumps_k], largest first. A applies it by sampling: psi -> K_i psi / |K_i psi|
        with probability |K_i psi|^2, which reproduces the channel exactly on average."""
        return quantum.kraus_operators(quantum.expm(tau * quantum.liouvillian(self.H_Q, self.jumps)), self.d)

    def hamiltonian_propagator(self, tau: float) -> np.ndarray:
        """exp(-i tau H_Q)."""
        return quantum.expm(-1j * tau * self.H_Q)

    def channel_superoperator(self, tau: float) -> np.ndarray:
        """exp(tau L_0), L_0 = -i[H_Q, .] + sum_r D[J_r] + sum_k D[jumps_k], as a complex d^2 x d^2 matrix on
        row-major vec(rho)."""
        return quantum.expm(tau * quantum.liouvillian(self.H_Q, [*self.J, *self.jumps]))

    def quantum_propagator(self, tau: float) -> np.ndarray:
        """A's quantum part over tau: for densities the real d^2 x d^2 matrix of exp(tau L_0) on
        Hermitian coordinates; for kets exp(-i tau H_Q)."""
        if self.state == "ket":
            return self.hamiltonian_propagator(tau)
        return quantum.real_superoperator(self.channel_superoperator(tau), self.d)

    def classical_propagator(self, tau: float) -> tuple:
        """(Phi, phi) of the exact linear flow over tau (requires ``linear_flow``)."""
        return self.linear_flow.propagator(tau)

    @property
    def observable_functionals(self) -> np.ndarray:
        """W (k, d^2): Tr(B_k rho) = W_k . x on Hermitian coordinates."""
        return quantum.observable_functionals(self.observable_operators)

    @property
    def rho0_coordinates(self) -> np.ndarray:
        return quantum.hermitian_coordinates(self.rho0)

    @property
    def saves(self) -> int:
        return len(self.times)

    def describe(self) -> dict:
        """What ``info`` records about the step."""
        return {"dt": self.dt, "steps_per_save": self.steps_per_save, "step_error": self.step_error,
                "sampling": self.sampling if self.commuting else "sequential", "weak_order": self.weak_order,
                "commuting_couplings": self.commuting, "constant_channel": self.constant_channel,
                "quantum_lindblad_operators": self.n_jumps,
                "time_step": self.time_step}


def compile_system(problem, method, *, dt: float | None = None, step_error: bool = True,
                   weak_order: int | None = None) -> CompiledSystem:
    """Build the compiled system of ``problem`` under a trajectory ``method`` (which gives
    ``state`` and ``terms(problem)``). ``dt`` None: chosen from the problem's scales.
    ``weak_order``: of the backend's scheme where it is not the split step (e.g. Euler-Maruyama: 1),
    for the extrapolation and the multilevel estimator."""
    weak_order = weak_order or WEAK_ORDER
    terms = method.terms(problem)
    model, d, n_L = problem.model, problem.model.d, problem.L.shape[0]
    n_z = 2 * model.n
    sigma, K, E = (np.asarray(x, dtype=float) for x in (terms.sigma, terms.K, terms.E))
    m = sigma.shape[1] if sigma.ndim == 2 else -1
    if sigma.shape != (n_z, m) or K.shape != (n_L, m) or E.shape != (n_L, n_L):
        raise InvalidProblem(f"method {method.name!r}: terms have shapes sigma {sigma.shape}, K {K.shape}, "
                             f"E {E.shape}; expected ({n_z}, m), ({n_L}, m), ({n_L}, {n_L})")
    if n_L and np.linalg.eigvalsh(E).min() < -1e-9 * max(1.0, np.abs(E).max()):
        raise InvalidProblem(f"method {method.name!r}: the excess dephasing E is not positive semi-definite")
    if method.state not in ("density", "ket"):
        raise InvalidProblem(f"method {method.name!r}: state must be 'density' or 'ket', got {method.state!r}")

    functions = phase_space_functions(problem)
    C = np.array([np.tensordot(K[:, j], problem.L, axes=1) for j in range(m)], dtype=complex).reshape(m, d, d)
    J = quantum.hermitian_factors(E, problem.L)
    U = quantum.common_eigenbasis(problem.L)
    commuting = U is not None
    U = U if commuting else np.eye(d, dtype=complex)

    def work(X):
        Y = quantum.in_basis(U, X)
        if commuting and X is not problem.H_Q and X.size:  # exactly diagonal, real diagonal
            Y = np.einsum("...i,ij->...ij", quantum.diagonal_values(Y), np.eye(d)).astype(complex)
        return Y

    force = 2.0 * problem.D1
    residual = force - 2.0 * sigma @ K.T
    residual[np.abs(residual) <= 1e-12 * max(1.0, np.abs(force).max(initial=0.0))] = 0.0
    linear = _linear_flow(functions["hamilton"], problem)
    kets, cumulative = problem.initial.ket_mixture()
    fields = dict(
        model=model.name, method=method.name, state=method.state, parameters=problem.parameter_vector(),
        z_names=tuple(str(s) for s in model.z), observable_names=tuple(o.name for o in problem.observables),
        hamilton=functions["hamilton"], couplings=functions["couplings"], observables=functions["observables"],
        linear_flow=linear, sigma=sigma, force=force, residual_force=residual, basis=U, commuting=commuting,
        H_Q=quantum.in_basis(U, problem.H_Q), L=work(problem.L), C=work(C), J=work(J),
        jumps=quantum.in_basis(U, problem.jumps),
        observable_operators=quantum.in_basis(U, problem.observable_operators()),
        z_mean=problem.initial.classical.mean.copy(), z_root=problem.initial.classical.sampling_root(),
        rho0=quantum.in_basis(U, problem.initial.density_matrix()), kets=kets @ U.conj(),
        ket_cumulative=cumulative, times=problem.times.copy(),
    )
    draft = CompiledSystem(**fields, dt=np.nan, steps_per_save=0, step_error=step_error, sampling="gaussian",
                           weak_order=weak_order)
    dt, steps, sampling, info = choose_time_step(draft, problem, dt)
    return CompiledSystem(**fields, dt=dt, steps_per_save=steps, step_error=step_error, sampling=sampling,
                          weak_order=weak_order, time_step=info)


def _linear_flow(hamilton: PhaseSpaceFunction, problem) -> LinearFlow | None:
    """A, b with Omega grad H_C = A z + b when H_C is at most quadratic (None otherwise)."""
    if hamilton.linear is not None:
        return LinearFlow(*hamilton.linear)
    n_z = 2 * problem.model.n
    z = [z_symbol(i) for i in range(n_z)]
    values = {parameter_symbol(j): v for j, v in enumerate(problem.parameter_vector())}
    A, b = np.zeros((n_z, n_z)), np.zeros(n_z)
    for i, expr in enumerate(hamilton.outputs):
        expr = sp.expand(sp.sympify(expr).xreplace(values))
        try:
            poly = sp.Poly(expr, *z)
        except sp.PolynomialError:
            return None
        if poly.total_degree() > 1:
            return None
        for k in range(n_z):
            A[i, k] = float(poly.coeff_monomial(z[k]))
        b[i] = float(poly.coeff_monomial(1))
    return LinearFlow(A, b)
