"""Streaming ensemble statistics: memory independent of the number of trajectories.

Each block of trajectories yields its count, per-(observable, time) mean and sum of squared
deviations M2 (Welford), and integer histogram counts of the classical variables. Blocks merge
with Chan et al.'s pairwise update; merging always happens in block order, so results are
bitwise reproducible whatever the chunking or the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class BlockStatistics:
    """Statistics of ``count`` trajectories.

    mean, m2 : (n_observables, n_times); hist : (n_variables, n_times, n_bins + 2) with
    underflow in bin 0 and overflow in the last bin; paths : (n_paths, n_times, n_observables)
    observable values and path_z : (n_paths, n_times, 2n) phase-space points of the first few
    trajectories (only the first block stores any).
    """

    count: int
    mean: np.ndarray
    m2: np.ndarray
    hist: np.ndarray
    paths: np.ndarray
    path_z: np.ndarray

    def merge(self, other: "BlockStatistics") -> "BlockStatistics":
        """Chan's pairwise update (``self`` comes first in block order)."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        delta = other.mean - self.mean
        return BlockStatistics(
            n,
            self.mean + delta * (other.count / n),
            self.m2 + other.m2 + delta**2 * (self.count * other.count / n),
            self.hist + other.hist,
            np.concatenate([self.paths, other.paths]),
            np.concatenate([self.path_z, other.path_z]),
        )

    @property
    def stderr(self) -> np.ndarray:
        if self.count < 2:
            return np.full_like(self.mean, np.nan)
        return np.sqrt(self.m2 / (self.count - 1) / self.count)

