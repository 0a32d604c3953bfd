"""The exact open-quantum reference (physics.md §6): C quantised, Lindblad equation by QuTiP.

    d rho/dt = -i[H, rho] + sum_k (2 gamma_k) D[X_k] rho,     H = Weyl(H_C) + H_Q + sum_a Weyl(h_a) L_a

on (Fock space of C, truncated at N per degree of freedom) (x) Q. The truncation is chosen
automatically: N grows until every observable changes by less than ``tolerance`` (absolute,
scaled by max(1, |observable|)) between N and N + step; the result reports N and that change.
"""

from __future__ import annotations

import math
import time

import numpy as np

from cqplug.ensemble import run_info
from cqplug.errors import CQPlugError, InvalidProblem
from cqplug.methods import Method
from cqplug.options import Options
from cqplug.result import Result

from .fock import bin_projectors, weyl_operator

MAX_DIMENSION = 1200  # of the full Hilbert space; the Liouvillian has this squared rows (~3 GB here)
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


class LindbladReference(Method):
    name = "lindblad"
    summary = "exact open-quantum reference (QuTiP mesolve on a truncated Fock basis)"
    uses_backend = False

    def solve(self, problem, backend, options):
        try:
            import qutip  # noqa: F401
        except ImportError:
            raise CQPlugError("method 'lindblad' needs QuTiP: pip install 'cqplug[reference]'") from None
        started = time.perf_counter()
        modes = _basis(problem)
        n, d = problem.model.n, problem.model.d
        edges = self._edges(problem, modes, options)
        if options.truncation:
            N = options.truncation
            obs, hist = self._run(problem, modes, N, edges)
            change = float("nan")
        else:
            N = self._initial_truncation(modes)
            obs, hist = self._run(problem, modes, N, edges)
            while True:
                step = max(4, N // 4)
                if (N + step) ** n * d > MAX_DIMENSION:
                    raise CQPlugError(
                        f"lindblad reference did not converge within {MAX_DIMENSION} states (N = {N} per degree "
                        "of freedom); shorten t_final or pass truncation=N to accept a fixed truncation"
                    )
                obs2, hist2 = self._run(problem, modes, N + step, edges)
                change = max(float(np.max(np.abs(obs2[k] - obs[k]) / np.maximum(1.0, np.abs(obs2[k])))) for k in obs)
                N, obs, hist = N + step, obs2, hist2
                if change <= options.tolerance:
                    break
        zero = np.zeros(len(problem.times))
        info = run_info(problem, self.name, None, None) | {
            "truncation": N, "truncation_change": change, "run_seconds": time.perf_counter() - started,
        }
        return Result(problem.times.copy(), {k: {"mean": v, "stderr": zero.copy()} for k, v in obs.items()},
                      hist, {}, info)

    def states(self, problem, truncation: int | None = None, **options) -> tuple:
        """The exact states rho(t) at the saved times, for a single classical degree of freedom:
        (rho of shape (len(times), N d, N d) on Fock(N) (x) C^d, N, length scale of the Fock basis).
        ``truncation`` None: the converged N that ``solve`` would choose (``options`` as for solve).
        Feed them to :func:`cqplug.wigner.partial_wigner`."""
        if problem.model.n != 1:
            raise InvalidProblem("exact states are offered for one classical degree of freedom only")
        if truncation is None:
            truncation = self.solve(problem, None, Options.from_kwargs(**options)).info["truncation"]
        modes = _basis(problem)
        edges = self._edges(problem, modes, Options.from_kwargs(**options))
        *_, rho = self._run(problem, modes, truncation, edges, store_states=True)
        return np.array([r.full() for r in rho]), truncation, modes[0][0]

    @staticmethod
    def _initial_truncation(modes) -> int:
        occupation = max(abs(alpha) ** 2 + nbar for _, nbar, alpha in modes)
        return int(8 + 2 * occupation + 6 * math.sqrt(occupation))

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

    def _run(self, problem, modes, N: int, edges: dict, store_states: bool = False):
        import qutip

        model, params = problem.model, problem.params
        n, d = model.n, model.d
        if N**n * d > MAX_DIMENSION:
            raise CQPlugError(f"truncation N = {N} gives {N**n * d} states, more than {MAX_DIMENSION}; use a smaller N")
        dims = [N] * n + [d]
        eye = [np.eye(N)] * n

        def full(mode_ops, quantum=None):
            out = np.ones((1, 1))
            for op in list(mode_ops) + [np.eye(d) if quantum is None else quantum]:
                out = np.kron(out, op)
            return qutip.Qobj(out, dims=[dims, dims]).to("csr")

        def weyl(expr, quantum=None):
            terms = weyl_operator(expr, model.z, n, N, [m[0] for m in modes], lambda c: model.evaluate(c, params))
            return sum((c * full(ops, quantum) for c, ops in terms), 0 * full(eye))

        H = weyl(model.H_C) + full(eye, problem.H_Q)
        for (h, L) in model.couplings:
            H = H + weyl(h, L)
        c_ops = []
        for ch in problem.channels:
            rate = params[ch.rate]
            if rate == 0:
                continue
            op = weyl(ch.expression(model)) if ch.side == "classical" else full(eye, ch.operator(model))
            c_ops.append(math.sqrt(2 * rate) * op)
        rho_modes = [_initial_mode(N, nbar, alpha) for _, nbar, alpha in modes]
        rho0 = full(rho_modes, problem.initial.density_matrix())
        e_ops = {o.name: weyl(o.classical, o.quantum) for o in problem.observables}
        projectors = {}
        for i, s in enumerate(model.z):
            mode = i % n
            for b, P in enumerate(bin_projectors(edges[str(s)], N, modes[mode][0], momentum=i >= n)):
                ops = list(eye)
                ops[mode] = P
                projectors[(str(s), b)] = full(ops)
        result = qutip.mesolve(H, rho0, problem.times, c_ops, e_ops=e_ops | projectors,
                               options={"atol": 1e-10, "rtol": 1e-8, "nsteps": 100000, "progress_bar": False,
                                        "store_states": store_states})
        obs = {k: np.real(np.asarray(result.e_data[k])) for k in e_ops}
        hist = {}
        for s in model.z:
            name = str(s)
            prob = np.array([np.real(result.e_data[(name, b)]) for b in range(len(edges[name]) - 1)]).T
            hist[name] = {"edges": edges[name], "probability": prob,
                          "underflow": np.full(len(problem.times), np.nan), "overflow": np.full(len(problem.times), np.nan)}
        return (obs, hist, result.states) if store_states else (obs, hist)
