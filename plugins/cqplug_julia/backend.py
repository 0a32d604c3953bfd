"""The "julia" backend: CQ trajectories integrated by StochasticDiffEq on Julia threads.

The model's phase-space functions are generated as Julia source (cqplug.codegen.julia_source)
and evaluated once per model; operators and coefficients go over as Float64/ComplexF64 arrays.
Each block of trajectories is one EnsembleProblem solved with EnsembleThreads; statistics come
back as sums and histogram counts. Blocks run one at a time from Python (Julia threads do the
parallel work), so results depend on the seed, not on the number of threads.
"""

from __future__ import annotations

import numpy as np

from cqplug.backend import Backend, BlockRunner
from cqplug.codegen import julia_source, model_functions
from cqplug.errors import CQPlugError
from cqplug.statistics import BlockStatistics

from . import bridge

DEFAULT_SOLVER = "DRI1"


def _f64(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _c128(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.complex128)


def _operator_stack(ops, d) -> np.ndarray:
    """(k, d, d) stack as a Julia-friendly (d, d, k) array."""
    return _c128(np.moveaxis(np.asarray(ops, dtype=complex).reshape(-1, d, d), 0, -1))


class JuliaBackend(Backend):
    name = "julia"
    summary = "StochasticDiffEq ensembles through juliacall (EnsembleThreads)"
    parallel_blocks = False  # juliacall is driven from one Python thread; Julia threads parallelise

    def __init__(self, solver: str | None = None):
        self.solver = solver or DEFAULT_SOLVER

    def check_available(self) -> None:
        bridge.load()

    def prepare(self, problem, terms, state, dt, steps_per_save):
        jl = bridge.load()
        model = jl.load_model(julia_source(model_functions(problem)))
        d = problem.model.d
        if state == "ket":
            kets, cumulative = problem.initial.ket_mixture()
            q_init = kets.T[:, None, :]  # (d, 1, components)
        else:
            q_init, cumulative = problem.initial.density_matrix()[:, :, None], np.ones(1)
        arrays = (
            model, _f64(problem.parameter_vector()), state == "ket", _f64(terms.sigma), _f64(terms.K),
            _f64(problem.D0), _c128(problem.H_Q), _operator_stack(problem.L, d), _operator_stack(terms.C, d),
            _operator_stack(terms.J, d), _f64(problem.initial.classical.mean),
            _f64(problem.initial.classical.sampling_root()),
            _c128(q_init), _f64(cumulative),
            _operator_stack(problem.observable_operators(), d),
            _f64(problem.times),
        )
        return JuliaRunner(jl, arrays, dt, self.solver)


class JuliaRunner(BlockRunner):
    def __init__(self, jl, arrays, dt, solver):
        self.jl, self.arrays, self.dt, self.solver = jl, arrays, float(dt), solver

    def run_block(self, n, seed, hist_low, hist_width, bins, n_paths):
        n_paths = min(n_paths, n)
        base_seed = int(seed.generate_state(1, dtype=np.uint64)[0] >> np.uint64(2))
        try:
            out = self.jl.ensemble_statistics(*self.arrays, _f64(hist_low), _f64(hist_width), bins=int(bins),
                                              trajectories=int(n), seed=base_seed, dt=self.dt, solver=self.solver,
                                              n_paths=int(n_paths))
        except Exception as exc:  # a JuliaError: say which solver and step failed
            raise CQPlugError(f"julia backend ({self.solver}, dt = {self.dt:.3g}) failed: {exc}") from exc
        total, total2, hist, paths, path_values, n_ok, n_failed = out
        if int(n_failed):
            raise CQPlugError(f"{int(n_failed)} of {n} trajectories failed in Julia ({self.solver}, "
                              f"dt = {self.dt:.3g}); reduce dt or choose another solver")
        count = int(n_ok)
        total, total2 = total.to_numpy(), total2.to_numpy()
        mean = total / count
        m2 = np.maximum(total2 - count * mean**2, 0.0)
        # Julia arrays are (variable, time, path); BlockStatistics wants (path, time, variable)
        return BlockStatistics(count, mean, m2, np.asarray(hist.to_numpy(), dtype=np.int64),
                               path_values.to_numpy().transpose(2, 1, 0), paths.to_numpy().transpose(2, 1, 0))
