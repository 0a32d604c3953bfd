"""Options of :func:`cqplug.solve`, validated in one place (the CLI flags map onto them)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from .errors import CQPlugError

BLOCK_SIZE = 500  # trajectories per seed block: block k always uses SeedSequence(seed, spawn_key=(0, k))


@dataclass
class Options:
    """How to solve.

    trajectories : ensemble size; with ``target_stderr`` the cap on it.
    seed : master seed (int); None draws fresh entropy and records it in the result.
    dt : largest time step; shrunk so that every saved time is hit exactly.
    workers : threads running chunks in parallel (default: all cores); with executor "dask" and
        no scheduler, the number of single-threaded worker processes of the LocalCluster.
    executor : "local" (threads of this process, default), "dask", or an executor object
        (cqplug.executors.DaskExecutor(...) kept open over many runs).
    scheduler : with executor "dask": the scheduler's address (default: a LocalCluster here).
    chunk_size : trajectories per task, rounded up to a multiple of the seed block (500);
        the result does not depend on it.
    target_stderr : stop once every observable's standard error is below this, at every saved time.
    bins, hist_range : histogram bins per classical variable and optional {name: (low, high)};
        by default the range comes from a 256-trajectory pilot run.
    n_paths : sample trajectories to store.
    progress : show a progress bar (default: only on a terminal).
    solver : integrator of backends that offer several (julia: DRI1, RI5, EM, LambaEM, ...).
    truncation : Fock-space size per oscillator for the ``lindblad`` reference (default: automatic).
    tolerance : convergence tolerance of the automatic truncation (absolute, on every observable).
    """

    trajectories: int = 10_000
    seed: int | None = None
    dt: float = 1e-3
    workers: int | None = None
    executor: object = "local"
    scheduler: object = None
    chunk_size: int = BLOCK_SIZE
    target_stderr: float | None = None
    bins: int = 60
    hist_range: dict | None = None
    n_paths: int = 5
    progress: bool | None = None
    solver: str | None = None
    truncation: int | None = None
    tolerance: float = 1e-6

    def __post_init__(self):
        def positive_int(name, value, allow_none=False):
            if value is None and allow_none:
                return
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise CQPlugError(f"{name} must be a positive integer, got {value!r}")

        positive_int("trajectories", self.trajectories)
        positive_int("workers", self.workers, allow_none=True)
        positive_int("chunk_size", self.chunk_size)
        positive_int("bins", self.bins)
        positive_int("truncation", self.truncation, allow_none=True)
        if not isinstance(self.n_paths, int) or self.n_paths < 0:
            raise CQPlugError(f"n_paths must be a non-negative integer, got {self.n_paths!r}")
        if self.seed is not None and (not isinstance(self.seed, int) or self.seed < 0):
            raise CQPlugError(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("dt", "tolerance") + (("target_stderr",) if self.target_stderr is not None else ()):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not value > 0 or value != value or value == float("inf"):
                raise CQPlugError(f"{name} must be a positive number, got {value!r}")
        for name, rng in (self.hist_range or {}).items():
            if len(rng) != 2 or not rng[0] < rng[1]:
                raise CQPlugError(f"hist_range[{name!r}] must be (low, high) with low < high, got {rng!r}")

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @classmethod
    def from_kwargs(cls, **kwargs) -> "Options":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise CQPlugError(f"unknown option(s) {unknown}; known: {sorted(known)}")
        return cls(**kwargs)
