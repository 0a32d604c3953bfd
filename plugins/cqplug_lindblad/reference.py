"""The exact open-quantum reference (physics.md §6): C quantised, Lindblad equation by QuTiP.

    d rho/dt = -i[H, rho] + sum_k r_k D[X_k] rho,     H = Weyl(H_C) + H_Q + sum_a Weyl(h_a) L_a

on (Fock space of C, truncated at N per degree of freedom) (x) Q, each channel contributing its
Lindblad terms r_k D[X_k] with X_k = Weyl(f_k) (x) B_k (``Channel.lindblad_terms``: f_k may be
complex and linear, e.g. an annihilation operator; B_k any d x d matrix).
The truncation N is chosen automatically: it starts from an estimate of the oscillators'
largest occupation over the run (a bound propagated through the
linearised classical flow, diffusion and the largest back-reaction force) and grows until every
observable changes by less than ``tolerance`` (absolute, scaled by max(1, |observable|)) between
N and N + step; the result reports N (``info["truncation"]``: Fock states per degree of freedom)
and that change. A problem whose estimate exceeds ``max_states`` is refused before any work,
with the estimate and the ways out. QuTiP's MESolver is stepped from saved time to saved time,
which gives progress on a terminal and a clean Ctrl-C.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import scipy.linalg as sla
import sympy as sp

from cqplug.errors import BackendUnavailable, CQPlugError, InvalidProblem
from cqplug.results.assembly import deterministic_result
from cqplug.solving.methods import ReferenceMethod
from cqplug.solving.progress import Progress

from . import LindbladOptions
from .fock import bin_projectors, weyl_operator

DEFAULT_BINS_SPAN = 6.0  # default histogram range: initial mean +- 6 standard deviations (+ drift allowance)


def _basis(problem):
    """Per degree of freedom: length scale, thermal occupation and displacement of the initial state."""
    g = problem.initial.classical
    n = g.n
    cov = g.covariance
    if np.abs(cov - np.diag(np.diag(cov))).max() > 1e-12:
        raise InvalidProblem("the lindblad reference supports initial Gaussians with a diagonal covariance only")
    modes = []
    for i in range(n):
        vq, vp = cov[i, i], cov[n + i, n + i]
        scale = (vq / vp) ** 0.25
        nbar = max(math.sqrt(vq * vp) - 0.5, 0.0)
        alpha = (g.mean[i] / scale + 1j * g.mean[n + i] * scale) / math.sqrt(2)
        modes.append((scale, nbar, alpha))
    return modes


def _initial_mode(N: int, nbar: float, alpha: complex):
    import qutip

    big = N + 40 + int(4 * abs(alpha) ** 2)
    rho = qutip.thermal_dm(big, nbar) if nbar > 0 else qutip.fock_dm(big, 0)
    D = qutip.displace(big, alpha)
    full = (D * rho * D.dag()).full()[:N, :N]
    return full / np.trace(full).real


def _suggested_states(N: int, n: int, d: int) -> int:
    """N^n d rounded up to two significant figures: a max_states that admits N."""
    states = N**n * d
    scale = 10 ** max(0, len(str(states)) - 2)
    return -(-states // scale) * scale


def estimated_truncation(problem, modes) -> int:
    """Fock states per degree of freedom the run needs, from a bound on the largest occupation.

    Mean and covariance of z are propagated through the classical flow linearised at the initial
    mean (Phi) with the diffusion D2. The back-reaction force F_a <L_a>, |<L_a>| <= max|L_a|, moves
    z by at most sum_a integral |Phi(t - s) F_a| max|L_a| ds (componentwise). The occupation of mode
    i is ((q/l)^2 + (p l)^2)/2 at |mean| + 3 standard deviations + that displacement; the
    truncation adds 6 sqrt(occupation) + 12 states of margin for the tails.
    """
    model = problem.model
    n = model.n
    z0 = problem.initial.classical.mean
    values = {model.parameter_symbols[k]: v for k, v in problem.params.items()}
    flow = [sp.sympify(e).xreplace(values) for e in problem.classical_flow()]
    at = dict(zip(model.z, z0))
    A = np.array(sp.Matrix(flow).jacobian(list(model.z)).xreplace(at).evalf(), dtype=float)
    b = np.array([float(sp.sympify(e).xreplace(at)) for e in flow]) - A @ z0
    largest_L = np.array([np.abs(np.linalg.eigvalsh(L)).max() for L in problem.L]) if problem.L.size else np.zeros(0)
    forces = 2.0 * problem.D1 * largest_L[None, :]  # (2n, n_L): F_a max|L_a|
    grid = np.linspace(0.0, problem.t_final, 121)
    h = grid[1] - grid[0]
    propagators = [sla.expm(t * A) for t in grid]
    scales = np.array([m[0] for m in modes])
    mean, cov = z0.copy(), problem.initial.classical.covariance.copy()
    step = propagators[1]
    largest = 0.0
    for k in range(len(grid)):
        push = sum((h * np.abs(propagators[k - j] @ forces).sum(axis=1) for j in range(k)), np.zeros(2 * n))
        spread = np.abs(mean) + 3.0 * np.sqrt(np.clip(np.diag(cov), 0, None)) + push
        occupation = 0.5 * ((spread[:n] / scales) ** 2 + (spread[n:] * scales) ** 2)
        largest = max(largest, float(occupation.max()))
        mean = step @ mean + h * b
        cov = step @ cov @ step.T + h * problem.D2
    return int(largest + 6.0 * math.sqrt(largest) + 12)


class LindbladReference(ReferenceMethod):
    """The exact reference: ``cqplug run --reference`` compares with it."""

    Options = LindbladOptions
    exact = True

    def check_available(self) -> None:
        import importlib.util

        if importlib.util.find_spec("qutip") is None:
            raise BackendUnavailable(f"method {self.name!r} needs QuTiP: pip install 'cqplug[reference]'")

    def solve(self, problem, shared, options):
        self.check_available()
        started = time.perf_counter()
        modes = _basis(problem)
        n, d = problem.model.n, problem.model.d
        edges = self._edges(problem, modes, shared)
        progress = shared.progress
        if options.truncation:
            N = options.truncation
            self._check_size(problem, N, options, "given")
            obs, hist = self._run(problem, modes, N, edges, progress=progress)
            change = float("nan")
        else:
            estimate = estimated_truncation(problem, modes)
            # the bound is close for one mode and about twice the need for coupled modes
            # (calibrated on the built-in models); the search starts well below it
            self._check_size(problem, estimate if n == 1 else (estimate + 1) // 2, options, "estimated")
            N = max(10, int(0.4 * estimate))
            largest = int((options.max_states / d) ** (1.0 / n) + 1e-9)  # the largest N within max_states
            N = min(N, largest)
            obs, hist = self._run(problem, modes, N, edges, progress=progress)
            change, previous = float("inf"), None
            while True:
                following = min(N + max(2, round(0.2 * N)), largest)  # the last try uses every state allowed
                if following <= N:
                    compared = (f"from N = {previous} to {N} Fock states per degree of freedom the observables "
                                f"still changed by {change:.2g} (> tolerance {options.tolerance:g})"
                                if previous else f"N = {N} is all it allows, with nothing to compare it to")
                    raise CQPlugError(
                        f"lindblad reference did not converge within {options.max_states} states: {compared}; "
                        "shorten t_final, raise the limit (--option max_states="
                        f"{_suggested_states(N + max(2, round(0.2 * N)), n, d)}) or accept a fixed truncation "
                        "(--option truncation=N)")
                obs2, hist2 = self._run(problem, modes, following, edges, progress=progress)
                change = max(float(np.max(np.abs(obs2[k] - obs[k]) / np.maximum(1.0, np.abs(obs2[k])))) for k in obs)
                previous, N, obs, hist = N, following, obs2, hist2
                if change <= options.tolerance:
                    break
        details = {"truncation": N, "truncation_change": change, "hilbert_dimension": N**n * d}
        converged = f"converged to {change:.1g}" if math.isfinite(change) else "fixed by the user, not checked"
        summary = (f"Fock truncation N = {N} states per classical degree of freedom ({N**n * d} states with Q), "
                   f"{converged}; QuTiP, C quantised")
        return deterministic_result(problem, obs, hist, details, self.name, summary=summary,
                                    run_seconds=time.perf_counter() - started)

    @staticmethod
    def _check_size(problem, N: int, options, how: str) -> None:
        """Refuse before any work when N exceeds max_states (the search then stops at the largest N allowed)."""
        n, d = problem.model.n, problem.model.d
        states = N**n * d
        if states > options.max_states:
            largest = int((options.max_states / d) ** (1.0 / n))
            raise CQPlugError(
                f"lindblad reference for {problem.model.name} to t = {problem.t_final:g}: the {how} Fock truncation is "
                f"N = {N} per degree of freedom: {states} states (a Liouvillian of {states**2:.3g} rows), above "
                f"the limit of {options.max_states}. Shorten t_final, or pass --option truncation=N (N <= {largest}) "
                "to accept a fixed truncation (its artefacts are then yours to judge), or raise --option "
                f"max_states={_suggested_states(N, n, d)} (memory and time grow as M^2)")

    def states(self, problem, truncation: int | None = None, **options) -> tuple:
        """The exact states rho(t) at the saved times, for a single classical degree of freedom:
        (rho of shape (len(times), N d, N d) on Fock(N) (x) C^d, N, length scale of the Fock basis).
        ``truncation`` None: the converged N that ``solve`` would choose."""
        from cqplug.solving.options import SolveOptions, make_options

        if problem.model.n != 1:
            raise InvalidProblem("exact states are offered for one classical degree of freedom only")
        shared = SolveOptions(progress=False)
        own = make_options(LindbladOptions, options, "method 'lindblad'")
        if truncation is None:
            truncation = self.solve(problem, shared, own).info.details["truncation"]
        modes = _basis(problem)
        edges = self._edges(problem, modes, shared)
        *_, rho = self._run(problem, modes, truncation, edges, store_states=True, progress=False)
        return np.array(rho), truncation, modes[0][0]

    @staticmethod
    def _edges(problem, modes, options) -> dict:
        g = problem.initial.classical
        edges = {}
        for i, s in enumerate(problem.model.z):
            name = str(s)
            if options.hist_range and name in options.hist_range:
                lo, hi = options.hist_range[name]
            else:
                sd = math.sqrt(g.covariance[i, i])
                lo, hi = g.mean[i] - DEFAULT_BINS_SPAN * sd - 4, g.mean[i] + DEFAULT_BINS_SPAN * sd + 4
            edges[name] = np.linspace(lo, hi, options.bins + 1)
        return edges

    def _run(self, problem, modes, N: int, edges: dict, store_states: bool = False, progress=None):
        import qutip

        model, params = problem.model, problem.params
        n, d = model.n, model.d
        dims = [N] * n + [d]
        eye = [np.eye(N)] * n

        def full(mode_ops, quantum=None):
            out = np.ones((1, 1))
            for op in list(mode_ops) + [np.eye(d) if quantum is None else quantum]:
                out = np.kron(out, op)
            return qutip.Qobj(out, dims=[dims, dims]).to("csr")

        values = {model.parameter_symbols[k]: v for k, v in params.items()}

        def weyl(expr, quantum=None):  # complex coefficients allowed (a channel's l(z) = A + i B)
            expr = model.symbolic(expr, params)  # an array function written out (small n only here)
            terms = weyl_operator(expr, model.z, n, N, [m[0] for m in modes],
                                  lambda c: complex(sp.N(sp.sympify(c).subs(values))))
            return sum((c * full(ops, quantum) for c, ops in terms), 0 * full(eye))

        H = weyl(model.H_C) + full(eye, problem.H_Q)
        for (h, L) in model.couplings:
            H = H + weyl(h, L)
        c_ops = []
        for ch in problem.channels:
            for weight, f, B in ch.lindblad_terms(model):
                rate = params[ch.rate] * model.evaluate(weight, params)
                if rate > 0:
                    c_ops.append(math.sqrt(rate) * weyl(f, B))
        rho = full([_initial_mode(N, nbar, alpha) for _, nbar, alpha in modes], problem.initial.density_matrix())
        e_ops = {o.name: weyl(o.classical, o.quantum) for o in problem.observables}
        projectors = {}
        for i, s in enumerate(model.z):
            mode = i % n
            for b, P in enumerate(bin_projectors(edges[str(s)], N, modes[mode][0], momentum=i >= n)):
                ops = list(eye)
                ops[mode] = P
                projectors[(str(s), b)] = full(ops)
        rates = [params[ch.rate] for ch in problem.channels]
        stiff = max(rates, default=0.0) * problem.t_final > 1e3
        solver = qutip.MESolver(H, c_ops, options={"atol": 1e-10, "rtol": 1e-8, "nsteps": 10**6,
                                                   "method": "bdf" if stiff else "adams", "progress_bar": False})
        times = problem.times
        bar = Progress(len(times) - 1, progress, label=f"saved times (reference, N = {N}, {N**n * d} states)",
                       stream=sys.stderr)
        values = {k: np.empty(len(times)) for k in e_ops}
        hist = {str(s): np.empty((len(times), len(edges[str(s)]) - 1)) for s in model.z}
        states = []

        def record(i, state):
            for k, op in e_ops.items():
                values[k][i] = qutip.expect(op, state).real
            for (name, b), P in projectors.items():
                hist[name][i, b] = qutip.expect(P, state).real
            if store_states:
                states.append(state.full())

        record(0, rho)
        solver.start(rho, times[0])
        try:
            for i, t in enumerate(times[1:], start=1):
                record(i, solver.step(t))
                bar.update(i)
        finally:
            bar.close()
        histograms = {name: {"edges": edges[name], "probability": prob,
                             "underflow": np.full(len(times), np.nan), "overflow": np.full(len(times), np.nan)}
                      for name, prob in hist.items()}
        return (values, histograms, states) if store_states else (values, histograms)
