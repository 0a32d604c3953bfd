"""Streaming ensemble statistics, computed once for every backend: memory independent of the
number of trajectories.

Each block of trajectories is reduced to: its count; per (observable, saved time) the mean and
sum of squared deviations M2 of the fine-grid values f, of the coupled differences delta =
f_coarse - f_fine, and their co-moment (for estimators combining both); integer histogram counts
of the classical variables; and the first few trajectories as sample paths. Blocks merge with
Chan et al.'s pairwise update, always in block order, so results are bitwise reproducible
whatever the chunking, the number of workers or the executor. A backend returns either each
trajectory's values (:meth:`EnsembleStatistics.of_block` reduces them) or, computed in its own
kernel, the two-pass mean and M2 of each group of lanes with the histogram counts
(:meth:`EnsembleStatistics.of_groups` merges them); everything after that is done here.

Step error (physics.md §8, Talay–Tubaro). For a scheme of weak order p, E[f]_dt = E[f] + c dt^p,
so the fine estimate's bias is E[f_coarse - f_fine] / (2^p - 1), estimated from delta with
little variance because both grids share their Brownian increments. cqplug reports the undivided
difference E[f_coarse - f_fine] (``bias(1)``): an upper estimate for any order p >= 1, exact for
p = 1 and three times the asymptotic error of this second-order scheme, because stiff problems
reduce the order of a splitting (e.g. a quasi-static coherence under strong dephasing).
f - delta / (2^p - 1) (per trajectory) is the Richardson-extrapolated estimator of order p + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HistogramSpec:
    """Per histogrammed classical variable (the first ``variables`` of z): lower edge and bin width;
    ``bins`` bins plus under- and overflow."""

    low: np.ndarray
    width: np.ndarray
    bins: int

    @property
    def variables(self) -> int:
        return len(self.low)

    def edges(self, i: int) -> np.ndarray:
        return self.low[i] + self.width[i] * np.arange(self.bins + 1)

    def counts(self, z: np.ndarray) -> np.ndarray:
        """(variables, times, bins + 2) counts of z (n, times, variables); NaN counts as overflow."""
        z = z[..., :self.variables]
        n, times, variables = z.shape
        position = (z - self.low) / self.width
        index = np.where(position < 0, 0, np.where(position < self.bins, np.floor(position) + 1, self.bins + 1))
        index = np.where(np.isnan(position), self.bins + 1, index).astype(np.int64)
        flat = (np.arange(variables)[None, None, :] * times + np.arange(times)[None, :, None]) * (self.bins + 2) + index
        return np.bincount(flat.ravel(), minlength=variables * times * (self.bins + 2)).reshape(
            variables, times, self.bins + 2
        )


@dataclass
class EnsembleStatistics:
    """Statistics of ``count`` trajectories; arrays are (observables, times) unless noted.

    ``mean``/``m2``: fine values; ``diff_mean``/``diff_m2``: coarse - fine (None without a coarse
    grid); ``co_m2``: sum of (f - mean)(delta - diff_mean); ``hist`` (variables, times, bins + 2);
    ``paths`` (n_paths, times, observables) and ``path_z`` (n_paths, times, variables).
    """

    count: int
    mean: np.ndarray
    m2: np.ndarray
    diff_mean: np.ndarray | None
    diff_m2: np.ndarray | None
    co_m2: np.ndarray | None
    hist: np.ndarray
    paths: np.ndarray
    path_z: np.ndarray

    @classmethod
    def of_block(cls, trajectories, histogram: HistogramSpec, n_paths: int) -> EnsembleStatistics:
        """Reduce one block (two-pass moments, exact within the block)."""
        f = np.moveaxis(trajectories.values, 0, -1)  # (times, observables, n)
        n = f.shape[-1]
        mean = f.mean(axis=-1)
        deviation = f - mean[..., None]
        m2 = np.einsum("tkn,tkn->tk", deviation, deviation)
        diff_mean = diff_m2 = co_m2 = None
        if trajectories.coarse is not None:
            delta = np.moveaxis(trajectories.coarse, 0, -1) - f
            diff_mean = delta.mean(axis=-1)
            delta_dev = delta - diff_mean[..., None]
            diff_m2 = np.einsum("tkn,tkn->tk", delta_dev, delta_dev)
            co_m2 = np.einsum("tkn,tkn->tk", deviation, delta_dev)
            diff_mean, diff_m2, co_m2 = diff_mean.T, diff_m2.T, co_m2.T
        keep = min(n_paths, n)
        return cls(
            n,
            mean.T,
            m2.T,
            diff_mean,
            diff_m2,
            co_m2,
            histogram.counts(trajectories.z),
            trajectories.values[:keep].copy(),
            trajectories.z[:keep].copy(),
        )

    @classmethod
    def of_groups(cls, counts, mean, m2, diff_mean, diff_m2, co_m2, hist, paths, path_z) -> EnsembleStatistics:
        """Merge, in order, per-group moments that a kernel accumulated itself: ``counts`` (groups,)
        and arrays (groups, times, observables) for the rest; ``hist`` already summed over groups."""
        out = None
        for g, count in enumerate(counts):
            if count == 0:
                continue
            part = cls(
                int(count),
                mean[g].T,
                m2[g].T,
                None if diff_mean is None else diff_mean[g].T,
                None if diff_m2 is None else diff_m2[g].T,
                None if co_m2 is None else co_m2[g].T,
                0,
                paths[:0],
                path_z[:0],
            )
            out = part if out is None else out.merge(part)
        out.hist, out.paths, out.path_z = hist, paths, path_z
        return out

    def merge(self, other: EnsembleStatistics) -> EnsembleStatistics:
        """Chan's pairwise update (``self`` comes first in block order)."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        wb = other.count / n
        delta = other.mean - self.mean

        def moments(mean_a, m2_a, mean_b, m2_b):
            d = mean_b - mean_a
            return mean_a + d * wb, m2_a + m2_b + d * d * (self.count * wb)

        mean, m2 = moments(self.mean, self.m2, other.mean, other.m2)
        diff_mean = diff_m2 = co_m2 = None
        if self.diff_mean is not None:
            dd = other.diff_mean - self.diff_mean
            diff_mean, diff_m2 = moments(self.diff_mean, self.diff_m2, other.diff_mean, other.diff_m2)
            co_m2 = self.co_m2 + other.co_m2 + delta * dd * (self.count * wb)
        return EnsembleStatistics(
            n,
            mean,
            m2,
            diff_mean,
            diff_m2,
            co_m2,
            self.hist + other.hist,
            np.concatenate([self.paths, other.paths]),
            np.concatenate([self.path_z, other.path_z]),
        )

    @property
    def stderr(self) -> np.ndarray:
        return self._stderr(self.m2)

    def _stderr(self, m2) -> np.ndarray:
        if self.count < 2:
            return np.full_like(self.mean, np.nan)
        return np.sqrt(np.maximum(m2, 0.0) / (self.count - 1) / self.count)

    def bias(self, weak_order: int) -> tuple:
        """(estimated bias of the fine means, its standard error): (E[coarse - fine]) / (2^p - 1)."""
        if self.diff_mean is None:
            return None, None
        factor = 1.0 / (2.0**weak_order - 1.0)
        return factor * self.diff_mean, factor * self._stderr(self.diff_m2)

    def extrapolated(self, weak_order: int) -> tuple:
        """(mean, stderr) of the Richardson-extrapolated estimator f - delta / (2^p - 1)."""
        if self.diff_mean is None:
            return None, None
        a = 1.0 / (2.0**weak_order - 1.0)
        m2 = self.m2 + a * a * self.diff_m2 - 2.0 * a * self.co_m2
        return self.mean - a * self.diff_mean, self._stderr(m2)
