"""The ensemble driver: blocks, seeds, parallel chunks, streaming merge, stopping, interruption.

Seed contract: block k (``BLOCK_SIZE`` trajectories) draws all its randomness from
``SeedSequence(seed, spawn_key=(0, k))`` and blocks are merged in order, so a result depends on
the seed only, not on the chunk size, the number of workers, the executor (threads here or a
Dask cluster, :mod:`cqplug.executors`) or the scheduling. A chunk (one task) is a run of
consecutive blocks. Ctrl-C keeps every block finished in order so far and marks the result
partial.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import FIRST_COMPLETED, wait

import numpy as np

from . import __version__
from .errors import CQPlugError, RunFailed
from .executors import EnsembleJob, executor_for, pilot_paths, run_chunk
from .options import BLOCK_SIZE
from .progress import Progress
from .result import Result


def time_step(times: np.ndarray, dt: float) -> tuple:
    """(effective dt, steps per saved interval): dt shrunk so saved times are hit exactly."""
    interval = times[1] - times[0]
    steps = max(1, math.ceil(interval / dt - 1e-9))
    return interval / steps, steps


def histogram_edges(problem, pilot, options) -> tuple:
    """Per classical variable: (low, width); from ``hist_range`` or the extent of the paths that
    ``pilot()`` returns (called at most once)."""
    names = [str(s) for s in problem.model.z]
    unknown = set(options.hist_range or {}) - set(names)
    if unknown:
        raise CQPlugError(f"hist_range names {sorted(unknown)} are not classical variables; use {names}")
    low, high = np.empty(len(names)), np.empty(len(names))
    paths = None
    for i, name in enumerate(names):
        if options.hist_range and name in options.hist_range:
            low[i], high[i] = options.hist_range[name]
            continue
        if paths is None:
            paths = pilot()
        lo, hi = float(paths[..., i].min()), float(paths[..., i].max())
        pad = 0.25 * (hi - lo) if hi > lo else 1.0
        low[i], high[i] = lo - pad, hi + pad
    return low, (high - low) / options.bins


def run_ensemble(problem, terms, state: str, backend, options, method: str) -> Result:
    """Integrate ``options.trajectories`` CQ trajectories and return their statistics."""
    seed = options.seed if options.seed is not None else int(np.random.SeedSequence().entropy % 2**63)
    dt, steps_per_save = time_step(problem.times, options.dt)
    job = EnsembleJob(problem, terms, state, backend, dt, steps_per_save, seed, options.trajectories, BLOCK_SIZE,
                      math.ceil(options.chunk_size / BLOCK_SIZE), options.bins, options.n_paths)
    executor, owned = executor_for(options)
    try:
        return _run(job, executor, options, method)
    finally:
        if owned:
            executor.close()


def _run(job, executor, options, method: str) -> Result:
    problem, backend = job.problem, job.backend
    started = time.perf_counter()
    merger = InOrderMerger(options.target_stderr)
    chunk_starts = iter(range(0, job.n_blocks, job.blocks_per_chunk))
    running, failure = {}, None

    def collect(future):
        first = running.pop(future)
        merger.add(first, future.result())

    with executor.session(job, backend.parallel_blocks) as pool:
        low, width = histogram_edges(problem, lambda: pool.run(pilot_paths).result(), options)
        prepared = time.perf_counter()
        progress = Progress(options.trajectories, options.progress)
        try:
            while not merger.stop:
                while len(running) < 2 * pool.slots:
                    first = next(chunk_starts, None)
                    if first is None:
                        break
                    running[pool.run(run_chunk, first, low, width)] = first
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    collect(future)
                progress.update(merger.count)
        except BaseException as exc:  # Ctrl-C or a failed chunk: keep every block finished in order
            failure = exc
            for future in list(running):
                if future.cancel():
                    running.pop(future)
            for future in list(running):
                try:
                    collect(future)  # a chunk already running finishes; its blocks are kept
                except BaseException:
                    running.pop(future, None)
        finally:
            progress.close()
            for future in running:  # stopped by the target: queued chunks are not needed
                future.cancel()
    merged = merger.merged
    if merged is None:
        raise failure if failure else RuntimeError("no trajectories were run")
    names = [o.name for o in problem.observables]
    z_names = [str(s) for s in problem.model.z]
    stderr = merged.stderr
    histograms = {
        z: {
            "edges": low[i] + width[i] * np.arange(options.bins + 1),
            "probability": merged.hist[i, :, 1:-1] / merged.count,
            "underflow": merged.hist[i, :, 0] / merged.count,
            "overflow": merged.hist[i, :, -1] / merged.count,
            "trajectories": merged.count,
        }
        for i, z in enumerate(z_names)
    }
    paths = {"z": merged.path_z}
    paths.update({n: merged.paths[:, :, k] for k, n in enumerate(names)})
    result = Result(
        times=problem.times.copy(),
        observables={n: {"mean": merged.mean[k].copy(), "stderr": stderr[k].copy()} for k, n in enumerate(names)},
        histograms=histograms,
        sample_paths=paths,
        info=run_info(problem, method, backend.name, merged.count, failure is not None) | {
            "seed": job.seed, "dt": job.dt, "state": job.state, "target_stderr": options.target_stderr,
            "executor": executor.name, "compile_seconds": prepared - started,
            "run_seconds": time.perf_counter() - prepared,
        },
    )
    if failure is not None and not isinstance(failure, KeyboardInterrupt):
        raise RunFailed(f"{failure} (the {merged.count} trajectories finished before it are in .partial_result)",
                        result) from failure
    return result


class InOrderMerger:
    """Merges block statistics strictly in block order; applies the stopping rule after each block."""

    def __init__(self, target_stderr):
        self.target = target_stderr
        self.merged, self.next, self.pending, self.stop = None, 0, {}, False

    @property
    def count(self) -> int:
        return self.merged.count if self.merged else 0

    def add(self, first: int, blocks: list) -> None:
        for offset, stats in enumerate(blocks):
            self.pending[first + offset] = stats
        while self.next in self.pending and not self.stop:
            stats = self.pending.pop(self.next)
            self.merged = stats if self.merged is None else self.merged.merge(stats)
            self.next += 1
            self.stop = self.target is not None and self.merged.count > 1 and \
                bool(np.all(self.merged.stderr <= self.target))


def run_info(problem, method: str, backend, trajectories, partial: bool = False) -> dict:
    """Metadata every result carries."""
    return {
        "model": problem.model.name,
        "parameters": dict(problem.params),
        "method": method,
        "backend": backend,
        "trajectories": trajectories,
        "partial": partial,
        "exact": problem.exact,
        "approximations": problem.approximations,
        "tradeoff_ratio": problem.tradeoff.ratio,
        "version": __version__,
    }
