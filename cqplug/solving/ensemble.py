"""The ensemble driver: seed blocks, parallel chunks, streaming in-order merge, stopping, interruption.

Seed contract: block k (``BLOCK_SIZE`` trajectories) draws all its randomness from
``SeedSequence(seed, spawn_key=(0, k))`` (:mod:`cqplug.solving.seeds`) and blocks are merged in
order, so a result depends on the seed (and the compiled system) only, not on the chunk size, the
number of workers, the executor (threads here or a Dask cluster, :mod:`cqplug.solving.executors`) or the scheduling.
A chunk (one task) is a run of consecutive blocks, reduced to statistics where it ran. Ctrl-C
(or SIGTERM, which :func:`cqplug.solving.interrupts.terminate_as_interrupt` turns into one)
keeps every block finished in order so far and marks the result partial.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass

import numpy as np

from ..errors import CQPlugError, RunFailed
from ..results.statistics import HistogramSpec
from .backend import BLOCK_SIZE
from .executors import EnsembleJob, executor_for, pilot_paths, run_chunk
from .progress import Progress


@dataclass
class EnsembleOutcome:
    """What an ensemble run produced: merged statistics, the histogram spec, timings, and the
    exception that ended it early (None when it completed)."""

    statistics: object
    histogram: HistogramSpec
    seed: int
    executor: str
    prepare_seconds: float
    run_seconds: float
    failure: BaseException | None


MAX_HISTOGRAMMED_MODES = 8


def new_seed() -> int:
    return int(np.random.SeedSequence().entropy % 2**63)


def histogram_spec(system, options, pilot) -> HistogramSpec:
    """Per classical variable: (low, width) from ``hist_range`` or the extent of the paths that
    ``pilot()`` returns (called at most once). A model of more than MAX_HISTOGRAMMED_MODES modes (a
    bath) has none: thousands of histograms would cost more than its steps."""
    names = list(system.z_names) if system.n_z <= 2 * MAX_HISTOGRAMMED_MODES else []
    unknown = set(options.hist_range or {}) - set(names)
    if unknown:
        raise CQPlugError(f"hist_range names {sorted(unknown)} are not classical variables; use {names}" if names
                          else f"hist_range: a model of more than {MAX_HISTOGRAMMED_MODES} modes has no histograms")
    low, high = np.empty(len(names)), np.empty(len(names))
    paths = None
    for i, name in enumerate(names):
        if options.hist_range and name in options.hist_range:
            low[i], high[i] = options.hist_range[name]
            continue
        if paths is None:
            paths = pilot()
        finite = paths[..., i][np.isfinite(paths[..., i])]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        pad = 0.25 * (hi - lo) if hi > lo else 1.0
        low[i], high[i] = lo - pad, hi + pad
    return HistogramSpec(low, (high - low) / options.bins, options.bins)


def run_ensemble(system, backend, options, seed: int | None = None, stop=None, trajectories: int | None = None,
                 first_block: int = 0, histogram: HistogramSpec | None = None) -> EnsembleOutcome:
    """Integrate ``trajectories`` (default ``options.ensemble_size``) trajectories of ``system`` on
    ``backend``, from seed block ``first_block`` on (to extend an ensemble already run).

    ``stop(statistics)`` (optional) is asked after each merged block whether to stop early;
    ``options.target_stderr`` adds its own rule. ``histogram`` (default: from ``hist_range`` or a
    pilot run) fixes the histogram bins, so that ensembles extended later can be merged.
    """
    seed = seed if seed is not None else (options.seed if options.seed is not None else new_seed())
    blocks_per_chunk = max(1, backend.blocks_per_call,
                           math.ceil((options.chunk_size or BLOCK_SIZE) / BLOCK_SIZE))
    job = EnsembleJob(system, backend, seed, trajectories or options.ensemble_size, blocks_per_chunk,
                      options.n_paths, first_block)
    executor, owned = executor_for(options)
    try:
        return _run(job, executor, options, stop, histogram)
    finally:
        if owned:
            executor.close()


def _run(job, executor, options, stop, histogram) -> EnsembleOutcome:
    started = time.perf_counter()
    target = options.target_stderr

    def should_stop(stats):
        if stop is not None and stop(stats):
            return True
        return target is not None and stats.count > 1 and bool(np.all(stats.stderr <= target))

    merger = InOrderMerger(should_stop)
    chunk_starts = iter(range(0, job.n_blocks, job.blocks_per_chunk))
    running, failure = {}, None

    def collect(future):
        first = running.pop(future)
        merger.add(first, future.result())

    with executor.session(job, job.backend.threads) as pool:
        if histogram is None:
            histogram = histogram_spec(job.system, options, lambda: pool.run(pilot_paths).result())
        prepared = time.perf_counter()
        progress = Progress(job.trajectories, options.progress)
        try:
            while not merger.stop:
                while len(running) < 2 * pool.slots:
                    first = next(chunk_starts, None)
                    if first is None:
                        break
                    running[pool.run(run_chunk, first, histogram)] = first
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    collect(future)
                progress.update(merger.count)
        except BaseException as exc:  # Ctrl-C, SIGTERM or a failed chunk: keep every block finished in order
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
            for future in running:  # stopped early: queued chunks are not needed
                future.cancel()
    if merger.merged is None:
        if failure is not None:
            raise failure
        raise RuntimeError("no trajectories were run")
    return EnsembleOutcome(merger.merged, histogram, job.seed, executor.name, prepared - started,
                           time.perf_counter() - prepared, failure)


class InOrderMerger:
    """Merges block statistics strictly in block order; asks ``should_stop`` after each block."""

    def __init__(self, should_stop):
        self.should_stop = should_stop
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
            self.stop = self.should_stop(self.merged)


def failure_message(failure: BaseException, count: int) -> str:
    """What to tell the user when a run stopped on an error after ``count`` trajectories."""
    return f"{failure} (the {count} trajectories finished before it are kept)"


def raise_if_failed(outcome: EnsembleOutcome, result) -> None:
    """Re-raise a run's failure (not an interruption) as RunFailed carrying the partial result."""
    failure = outcome.failure
    if failure is None or isinstance(failure, KeyboardInterrupt):
        return
    raise RunFailed(failure_message(failure, outcome.statistics.count), result) from failure
