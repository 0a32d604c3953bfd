"""Time to accuracy: multilevel Monte Carlo to a target total error (Giles 2008; physics.md §8).

Levels l = 0..L integrate with dt_l = dt_0 / 2^l. Level 0 estimates E[f_0]; level l >= 1
estimates the correction E[f_l - f_{l-1}] from trajectories integrated on dt_l and, with the same
Brownian increments, on 2 dt_l = dt_{l-1} (the coupled grids every run already carries). Their
sum estimates E[f_L], with variance sum_l V_l / N_l, and its bias is estimated from the last
correction as |E[f_L - f_{L-1}]|: the conservative estimate every run reports (an upper bound
for any weak order >= 1, see :mod:`cqplug.results.statistics`). Coupled corrections have small
variance (V_l ~ dt_l^beta), so most trajectories run on the cheap coarse levels; each level's
size follows Giles' optimum N_l ~ sqrt(V_l / C_l) with C_l its measured cost per trajectory.

The run stops when, for every observable at every saved time, |bias| + standard error <= the
target; a level is added while the bias is above half the target. ``trajectories`` caps the
total over all levels. Level l draws its blocks from the master seed child_seed(seed, LEVELS, l)
(:mod:`cqplug.solving.seeds`), so the result depends on the seed only.
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..errors import CQPlugError, RunFailed
from ..results.assembly import histogram_entries, problem_info, trajectory_info, with_step_error_statement
from ..results.result import Result
from ..system.compiled import compile_system
from .backend import BLOCK_SIZE
from .ensemble import new_seed, run_ensemble
from .seeds import LEVELS, child_seed

PILOT = 2 * BLOCK_SIZE
MAX_LEVELS = 12


class Level:
    """One level's system and the statistics merged so far."""

    def __init__(self, index: int, system, seed: int, histogram):
        self.index, self.system, self.seed, self.histogram = index, system, seed, histogram
        self.stats, self.seconds, self.blocks = None, 0.0, 0

    @property
    def count(self) -> int:
        return self.stats.count if self.stats else 0

    def extend(self, backend, options, trajectories: int):
        """Run ``trajectories`` more trajectories (whole blocks) and merge them."""
        blocks = max(1, math.ceil(trajectories / BLOCK_SIZE))
        started = time.perf_counter()
        outcome = run_ensemble(self.system, backend, options, seed=self.seed, trajectories=blocks * BLOCK_SIZE,
                               first_block=self.blocks, histogram=self.histogram)
        self.histogram = outcome.histogram
        self.seconds += time.perf_counter() - started
        self.blocks += blocks
        self.stats = outcome.statistics if self.stats is None else self.stats.merge(outcome.statistics)
        if outcome.failure is not None:
            raise outcome.failure

    def estimate(self) -> tuple:
        """(mean, per-trajectory variance) of this level's estimator, per (observable, time)."""
        s = self.stats
        if self.index == 0:
            return s.mean, s.m2 / max(s.count - 1, 1)
        return -s.diff_mean, s.diff_m2 / max(s.count - 1, 1)  # f_l - f_{l-1} = -(coarse - fine)

    def cost(self) -> float:
        return self.seconds / max(self.count, 1)


def solve_to_accuracy(problem, method, method_name: str, backend, backend_name: str, options) -> Result:
    """Multilevel Monte Carlo until every observable's |bias| + standard error <= options.target_error."""
    target = options.target_error
    seed = options.seed if options.seed is not None else new_seed()
    base = compile_system(problem, method, dt=options.dt, step_error=False, weak_order=backend.weak_order)
    order = base.weak_order
    cap = options.trajectories
    levels = []
    started = time.perf_counter()

    def add_level():
        index = len(levels)
        dt = base.dt / 2**index
        system = base if index == 0 else compile_system(problem, method, dt=dt, step_error=True,
                                                                   weak_order=backend.weak_order)
        level_seed = child_seed(seed, LEVELS, index)
        level = Level(index, system, level_seed, levels[0].histogram if levels else None)
        level.extend(backend, options, PILOT)
        levels.append(level)

    interrupted = None
    try:
        add_level()
        add_level()
        while True:
            means, variances = zip(*(lv.estimate() for lv in levels))
            last = levels[-1].stats
            bias = np.abs(last.diff_mean)
            bias_bound = bias + 2 * np.sqrt(last.diff_m2 / max(last.count - 1, 1) / last.count)
            if np.max(bias_bound) > target / 2:
                if len(levels) >= MAX_LEVELS:
                    raise CQPlugError(f"target error {target:g} not reached within {MAX_LEVELS} levels (dt = "
                                      f"{levels[-1].system.dt:.3g}); the step error decreases more slowly than its "
                                      "weak order says; give a larger target or a smaller starting dt")
                add_level()
                continue
            budget = target - np.max(bias_bound)
            # Giles: N_l = (sum_k sqrt(V_k C_k)) sqrt(V_l / C_l) / (budget)^2 makes the variance budget^2
            worst = [float(np.max(v)) for v in variances]
            costs = [lv.cost() for lv in levels]
            total = sum(math.sqrt(v * c) for v, c in zip(worst, costs))
            wanted = [math.ceil(total * math.sqrt(v / c) / budget**2) if c > 0 else 0 for v, c in zip(worst, costs)]
            more = [max(0, w - lv.count) for w, lv in zip(wanted, levels)]
            stderr = np.sqrt(sum(v / lv.count for v, lv in zip(variances, levels)))
            if np.all(np.max(bias_bound) + stderr <= target) or not any(more):
                break
            if cap is not None and sum(lv.count for lv in levels) + sum(more) > cap:
                more = _within(more, cap - sum(lv.count for lv in levels))
                if not any(more):
                    break
            for lv, extra in zip(levels, more):
                if extra:
                    lv.extend(backend, options, extra)
    except KeyboardInterrupt as exc:
        interrupted = exc
        if not levels or any(lv.stats is None for lv in levels):
            raise
    return _assemble(problem, levels, order, method_name, backend_name, seed, target, started, interrupted, cap)


def _within(more: list, room: int) -> list:
    """Scale the requested extensions down to fit ``room`` trajectories."""
    want = sum(more)
    if room <= 0 or want == 0:
        return [0] * len(more)
    return [int(m * room / want) for m in more]


def _assemble(problem, levels, order, method, backend, seed, target, started, interrupted, cap) -> Result:
    means, variances = zip(*(lv.estimate() for lv in levels))
    mean = sum(means)
    stderr = np.sqrt(sum(v / lv.count for v, lv in zip(variances, levels)))
    last = levels[-1].stats
    bias = last.diff_mean
    bias_stderr = np.sqrt(last.diff_m2 / max(last.count - 1, 1) / last.count)
    names = levels[0].system.observable_names
    observables = {n: {"mean": mean[k].copy(), "stderr": stderr[k].copy(), "bias": bias[k].copy(),
                       "bias_stderr": bias_stderr[k].copy()} for k, n in enumerate(names)}
    first = levels[0]
    info = trajectory_info(
        problem_info(problem, method, backend), seed=seed, trajectories=sum(lv.count for lv in levels),
        dt=levels[-1].system.dt, steps_per_save=levels[-1].system.steps_per_save, weak_order=order,
        target_error=target, multilevel=True, step_error=True, state=first.system.state,
        levels=[{"dt": lv.system.dt, "trajectories": lv.count, "seconds": lv.seconds,
                 "max_variance": float(np.max(lv.estimate()[1]))} for lv in levels],
        run_seconds=time.perf_counter() - started, interrupted=interrupted,
        reached=bool(np.all(np.abs(bias) + 2 * bias_stderr + stderr <= target)),
        details={"histograms": f"level 0 (dt = {first.system.dt:.4g}, {first.count} trajectories)"})
    stats = first.stats
    histograms = histogram_entries(first.system.z_names, first.histogram, stats)
    return_paths = {"z": stats.path_z}
    return_paths.update({n: stats.paths[:, :, k] for k, n in enumerate(names)})
    result = with_step_error_statement(Result(problem.times.copy(), observables, histograms, return_paths, info))
    if not info.reached and interrupted is None and cap is not None:
        raise RunFailed(f"target error {target:g} not reached within the cap of {cap} trajectories", result)
    return result
