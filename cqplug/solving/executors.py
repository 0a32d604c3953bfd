"""Where the chunks of an ensemble run: threads of this process ("local") or a Dask cluster ("dask").

A chunk is a run of consecutive seed blocks; a task is ``fn(job, *args)`` with ``job`` the
:class:`EnsembleJob` (compiled system, backend, seed: everything a worker needs). A task reduces
its blocks to :class:`~cqplug.results.statistics.EnsembleStatistics` where it runs, so only
statistics travel. Either executor hands back ``concurrent.futures`` futures, so the ensemble
driver merges chunk statistics in block order as they arrive, identically for both: the same
seed gives the same result bit for bit, whatever the executor, workers or chunk size.

Dask (``pip install "cqplug[dask]"``): the job is itself a task that every chunk depends on, so
workers fetch it once from each other (and the scheduler can rebuild it if the workers holding
it die, which scattered data would not allow); each worker process prepares (compiles) the
backend once per job and caches it; chunks are tasks. A worker lost mid-run costs only the
chunks it held, which the scheduler runs again elsewhere. Workers need cqplug and the plugins
the model uses installed in the same versions as the client.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import numpy as np

from ..errors import CQPlugError
from ..results.statistics import EnsembleStatistics, HistogramSpec
from .backend import BLOCK_SIZE, Block, check_finite
from .seeds import block_seed, pilot_seed

PILOT_TRAJECTORIES = 256
_RUNNERS: OrderedDict = OrderedDict()  # job key -> prepared Runner, per process
_RUNNERS_LOCK = threading.Lock()
_RUNNERS_KEPT = 4


@dataclass
class EnsembleJob:
    """One ensemble's work, picklable: block k of ``BLOCK_SIZE`` trajectories uses
    :func:`cqplug.solving.seeds.block_seed` (seed, k); chunks are ``blocks_per_chunk`` consecutive blocks."""

    system: object
    backend: object
    seed: int
    trajectories: int
    blocks_per_chunk: int
    n_paths: int
    first_block: int = 0
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def n_blocks(self) -> int:
        return -(-self.trajectories // BLOCK_SIZE)

    def block(self, i: int) -> Block:
        """The i-th block of this job: seed block first_block + i."""
        k = self.first_block + i
        return Block(k, block_seed(self.seed, k),
                     min(BLOCK_SIZE, self.trajectories - i * BLOCK_SIZE))

    def runner(self):
        """The backend prepared for this job, once per process."""
        with _RUNNERS_LOCK:
            if self.key not in _RUNNERS:
                _RUNNERS[self.key] = self.backend.prepare(self.system)
                while len(_RUNNERS) > _RUNNERS_KEPT:
                    _RUNNERS.popitem(last=False)
            return _RUNNERS[self.key]


def run_chunk(job: EnsembleJob, first: int, histogram: HistogramSpec) -> list:
    """Statistics of blocks first .. first + blocks_per_chunk - 1 (a task)."""
    blocks = [job.block(k) for k in range(first, min(first + job.blocks_per_chunk, job.n_blocks))]
    outputs = job.runner().run(blocks, histogram, job.n_paths)
    return [out if isinstance(out, EnsembleStatistics) else
            EnsembleStatistics.of_block(check_finite(out, job.system), histogram,
                                        job.n_paths if block.index == 0 else 0)
            for block, out in zip(blocks, outputs)]


def pilot_paths(job: EnsembleJob) -> np.ndarray:
    """Phase-space paths of a short pilot run (its own seed stream), for histogram ranges (a task)."""
    pilot = Block(0, pilot_seed(job.seed), PILOT_TRAJECTORIES)
    out = job.runner().run([pilot], HistogramSpec(np.zeros(job.system.n_z), np.ones(job.system.n_z), 1),
                           PILOT_TRAJECTORIES)[0]
    return out.path_z if isinstance(out, EnsembleStatistics) else out.z


class LocalExecutor:
    """Chunks on threads of this process (the backend's kernels release the GIL)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    @contextmanager
    def session(self, job: EnsembleJob, parallel_blocks: bool = True):
        job.runner()  # prepare (compile) once, before any thread needs it
        pool = ThreadPoolExecutor(self.workers) if parallel_blocks else _InCallingThread()
        try:
            yield _Pool(lambda fn, *args: pool.submit(fn, job, *args), self.workers if parallel_blocks else 1)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Chunks as tasks on a Dask cluster.

    ``scheduler``: an address ("tcp://host:8786"), a ``distributed.Client``, or None to start a
    ``LocalCluster`` of ``workers`` single-threaded processes on this machine. Use it as a
    context manager to keep one cluster connection over many ensembles (``cqplug scan`` does).
    """

    name = "dask"

    def __init__(self, scheduler=None, workers: int | None = None):
        self.scheduler, self.workers = scheduler, workers
        self._client = self._cluster = None

    def __enter__(self):
        self.client()
        return self

    def __exit__(self, kind, value, trace):
        if kind is not None:  # interrupted or failed, whenever (starting the cluster included): what the
            _silence_dask()  # scheduler, workers and futures say while they are torn down is noise, to the end
        self.close()
        return False

    def client(self):
        if self._client is not None:
            return self._client
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise CQPlugError('the dask executor needs Dask: pip install "cqplug[dask]"') from None
        _drop_cancellation_noise()
        if isinstance(self.scheduler, Client):
            return self.scheduler
        if self.scheduler is None:
            # no dashboard; its HTTP server (which distributed starts anyway) on a free port
            try:
                self._cluster = LocalCluster(n_workers=self.workers or os.cpu_count() or 1, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             scheduler_kwargs={"dashboard_address": ":0"})
                self._client = Client(self._cluster)
                self._client.run(_drop_cancellation_noise)
            except BaseException:  # Ctrl-C while the cluster starts: its half-started tasks must not shout
                _silence_dask()
                raise
        else:
            try:
                self._client = Client(self.scheduler, timeout="10s")
            except OSError as exc:
                raise CQPlugError(f"cannot reach the Dask scheduler at {self.scheduler!r}: {exc}") from None
        return self._client

    def close(self):
        with _quiet_dask():
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        self._client = self._cluster = None

    @contextmanager
    def session(self, job: EnsembleJob, parallel_blocks: bool = True):
        if not parallel_blocks:
            raise CQPlugError("this backend drives its own threads and runs blocks one at a time; use "
                              "executor='local' with it")
        client = self.client()
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise CQPlugError(f"the Dask cluster at {client.scheduler.address} has no workers")
        shared = client.submit(_identity, job, pure=False)
        futures = client.get_executor(pure=False)
        try:
            yield _Pool(lambda fn, *args: futures.submit(fn, shared, *args), threads)
        except BaseException:
            # an interrupted run: the shutdown messages of client and workers are noise
            _silence_dask()
            with suppress(Exception):
                client.run(_silence_dask)
            raise
        finally:
            futures.shutdown(wait=False)
            client.cancel([shared])


def _identity(x):
    return x


# "concurrent.futures" logs a callback's failure, e.g. distributed copying a result into a future that
# was cancelled (InvalidStateError: CANCELLED) while a Ctrl-C tears the run down
_DASK_LOGGERS = ("distributed", "tornado", "asyncio", "concurrent.futures")


class _CancellationNoise(logging.Filter):
    """Drops the tracebacks of work stopped on purpose: a run that stops early (Ctrl-C, a failed chunk, a
    target reached) cancels its queued chunks, and distributed's bridge to concurrent futures then logs
    FutureCancelledError / InvalidStateError: CANCELLED through tornado, asyncio or concurrent.futures;
    a worker fetching a result from a peer that is shutting down logs CommClosedError (the comm was
    closed: distributed retries or fails the task itself, which the run then reports), and its state
    machine warns that the cancelled fetch "ended with CancelledError". Anything else they log still shows."""

    NOISE = {"FutureCancelledError", "CancelledError", "InvalidStateError", "CommClosedError", "StreamClosedError"}

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ in self.NOISE:
            return False
        return "ended with CancelledError" not in record.getMessage()


_CANCELLATION_NOISE = _CancellationNoise()
_NOISY_LOGGERS = ("tornado.application", "asyncio", "concurrent.futures", "distributed.worker",
                  "distributed.worker.state_machine", "distributed.core")


def _drop_cancellation_noise() -> None:
    """Install the filter on the loggers where those records originate (idempotent); the local cluster's
    worker processes run it too (their stderr is the user's terminal)."""
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if _CANCELLATION_NOISE not in logger.filters:
            logger.addFilter(_CANCELLATION_NOISE)


def _silence_dask() -> None:
    for name in _DASK_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


@contextmanager
def _quiet_dask():
    """Dask's shutdown messages (cancelled futures, closed comms) hidden while a cluster closes."""
    levels = {name: logging.getLogger(name).level for name in _DASK_LOGGERS}
    _silence_dask()
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@dataclass
class _Pool:
    """``run(fn, *args)`` -> concurrent Future of fn(job, *args); ``slots``: chunks to keep in flight per round."""

    run: object
    slots: int


class _InCallingThread:
    """An executor that runs each task at submission, in the calling thread."""

    def submit(self, fn, *args):
        future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # delivered through the future, like a worker thread's
            future.set_exception(exc)
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def executor_for(options):
    """The executor an Options asks for: an executor object as given, or "local" / "dask" (a
    Dask executor made for this one ensemble; closed by the caller)."""
    choice = options.executor
    if hasattr(choice, "session"):
        return choice, False
    if choice == "local":
        if options.scheduler is not None:
            raise CQPlugError("scheduler is an option of executor='dask'")
        return LocalExecutor(options.worker_count), False
    if choice == "dask":
        return DaskExecutor(options.scheduler, options.workers), True
    raise CQPlugError(f"unknown executor {choice!r}; use 'local' or 'dask'")
