"""The "cpu" backend: a lane-vectorised Numba kernel generated per compiled system.

``prepare`` writes the kernel for the system's structure (:mod:`.lane_kernel`), loads it from
the cross-process cache (:mod:`.cache`) and packs the system's numbers into one constant
vector; ``run`` integrates each block with its own ``numpy.random.Generator`` (PCG64) seeded
from the block's SeedSequence. The kernel accumulates, per group of lanes and saved time, the
two-pass mean and M2 of every observable (and of the coarse-minus-fine differences), histogram
counts and the first paths; core merges them (EnsembleStatistics.of_groups).
"""

from __future__ import annotations

import numpy as np

from cqplug.errors import BackendUnavailable, CQPlugError
from cqplug.results.statistics import EnsembleStatistics
from cqplug.solving.backend import Backend, Runner, TrajectoryDiverged

from .lane_kernel import LaneKernel

UNROLL_MAX_D = 4  # straight-line kernels up to this quantum dimension, loop nests above


class CPUBackend(Backend):
    states = ("density", "ket")
    keeps_records = True

    def __init__(self, kernel: str = "auto"):
        if kernel not in ("auto", "unrolled", "looped"):
            raise CQPlugError(f"backend 'cpu': kernel must be auto, unrolled or looped, got {kernel!r}")
        self.kernel = kernel

    def check_available(self) -> None:
        try:
            import numba  # noqa: F401
        except ImportError as exc:
            raise BackendUnavailable(f"backend 'cpu' needs Numba: pip install numba ({exc})") from None

    def prepare(self, system) -> CPURunner:
        from .bath_kernel import BathKernel, uses_arrays
        from .cache import load_module
        from .looped_kernel import LoopedKernel

        unrolled = self.kernel == "unrolled" or (self.kernel == "auto" and system.d <= UNROLL_MAX_D)
        if unrolled and uses_arrays(system):
            kernel = BathKernel(system)  # many modes: the classical part in arrays
        else:
            kernel = (LaneKernel if unrolled else LoopedKernel)(system)
        module = load_module(kernel.source())
        return CPURunner(system, module.run_block, kernel.k.vector(), kernel.lanes)


class CPURunner(Runner):
    def __init__(self, system, kernel, constants: np.ndarray, lanes: int):
        self.system, self.kernel, self.constants, self.lanes = system, kernel, constants, lanes

    def run(self, blocks: list, histogram, n_paths: int) -> list:
        s = self.system
        low = np.ascontiguousarray(histogram.low, dtype=np.float64)  # the histogrammed variables come first
        inverse = np.ascontiguousarray(1.0 / np.asarray(histogram.width), dtype=np.float64)
        out = []
        for block in blocks:
            rng = np.random.Generator(np.random.PCG64(block.seed))
            n = block.trajectories
            groups = -(-n // self.lanes)
            moments = [np.zeros((groups, s.saves, s.n_observables)) for _ in range(5)]
            hist = np.zeros((histogram.variables, s.saves, histogram.bins + 2), dtype=np.int64)
            keep = min(n_paths if block.index == 0 else 0, n)
            paths = np.zeros((keep, s.saves, s.n_observables))
            path_z = np.zeros((keep, s.saves, s.n_z))
            status = self.kernel(rng, n, self.constants, low, inverse, histogram.bins, keep, *moments, hist, paths,
                                 path_z, np.zeros((0, 0, s.n_z)))
            self._check(status)
            counts = np.minimum(self.lanes, n - self.lanes * np.arange(groups))
            mean, m2, dmean, dm2, co = moments
            coarse = s.step_error
            out.append(EnsembleStatistics.of_groups(counts, mean, m2, dmean if coarse else None,
                                                    dm2 if coarse else None, co if coarse else None, hist, paths,
                                                    path_z))
        return out

    def records(self, block, n: int) -> np.ndarray:
        """The fine path's z initially and after every fine step (n, steps + 1, 2n) of the first n trajectories
        of ``block``. Each group of lanes draws its numbers for all of its lanes whatever n is, so these are
        the ensemble's own trajectories (its sample paths)."""
        s = self.system
        steps = (s.saves - 1) * s.steps_per_save
        out = np.zeros((n, steps + 1, s.n_z))
        rng = np.random.Generator(np.random.PCG64(block.seed))
        moments = [np.zeros((-(-n // self.lanes), s.saves, s.n_observables)) for _ in range(5)]
        status = self.kernel(rng, n, self.constants, np.zeros(0), np.ones(0), 1, 0, *moments,
                             np.zeros((0, s.saves, 3), dtype=np.int64), np.zeros((0, s.saves, s.n_observables)),
                             np.zeros((0, s.saves, s.n_z)), out)
        self._check(status)
        return out

    def _check(self, status: int) -> None:
        if status == 1:
            raise TrajectoryDiverged.classical(self.system)
        if status == 2:
            raise TrajectoryDiverged.quantum(self.system)
