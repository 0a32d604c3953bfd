"""The interface between the ensemble driver and an integrator backend.

A backend integrates :class:`~cqplug.terms.TrajectoryTerms` for blocks of trajectories and
returns :class:`~cqplug.statistics.BlockStatistics`. It never sees the model: the phase-space
functions arrive as generated code (:mod:`cqplug.codegen`), operators as arrays.
"""

from __future__ import annotations

import numpy as np

from .errors import BackendUnavailable


class Backend:
    """Base class of backends. Subclasses set ``name``, ``summary`` and implement ``prepare``."""

    name = ""
    summary = ""
    states = ("density", "ket")  # which quantum states it can carry
    parallel_blocks = True  # False: blocks run one at a time in the calling thread

    def check_available(self) -> None:
        """Raise BackendUnavailable (fast, never downloading) when the backend cannot run here."""

    def prepare(self, problem, terms, state: str, dt: float, steps_per_save: int) -> "BlockRunner":
        """Compile or load what is needed and return a :class:`BlockRunner`."""
        raise NotImplementedError

    def require_state(self, state: str) -> None:
        if state not in self.states:
            raise BackendUnavailable(f"backend {self.name!r} cannot carry {state!r} states (it supports {self.states})")


class BlockRunner:
    """Runs one block of trajectories.

    ``run_block(n_trajectories, seed_sequence, hist_low, hist_width, bins, n_paths)`` samples each
    trajectory's start from the initial state, integrates it, and returns BlockStatistics over
    the saved times. ``hist_low`` and ``hist_width`` are per classical variable.
    """

    def run_block(self, n: int, seed: np.random.SeedSequence, hist_low: np.ndarray, hist_width: np.ndarray,
                  bins: int, n_paths: int):
        raise NotImplementedError
