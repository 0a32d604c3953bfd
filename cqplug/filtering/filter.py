"""The hybrid filter: the quantum state conditioned on a recorded classical path, and the path's likelihood.

In the exact unravelling (:mod:`cqplug.system.compiled`) the classical increment is driven by the
measurement record dY_j = dW_j + 2 <C_j> dt of the operators C_j = sum_a K_aj L_a:

    dz = [Omega grad H_C + f(z)] dt + sigma dY + F_res <L> dt        (F_res = 0 for the exact CQ unravelling)

so a recorded path z(t) determines the record, and the record determines the conditioned quantum
state. The filter runs the split step A(dt/2) B(dt) A(dt/2) of the simulation with dY read from
the data instead of drawn, on the record's own uniform grid t_k = t_0 + k dt:

1. A(dt/2): rho -> exp(dt/2 L_0) rho (the constant channel: H_Q, excess dephasing, quantum Lindblad
   channels), z_- = flow(z_{k-1}, dt/2).
2. The kick: z_+ = flow(z_k, -dt/2) (the flow run back), Delta = z_+ - z_- - F_res <L> dt, and
   dY = sigma^+ Delta. A Delta off the range of sigma beyond ``tolerance`` (plus, for a Heun flow,
   ten times the step's own error estimate) is a path the model cannot produce: refused.
3. B(dt) in the couplings' common eigenbasis (commuting couplings): the measurement operator
   M = exp(sum_j C_j dY_j - C_j^2 dt) and the coupling phase exp(-i dt sum_a h_a(z_mid) L_a) at the
   kick's midpoint z_mid = z_- + Delta / 2; rho -> M rho M^+ / Tr.
4. A(dt/2) again.

The flow is the exact linear one when H_C is at most quadratic (then the filter reproduces a
simulated trajectory's conditioned state to round-off); otherwise one Heun step each way, as the
kernels take, and the reconstructed record carries that step's error (an anharmonic oscillator at
dt = 0.01: conditioned values within ~1e-4 of the simulation's own).

**Likelihood.** Given the past, dY_k has the exact law sum_i p_i N(2 dt c_i, dt 1_m) (p_i the
populations of rho before B in the eigenbasis, c_i the eigenvalues of the C_j); z_k is an affine image of
dY_k with Jacobian J = (D flow_{dt/2}) sigma, so its density on the path's m-dimensional support is

    log p(z_k | past) = -m/2 log(2 pi dt) - |dY|^2 / (2 dt) + log sum_i p_i exp(2 a_i) - 1/2 log det(J^T J),
    a_i = sum_j c_ji dY_j - dt sum_j c_ji^2.

The first increment is the log density of z_0 under the initial (Gaussian) Wigner function. The
log-likelihood of the path is their sum.
"""

from __future__ import annotations

import numpy as np

from ..errors import CQPlugError, InvalidProblem, PositivityViolation
from ..system.evaluate import ClassicalFunctions
from .result import FilterResult

DEFAULT_TOLERANCE = 1e-6  # off-range part of a kick allowed, relative to max(1, |z|)
_UNIFORM = 1e-9  # relative spread of the time steps accepted as uniform


def filter(problem, times, z, *, method="cq", tolerance: float = DEFAULT_TOLERANCE, registry=None) -> FilterResult:
    """Condition the quantum state of ``problem`` on the classical path ``z`` (shape (len(times), 2n), the
    model's variables q_1..q_n, p_1..p_n) recorded at ``times`` (uniform, increasing); see the module
    docstring for the step and the likelihood. ``method``: the density unravelling whose noise terms
    define the record (default the exact CQ unravelling "cq"). ``tolerance``: the largest part of a
    kick off the range of sigma accepted, relative to max(1, |z|) (round-off of a simulated record is
    ~1e-15; measured data needs more). Returns a :class:`FilterResult`."""
    from ..registry import get_registry
    from ..solving.solve import resolve_method
    from ..system.compiled import compile_system

    times, z = _check_path(problem, times, z)
    if not (isinstance(tolerance, (int, float)) and tolerance > 0):
        raise CQPlugError(f"tolerance must be a positive number, got {tolerance!r}")
    registry = registry or get_registry()
    name, unravelling = resolve_method(method, registry)
    if not hasattr(unravelling, "terms") or unravelling.state != "density":
        raise CQPlugError(f"the filter needs a density unravelling (e.g. 'cq'); method {name!r} is not one")
    if not problem.tradeoff.valid:
        raise PositivityViolation("the filter runs the exact unravelling: " + problem.tradeoff.violation_message())
    dt = float(times[1] - times[0])
    system = compile_system(problem, unravelling, dt=dt, step_error=False)
    if not system.commuting:
        raise InvalidProblem(f"model {problem.model.name!r}: the filter needs commuting coupling operators (the "
                             "record of non-commuting ones does not fix the measurement within a step)")
    return _run(problem, system, name, times, z, dt, float(tolerance))


def loglikelihood(problem, times, z, **options) -> float:
    """The log-likelihood of the classical path ``z`` at ``times`` under ``problem`` (the sum of
    :attr:`FilterResult.increments`); ``options`` as for :func:`filter`."""
    return filter(problem, times, z, **options).loglikelihood


def _check_path(problem, times, z) -> tuple:
    n_z = 2 * problem.model.n
    names = ", ".join(str(s) for s in problem.model.z)
    try:
        times = np.asarray(times, dtype=float)
        z = np.asarray(z, dtype=float)
    except (TypeError, ValueError):
        raise CQPlugError("times and z must be arrays of numbers") from None
    if times.ndim != 1 or len(times) < 2:
        raise CQPlugError(f"times must be a 1-d array of at least 2 times, got shape {times.shape}")
    if z.shape != (len(times), n_z):
        raise CQPlugError(f"z must have shape (len(times), {n_z}) = ({len(times)}, {n_z}) for the variables "
                          f"{names}; got {z.shape}")
    if not (np.all(np.isfinite(times)) and np.all(np.isfinite(z))):
        raise CQPlugError("times and z must be finite (a NaN or infinity in the record)")
    steps = np.diff(times)
    dt = steps[0]
    if dt <= 0 or np.abs(steps - dt).max() > _UNIFORM * max(abs(dt), np.abs(times).max()):
        raise CQPlugError(f"times must be a uniform increasing grid; steps range from {steps.min():.6g} to "
                          f"{steps.max():.6g}")
    return times, z


def _run(problem, system, method: str, times, z, dt: float, tolerance: float) -> FilterResult:
    d, m = system.d, system.n_noise
    classical = ClassicalFunctions(system)
    half, full = system.channel_superoperator(dt / 2), system.channel_superoperator(dt)
    c = system.measurement_eigenvalues  # (m, d)
    c_squared = (c ** 2).sum(axis=0)
    l = system.coupling_eigenvalues  # noqa: E741  (n_L, d)
    sigma, residual = system.sigma, system.residual_force
    if m and np.linalg.matrix_rank(sigma) < m:
        raise InvalidProblem("the filter needs independent noise directions (sigma of full column rank)")
    pseudo_inverse = np.linalg.pinv(sigma) if m else np.zeros((0, system.n_z))
    before = classical.flow(z[:-1], dt / 2)  # z_- of each step
    after = classical.flow(z[1:], -dt / 2)  # z_+ of each step
    kicks = after - before
    slack = np.zeros(len(kicks))
    if system.linear_flow is None:  # a Heun flow: allow ten times its step's own error estimate off the range
        for points, tau in ((z[:-1], dt / 2), (z[1:], -dt / 2)):
            halves = classical.flow(classical.flow(points, tau / 2), tau / 2)
            slack += 10 * np.abs(classical.flow(points, tau) - halves).max(axis=1)
    has_residual = bool(np.any(residual))
    if not has_residual:
        _check_range(system, times, z, kicks, pseudo_inverse, tolerance, slack)
    log_volume = -0.5 * _log_volumes(classical, system, after, dt / 2) - 0.5 * m * np.log(2 * np.pi * dt)
    T = len(times)
    after_b = np.empty((T - 1, d, d), complex)  # rho after each B
    increments = np.empty(T)
    increments[0] = _initial_log_density(system, z[0], tolerance)
    rho = (half @ system.rho0.reshape(-1)).reshape(d, d)
    for k in range(T - 1):
        p = np.clip(np.real(np.diag(rho)), 0.0, None)
        p = p / p.sum()
        kick = kicks[k]
        if has_residual:
            kick = kick - dt * residual @ (l @ p)
            _check_range(system, times[k:k + 2], z[k:k + 2], kick[None], pseudo_inverse, tolerance, slack[k:k + 1])
        dY = pseudo_inverse @ kick
        a = c.T @ dY - dt * c_squared
        h = classical.couplings(before[k] + 0.5 * kick)
        top = a.max()
        g = np.exp(a - top) * np.exp(-1j * dt * (l.T @ h))
        rho = g[:, None] * rho * np.conj(g)[None, :]
        weight = np.real(np.trace(rho))  # sum_i p_i exp(2 (a_i - top))
        rho = rho / weight
        increments[k + 1] = (log_volume[k] - dY @ dY / (2 * dt) + 2 * top + np.log(weight)) if m else 0.0
        after_b[k] = rho
        rho = (full @ rho.reshape(-1)).reshape(d, d)
    states = np.empty((T, d, d), complex)
    states[0] = system.rho0
    states[1:] = (after_b.reshape(T - 1, d * d) @ half.T).reshape(T - 1, d, d)
    B = system.observable_operators
    values = classical.observables(z).T * np.real(np.einsum("kij,tji->kt", B, states))
    U = system.basis
    states = np.einsum("ij,tjk,lk->til", U, states, U.conj())
    info = {"model": problem.model.name, "parameters": dict(problem.params), "method": method, "dt": dt,
            "tolerance": tolerance, "flow": "exact (linear)" if system.linear_flow is not None else "Heun"}
    return FilterResult(times, z, tuple(system.z_names), dict(zip(system.observable_names, values)), states,
                        increments, info)


def _check_range(system, times, z, kicks, pseudo_inverse, tolerance: float, slack) -> None:
    """Refuse kicks (steps, 2n) between the points z with a part off the range of sigma beyond the tolerance
    (relative to max(1, |z|)) plus ``slack`` (steps,)."""
    off = np.abs(kicks - (kicks @ pseudo_inverse.T) @ system.sigma.T).max(axis=1, initial=0.0)
    bad = np.flatnonzero(off > tolerance * np.maximum(1.0, np.abs(z[1:]).max(axis=1)) + slack)
    if len(bad):
        k = bad[0]
        raise CQPlugError(f"the path cannot come from this model: at t = {times[k + 1]:.6g} its increment has a part "
                          f"{off[k]:.3g} off the directions the noise moves ({', '.join(system.z_names)}), beyond "
                          f"the tolerance {tolerance:g} (check the model, its parameters and the variables' order)")


def _log_volumes(classical, system, points, tau: float) -> np.ndarray:
    """log det(J^T J), J = (D flow_tau) sigma, at each of ``points`` (steps, 2n): constant for a linear flow,
    else by central differences of the Heun step."""
    sigma = system.sigma
    if not sigma.shape[1]:
        return np.zeros(len(points))
    if system.linear_flow is not None:
        J = system.linear_flow.propagator(tau)[0] @ sigma
        return np.full(len(points), np.linalg.slogdet(J.T @ J)[1])
    columns = []
    for j in range(sigma.shape[1]):  # D flow applied to sigma_j directly: one difference per noise
        step = 1e-6 * np.maximum(1.0, np.abs(points).max(axis=1, keepdims=True))
        e = step * sigma[:, j]
        columns.append((classical.flow(points + e, tau) - classical.flow(points - e, tau)) / (2 * step))
    J = np.stack(columns, axis=-1)  # (steps, 2n, m)
    return np.linalg.slogdet(np.einsum("tim,tin->tmn", J, J))[1]


def _initial_log_density(system, z0: np.ndarray, tolerance: float) -> float:
    """log of the initial classical (Gaussian Wigner) density at z0; on its support where it is degenerate."""
    covariance = system.z_root @ system.z_root.T
    w, V = np.linalg.eigh(covariance)
    keep = w > 1e-12 * max(1.0, w.max(initial=0.0))
    x = V.T @ (z0 - system.z_mean)
    if np.abs(x[~keep]).max(initial=0.0) > tolerance * max(1.0, np.abs(z0).max()):
        raise CQPlugError("the path's first point lies outside the support of the model's initial classical state")
    return float(-0.5 * keep.sum() * np.log(2 * np.pi) - 0.5 * np.log(w[keep]).sum()
                 - 0.5 * (x[keep] ** 2 / w[keep]).sum())
