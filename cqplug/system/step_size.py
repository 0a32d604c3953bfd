"""The time step: chosen from the problem's scales, or the user's, fitted to the saved times.

The split step (:mod:`cqplug.system.compiled`) is exact for each of its parts, so its error
comes from the parts not commuting. A rate enters only where it meets such a part:

* ``classical frequency``: largest |eigenvalue| of the linearised Hamiltonian flow of H_C (at
  the initial mean and +-3 standard deviations); the coupling phase follows z during a step;
* ``coupling phase``: max_a |h_a(z)| (spread of L_a's eigenvalues) over the same points;
* ``quantum Hamiltonian``: spread of H_Q's eigenvalues, when H_Q does not commute with every L_a;
* ``measurement``: max_j (spread of C_j's eigenvalues)^2, when H_Q does not commute with the C_j
  or the couplings do not commute;
* ``excess dephasing``: largest coherence decay rate of sum_r D[J_r], when it is split from a
  part it does not commute with (kets unravel it beside H_Q; large densities apply it beside
  exp(-i H_Q tau); non-commuting couplings);
* ``quantum channels``: sum_k ||J_k||^2 of the channels' quantum Lindblad operators, when one of
  them does not commute with the couplings (they sit in the constant channel, the couplings in B).

dt = KAPPA / (largest rate), at most half the save interval, then shrunk so that every saved
interval holds an even number of steps (the coarse grid 2 dt then hits every saved time too).
The run's step-error estimate checks the choice; :data:`KAPPA` was calibrated with
``benchmarks/weak_convergence.py``.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..errors import InvalidProblem
from . import quantum
from .evaluate import ClassicalFunctions
from .phase_space import parameter_symbol, z_symbol

KAPPA = 0.1
MAX_STEPS = 10_000_000  # per trajectory, above which an automatic step is refused
BRANCH_SEPARATION = 3.0  # 2 dc sqrt(2 dt): mixture components this far apart (in std) are sampled exactly


def choose_time_step(system, problem, requested: float | None) -> tuple:
    """(dt, steps per save, sampling, info) for a draft compiled system."""
    save_dt = float(system.times[1] - system.times[0]) if len(system.times) > 1 else float(problem.t_final)
    scales = time_scales(system, problem)
    limited_by = max(scales, key=scales.get) if scales else None
    fastest = scales[limited_by] if limited_by else 0.0
    automatic = KAPPA / fastest if fastest > 0 else math.inf
    info = {"kappa": KAPPA, "scales": {k: float(v) for k, v in scales.items()}, "limited_by": limited_by}
    if requested is None:
        target = min(automatic, save_dt / 2)
        info["chosen"] = "automatic"
    else:
        if isinstance(requested, bool) or not (isinstance(requested, (int, float)) and math.isfinite(requested)
                                               and requested > 0):
            raise InvalidProblem(f"dt must be a positive number, got {requested!r}")
        target = float(requested)
        info["chosen"] = "given"
        info["requested"] = target
    steps = 2 * max(1, math.ceil(save_dt / (2 * target) - 1e-9))
    dt = save_dt / steps
    total = steps * (len(system.times) - 1)
    if requested is None and total > MAX_STEPS:
        raise InvalidProblem(
            f"{problem.model.name}: the fastest scale is the {limited_by} (rate {fastest:.3g}); resolving it needs "
            f"dt = {dt:.3g}, {total:.3g} steps per trajectory. Shorten t_final, pass dt (its step error is then "
            "measured and reported)" + (", or use method 'cq' (it treats dephasing exactly)"
                                        if system.state == "ket" and limited_by == "excess dephasing" else ""))
    if requested is not None and abs(dt - target) > 1e-12 * target:
        info["adjusted"] = (f"dt {target:g} -> {dt:.6g}: {steps} steps per saved interval of {save_dt:g} "
                            "(an even number, so that the coarse grid 2 dt also hits every saved time)")
    return dt, steps, _sampling(system, dt), info


def _sampling(system, dt: float) -> str:
    """Exact mixture (branch) sampling when the record's mixture components separate on the coarse
    step; otherwise the moment-matched Gaussian, which couples fine and coarse paths better."""
    if not system.n_noise:
        return "gaussian"
    separation = 2 * math.sqrt(2 * dt) * max(quantum.spread(np.linalg.eigvalsh(C)) for C in system.C)
    return "branch" if separation > BRANCH_SEPARATION else "gaussian"


def time_scales(system, problem) -> dict:
    """{scale name: rate} for the rates that limit the split step (see the module docstring)."""
    points = _sample_points(problem)
    scales = {}
    omega = _flow_rate(system, points)
    if omega > 0:
        scales["classical frequency"] = omega
    L_spread = [quantum.spread(np.linalg.eigvalsh(L)) for L in system.L]
    if system.n_couplings:
        h = _evaluate(system.couplings, system, points)  # (points, n_L)
        phase = float(np.max(np.abs(h) * np.array(L_spread)[None, :])) if h.size else 0.0
        if phase > 0:
            scales["coupling phase"] = phase
    H_commutes = all(quantum.commute(system.H_Q, L) for L in system.L)
    H_spread = quantum.spread(np.linalg.eigvalsh(system.H_Q))
    if H_spread > 0 and not H_commutes:
        scales["quantum Hamiltonian"] = H_spread
    if system.n_noise and (not system.commuting or not all(quantum.commute(system.H_Q, C) for C in system.C)):
        measurement = max(quantum.spread(np.linalg.eigvalsh(C)) ** 2 for C in system.C)
        if measurement > 0:
            scales["measurement"] = measurement
    if system.n_dephasing:
        split = not system.commuting or (system.constant_channel != "superoperator" and not H_commutes)
        if split:
            rate = _dephasing_rate(system)
            if rate > 0:
                scales["excess dephasing"] = rate
    if system.n_jumps and not all(quantum.commute(J, L) for J in system.jumps for L in system.L):
        rate = float(sum(np.linalg.norm(J, 2) ** 2 for J in system.jumps))
        if rate > 0:
            scales["quantum channels"] = rate
    return scales


def _dephasing_rate(system) -> float:
    """Largest decay rate of a coherence under sum_r D[J_r]: (1/2) sum_r (j_ri - j_rk)^2 (commuting)
    or sum_r ||J_r||^2 spread (general)."""
    if system.commuting:
        return float(system.coherence_decay_rates.max())
    return float(sum(quantum.spread(np.linalg.eigvalsh(J)) ** 2 for J in system.J) / 2)


def _sample_points(problem) -> np.ndarray:
    """The initial mean and mean +- 3 standard deviations along each phase-space axis."""
    g = problem.initial.classical
    std = np.sqrt(np.clip(np.diag(g.covariance), 0.0, None))
    points = [g.mean]
    for i in range(g.mean.size):
        for sign in (-3.0, 3.0):
            p = g.mean.copy()
            p[i] += sign * max(std[i], 1e-12)
            points.append(p)
    return np.array(points)


def _evaluate(function, system, points: np.ndarray) -> np.ndarray:
    """The function's outputs at each point (points, outputs); a linear form is read before the outputs,
    which a bath would have to write out."""
    return ClassicalFunctions(system).numeric(function)(points)


def _flow_rate(system, points: np.ndarray) -> float:
    """Largest |eigenvalue| of the Jacobian of the Hamiltonian flow over the sample points."""
    if system.linear_flow is not None:
        return system.linear_flow.spectral_radius()
    z = [z_symbol(i) for i in range(system.n_z)]
    values = {parameter_symbol(j): v for j, v in enumerate(system.parameters)}
    jac = sp.Matrix([sp.sympify(e).xreplace(values) for e in system.hamilton.outputs]).jacobian(z)
    f = sp.lambdify([z], jac, "numpy")
    rates = [np.max(np.abs(np.linalg.eigvals(np.asarray(f(list(p)), dtype=float)))) for p in points]
    return float(np.nanmax(rates))
