"""The contract between core and an integrator backend.

Core hands a backend a :class:`~cqplug.system.CompiledSystem` (never the Problem or the model)
and asks it, block by block, for trajectories:

    runner = backend.prepare(system)                       # compile or load; once per run and process
    runner.run([Block(k, seed_k, n_k), ...], histogram)     # -> one output per block, in order

Block k is ``Block.trajectories`` trajectories whose every random number comes from
``Block.seed`` = ``SeedSequence(seed, spawn_key=(0, k))`` (:mod:`cqplug.solving.seeds`): a result
depends on the seed, never on how blocks are grouped into calls, threads or machines. A runner
returns, per block, either :class:`Trajectories` (the observable values at the saved times on the fine grid and, with
``system.step_error``, on the coarse grid 2 dt driven by the same Brownian increments, and the
phase-space points), which core reduces, or the equivalent accumulator core defines,
:class:`~cqplug.results.statistics.EnsembleStatistics` built with ``of_groups`` from moments its
kernel accumulated (the histogram ``HistogramSpec`` and ``n_paths`` say what to count and keep).
Everything statistical after that (merging, standard errors, step-error estimates, stopping)
is done by core, once (:mod:`cqplug.results.statistics`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BackendUnavailable, CQPlugError
from ..system.step_plan import DIVERGENCE_BOUND

BLOCK_SIZE = 512  # trajectories per seed block


@dataclass(frozen=True)
class Block:
    """One seed block: ``trajectories`` trajectories drawing from ``seed``."""

    index: int
    seed: np.random.SeedSequence
    trajectories: int


@dataclass
class Trajectories:
    """A block's output: ``values`` and ``coarse`` (n, times, observables), ``z`` (n, times, 2n)."""

    values: np.ndarray
    coarse: np.ndarray | None
    z: np.ndarray


class TrajectoryDiverged(CQPlugError):
    """A trajectory left the numbers: its classical variables ran away or its quantum state lost
    its norm. ``kind`` is "classical" or "quantum". Backends raise it with :meth:`classical` or
    :meth:`quantum`, so every backend says the same thing."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind

    @classmethod
    def classical(cls, system) -> TrajectoryDiverged:
        what = (f"a trajectory's classical variables ({', '.join(system.z_names)}) ran away (not finite or > "
                f"{DIVERGENCE_BOUND:g})")
        if system.linear_flow is not None:
            return cls("classical", f"{what}: the classical flow is integrated exactly, so the dynamics itself is "
                                    "unstable for these parameters; check them")
        return cls("classical", f"{what}: either the dynamics is unstable for these parameters (e.g. a potential "
                                f"unbounded below: check them) or dt = {system.dt:.3g} is too large for the "
                                "classical flow (try a smaller dt)")

    @classmethod
    def quantum(cls, system, detail: str = "") -> TrajectoryDiverged:
        return cls("quantum", f"a trajectory's quantum state lost its normalisation{detail} at dt = "
                              f"{system.dt:.3g}; reduce dt")


def check_finite(out: Trajectories, system) -> Trajectories:
    """``out`` unchanged, or TrajectoryDiverged when a backend returned non-finite numbers (core
    checks every backend's raw trajectories, so none can slip a NaN into the statistics)."""
    if not np.all(np.isfinite(out.z)):
        raise TrajectoryDiverged.classical(system)
    if not np.all(np.isfinite(out.values)):
        raise TrajectoryDiverged.quantum(system)
    if out.coarse is not None and not np.all(np.isfinite(out.coarse)):
        raise TrajectoryDiverged.quantum(system, " on the coarse grid 2 dt (which the step-error estimate needs; "
                                                 "or run without it)")
    return out


class Backend:
    """Base class of integrator backends.

    ``Options`` (a dataclass, or None) declares the backend's own options, given on the command
    line as ``--option NAME=VALUE`` and in Python as keyword arguments of ``solve``; the registered
    factory receives them as keyword arguments. ``states`` lists the quantum states the backend
    can carry. ``blocks_per_call`` is how many seed blocks it likes per ``run`` call (a GPU wants
    many); ``threads`` False makes core call it from one thread only. ``weak_order``: that of the
    backend's scheme where it is not the project's split step (None), e.g. 1 for Euler-Maruyama;
    core uses it to extrapolate and in the multilevel estimator. ``keeps_records``: its runners
    implement :meth:`Runner.records` (``solve(..., record=True)`` needs it).
    """

    Options = None
    states = ("density", "ket")
    blocks_per_call = 1
    threads = True
    weak_order = None
    keeps_records = False

    def check_available(self) -> None:
        """Raise BackendUnavailable (fast, never downloading) when the backend cannot run here."""

    def prepare(self, system) -> Runner:
        """Compile or load what ``system`` needs and return a :class:`Runner`."""
        raise NotImplementedError

    def require_state(self, state: str, name: str) -> None:
        if state not in self.states:
            raise BackendUnavailable(f"backend {name!r} cannot carry {state!r} states (it supports "
                                     f"{', '.join(self.states)})")


class Runner:
    """Integrates blocks of trajectories of one compiled system."""

    def run(self, blocks: list, histogram, n_paths: int) -> list:
        """One output per block of ``blocks`` (a list of :class:`Block`), in the same order:
        Trajectories, or EnsembleStatistics counting ``histogram`` and keeping the first ``n_paths``
        trajectories of block 0."""
        raise NotImplementedError

    def records(self, block: Block, n: int) -> np.ndarray:
        """Optional (``Backend.keeps_records``): the fine path's classical point z initially and after every
        fine step of the split-step schedule (:mod:`cqplug.system.step_plan`), as an array (n, steps + 1, 2n), for the
        first ``n`` trajectories of ``block``: the same trajectories ``run`` keeps as sample paths.
        Core maps them to the uniform step grid (:func:`cqplug.system.records.step_grid`)."""
        raise NotImplementedError
